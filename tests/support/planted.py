"""Incidents planted straight into the database, and the demo's names and geometry, for the
tests that count figures from them (an intervention's effect, a figure's scope): the demo's
areas, places, organisations and groups by name (``World``), incidents written with the ORM in
one report of the police (``Spec``, ``insert``), and metres and local days measured here,
independently of the API."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from api.incidents.models import Incident, Report
from api.incidents.schemas import Assessment, PoliceReported, Precision, WithdrawReason
from tests.support.people import ADMIN_EMAIL, People
from tests.support.servers import Server

V1 = "/api/v1"
TZ = ZoneInfo("Europe/Stockholm")
UTC = dt.UTC
STEERING = "EST styrgrupp"
COORDINATION = "EST samordningsgrupp"
KUNGSANGEN = "EST områdesgrupp Kungsängen"
BRO_GROUP = "EST områdesgrupp Bro"
POLICE = "Polisen, lokalpolisområde"
KLOTTER = "skadegorelse.klotter"

LatLon = tuple[float, float]


@dataclass
class World:
    """The demo's records by name, and its areas' centres."""

    municipality_id: int
    areas: dict[str, int]
    centres: dict[str, LatLon]
    places: dict[str, tuple[int, str]]  # name: (id, area name)
    organisations: dict[str, int]
    groups: dict[str, int]

    @classmethod
    def of(cls, server: Server, people: People) -> World:
        areas = {name: int(a["id"]) for name, a in people["areas"].items()}
        names = {i: n for n, i in areas.items()}
        centres = {}
        for name, area in people["areas"].items():
            lon, lat = area["center"]["coordinates"]
            centres[name] = (lat, lon)
        with server.client(server.token_for(ADMIN_EMAIL)) as admin:
            listed = admin.get(f"{V1}/places", params={"limit": 200}).json()["items"]
        return cls(
            municipality_id=int(people["municipality"]["id"]),
            areas=areas,
            centres=centres,
            places={p["name"]: (int(p["id"]), names[p["area_id"]]) for p in listed},
            organisations={n: int(o["id"]) for n, o in people["organisations"].items()},
            groups={n: int(g["id"]) for n, g in people["groups"].items()},
        )

    def place_id(self, name: str) -> int:
        return self.places[name][0]

    def without_geometry(self, server: Server) -> World:
        """The demo as a municipality before its GIS delivers: no area boundaries and no
        places' positions (the demo ships approximate ones, api/seed_data), so that the
        nearest reference point decides and a place target is the incidents filed at it."""
        with server.client(server.token_for(ADMIN_EMAIL)) as admin:
            for area_id in self.areas.values():
                response = admin.patch(f"{V1}/areas/{area_id}", json={"boundary": None})
                assert response.status_code == 200, response.text
            for place_id, _ in self.places.values():
                response = admin.patch(f"{V1}/places/{place_id}", json={"point": None})
                assert response.status_code == 200, response.text
        return self


@dataclass
class Spec:
    """An incident to insert; ``id`` is filled in once it is."""

    at: dt.datetime  # aware
    where: LatLon | None = None
    area: str = "Bro"
    category: str = KLOTTER
    place: str | None = None
    withdrawn: bool = False
    id: int = 0

    @property
    def family(self) -> str:
        return self.category.split(".")[0]


def insert(
    server: Server, world: World, specs: Sequence[Spec], organisation: str = POLICE
) -> list[int]:
    """Write the incidents with the ORM, in one report of the organisation (the police's
    unless told), and note their ids."""
    organisation_id = world.organisations[organisation]
    with server.database.session(write=True) as session:
        report = Report(organisation_id=organisation_id, reporter_id=None, source="test")
        session.add(report)
        made = []
        for s in specs:
            incident = Incident(
                report=report,
                municipality_id=world.municipality_id,
                organisation_id=organisation_id,
                category_code=s.category,
                family_code=s.family,
                occurred_from=s.at,
                occurred_to=s.at,
                precision=Precision.exact,
                area_id=world.areas[s.area],
                place_id=world.place_id(s.place) if s.place else None,
                lat=s.where[0] if s.where else None,
                lon=s.where[1] if s.where else None,
                assessment=Assessment.medium,
                police_reported=PoliceReported.unknown,
                source="test",
                withdrawn_at=dt.datetime(2025, 5, 2, 12, tzinfo=UTC) if s.withdrawn else None,
                withdrawn_reason=WithdrawReason.mistake if s.withdrawn else None,
            )
            session.add(incident)
            made.append(incident)
        session.flush()
        for s, incident in zip(specs, made, strict=True):
            s.id = incident.id
    return [s.id for s in specs]


def metres(a: LatLon, b: LatLon) -> float:
    """Metres on a local plane: good to well under a percent over a few kilometres."""
    lat0 = math.radians((a[0] + b[0]) / 2)
    dy = (a[0] - b[0]) * 111_320
    dx = (a[1] - b[1]) * 111_320 * math.cos(lat0)
    return math.hypot(dx, dy)


def offset(centre: LatLon, distance: float, degrees: float) -> LatLon:
    angle = math.radians(degrees)
    lat = centre[0] + distance * math.sin(angle) / 111_320
    lon = centre[1] + distance * math.cos(angle) / (111_320 * math.cos(math.radians(centre[0])))
    return lat, lon


def midnight(day: dt.date) -> dt.datetime:
    """The first instant of a local calendar day, in UTC."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=TZ).astimezone(UTC)

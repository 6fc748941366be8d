"""Two municipalities and a police area over both (#21), made for the police area's tests
without the demo: the municipalities, their areas, organisations and people as the system
(an unbound session), the police area, its group and the agreements through the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import httpx
from pyproj import Transformer
from sqlalchemy import select

from api.accounts.models import User
from api.categories.models import Category
from api.incidents.models import Incident, Report
from api.incidents.schemas import Assessment, PoliceReported, Precision, WithdrawReason
from api.seed import SeedReport, load_categories
from api.structure.models import Area, Municipality, Organisation
from api.structure.schemas import OrganisationKind
from tests.support.servers import Server

V1 = "/api/v1"
UTC = dt.UTC
# A day inside the period the tests read (2026-11-16 – 2026-11-22), at 20:00 local.
IN_PERIOD = dt.datetime(2026, 11, 20, 19, 0, tzinfo=UTC)
BEFORE_PERIOD = dt.datetime(2026, 11, 1, 19, 0, tzinfo=UTC)
PERIOD = {"from": "2026-11-16", "to": "2026-11-22"}
_TO_WGS84 = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)


def sweref(x: float, y: float) -> tuple[float, float]:
    """(lat, lon) of a SWEREF 99 TM point (easting x, northing y)."""
    lon, lat = _TO_WGS84.transform(x, y)
    return float(lat), float(lon)


@dataclass
class Side:
    """One municipality of the pair."""

    id: int
    name: str
    areas: dict[str, int]
    organisation_id: int
    admin: str  # e-mail addresses
    member: str  # a person of the municipality who is not in the police area


@dataclass
class Pair:
    a: Side
    b: Side
    police: str  # the police area's convener (home: a)
    police_area_id: int = 0
    planted: dict[str, int] = field(default_factory=dict)


def _side(session: Any, name: str, areas: list[str], key: str) -> Side:
    municipality = Municipality(name=name)
    session.add(municipality)
    session.flush()
    made = {a: Area(municipality_id=municipality.id, name=a) for a in areas}
    organisation = Organisation(
        municipality_id=municipality.id, name=f"Kommunen {name}", kind=OrganisationKind.municipality
    )
    session.add_all([*made.values(), organisation])
    session.flush()
    admin, member = f"admin-{key}@test.example", f"medlem-{key}@test.example"
    session.add_all(
        [
            User(
                name=f"Admin {name}",
                email=admin,
                email_key=admin,
                is_admin=True,
                organisation_id=organisation.id,
                municipality_id=municipality.id,
            ),
            User(
                name=f"Medlem {name}",
                email=member,
                email_key=member,
                organisation_id=organisation.id,
                municipality_id=municipality.id,
            ),
        ]
    )
    return Side(
        id=municipality.id,
        name=name,
        areas={a: m.id for a, m in made.items()},
        organisation_id=organisation.id,
        admin=admin,
        member=member,
    )


def make_pair(server: Server, api: httpx.Client) -> Pair:
    """Kommun Väst (areas Norr, Söder) and Kommun Öst (Centrum), a police officer of Väst,
    and the police area "Lokalpolisområde Test" over both, its officer its convener."""
    with server.database.session(write=True) as session:
        if session.scalar(select(Category).limit(1)) is None:
            load_categories(session, SeedReport())
        a = _side(session, "Kommun Väst", ["Norr", "Söder"], "a")
        b = _side(session, "Kommun Öst", ["Centrum"], "b")
        police = Organisation(municipality_id=a.id, name="Polisen", kind=OrganisationKind.police)
        session.add(police)
        session.flush()
        officer = "polis@test.example"
        session.add(
            User(
                name="Polis Test",
                email=officer,
                email_key=officer,
                organisation_id=police.id,
                municipality_id=a.id,
            )
        )
    pair = Pair(a=a, b=b, police=officer)
    created = api.post(
        f"{V1}/police-areas",
        json={"name": "Lokalpolisområde Test", "municipality_ids": [a.id, b.id]},
    )
    assert created.status_code == 201, created.text
    pair.police_area_id = created.json()["id"]
    added = api.post(
        f"{V1}/police-areas/{pair.police_area_id}/members",
        json={"email": officer, "role": "convener"},
    )
    assert added.status_code == 200, added.text
    return pair


def agree(server: Server, pair: Pair, side: Side, **terms: Any) -> dict[str, Any]:
    """The municipality's administrator sets its agreement."""
    with server.client(server.token_for(side.admin)) as admin:
        response = admin.put(
            f"{V1}/police-areas/{pair.police_area_id}/agreements/{side.id}", json=terms
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def plant(
    server: Server,
    side: Side,
    name: str,
    *,
    category: str,
    area: str,
    where: tuple[float, float] | None,
    description: str | None = None,
    at: dt.datetime = IN_PERIOD,
    withdrawn: bool = False,
    pair: Pair | None = None,
) -> int:
    """One incident written with the ORM as the system."""
    with server.database.session(write=True) as session:
        report = Report(
            organisation_id=side.organisation_id,
            municipality_id=side.id,
            reporter_id=None,
            source="test",
        )
        session.add(report)
        incident = Incident(
            report=report,
            municipality_id=side.id,
            organisation_id=side.organisation_id,
            category_code=category,
            family_code=category.split(".")[0],
            occurred_from=at,
            occurred_to=at,
            precision=Precision.exact,
            area_id=side.areas[area],
            lat=where[0] if where else None,
            lon=where[1] if where else None,
            assessment=Assessment.medium,
            police_reported=PoliceReported.unknown,
            description=description,
            source="test",
            withdrawn_at=at if withdrawn else None,
            withdrawn_reason=WithdrawReason.mistake if withdrawn else None,
        )
        session.add(incident)
        session.flush()
        made = incident.id
    if pair is not None:
        pair.planted[name] = made
    return made

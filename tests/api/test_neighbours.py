"""Two municipalities side by side (#21): the demo's Järfälla beside Upplands-Bro, a point in
the neighbouring municipality refused naming it (or filed there for a reporter of both), and
the municipalities a person acts in, as GET /auth/me says them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import shapely
from sqlalchemy import func, select

from api.audit.models import AuditEvent
from api.demo_boundaries import JARFALLA, demo_boundaries, demo_outline, demo_structure
from api.incidents.models import Incident
from api.structure.models import Area, Group, Municipality, Organisation
from tests.support.people import People
from tests.support.servers import Server

pytestmark = pytest.mark.jarfalla

V1 = "/api/v1"
POLICE = "polis@est.demo"
JARFALLA_ADMIN = "admin@jarfalla.est.demo"
# Jakobsbergs centrum, well inside Järfälla; Kallhälls station, some 700 m from Upplands-Bro's
# outline (within the reach that lands a point just past it in Upplands-Bro's nearest area).
JAKOBSBERG = (59.4235, 17.8330)
KALLHALL = (59.4352, 17.8120)
KUNGSANGEN = (59.4786, 17.7506)
REFUSED = "Platsen ligger i Järfälla kommun, inte i Upplands-Bro."


def file_at(
    client: httpx.Client, lat: float, lon: float, headers: dict[str, str] | None = None
) -> httpx.Response:
    incident = {
        "category": "skadegorelse.klotter",
        "occurred_from": "2026-11-20T21:30",
        "assessment": "medium",
        "position": {"lat": lat, "lon": lon},
    }
    return client.post(f"{V1}/reports", json={"incidents": [incident]}, headers=headers or {})


def municipality_ids(server: Server) -> dict[str, int]:
    with server.database.session(write=False) as session:
        return {m.name: m.id for m in session.scalars(select(Municipality))}


def test_the_outlines_touch_and_do_not_overlap() -> None:
    upplands_bro = shapely.geometry.shape(demo_outline())
    jarfalla = shapely.geometry.shape(demo_outline(JARFALLA))
    assert upplands_bro.intersection(jarfalla).area < 1e-12
    assert upplands_bro.touches(jarfalla) or upplands_bro.intersects(jarfalla)
    # Every place of Järfälla's lies in its area's boundary, and none in Upplands-Bro.
    for area in demo_structure(JARFALLA)["areas"]:
        shape = shapely.geometry.shape(demo_boundaries(JARFALLA)[area["name"]])
        for lat, lon in area["positions"].values():
            assert shape.contains(shapely.Point(lon, lat))
            assert not upplands_bro.contains(shapely.Point(lon, lat))


def test_the_demo_holds_both_municipalities(server: Server, people: People) -> None:
    with server.database.session(write=False) as session:
        found = {m.name: m for m in session.scalars(select(Municipality))}
        assert set(found) == {"Upplands-Bro kommun", "Järfälla kommun"}
        jarfalla = found["Järfälla kommun"]
        assert jarfalla.outline is not None and jarfalla.extent is not None
        areas = set(session.scalars(select(Area.name).where(Area.municipality_id == jarfalla.id)))
        assert areas == {"Jakobsberg", "Barkarby", "Viksjö", "Kallhäll–Stäket"}
        groups = {
            g.name: g.kind.value
            for g in session.scalars(select(Group).where(Group.municipality_id == jarfalla.id))
        }
        assert groups["EST styrgrupp Järfälla"] == "steering"
        assert groups["EST samordningsgrupp Järfälla"] == "coordination"
        assert sum(kind == "area" for kind in groups.values()) == 4
        names = set(
            session.scalars(
                select(Organisation.name).where(Organisation.municipality_id == jarfalla.id)
            )
        )
        assert {"Järfällahus", "Polisen, lokalpolisområde", "Securitas"} <= names
    # Järfälla's administrator sees Järfälla's areas only.
    token = server.token_for(JARFALLA_ADMIN)
    with server.client(token) as admin:
        listed = {a["name"] for a in admin.get(f"{V1}/areas").json()["items"]}
        assert listed == areas
        me = admin.get(f"{V1}/auth/me").json()
        assert me["municipality"]["name"] == "Järfälla kommun"
        assert [m["name"] for m in me["municipalities"]] == ["Järfälla kommun"]


def test_the_police_officer_acts_in_both(server: Server, people: People) -> None:
    ids = municipality_ids(server)
    with server.client(server.token_for(POLICE)) as police:
        me = police.get(f"{V1}/auth/me").json()
        assert me["municipality"]["name"] == "Upplands-Bro kommun"
        assert [m["name"] for m in me["municipalities"]] == [
            "Upplands-Bro kommun",
            "Järfälla kommun",
        ]
        assert {g["group"]["name"] for g in me["memberships"]} == {"EST samordningsgrupp"}
        there = {"EST-Municipality": str(ids["Järfälla kommun"])}
        me = police.get(f"{V1}/auth/me", headers=there).json()
        assert me["municipality"]["name"] == "Järfälla kommun"
        assert {g["group"]["name"] for g in me["memberships"]} == {"EST samordningsgrupp Järfälla"}
        areas = {a["name"] for a in police.get(f"{V1}/areas", headers=there).json()["items"]}
        assert "Jakobsberg" in areas and "Bro" not in areas
    # Someone of one municipality has one, and no other to choose.
    with server.client(people["tokens"]["reporter"]) as reporter:
        me = reporter.get(f"{V1}/auth/me").json()
        assert [m["name"] for m in me["municipalities"]] == ["Upplands-Bro kommun"]
        refused = reporter.get(
            f"{V1}/auth/me", headers={"EST-Municipality": str(ids["Järfälla kommun"])}
        )
        assert refused.status_code == 403, refused.text


def field_error(response: httpx.Response) -> dict[str, Any]:
    errors = {e["field"]: e for e in response.json()["errors"]}
    return errors["incidents.0.position"]  # type: ignore[no-any-return]


def test_a_point_in_the_neighbouring_municipality_is_refused_naming_it(
    server: Server, people: People
) -> None:
    with server.client(people["tokens"]["reporter"]) as reporter:
        for lat, lon in (JAKOBSBERG, KALLHALL):
            response = file_at(reporter, lat, lon)
            assert response.status_code == 422, response.text
            error = field_error(response)
            assert error["message"] == REFUSED
            assert error["code"] == "outside_municipality"
        # Its own municipality's points are filed as before.
        assert file_at(reporter, *KUNGSANGEN).status_code == 201
    # And the other way round: Järfälla's reporter with a point in Kungsängen.
    with server.client(server.token_for("rapportor@jarfalla.est.demo")) as theirs:
        response = file_at(theirs, *KUNGSANGEN)
        assert response.status_code == 422, response.text
        assert field_error(response)["message"] == (
            "Platsen ligger i Upplands-Bro kommun, inte i Järfälla."
        )
        assert file_at(theirs, *JAKOBSBERG).status_code == 201


def test_a_reporter_of_both_files_it_there_and_is_told(server: Server, people: People) -> None:
    ids = municipality_ids(server)
    jarfalla, upplands_bro = ids["Järfälla kommun"], ids["Upplands-Bro kommun"]
    with server.client(server.token_for(POLICE)) as police:
        response = file_at(police, *KALLHALL)
        assert response.status_code == 201, response.text
        report = response.json()
        assert report["municipality_id"] == jarfalla
        assert report["notice"] == (
            "Platsen ligger i Järfälla kommun: observationen registrerades där."
        )
        (incident,) = report["incidents"]
        assert incident["area"]["name"] == "Kallhäll–Stäket"
        # Filed for the police as Järfälla knows it, and read there, not in Upplands-Bro.
        there = {"EST-Municipality": str(jarfalla)}
        assert police.get(f"{V1}/reports/{report['id']}").status_code == 404
        read = police.get(f"{V1}/reports/{report['id']}", headers=there)
        assert read.status_code == 200, read.text
        assert read.json()["notice"] is None
        # Acting in Järfälla, a point in Kungsängen goes home to Upplands-Bro.
        back = file_at(police, *KUNGSANGEN, there)
        assert back.status_code == 201, back.text
        assert back.json()["municipality_id"] == upplands_bro
        assert back.json()["notice"] == (
            "Platsen ligger i Upplands-Bro kommun: observationen registrerades där."
        )
    with server.database.session(write=False) as session:
        organisation = session.scalar(
            select(Organisation)
            .join(Incident, Incident.organisation_id == Organisation.id)
            .where(Incident.id == incident["id"])
        )
        assert organisation is not None
        assert (organisation.municipality_id, organisation.name) == (
            jarfalla,
            "Polisen, lokalpolisområde",
        )
        assert session.scalar(select(func.count(Incident.id))) == 2
        # Each creation is logged in the municipality of the record, where its administrator
        # reads it, whichever municipality the officer acted in.
        logged = session.execute(
            select(AuditEvent.object_id, AuditEvent.municipality_id).where(
                AuditEvent.object_type == "incidents", AuditEvent.action == "create"
            )
        ).all()
        assert sorted(logged) == sorted(
            [
                (str(incident["id"]), jarfalla),
                (str(back.json()["incidents"][0]["id"]), upplands_bro),
            ]
        )

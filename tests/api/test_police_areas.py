"""The police area (#21): its federated lägesbild is the sum of what each municipality's
agreement shares, at its precision; an agreement is visible to both sides and its changes
are kept; a person of a municipality who is not in the police area sees none of it."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api.audit.models import AuditEvent
from api.policeareas.demo import MUNICIPALITIES, load_police_area_demo
from api.policeareas.models import PoliceArea, SharingAgreement, SharingAgreementVersion
from api.structure.models import Municipality
from tests.support.policeareas import (
    BEFORE_PERIOD,
    PERIOD,
    V1,
    Pair,
    agree,
    make_pair,
    plant,
    sweref,
)
from tests.support.servers import Server

# SWEREF 99 TM points: the first two in one 250 m cell, the third in another.
CELL_1 = (660_000, 6_597_000)
CELL_2 = (661_250, 6_598_250)
P1 = sweref(660_010, 6_597_010)
P2 = sweref(660_200, 6_597_240)
P3 = sweref(661_300, 6_598_400)
# In the other municipality (exact points shared).
Q1 = sweref(670_100, 6_590_100)
Q2 = sweref(670_400, 6_590_900)
Q3 = sweref(671_000, 6_591_000)


@pytest.fixture
def pair(server: Server, api: httpx.Client) -> Pair:
    return make_pair(server, api)


def _planted(server: Server, pair: Pair) -> None:
    a, b = pair.a, pair.b
    # Väst shares vandalism at 250 m, no free text.
    for name, where, area, text in (
        ("a1", P1, "Norr", None),
        ("a2", P2, "Norr", None),
        ("a3", P3, "Söder", "Hemlig text från Väst"),
    ):
        plant(server, a, name, category="skadegorelse.klotter", area=area, where=where,
              description=text, pair=pair)  # fmt: skip
    plant(server, a, "a4", category="skadegorelse.brand", area="Söder", where=None, pair=pair)
    # Not counted: a category not shared, a withdrawn one, one before the period.
    plant(server, a, "a_brak", category="ordning.brak", area="Norr", where=P1,
          description="Bråk i Väst", pair=pair)  # fmt: skip
    plant(server, a, "a_gone", category="skadegorelse.klotter", area="Norr", where=P1,
          withdrawn=True, pair=pair)  # fmt: skip
    plant(server, a, "a_old", category="skadegorelse.klotter", area="Norr", where=P1,
          at=BEFORE_PERIOD, pair=pair)  # fmt: skip
    # Öst shares vandalism and drug dealing at the exact point, with free text.
    plant(server, b, "b1", category="skadegorelse.glaskross", area="Centrum", where=Q1,
          description="Krossad ruta vid torget", pair=pair)  # fmt: skip
    plant(server, b, "b2", category="ordning.narkotika", area="Centrum", where=Q2, pair=pair)
    plant(server, b, "b_brak", category="ordning.brak", area="Centrum", where=Q3,
          description="Bråk i Öst", pair=pair)  # fmt: skip
    plant(server, b, "b_samling", category="samling.centrum", area="Centrum", where=Q3,
          pair=pair)  # fmt: skip


def _agreements(server: Server, pair: Pair) -> None:
    agree(server, pair, pair.a, categories=["skadegorelse"], precision="grid_250")
    agree(server, pair, pair.b, categories=["skadegorelse", "ordning.narkotika"],
          precision="point", free_text=True)  # fmt: skip


def _situation(server: Server, pair: Pair, email: str) -> httpx.Response:
    with server.client(server.token_for(email)) as client:
        return client.get(f"{V1}/police-areas/{pair.police_area_id}/situation", params=PERIOD)


def _by(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {r["label"]: r["count"] for r in rows}


def _codes(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {r["code"]: r["count"] for r in rows}


def test_the_federated_lagesbild_is_the_sum_of_what_each_agreement_shares(
    server: Server, pair: Pair
) -> None:
    _planted(server, pair)
    _agreements(server, pair)
    response = _situation(server, pair, pair.police)
    assert response.status_code == 200, response.text
    body = response.json()
    vast, ost = body["municipalities"]
    assert [vast["municipality"]["name"], ost["municipality"]["name"]] == [
        "Kommun Väst",
        "Kommun Öst",
    ]

    # Väst: four vandalism incidents, at 250 m cells; bråk, the withdrawn and the old one out.
    assert vast["agreement"] == {"categories": ["skadegorelse"], "precision": "grid_250",
                                 "free_text": False}  # fmt: skip
    assert vast["total"] == 4
    assert _by(vast["by_family"]) == {"Skadegörelse": 4}
    assert _codes(vast["by_category"]) == {"skadegorelse.klotter": 3, "skadegorelse.brand": 1}
    assert _by(vast["by_area"]) == {"Norr": 2, "Söder": 2}
    cells = {tuple(f["properties"]["sweref99tm"]): f["properties"]["count"]
             for f in vast["geojson"]["features"]}  # fmt: skip
    assert cells == {CELL_1: 2, CELL_2: 1}
    for feature in vast["geojson"]["features"]:
        assert feature["geometry"]["type"] == "Polygon"
        assert set(feature["properties"]) == {"cell", "sweref99tm", "count"}
        (ring,) = feature["geometry"]["coordinates"]
        x, y = feature["properties"]["sweref99tm"]
        assert math.isclose(ring[0][1], sweref(x, y)[0], abs_tol=1e-5)
    assert vast["texts"] == []

    # Öst: the glass and the drug dealing at their points, with their text.
    assert ost["total"] == 2
    assert _codes(ost["by_category"]) == {"skadegorelse.glaskross": 1, "ordning.narkotika": 1}
    points = sorted(tuple(f["geometry"]["coordinates"]) for f in ost["geojson"]["features"])
    assert points == sorted([(Q1[1], Q1[0]), (Q2[1], Q2[0])])
    assert [t["text"] for t in ost["texts"]] == ["Krossad ruta vid torget"]

    # Side by side, and the whole the sum of the parts.
    totals = {r["code"]: (r["counts"], r["total"]) for r in body["totals"]}
    assert totals == {
        "skadegorelse": ({str(pair.a.id): 4, str(pair.b.id): 1}, 5),
        "ordning": ({str(pair.a.id): 0, str(pair.b.id): 1}, 1),
    }
    assert body["total"] == vast["total"] + ost["total"] == 6

    # What no agreement shares never shows: its categories, its text.
    text = response.text
    for secret in ("Hemlig text från Väst", "Bråk i Väst", "Bråk i Öst", "Bråk", "Samling"):
        assert secret not in text
    assert "samling" not in text and "ordning.brak" not in text


def test_free_text_only_where_agreed_and_precision_area_gives_no_geometry(
    server: Server, pair: Pair
) -> None:
    _planted(server, pair)
    agree(server, pair, pair.a, categories=["skadegorelse"], precision="area", free_text=True)
    body = _situation(server, pair, pair.police).json()
    (vast,) = body["municipalities"]  # Öst has no agreement: it shares nothing
    assert vast["geojson"]["features"] == []
    assert _by(vast["by_area"]) == {"Norr": 2, "Söder": 2}
    assert [t["text"] for t in vast["texts"]] == ["Hemlig text från Väst"]
    assert "Kommun Öst" not in str(body["totals"]) and body["total"] == 4
    # Sharing nothing (an empty list) counts nothing.
    agree(server, pair, pair.a, categories=[], precision="point")
    body = _situation(server, pair, pair.police).json()
    assert body["total"] == 0 and body["municipalities"][0]["geojson"]["features"] == []


def test_the_agreement_is_visible_to_both_sides_and_its_changes_are_kept(
    server: Server, pair: Pair
) -> None:
    base = f"{V1}/police-areas/{pair.police_area_id}/agreements"
    agree(server, pair, pair.b, categories=["skadegorelse"], precision="area")
    changed = agree(
        server, pair, pair.b, categories=["skadegorelse", "ordning"], precision="grid_250"
    )
    assert changed["version"] == 2 and changed["updated_by"] == "Admin Kommun Öst"
    for who in (pair.police, pair.b.admin):
        with server.client(server.token_for(who)) as client:
            got = client.get(f"{base}/{pair.b.id}")
            assert got.status_code == 200, got.text
            assert got.json()["categories"] == ["skadegorelse", "ordning"]
            assert got.json()["may_edit"] is (who == pair.b.admin)
            versions = client.get(f"{base}/{pair.b.id}/versions").json()
            assert [v["version"] for v in versions] == [2, 1]
            assert versions[0]["before"]["precision"] == "area"
            assert versions[0]["after"]["precision"] == "grid_250"
            assert versions[1]["before"] is None
            assert versions[0]["changed_by"] == "Admin Kommun Öst"
    # The police area's group reads every agreement; the administrator their own.
    with server.client(server.token_for(pair.police)) as police:
        listed = police.get(base).json()
        assert [(x["municipality"]["name"], x["exists"]) for x in listed] == [
            ("Kommun Väst", False), ("Kommun Öst", True)]  # fmt: skip
    with server.client(server.token_for(pair.a.admin)) as admin_a:
        assert [x["municipality"]["id"] for x in admin_a.get(base).json()] == [pair.a.id]
        # They see the police area: an honest 403, not a 404.
        assert admin_a.get(f"{base}/{pair.b.id}").status_code == 403
        refused = admin_a.put(f"{base}/{pair.b.id}", json={"categories": [], "precision": "area"})
        assert refused.status_code == 403
    # And the audit log holds each change.
    with server.database.session(write=False) as session:
        logged = session.scalars(
            select(AuditEvent.object_type).where(
                AuditEvent.object_type.in_(["sharing_agreements", "sharing_agreement_versions"])
            )
        ).all()
    assert logged.count("sharing_agreements") == 2
    assert logged.count("sharing_agreement_versions") == 2


def test_an_unknown_category_is_refused_in_the_field(server: Server, pair: Pair) -> None:
    with server.client(server.token_for(pair.a.admin)) as admin:
        response = admin.put(
            f"{V1}/police-areas/{pair.police_area_id}/agreements/{pair.a.id}",
            json={"categories": ["finns.inte"], "precision": "point"},
        )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "categories"


def test_a_person_outside_the_police_area_sees_none_of_it(server: Server, pair: Pair) -> None:
    _planted(server, pair)
    _agreements(server, pair)
    area = f"{V1}/police-areas/{pair.police_area_id}"
    for who in (pair.a.member, pair.b.member):
        with server.client(server.token_for(who)) as client:
            assert client.get(f"{V1}/police-areas").json() == {"items": [], "next": None}
            for path in ("", "/situation", "/agreements", f"/agreements/{pair.a.id}",
                         f"/agreements/{pair.b.id}/versions", "/members"):  # fmt: skip
                assert client.get(area + path).status_code == 404, (who, path)
            put = client.put(f"{area}/agreements/{pair.a.id}", json={"categories": [],
                             "precision": "area"})  # fmt: skip
            assert put.status_code == 403
            member = client.post(f"{area}/members", json={"email": who, "role": "member"})
            assert member.status_code == 404
    # An administrator of a municipality reads the police area and their own agreement,
    # not its lägesbild (they are not in its group).
    with server.client(server.token_for(pair.a.admin)) as admin:
        assert admin.get(area).json()["rights"]["edits_agreements_of"] == [pair.a.id]
        refused = admin.get(f"{area}/situation")
        assert refused.status_code == 403
        assert "Bara lokalpolisområdets grupp" in refused.json()["detail"]
    # The police officer cannot change what a municipality shares.
    with server.client(server.token_for(pair.police)) as police:
        put = police.put(f"{area}/agreements/{pair.a.id}", json={"categories": [],
                         "precision": "area"})  # fmt: skip
        assert put.status_code == 403


def test_the_convener_manages_the_group_and_members_read(server: Server, pair: Pair) -> None:
    area = f"{V1}/police-areas/{pair.police_area_id}"
    with server.client(server.token_for(pair.police)) as police:
        added = police.post(f"{area}/members", json={"email": pair.b.member, "role": "viewer"})
        assert added.status_code == 200, added.text
        me = police.get(f"{V1}/auth/me").json()
        assert "read_police_areas" in me["can"] and "manage_police_areas" not in me["can"]
    with server.client(server.token_for(pair.b.member)) as viewer:
        assert viewer.get(f"{area}/situation", params=PERIOD).status_code == 200
        assert sorted(m["role"] for m in viewer.get(f"{area}/members").json()) == [
            "convener",
            "viewer",
        ]
        refused = viewer.post(f"{area}/members", json={"email": pair.a.member, "role": "member"})
        assert refused.status_code == 403
        user_id = added.json()["user_id"]
    with server.client(server.token_for(pair.police)) as police:
        assert police.delete(f"{area}/members/{user_id}").status_code == 204
    with server.client(server.token_for(pair.b.member)) as viewer:
        assert viewer.get(f"{area}/situation").status_code == 404


# Who reads what of a police area, each path against each kind of person (the police
# area's part of the permission matrix, api.access.policeareas): 404 to those who may not see
# the police area at all, an honest 403 to those who see it but not this part of it.
READS = {
    #           convener, viewer, admin A, admin B, operator, outsider
    "": (200, 200, 200, 200, 200, 404),
    "/members": (200, 200, 200, 200, 200, 404),
    "/agreements": (200, 200, 200, 200, 200, 404),
    "/agreements/{a}": (200, 200, 200, 403, 403, 404),
    "/agreements/{b}/versions": (200, 200, 403, 200, 403, 404),
    "/situation": (200, 200, 403, 403, 403, 404),
}


def _operator(server: Server) -> str:
    from api.accounts.models import User

    email = "operator@test.example"
    with server.database.session(write=True) as session:
        session.add(
            User(name="Operatör", email=email, email_key=email, is_operator=True, is_admin=True)
        )
    return email


def test_who_reads_what_of_a_police_area(server: Server, pair: Pair) -> None:
    area = f"{V1}/police-areas/{pair.police_area_id}"
    with server.client(server.token_for(pair.police)) as police:
        added = police.post(f"{area}/members", json={"email": pair.b.member, "role": "viewer"})
        assert added.status_code == 200, added.text
    people = (pair.police, pair.b.member, pair.a.admin, pair.b.admin, _operator(server),
              pair.a.member)  # fmt: skip
    wrong = []
    for path, statuses in READS.items():
        url = area + path.format(a=pair.a.id, b=pair.b.id)
        for who, expected in zip(people, statuses, strict=True):
            with server.client(server.token_for(who)) as client:
                got = client.get(url, params=PERIOD if path == "/situation" else None)
            if got.status_code != expected:
                wrong.append((path, who, got.status_code, expected))
    assert not wrong, wrong
    # The administrators read the group (who receives what they share), not change it.
    with server.client(server.token_for(pair.a.admin)) as admin:
        members = admin.get(f"{area}/members").json()
        assert {m["email"] for m in members} == {pair.police, pair.b.member}
        refused = admin.post(f"{area}/members", json={"email": pair.a.admin, "role": "member"})
        assert refused.status_code == 403
        assert admin.get(f"{V1}/police-areas").json()["items"][0]["id"] == pair.police_area_id


def test_the_police_area_keeps_at_least_one_convener(server: Server, pair: Pair) -> None:
    area = f"{V1}/police-areas/{pair.police_area_id}"
    with server.client(server.token_for(pair.police)) as police:
        me = police.get(f"{V1}/auth/me").json()["id"]
        for refused in (
            police.delete(f"{area}/members/{me}"),
            police.post(f"{area}/members", json={"email": pair.police, "role": "member"}),
        ):
            assert refused.status_code == 409, refused.text
            problem = refused.json()
            assert problem["code"] == "last_convener"
            assert problem["detail"].startswith("Lokalpolisområdet behöver minst en sammankallande")
        # Still the convener; with a second one, the first may go.
        assert police.get(f"{area}").json()["rights"]["may_manage_members"]
        second = police.post(f"{area}/members", json={"email": pair.b.member,
                             "role": "convener"})  # fmt: skip
        assert second.status_code == 200
        assert police.post(f"{area}/members", json={"email": pair.police,
                           "role": "member"}).status_code == 200  # fmt: skip
    with server.client(server.token_for(pair.b.member)) as convener:
        # The new convener cannot leave either while they are the only one.
        other = second.json()["user_id"]
        assert convener.delete(f"{area}/members/{other}").status_code == 409
        assert convener.delete(f"{area}/members/{me}").status_code == 204


def test_only_a_platform_operator_makes_a_police_area(
    server: Server, pair: Pair, api: httpx.Client
) -> None:
    with server.client(server.token_for(pair.a.admin)) as admin:
        made = admin.post(f"{V1}/police-areas", json={"name": "Annat", "municipality_ids": []})
        assert made.status_code == 403
    twin = api.post(f"{V1}/police-areas", json={"name": "lokalpolisområde test"})
    assert twin.status_code == 409
    renamed = api.patch(f"{V1}/police-areas/{pair.police_area_id}",
                        json={"municipality_ids": [pair.a.id]})  # fmt: skip
    assert [m["id"] for m in renamed.json()["municipalities"]] == [pair.a.id]


def test_the_demo_police_area_is_made_once_when_both_municipalities_exist(
    server: Server, api: httpx.Client
) -> None:
    with server.database.session(write=True) as session:
        assert load_police_area_demo(session) is None
        session.add_all([Municipality(name=name) for name in MUNICIPALITIES])
        session.flush()
        made = load_police_area_demo(session)
        again = load_police_area_demo(session)
        assert made is not None and again is not None and made.id == again.id
        agreements = session.scalars(select(SharingAgreement)).all()
        assert sorted((a.precision.value, tuple(a.categories)) for a in agreements) == [
            ("area", ("skadegorelse", "ordning")),
            ("grid_250", ("skadegorelse", "ordning")),
        ]
        assert len(session.scalars(select(SharingAgreementVersion)).all()) == 2
        assert session.scalar(select(func.count()).select_from(PoliceArea)) == 1


def test_each_municipality_counts_as_its_own_lagesbild_does_for_what_it_shares(
    server: Server, pair: Pair
) -> None:
    # The police area's figures are the municipal lägesbild's, narrowed to what is shared:
    # each municipality's coordination group's figures for the same days, by family.
    _planted(server, pair)
    _agreements(server, pair)
    federated = {
        m["municipality"]["id"]: (m["agreement"]["categories"], _codes(m["by_category"]))
        for m in _situation(server, pair, pair.police).json()["municipalities"]
    }
    for side in (pair.a, pair.b):
        with server.client(server.token_for(side.admin)) as admin:
            group = admin.post(
                f"{V1}/groups",
                json={"municipality_id": side.id, "name": "Samordning", "kind": "coordination"},
            )
            assert group.status_code == 201, group.text
            figures = admin.get(
                f"{V1}/groups/{group.json()['id']}/situation",
                params={"first_day": PERIOD["from"], "last_day": PERIOD["to"]},
            ).json()
        shared, counted = federated[side.id]
        own = {
            c["code"]: c["current"]
            for f in figures["families"]
            for c in f["categories"]
            if c["current"] and (f["code"] in shared or c["code"] in shared)
        }
        assert counted == own, side.name

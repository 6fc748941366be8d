"""Who sees which records, who manages which memberships, and service tokens; and the pure
rules of ``api.access.policy`` for each role."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from api.access import policy
from api.accounts.models import ServiceToken
from api.actor import ANONYMOUS, Actor, Grant
from api.db import Database
from api.seed import load_demo
from tests.support.people import PEOPLE, People, as_
from tests.support.servers import Server, migrated_database

V1 = "/api/v1"
KUNGSANGEN = "EST områdesgrupp Kungsängen"
BRO = "EST områdesgrupp Bro"
COORDINATION = "EST samordningsgrupp"
STEERING = "EST styrgrupp"


def group_id(people: People, name: str) -> int:
    return int(people["groups"][name]["id"])


# Accounts -----------------------------------------------------------------------------------


def test_an_area_member_sees_only_the_accounts_of_their_groups(
    server: Server, api: httpx.Client, people: People
) -> None:
    users = people["users"]
    # Someone else in the Kungsängen group, besides Kalle himself.
    added = api.put(
        f"{V1}/groups/{group_id(people, KUNGSANGEN)}/memberships/{users['viewer']['id']}",
        json={"role": "viewer"},
    )
    assert added.status_code == 201, added.text
    with as_(server, people, "kungsangen") as client:
        listed = client.get(f"{V1}/users")
        assert listed.status_code == 200, listed.text
        assert {u["email"] for u in listed.json()["items"]} == {
            PEOPLE["kungsangen"],
            PEOPLE["viewer"],
        }
        assert client.get(f"{V1}/users/{users['viewer']['id']}").status_code == 200
        hidden = client.get(f"{V1}/users/{users['reporter']['id']}")
        missing = client.get(f"{V1}/users/2147483647")
    # Out of scope looks exactly like not there at all.
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["code"] == missing.json()["code"] == "not_found"

    refused = api.get(
        f"{V1}/audit-events",
        params={"outcome": "refused", "user": users["kungsangen"]["id"]},
    ).json()["items"]
    paths = {(e["path"], e["status"], e["action"]) for e in refused}
    assert (f"{V1}/users/{users['reporter']['id']}", 404, "refused") in paths


def test_a_reporter_sees_only_their_own_account(server: Server, people: People) -> None:
    with as_(server, people, "reporter") as client:
        listed = client.get(f"{V1}/users").json()["items"]
        assert [u["email"] for u in listed] == [PEOPLE["reporter"]]
        assert client.get(f"{V1}/users/{people['users']['kungsangen']['id']}").status_code == 404


def test_the_steering_group_sees_every_account(server: Server, people: People) -> None:
    with as_(server, people, "steering") as client:
        listed = client.get(f"{V1}/users", params={"limit": 200}).json()["items"]
        assert set(PEOPLE.values()) <= {u["email"] for u in listed}
        assert client.get(f"{V1}/users/{people['users']['reporter']['id']}").status_code == 200


# Memberships --------------------------------------------------------------------------------


def test_a_convener_manages_the_memberships_of_their_own_group_only(
    server: Server, people: People
) -> None:
    kalle = people["users"]["kungsangen"]["id"]
    own = f"{V1}/groups/{group_id(people, COORDINATION)}/memberships/{kalle}"
    other = f"{V1}/groups/{group_id(people, BRO)}/memberships/{kalle}"
    with as_(server, people, "coordination") as client:
        first = client.put(own, json={"role": "member"})
        assert first.status_code == 201, first.text
        assert first.json()["role"] == "member" and first.json()["user"]["id"] == kalle
        again = client.put(own, json={"role": "member"})
        assert again.status_code == 200, again.text
        assert again.json()["id"] == first.json()["id"]
        assert client.put(own, json={"role": "viewer"}).json()["role"] == "viewer"

        assert client.put(other, json={"role": "member"}).status_code == 403
        assert client.delete(other).status_code == 403

        assert client.delete(own).status_code == 204
        assert client.delete(own).status_code == 204  # nothing to remove is no error
        listed = client.get(f"{V1}/groups/{group_id(people, COORDINATION)}/memberships")
        assert kalle not in {m["user"]["id"] for m in listed.json()}


def test_a_convener_finds_whom_to_add_by_exact_email_only(server: Server, people: People) -> None:
    reporter = PEOPLE["reporter"]
    with as_(server, people, "coordination") as client:
        found = client.get(f"{V1}/users", params={"email": reporter.upper()}).json()["items"]
        assert [u["id"] for u in found] == [people["users"]["reporter"]["id"]]
        # Only the exact address: no browsing through everyone by name.
        assert client.get(f"{V1}/users", params={"q": "Rut"}).json()["items"] == []
        assert client.get(f"{V1}/users/{found[0]['id']}").status_code == 404
    # Those who do not convene a group find no one outside their groups that way.
    with as_(server, people, "kungsangen") as client:
        assert client.get(f"{V1}/users", params={"email": reporter}).json()["items"] == []


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("viewer", COORDINATION),  # a viewer of the group
        ("reporter", BRO),  # a reporter of the group
        ("kungsangen", KUNGSANGEN),  # a member, not the convener
        ("steering", COORDINATION),  # oversees, but does not manage
    ],
)
def test_others_cannot_manage_memberships(
    server: Server, people: People, name: str, group: str
) -> None:
    target = people["users"]["admin"]["id"]
    with as_(server, people, name) as client:
        url = f"{V1}/groups/{group_id(people, group)}/memberships/{target}"
        assert client.put(url, json={"role": "convener"}).status_code == 403
        own = people["users"][name]["id"]
        url = f"{V1}/groups/{group_id(people, group)}/memberships/{own}"
        assert client.put(url, json={"role": "convener"}).status_code == 403
        assert client.delete(url).status_code == 403


@pytest.mark.parametrize(
    ("name", "group", "status"),
    [
        ("kungsangen", KUNGSANGEN, 200),
        ("kungsangen", BRO, 403),
        ("viewer", COORDINATION, 200),
        ("coordination", COORDINATION, 200),
        ("coordination", BRO, 403),
        ("steering", BRO, 200),  # the steering group oversees every group
        ("reporter", BRO, 403),  # reporters see their own account only
        ("admin", BRO, 200),
    ],
)
def test_who_sees_a_groups_members(
    server: Server, people: People, name: str, group: str, status: int
) -> None:
    with as_(server, people, name) as client:
        listed = client.get(f"{V1}/groups/{group_id(people, group)}/memberships")
    assert listed.status_code == status, listed.text
    if status == 200:
        assert all(m["group_id"] == group_id(people, group) for m in listed.json())


def test_a_group_out_of_reach_is_not_found(server: Server, people: People) -> None:
    with as_(server, people, "coordination") as client:
        url = f"{V1}/groups/2147483647/memberships/{people['users']['viewer']['id']}"
        assert client.put(url, json={"role": "member"}).status_code == 404


# Service tokens -----------------------------------------------------------------------------


def create_token(api: httpx.Client, people: People, **extra: Any) -> dict[str, Any]:
    organisation = people["organisations"]["Rapid Säkerhet"]["id"]
    created = api.post(
        f"{V1}/service-tokens", json={"source": "embrace", "organisation_id": organisation, **extra}
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def test_a_service_token_is_shown_once_and_stored_hashed(
    server: Server, api: httpx.Client, people: People
) -> None:
    created = create_token(api, people)
    token = created["token"]
    assert token.startswith("ests_") and len(token) > 40
    assert created["source"] == "embrace"
    assert created["organisation"]["name"] == "Rapid Säkerhet"

    listed = api.get(f"{V1}/service-tokens")
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["items"]] == [created["id"]]
    assert "token" not in listed.json()["items"][0]
    assert token not in listed.text
    assert token not in api.get(f"{V1}/service-tokens", params={"source": "embrace"}).text

    with server.database.session(write=False) as session:
        record = session.get(ServiceToken, created["id"])
        assert record is not None
        assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()

    with server.client(token) as service:
        integration = service.get(f"{V1}/integrations/embrace")
        assert integration.status_code == 200, integration.text
        assert integration.json()["source"] == "embrace"
        assert integration.json()["organisation"]["name"] == "Rapid Säkerhet"
        assert service.get(f"{V1}/integrations/other").status_code == 403
        assert service.get(f"{V1}/users").status_code == 403
        assert service.get(f"{V1}/auth/me").status_code == 403


def test_a_revoked_service_token_stops_working(
    server: Server, api: httpx.Client, people: People
) -> None:
    created = create_token(api, people)
    with server.client(created["token"]) as service:
        assert service.get(f"{V1}/integrations/embrace").status_code == 200
        revoked = api.post(f"{V1}/service-tokens/{created['id']}/revoke")
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["revoked_at"] is not None
        refused = service.get(f"{V1}/integrations/embrace")
    assert refused.status_code == 401
    assert "WWW-Authenticate" in refused.headers


def test_an_expired_service_token_stops_working(
    server: Server, api: httpx.Client, people: People
) -> None:
    created = create_token(api, people, days=1)
    with server.database.session(write=True) as session:
        session.execute(
            update(ServiceToken)
            .where(ServiceToken.id == created["id"])
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    with server.client(created["token"]) as service:
        assert service.get(f"{V1}/integrations/embrace").status_code == 401


@pytest.fixture
def seeded_url(backend: str, tmp_path: Path) -> str:
    url = migrated_database(backend, "tok", tmp_path)
    database = Database.from_url(url)
    try:
        with database.session(write=True) as session:
            load_demo(session)
    finally:
        database.dispose()
    return url


def test_est_token_create_prints_a_token_once(seeded_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "token", "create", "--source", "embrace",
         "--organisation", "Rapid Säkerhet"],
        env={**os.environ, "EST_DATABASE_URL": seeded_url},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [token] = [w for w in result.stdout.split() if w.startswith("ests_")]
    database = Database.from_url(seeded_url)
    try:
        with database.session(write=False) as session:
            record = session.scalar(select(ServiceToken))
            assert record is not None
            assert record.source == "embrace"
            assert record.organisation.name == "Rapid Säkerhet"
            assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    finally:
        database.dispose()


# The rules themselves -----------------------------------------------------------------------

STEERING_ID, COORDINATION_ID, BRO_ID, KUNGSANGEN_ID = 1, 2, 3, 5
BRO_AREA, KUNGSANGEN_AREA = 10, 30


def person(*grants: Grant, is_admin: bool = False) -> Actor:
    return Actor("user", user_id=1, organisation_id=7, is_admin=is_admin, grants=grants)


ACTORS = {
    "admin": person(is_admin=True),
    "steering": person(Grant(STEERING_ID, "steering", None, "member")),
    "coordination": person(Grant(COORDINATION_ID, "coordination", None, "convener")),
    "kungsangen": person(Grant(KUNGSANGEN_ID, "area", KUNGSANGEN_AREA, "member")),
    "reporter": person(Grant(BRO_ID, "area", BRO_AREA, "reporter")),
    "viewer": person(Grant(COORDINATION_ID, "coordination", None, "viewer")),
    "service": Actor("service", organisation_id=7, source="embrace", token_id=1),
    "anonymous": ANONYMOUS,
}


@pytest.mark.parametrize(
    ("name", "areas"),
    [
        ("admin", None),
        ("steering", None),
        ("coordination", None),
        ("viewer", None),  # viewers of the coordination group read what it reads
        ("kungsangen", frozenset({KUNGSANGEN_AREA})),
        ("reporter", frozenset()),  # their own reports only
        ("service", frozenset()),
        ("anonymous", frozenset()),
    ],
)
def test_readable_area_ids(name: str, areas: frozenset[int] | None) -> None:
    assert policy.readable_area_ids(ACTORS[name]) == areas


def test_an_area_viewer_reads_their_area_and_a_reporter_of_it_does_not() -> None:
    viewer = person(Grant(BRO_ID, "area", BRO_AREA, "viewer"))
    both = person(
        Grant(BRO_ID, "area", BRO_AREA, "reporter"),
        Grant(KUNGSANGEN_ID, "area", KUNGSANGEN_AREA, "member"),
    )
    assert policy.readable_area_ids(viewer) == frozenset({BRO_AREA})
    assert policy.readable_area_ids(both) == frozenset({KUNGSANGEN_AREA})


@pytest.mark.parametrize(
    ("name", "files"),
    [
        ("steering", True),
        ("coordination", True),
        ("kungsangen", True),
        ("reporter", True),
        ("viewer", False),
        ("service", False),
        ("anonymous", False),
    ],
)
def test_can_file_reports(name: str, files: bool) -> None:
    assert policy.can_file_reports(ACTORS[name]) is files


def test_a_reporter_without_an_organisation_cannot_file() -> None:
    actor = Actor("user", user_id=1, grants=(Grant(BRO_ID, "area", BRO_AREA, "reporter"),))
    assert not policy.can_file_reports(actor)


@pytest.mark.parametrize(
    ("name", "writes_in"),
    [
        ("admin", {STEERING_ID, COORDINATION_ID, BRO_ID, KUNGSANGEN_ID}),
        ("steering", {STEERING_ID}),
        ("coordination", {COORDINATION_ID}),
        ("kungsangen", {KUNGSANGEN_ID}),
        ("reporter", set()),
        ("viewer", set()),
        ("service", set()),
        ("anonymous", set()),
    ],
)
def test_can_write_in_group(name: str, writes_in: set[int]) -> None:
    groups = {STEERING_ID, COORDINATION_ID, BRO_ID, KUNGSANGEN_ID}
    assert {g for g in groups if policy.can_write_in_group(ACTORS[name], g)} == writes_in


@pytest.mark.parametrize(
    ("name", "manages"),
    [
        ("admin", {STEERING_ID, COORDINATION_ID, BRO_ID, KUNGSANGEN_ID}),
        ("coordination", {COORDINATION_ID}),
        ("steering", set()),
        ("kungsangen", set()),
        ("reporter", set()),
        ("viewer", set()),
        ("service", set()),
        ("anonymous", set()),
    ],
)
def test_can_manage_members(name: str, manages: set[int]) -> None:
    groups = {STEERING_ID, COORDINATION_ID, BRO_ID, KUNGSANGEN_ID}
    assert {g for g in groups if policy.can_manage_members(ACTORS[name], g)} == manages


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("admin", None),
        ("steering", None),
        ("coordination", frozenset({COORDINATION_ID})),
        ("kungsangen", frozenset({KUNGSANGEN_ID})),
        ("reporter", frozenset()),
        ("viewer", frozenset({COORDINATION_ID})),
    ],
)
def test_visible_user_groups(name: str, sees: frozenset[int] | None) -> None:
    assert policy.visible_user_groups(ACTORS[name]) == sees

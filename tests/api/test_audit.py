"""The audit log: what leaves a line in it, reading it through the API, and that the
database itself keeps it append-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from api.audit.models import AuditEvent
from api.seed import DEMO_PASSWORD
from tests.support.people import ADMIN_EMAIL, PEOPLE, People
from tests.support.servers import Server

V1 = "/api/v1"
STOCKHOLM_WINTER = dt.timezone(dt.timedelta(hours=1))


def events(api: httpx.Client, **filters: Any) -> list[dict[str, Any]]:
    response = api.get(f"{V1}/audit-events", params={"limit": 200, **filters})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def one(api: httpx.Client, **filters: Any) -> dict[str, Any]:
    found = events(api, **filters)
    assert len(found) == 1, found
    return found[0]


def test_sign_in_sign_out_and_failures_are_logged(
    server: Server, anon: httpx.Client, api: httpx.Client, people: People
) -> None:
    viewer = people["users"]["viewer"]
    signed_in = anon.post(
        f"{V1}/auth/token", json={"email": PEOPLE["viewer"], "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 201
    failed = anon.post(
        f"{V1}/auth/token", json={"email": PEOPLE["viewer"], "password": "fel-lösenord-här"}
    )
    unknown = anon.post(
        f"{V1}/auth/token", json={"email": "ingen-alls@est.demo", "password": "fel-lösenord"}
    )
    assert failed.status_code == unknown.status_code == 401
    with server.client(signed_in.json()["access_token"]) as client:
        assert client.delete(f"{V1}/auth/token").status_code == 204

    ok = one(api, action="sign_in", outcome="ok", user=viewer["id"])
    assert ok["actor_label"] == PEOPLE["viewer"]
    assert ok["object_type"] == "auth_sessions" and ok["status"] == 201
    assert ok["address"] == "127.0.0.1"
    assert ok["method"] == "POST" and ok["path"] == f"{V1}/auth/token"
    assert dt.datetime.fromisoformat(ok["at"]).utcoffset() == dt.timedelta(0)

    failures = events(api, action="sign_in", outcome="failed")
    assert [(e["user_id"], e["status"]) for e in failures] == [(None, 401), (viewer["id"], 401)]
    # What was typed for an account that does not exist is not kept.
    assert failures[0]["actor_label"] == ""

    out = one(api, action="sign_out")
    assert out["user_id"] == viewer["id"]
    assert out["object_id"] == ok["object_id"]


def test_throttled_sign_ins_are_logged(
    server: Server, anon: httpx.Client, api: httpx.Client
) -> None:
    for _ in range(server.settings.throttle_per_account + 1):
        anon.post(f"{V1}/auth/token", json={"email": "x@est.demo", "password": "fel-lösenord"})
    throttled = one(api, action="sign_in", outcome="throttled")
    assert throttled["status"] == 429


def test_refused_access_is_logged(
    server: Server, anon: httpx.Client, api: httpx.Client, people: People
) -> None:
    users = people["users"]
    assert anon.get(f"{V1}/users").status_code == 401
    with server.client("estu_not-a-token-anyone-was-given") as client:
        assert client.get(f"{V1}/auth/me").status_code == 401
    with server.client(people["tokens"]["viewer"]) as client:
        assert client.get(f"{V1}/audit-events").status_code == 403
    with server.client(people["tokens"]["reporter"]) as client:
        assert client.get(f"{V1}/users/{users['kungsangen']['id']}").status_code == 404

    refused = events(api, action="refused")
    assert all(e["outcome"] == "refused" for e in refused)
    seen = {(e["actor_kind"], e["user_id"], e["method"], e["path"], e["status"]) for e in refused}
    assert seen == {
        ("anonymous", None, "GET", f"{V1}/users", 401),
        ("anonymous", None, "GET", f"{V1}/auth/me", 401),
        ("user", users["viewer"]["id"], "GET", f"{V1}/audit-events", 403),
        ("user", users["reporter"]["id"], "GET", f"{V1}/users/{users['kungsangen']['id']}", 404),
    }
    # A record that is simply not there is no refusal.
    with server.client(people["tokens"]["steering"]) as client:
        assert client.get(f"{V1}/users/2147483647").status_code == 404
    assert len(events(api, action="refused")) == len(refused)


def test_every_write_is_logged(server: Server, api: httpx.Client, people: People) -> None:
    municipality = people["municipality"]["id"]
    created = api.post(
        f"{V1}/organisations",
        json={"municipality_id": municipality, "name": "Bevakning Öst AB", "kind": "security"},
    )
    assert created.status_code == 201, created.text
    ident = created.json()["id"]
    renamed = api.patch(f"{V1}/organisations/{ident}", json={"name": "Bevakning Väst AB"})
    assert renamed.status_code == 200, renamed.text
    assert api.post(f"{V1}/organisations/{ident}/deactivate").status_code == 200

    logged = events(api, object_type="organisations", object_id=str(ident))
    assert [e["action"] for e in logged] == ["update", "update", "create"]  # newest first
    assert {e["outcome"] for e in logged} == {"ok"}
    assert {e["actor_label"] for e in logged} == {ADMIN_EMAIL}
    assert [e["method"] for e in logged] == ["POST", "PATCH", "POST"]

    # A convener's write is logged as theirs.
    kalle = people["users"]["kungsangen"]["id"]
    group = people["groups"]["EST samordningsgrupp"]["id"]
    with server.client(people["tokens"]["coordination"]) as client:
        added = client.put(f"{V1}/groups/{group}/memberships/{kalle}", json={"role": "member"})
    assert added.status_code == 201
    membership = one(api, object_type="memberships", action="create")
    assert membership["object_id"] == str(added.json()["id"])
    assert membership["user_id"] == people["users"]["coordination"]["id"]


def test_reading_the_log_with_filters_and_pages(
    server: Server, api: httpx.Client, people: People
) -> None:
    before = dt.datetime.now(dt.UTC)
    municipality = people["municipality"]["id"]
    for n in range(5):
        made = api.post(
            f"{V1}/organisations",
            json={"municipality_id": municipality, "name": f"Förening {n}", "kind": "association"},
        )
        assert made.status_code == 201, made.text
    after = dt.datetime.now(dt.UTC)

    # since and until with an offset other than UTC's, as a person in Stockholm types them.
    since = before.astimezone(STOCKHOLM_WINTER).isoformat()
    until = after.astimezone(STOCKHOLM_WINTER).isoformat()
    window = events(api, object_type="organisations", since=since, until=until)
    assert len(window) == 5
    assert events(api, object_type="organisations", until=since) == []
    assert events(api, object_type="organisations", since=until) == []

    ids = [e["id"] for e in events(api)]
    assert ids == sorted(ids, reverse=True)
    times = [e["at"] for e in window]
    assert times == sorted(times, reverse=True)

    paged: list[int] = []
    url: str | None = f"{V1}/audit-events?action=create&limit=2"
    pages = 0
    while url is not None:
        page = api.get(url)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= 2
        paged += [e["id"] for e in body["items"]]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert paged == [e["id"] for e in events(api, action="create")]
    assert len(paged) == 5

    admin = api.get(f"{V1}/auth/me").json()["id"]
    assert {e["user_id"] for e in events(api, action="create", user=admin)} == {admin}
    assert events(api, action="create", user=people["users"]["steering"]["id"]) == []
    assert events(api, outcome="failed") == []


def test_timestamps_without_an_offset_are_refused(api: httpx.Client) -> None:
    refused = api.get(f"{V1}/audit-events", params={"since": "2026-11-25T10:00:00"})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["since"]


@pytest.mark.parametrize("name", ["steering", "coordination", "viewer", "reporter"])
def test_only_administrators_read_the_log(server: Server, people: People, name: str) -> None:
    with server.client(people["tokens"][name]) as client:
        assert client.get(f"{V1}/audit-events").status_code == 403


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET outcome = 'ok'", "DELETE FROM audit_events"],
)
def test_the_log_is_append_only_in_the_database(
    server: Server, api: httpx.Client, anon: httpx.Client, statement: str
) -> None:
    assert anon.get(f"{V1}/users").status_code == 401  # one line at least
    with (
        pytest.raises(DBAPIError, match="append-only"),
        server.database.session(write=True) as session,
    ):
        session.execute(text(statement))
    assert len(events(api, action="refused")) == 1


def test_no_free_text_goes_into_the_log(server: Server, api: httpx.Client, people: People) -> None:
    area = people["areas"]["Kungsängen"]["id"]
    name = "Zyxelgränd vid Hemliga Kiosken"
    created = api.post(f"{V1}/places", json={"area_id": area, "name": name})
    assert created.status_code == 201, created.text
    ident = created.json()["id"]
    again = api.patch(f"{V1}/places/{ident}", json={"name": f"{name} 2"})
    assert again.status_code == 200, again.text
    assert api.get(f"{V1}/places", params={"q": "Zyxelgränd"}).json()["items"]

    with server.database.session(write=False) as session:
        rows = list(session.scalars(select(AuditEvent)))
    assert {(r.action, r.object_type, r.object_id) for r in rows} >= {
        ("create", "places", str(ident)),
        ("update", "places", str(ident)),
    }
    for row in rows:
        values = [getattr(row, c.key) for c in AuditEvent.__table__.columns]
        assert not any("Zyxel" in str(v) for v in values), values

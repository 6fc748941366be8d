"""A municipality's own settings (#21): its outline, the radius to the nearest named place and
its retention periods, set by its administrator (or a platform operator) and winning over the
installation's EST_* settings where set; the audit log per municipality; the platform
operator, who makes municipalities with their first administrator and reads none of their
data. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import select, update

from api.access.route_rules import ROUTE_RULES, Rule
from api.accounts.models import User
from api.audit.models import AuditEvent
from api.incidents import areas
from api.integrations import rows
from api.localtime import utcnow
from api.retention import service as retention
from api.retention.service import months_before
from api.structure.models import Municipality
from tests.support.cli import est
from tests.support.factories import act_in, file_report, make_municipality
from tests.support.people import People, as_
from tests.support.servers import Server

V1 = "/api/v1"
OLD_DAY = "2023-09-05T21:30"  # more than 24 months before the tests run
# A square around Kungsängen, inside Upplands-Bro's extent.
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[17.6, 59.45], [17.8, 59.45], [17.8, 59.55], [17.6, 59.55], [17.6, 59.45]]],
}


OPERATOR = "operator@est.test"


def _operator(server: Server, email: str = OPERATOR) -> str:
    """A platform operator alone (no municipality), signed in with the second factor."""
    result = est(
        server.settings.database_url,
        "operator",
        "create",
        "--email",
        email,
        "--name",
        "Olle Operatör",
    )
    assert result.returncode == 0, result.stderr
    assert "one-time password (shown once): " in result.stdout
    return server.token_for(email)


def _messages(response: httpx.Response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# Settings --------------------------------------------------------------------------------------


def test_the_administrator_sets_the_municipality_s_own_settings(
    server: Server, people: People
) -> None:
    town = people["municipality"]
    with as_(server, people, "admin") as admin:
        saved = admin.patch(
            f"{V1}/municipalities/{town['id']}",
            json={
                "outline": SQUARE,
                "nearest_place_metres": 300,
                "retain_incident_text_months": 36,
                "retain_audit_years": 10,
            },
        )
        assert saved.status_code == 200, saved.text
        read = admin.get(f"{V1}/municipalities/{town['id']}").json()
        assert read["outline"] == SQUARE
        assert (read["nearest_place_metres"], read["retain_incident_text_months"]) == (300, 36)
        assert read["retain_audit_years"] == 10
        assert dt.date.fromisoformat(read["today"]) in {
            dt.date.today() + dt.timedelta(days=d) for d in (-1, 0, 1)
        }
        # Back to the installation's.
        cleared = admin.patch(
            f"{V1}/municipalities/{town['id']}", json={"nearest_place_metres": None}
        )
        assert cleared.json()["nearest_place_metres"] is None
        assert cleared.json()["retain_incident_text_months"] == 36

        # Refused in Swedish beside the field.
        for body, field in (
            ({"nearest_place_metres": 0}, "nearest_place_metres"),
            ({"retain_incident_text_months": 0}, "retain_incident_text_months"),
            ({"retain_audit_years": 101}, "retain_audit_years"),
        ):
            refused = admin.patch(f"{V1}/municipalities/{town['id']}", json=body)
            assert refused.status_code == 422, refused.text
            assert field in _messages(refused)
        crossing = {
            "type": "Polygon",
            "coordinates": [
                [[17.6, 59.45], [17.8, 59.55], [17.8, 59.45], [17.6, 59.55], [17.6, 59.45]]
            ],
        }
        refused = admin.patch(f"{V1}/municipalities/{town['id']}", json={"outline": crossing})
        assert refused.status_code == 422
        assert "korsar sig själv" in _messages(refused)["outline"]
        far = {
            "type": "Polygon",
            "coordinates": [[[12.0, 57.0], [12.1, 57.0], [12.1, 57.1], [12.0, 57.1], [12.0, 57.0]]],
        }
        outside = admin.patch(f"{V1}/municipalities/{town['id']}", json={"outline": far})
        assert outside.status_code == 422, outside.text
        assert _messages(outside)["outline"].startswith("Kommunens kontur går utanför")


def test_only_the_municipality_s_administrator_changes_it(
    server: Server, api: httpx.Client, people: People
) -> None:
    town = people["municipality"]["id"]
    other = make_municipality(api, "Grannkommunen")["id"]
    with as_(server, people, "coordination") as convener:
        refused = convener.patch(f"{V1}/municipalities/{town}", json={"retain_audit_years": 2})
        assert refused.status_code == 403
    with as_(server, people, "admin") as admin:
        # Another municipality's: as if it did not exist.
        hidden = admin.patch(f"{V1}/municipalities/{other}", json={"retain_audit_years": 2})
        assert hidden.status_code == 404


def test_the_outline_gives_the_extent_where_none_is_given(
    server: Server, api: httpx.Client
) -> None:
    made = api.post(f"{V1}/municipalities", json={"name": "Konturkommun", "outline": SQUARE})
    assert made.status_code == 201, made.text
    with server.database.session(write=False) as session:
        town = session.get(Municipality, made.json()["id"])
        assert town is not None and town.extent is None
        assert town.bounds == {"west": 17.6, "south": 59.45, "east": 17.8, "north": 59.55}


def test_the_nearest_place_radius_is_the_municipality_s(server: Server, people: People) -> None:
    town = people["municipality"]["id"]
    with server.database.session(write=False) as session:
        assert areas.nearest_place_metres(session, town) == server.settings.nearest_place_metres
    with server.database.session(write=True) as session:
        session.execute(
            update(Municipality).where(Municipality.id == town).values(nearest_place_metres=42.0)
        )
    with server.database.session(write=False) as session:
        assert areas.nearest_place_metres(session, town) == 42.0


def test_the_municipality_s_retention_periods_win(server: Server, people: People) -> None:
    bro = people["areas"]["Bro"]["id"]
    town = people["municipality"]["id"]
    file_report(
        server,
        people["tokens"]["admin"],
        {"area_id": bro, "occurred_from": OLD_DAY, "description": "Klotter på muren"},
    )
    dry = retention.run(server.database, server.settings, dry_run=True)
    assert dry is not None and dry.incidents == 1
    # A longer period of its own: the old incident keeps its text.
    with as_(server, people, "admin") as admin:
        saved = admin.patch(
            f"{V1}/municipalities/{town}",
            json={"retain_incident_text_months": 1200, "retain_audit_years": 1},
        )
        assert saved.status_code == 200, saved.text
    # A shorter audit period of its own: its two-year-old events go, the platform's stay.
    two_years_ago = months_before(utcnow(), 24)
    with server.database.session(write=True) as session:
        for municipality_id in (town, None):
            session.add(
                AuditEvent(
                    at=two_years_ago,
                    action="probe",
                    outcome="ok",
                    actor_kind="user",
                    municipality_id=municipality_id,
                )
            )
    dry = retention.run(server.database, server.settings, dry_run=True)
    assert dry is not None and (dry.incidents, dry.audit_events) == (0, 1)
    told = est(server.settings.database_url, "retention", "run", "--dry-run")
    assert told.returncode == 0, told.stderr
    name = people["municipality"]["name"]
    assert f"{name}, egna gallringsfrister: fritext och exakta punkter från före " in told.stdout
    done = retention.run(server.database, server.settings)
    assert done is not None and (done.incidents, done.audit_events) == (0, 1)
    with server.database.session(write=False) as session:
        left = session.scalars(
            select(AuditEvent.municipality_id).where(AuditEvent.action == "probe")
        )
        assert list(left) == [None]


# The audit log per municipality -----------------------------------------------------------------


def _logged(client: httpx.Client, **filters: Any) -> list[dict[str, Any]]:
    response = client.get(f"{V1}/audit-events", params={"limit": 200, **filters})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_each_reads_their_own_part_of_the_log(
    server: Server, api: httpx.Client, people: People
) -> None:
    town = people["municipality"]["id"]
    operator = _operator(server)
    with server.client(operator) as platform:
        made = platform.post(
            f"{V1}/platform/municipalities",
            json={
                "name": "Nykommun",
                "administrator": {"name": "Nora Admin", "email": "nora@nykommun.test"},
            },
        )
        assert made.status_code == 201, made.text
        newcomer = made.json()
        assert newcomer["administrator_email"] == "nora@nykommun.test"
        assert len(newcomer["one_time_password"]) >= 12
        assert made.headers["location"].endswith(
            f"/municipalities/{newcomer['municipality']['id']}"
        )
    with as_(server, people, "admin") as admin:
        assert admin.patch(f"{V1}/municipalities/{town}", json={"retain_audit_years": 7}).is_success
        own = _logged(admin)
        assert own and {e["municipality_id"] for e in own} == {town}
    new_id = newcomer["municipality"]["id"]
    with server.database.session(write=False) as session:
        user = session.scalar(select(User).where(User.email_key == "nora@nykommun.test"))
        assert user is not None and user.is_admin and user.municipality_id == new_id
    # The new administrator signs in with the one-time password (and then a second factor).
    with server.client() as anon:
        signed = anon.post(
            f"{V1}/auth/token",
            json={"email": "nora@nykommun.test", "password": newcomer["one_time_password"]},
        )
        assert signed.status_code == 201 and signed.json()["second_factor"] == "enrol"
    with server.client(server.token_for("nora@nykommun.test")) as nora:
        theirs = _logged(nora)
        assert theirs and {e["municipality_id"] for e in theirs} == {new_id}
        assert not any(e["object_type"] == "municipalities" for e in theirs)
    with server.client(operator) as platform:
        seen = _logged(platform)
        assert seen
        # The platform's events, and those about a municipality's own record: never a
        # municipality's reads and writes of its data.
        for event in seen:
            assert event["municipality_id"] is None or event["object_type"] == "municipalities"
        assert any(
            e["object_type"] == "municipalities" and e["municipality_id"] == town for e in seen
        )
        assert any(e["action"] == "create" and e["object_type"] == "municipalities" for e in seen)


# The platform operator ---------------------------------------------------------------------------


def test_the_operator_must_have_a_second_factor_and_a_unique_address(server: Server) -> None:
    result = est(
        server.settings.database_url, "operator", "create", "--email", "op@est.test", "--name", "Op"
    )
    assert result.returncode == 0, result.stderr
    again = est(
        server.settings.database_url, "operator", "create", "--email", "op@est.test", "--name", "Op"
    )
    assert again.returncode != 0 and "finns redan ett konto" in again.stderr
    password = result.stdout.split("(shown once): ")[1].split()[0]
    with server.client() as anon:
        signed = anon.post(f"{V1}/auth/token", json={"email": "op@est.test", "password": password})
        assert signed.status_code == 201, signed.text
        assert signed.json()["second_factor"] == "enrol"


def test_only_an_operator_establishes_a_municipality(
    server: Server, api: httpx.Client, people: People
) -> None:
    body = {"name": "Smygkommun", "administrator": {"name": "Sam", "email": "sam@smyg.test"}}
    with as_(server, people, "admin") as admin:
        assert admin.post(f"{V1}/platform/municipalities", json=body).status_code == 403
    operator = _operator(server)
    with server.client(operator) as platform:
        taken = {**body, "administrator": {"name": "X", "email": "admin@est.demo"}}
        refused = platform.post(f"{V1}/platform/municipalities", json=taken)
        assert refused.status_code == 409
        assert "administrator.email" in _messages(refused)
        # Nothing was made: the municipality went with the refused administrator.
        again = platform.post(f"{V1}/platform/municipalities", json=body)
        assert again.status_code == 201, again.text
        town = again.json()["municipality"]["id"]
        off = platform.post(f"{V1}/municipalities/{town}/deactivate")
        assert off.status_code == 200 and off.json()["active"] is False
        on = platform.post(f"{V1}/municipalities/{town}/activate")
        assert on.status_code == 200 and on.json()["active"] is True


def _get_routes(server: Server) -> list[tuple[str, str]]:
    """Every GET route with its operation id, but those open to anyone (Rule.PUBLIC)."""
    with server.client() as anon:
        spec = anon.get("/api/openapi.json")
        assert spec.status_code == 200
    return [
        (path, item["get"]["operationId"])
        for path, item in spec.json()["paths"].items()
        if "get" in item and ROUTE_RULES.get(item["get"]["operationId"]) is not Rule.PUBLIC
    ]


# What an operator reads of the platform: its municipalities' own records, the shared
# categories, their own account and second factor, the platform's log, and what the OGC API
# says of itself (no feature).
PLATFORM = {
    "list_municipalities",
    "get_municipality",
    "list_categories",
    "get_category",
    "get_me",
    "get_totp",
    "list_audit_events",
    "features_landing",
    "features_conformance",
    "features_collections",
    "features_collection",
}


def _empty(response: httpx.Response, operator_id: int) -> bool:
    """An answer with no municipal data: an empty list or page, a page of the operator
    alone (the people), an export of its header alone, an object of empty lists."""
    kind = response.headers.get("content-type", "")
    if "csv" in kind:
        return len(response.text.strip().splitlines()) <= 1
    if "json" not in kind:
        return False
    body = response.json()
    if isinstance(body, list):
        return not body
    if not isinstance(body, dict):
        return False
    for key in ("items", "features"):
        if key in body:
            return all(item.get("id") == operator_id for item in body[key])
    return all(value in ([], False, None, 0) for value in body.values())


def test_an_operator_reads_no_municipal_data(
    server: Server, api: httpx.Client, people: People
) -> None:
    """Every GET route of the API, as an operator alone: empty, or refused (403, 404, 422
    for a parameter it needs), never a municipality's record."""
    operator = _operator(server)
    with server.database.session(write=False) as session:
        operator_id = session.scalar(select(User.id).where(User.email_key == OPERATOR))
    assert operator_id is not None
    ids = {
        "id": "1",
        "municipality_id": str(people["municipality"]["id"]),
        "collection_id": "incidents",
    }
    leaks = []
    with server.client(operator) as platform:
        for path, operation in _get_routes(server):
            if operation in PLATFORM:
                continue
            url = path
            for name, value in ids.items():
                url = url.replace("{" + name + "}", value)
            while "{" in url:
                start, end = url.index("{"), url.index("}")
                url = url[:start] + "1" + url[end + 1 :]
            response = platform.get(url)
            if response.status_code in (401, 403, 404, 405, 409, 422):
                continue
            if response.status_code == 200 and _empty(response, operator_id):
                continue
            leaks.append((path, response.status_code, response.text[:200]))
    assert not leaks, "\n".join(map(str, leaks))


# Category mappings per source, per municipality -----------------------------------------------


def test_each_municipality_names_its_sources_categories_for_itself(
    server: Server, api: httpx.Client, people: People
) -> None:
    town = people["municipality"]["id"]
    other = make_municipality(api, "Grannkommunen")["id"]
    name = {"source": "embrace", "name": "Buskörning"}
    with as_(server, people, "admin") as admin:
        mine = admin.put(
            f"{V1}/category-mappings", json={**name, "category": "trafik.olovlig_korning"}
        )
        assert mine.status_code == 201, mine.text
    act_in(api, other)
    theirs = api.put(f"{V1}/category-mappings", json={**name, "category": "skadegorelse.ovrigt"})
    # The same source's same name, a mapping of its own in the other municipality.
    assert theirs.status_code == 201, theirs.text
    assert [m["category"]["code"] for m in api.get(f"{V1}/category-mappings").json()] == [
        "skadegorelse.ovrigt"
    ]
    with as_(server, people, "admin") as admin:
        assert [m["id"] for m in admin.get(f"{V1}/category-mappings").json()] == [mine.json()["id"]]
    # An import reads the importing municipality's mappings, also from the command line
    # (a session that sees every municipality).
    with server.database.session(write=False) as session:
        for ident, code in ((town, "trafik.olovlig_korning"), (other, "skadegorelse.ovrigt")):
            municipality = session.get(Municipality, ident)
            assert municipality is not None
            lookup = rows.Lookup.load(session, "embrace", municipality)
            assert lookup.mappings == {"buskörning": code}

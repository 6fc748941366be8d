"""Two municipalities side by side for the tests of tenancy (#21): A, the demo's Upplands-Bro
with all of its activity and the records the demo lacks (a service token, a category mapping,
an import file, a photo, an intervention's follow-up and feedback), and B, a smaller but whole
municipality made through the API by its own administrator, with a person in each role.

What A holds is found in the database, not listed by hand: ``A.ids`` holds an id of A for
each kind of record a route takes in its path, and ``A.fingerprints`` every string of A's
rows long and particular enough to be recognised in an answer (names, free text, e-mail
addresses, tokens), less those B holds too. A test grepping B's answers for them finds any of
A's records, whatever the route and whichever column it shows."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import String, Text, select

from api import localtime
from api.accounts.models import ServiceToken, User
from api.db import Base
from api.demo_activity import load_demo_incidents
from api.evenings.models import Evening, LogPost
from api.guards.models import GuardReport
from api.incidents.models import Incident, IncidentMatch, Report
from api.integrations.models import CategoryMapping, ImportFile
from api.interventions.models import Intervention
from api.meetings.models import Meeting
from api.nightwalks.models import Host, NightWalk
from api.photos.models import Photo
from api.safetywalks.models import Finding, SafetyWalk, WalkInput
from api.situation.models import SituationReport
from api.sso.models import OidcGroupMapping
from api.steering.models import Activity, Assignment, Goal, Indicator, Plan
from api.structure.models import Area, Group, Organisation, Place
from api.tenancy import municipal_tables
from api.tips import abuse
from api.tips.models import Tip
from tests.support.images import photo
from tests.support.people import People, demo_password_hash
from tests.support.servers import Server
from tests.support.snapshots import load_once

V1 = "/api/v1"
# Planted in A's free text and names: a string no answer to B may ever hold.
MARK = "Zqxa"
B_NAME = "Sjöviks kommun"
B_PEOPLE = {
    "admin": "admin@sjovik.test",
    "steering": "styr@sjovik.test",
    "coordination": "samordning@sjovik.test",
    "kungsangen": "omrade@sjovik.test",  # a member of an area group, as in test_permissions
    "reporter": "rapport@sjovik.test",
    "viewer": "lasare@sjovik.test",
}


@dataclass
class Municipality:
    id: int
    ids: dict[str, Any] = field(default_factory=dict)  # a record id by kind
    fingerprints: list[str] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)  # role: bearer token


# What the world builders learnt, by database URL: load_once inserts the rows again.
_BUILT: dict[str, dict[str, Any]] = {}


def two_municipalities(server: Server, people: People) -> tuple[Municipality, Municipality]:
    """A (the demo, ``people``) and B, with tokens for A's administrator and B's people."""
    key = server.database.engine.url.render_as_string(hide_password=False)

    def load() -> None:
        _BUILT[key] = _build(server, people)

    load_once(server.database, "two-municipalities", load)
    built = _BUILT[key]
    a = Municipality(int(people["municipality"]["id"]), dict(built["a_ids"]))
    b = Municipality(built["b_id"], dict(built["b_ids"]))
    a.tokens = {"admin": people["tokens"]["admin"]}
    by_email = server.tokens_for(B_PEOPLE.values())
    b.tokens = {role: by_email[email] for role, email in B_PEOPLE.items()}
    b.tokens["service"] = built["service"]
    b.tokens["pending"] = server.half_token_for(B_PEOPLE["admin"])
    a.fingerprints, b.fingerprints = _fingerprints(server, a.id, b.id)
    return a, b


def _build(server: Server, people: People) -> dict[str, Any]:
    with server.database.session(write=True) as session:
        load_demo_incidents(session, today=localtime.today())
    with server.client(people["tokens"]["admin"]) as admin:
        _plant_in_a(server, admin, people)
    a_ids = _ids_of(server, int(people["municipality"]["id"]))
    b_id, service = _make_b(server)
    return {"a_ids": a_ids, "b_id": b_id, "b_ids": _ids_of(server, b_id), "service": service}


def _ok(response: httpx.Response, *codes: int) -> Any:
    assert response.status_code in (codes or (200, 201)), (
        f"{response.request.method} {response.request.url}: {response.text}"
    )
    return response.json() if response.content else None


def _plant_in_a(server: Server, admin: httpx.Client, people: People) -> None:
    """What the demo lacks, with MARK in its names and texts."""
    orgs = people["organisations"]
    areas = people["areas"]
    groups = people["groups"]
    guards = orgs["Rapid Säkerhet"]["id"]
    token = _ok(
        admin.post(f"{V1}/service-tokens", json={"source": "embrace", "organisation_id": guards})
    )["token"]
    with server.client(token) as tool:
        _ok(
            tool.post(
                f"{V1}/integrations/embrace/incidents:batch",
                json={
                    "incidents": [
                        {
                            "external_id": f"{MARK}-EXT-1",
                            "category": "Skadegörelse",
                            "subcategory": "Klotter",
                            "occurred_from": "2026-11-01 22:00",
                            "area": "Bro",
                            "assessment": "Medel",
                            "description": f"{MARK} klotter pushat av Rapid",
                        }
                    ]
                },
            )
        )
    _ok(
        admin.put(
            f"{V1}/category-mappings",
            json={
                "source": "embrace",
                "name": f"{MARK} buskörning",
                "category": "trafik.olovlig_korning",
            },
        )
    )
    # Single sign-on (#22): A's identity provider, turned off (no sign-in starts, so nothing
    # is asked of it), and a group mapping.
    municipality = people["municipality"]["id"]
    _ok(
        admin.put(
            f"{V1}/municipalities/{municipality}/oidc",
            json={
                "issuer": "http://127.0.0.1:9",
                "client_id": f"{MARK}-klient",
                "client_secret": f"{MARK}-hemlighet",
                "enabled": False,
            },
        )
    )
    _ok(
        admin.post(
            f"{V1}/municipalities/{municipality}/sso/group-mappings",
            json={
                "claim_value": f"{MARK}-grupp",
                "group_id": groups["EST områdesgrupp Bro"]["id"],
                "role": "member",
            },
        )
    )
    header = "Händelse-ID;Kategori;Underkategori;Inträffade från;Område;Bedömning;Beskrivning"
    line = f"{MARK}-F1;Skadegörelse;Klotter;2026-11-02 21:00;Bro;Medel;{MARK} klotter ur fil"
    _ok(
        admin.post(
            f"{V1}/imports",
            files={"file": (f"{MARK}-export.csv", f"{header}\n{line}\n".encode(), "text/csv")},
            data={"source": "embrace"},
        )
    )
    _ok(
        admin.post(
            f"{V1}/users",
            json={
                "name": f"{MARK} Anna Andersson",
                "email": f"{MARK.lower()}.anna@bro.test",
                "organisation_id": orgs["Kommunledningskontoret"]["id"],
            },
        )
    )
    report = _ok(
        admin.post(
            f"{V1}/reports",
            json={
                "incidents": [
                    {
                        "category": "skadegorelse.klotter",
                        "occurred_from": "2026-11-20T21:30",
                        "assessment": "medium",
                        "area_id": areas["Bro"]["id"],
                        "description": f"{MARK} klotter på tunneln",
                    }
                ]
            },
        )
    )
    incident_id = report["incidents"][0]["id"]
    _add_photo(admin, f"{V1}/incidents/{incident_id}/photos")
    with server.client() as anyone:
        tip = _ok(
            anyone.post(
                f"{V1}/public/tips",
                json={
                    "municipality_id": people["municipality"]["id"],
                    "what": "other",
                    "description": f"{MARK} tips om en trasig lampa",
                    "place_id": _first(admin, "places"),
                    # Shown ten seconds ago: a form sent at once is refused as a robot's.
                    "form_token": abuse.form_token(server.settings, now=time.time() - 10),
                },
            ),
            200,
            201,
            202,
        )
        _add_photo(anyone, f"{V1}/public/tips/{tip['receipt']}/photos")
    walk = admin.get(f"{V1}/safety-walks", params={"when": "past"}).json()["items"]
    finding = _first(admin, f"safety-walks/{walk[0]['id']}/findings")
    _add_photo(admin, f"{V1}/safety-walks/{walk[0]['id']}/findings/{finding}/photos")
    intervention = _ok(
        admin.post(
            f"{V1}/interventions",
            json={
                "title": f"{MARK} insats vid tunneln",
                "type": "graffiti_removal",
                "description": f"{MARK} sanering",
                "owner_organisation_id": orgs["Kommunledningskontoret"]["id"],
                "target": {"kind": "area", "area_id": areas["Bro"]["id"]},
                "categories": ["skadegorelse.klotter"],
                "planned_start": "2026-11-21",
                "group_id": groups["EST samordningsgrupp"]["id"],
                "incident_ids": [incident_id],
            },
        )
    )
    _ok(
        admin.post(
            f"{V1}/interventions/{intervention['id']}/follow-ups",
            json={"day": "2026-11-25", "done": f"{MARK} tvättat", "seen": f"{MARK} rent"},
        )
    )
    _ok(
        admin.post(
            f"{V1}/interventions/{intervention['id']}/feedback",
            json={
                "told_on": "2026-11-26",
                "channel": "email",
                "text": f"{MARK} återkoppling till rapportörerna",
                "to_reporters": True,
            },
        )
    )


def _add_photo(client: httpx.Client, url: str) -> None:
    sent = {"file": ("bild.jpg", photo(size=(320, 240)), "image/jpeg")}
    _ok(client.post(url, files=sent), 200, 201, 202)


def _first(client: httpx.Client, path: str) -> int:
    answer = _ok(client.get(f"{V1}/{path}"))
    items = answer["items"] if isinstance(answer, dict) else answer
    return int(items[0]["id"])


def _make_b(server: Server) -> tuple[int, str]:
    """B, made by the platform operator (the test administrator) and built by its own
    administrator through the API."""
    from tests.support.people import ADMIN_EMAIL

    with server.client(server.token_for(ADMIN_EMAIL)) as operator:
        b_id = int(
            _ok(
                operator.post(
                    f"{V1}/municipalities",
                    json={
                        "name": B_NAME,
                        "extent": {"west": 18.0, "south": 59.0, "east": 18.4, "north": 59.2},
                    },
                )
            )["id"]
        )
    with server.database.session(write=True) as session:
        session.add(
            User(
                name="Berit Administratör",
                email=B_PEOPLE["admin"],
                is_admin=True,
                municipality_id=b_id,
                password_hash=demo_password_hash(),
            )
        )
    with server.client(server.token_for(B_PEOPLE["admin"])) as admin:
        service = _build_b(server, admin, b_id)
    return b_id, service


def _build_b(server: Server, admin: httpx.Client, b_id: int) -> str:
    """B's structure, people and records; B's service token (source embrace)."""

    def org(name: str, kind: str) -> int:
        body = {"municipality_id": b_id, "name": name, "kind": kind}
        return int(_ok(admin.post(f"{V1}/organisations", json=body))["id"])

    office = org("Sjöviks förvaltning", "municipality")
    guards = org("Sjöviks Vakt AB", "security")
    walkers = org("Sjöviks nattvandrare", "association")
    center = {"type": "Point", "coordinates": [18.2, 59.1]}
    north = _ok(
        admin.post(
            f"{V1}/areas", json={"municipality_id": b_id, "name": "Sjövik norra", "center": center}
        )
    )["id"]
    south = _ok(
        admin.post(
            f"{V1}/areas",
            json={
                "municipality_id": b_id,
                "name": "Sjövik södra",
                "center": {"type": "Point", "coordinates": [18.25, 59.05]},
            },
        )
    )["id"]
    place = _ok(
        admin.post(
            f"{V1}/places",
            json={"area_id": north, "name": "Sjöviks torg", "point": center},
        )
    )["id"]

    def group(name: str, kind: str, area: int | None = None) -> int:
        body = {
            "municipality_id": b_id,
            "name": name,
            "kind": kind,
            "area_id": area,
            "organisation_ids": [office, guards, walkers],
        }
        return int(_ok(admin.post(f"{V1}/groups", json=body))["id"])

    steering = group("Sjöviks styrgrupp", "steering")
    coordination = group("Sjöviks samordningsgrupp", "coordination")
    area_north = group("Sjöviks områdesgrupp norra", "area", north)
    group("Sjöviks områdesgrupp södra", "area", south)
    grants = {
        "steering": (office, steering, "member"),
        "coordination": (office, coordination, "convener"),
        "kungsangen": (office, area_north, "member"),
        "reporter": (guards, area_north, "reporter"),
        "viewer": (office, coordination, "viewer"),
    }
    for role, (organisation, group_id, grant) in grants.items():
        user = _ok(
            admin.post(
                f"{V1}/users",
                json={
                    "name": f"Sjövik {role}",
                    "email": B_PEOPLE[role],
                    "organisation_id": organisation,
                },
            )
        )
        _ok(admin.put(f"{V1}/groups/{group_id}/memberships/{user['id']}", json={"role": grant}))
    service = str(
        _ok(
            admin.post(
                f"{V1}/service-tokens", json={"source": "embrace", "organisation_id": guards}
            )
        )["token"]
    )
    _ok(
        admin.put(
            f"{V1}/category-mappings",
            json={"source": "embrace", "name": "Sjöviks bus", "category": "trafik.olovlig_korning"},
        )
    )
    today = localtime.today()
    reporter = server.client(server.token_for(B_PEOPLE["reporter"]))
    report = _ok(
        reporter.post(
            f"{V1}/reports",
            json={
                "organisation_id": guards,
                "incidents": [
                    {
                        "category": "skadegorelse.klotter",
                        "occurred_from": (today - dt.timedelta(days=d)).isoformat() + "T21:30",
                        "assessment": "medium",
                        "area_id": north,
                        "place_id": place,
                        "description": "Sjöviks klotter",
                    }
                    for d in (3, 10, 17)
                ],
            },
        )
    )
    incident_id = report["incidents"][0]["id"]
    _add_photo(reporter, f"{V1}/incidents/{incident_id}/photos")
    intervention = _ok(
        admin.post(
            f"{V1}/interventions",
            json={
                "title": "Sjöviks insats",
                "type": "graffiti_removal",
                "owner_organisation_id": office,
                "target": {"kind": "area", "area_id": north},
                "categories": ["skadegorelse.klotter"],
                "planned_start": today.isoformat(),
                "group_id": coordination,
                "incident_ids": [incident_id],
            },
        )
    )
    _ok(
        admin.post(
            f"{V1}/interventions/{intervention['id']}/follow-ups",
            json={"day": today.isoformat(), "done": "Sjöviks sanering"},
        )
    )
    _ok(
        admin.post(
            f"{V1}/interventions/{intervention['id']}/feedback",
            json={
                "told_on": today.isoformat(),
                "channel": "email",
                "text": "Sjöviks återkoppling",
                "to_reporters": True,
            },
        )
    )
    meeting = _ok(
        admin.post(
            f"{V1}/groups/{coordination}/meetings",
            json={"starts_at": (today - dt.timedelta(days=1)).isoformat() + "T13:00"},
        )
    )
    _ok(admin.post(f"{V1}/meetings/{meeting['id']}/decisions", json={"text": "Sjöviks beslut"}))
    draft = _ok(admin.post(f"{V1}/groups/{coordination}/situation-reports", json={}))
    _ok(admin.post(f"{V1}/situation-reports/{draft['id']}/publish"))
    goal = _ok(
        admin.post(
            f"{V1}/goals",
            json={"group_id": steering, "theme": "Sjöviks tema", "title": "Sjöviks mål"},
        )
    )
    _ok(
        admin.post(
            f"{V1}/goals/{goal['id']}/indicators",
            json={"name": "Sjöviks klotter", "kind": "computed", "category": "skadegorelse"},
        )
    )
    _ok(
        admin.post(
            f"{V1}/assignments",
            json={
                "goal_id": goal["id"],
                "to_group_id": area_north,
                "title": "Sjöviks uppdrag",
                "due": (today + dt.timedelta(days=30)).isoformat(),
            },
        )
    )
    plan = _ok(
        admin.post(
            f"{V1}/plans",
            json={
                "group_id": steering,
                "title": "Sjöviks plan",
                "goal_id": goal["id"],
                "period_start": f"{today.year}-01-01",
                "period_end": f"{today.year}-12-31",
            },
        )
    )
    _ok(
        admin.post(
            f"{V1}/plans/{plan['id']}/activities",
            json={
                "title": "Sjöviks aktivitet",
                "responsible_office": "Sjöviks förvaltning",
                "period_start": f"{today.year}-01-01",
                "child_perspective": "Sjöviks barn",
            },
        )
    )
    # An evening under way: its log is open.
    start = localtime.utcnow().replace(microsecond=0) - dt.timedelta(hours=1)
    evening = _ok(
        admin.post(
            f"{V1}/evenings",
            json={
                "starts_at": start.isoformat(),
                "ends_at": (start + dt.timedelta(hours=6)).isoformat(),
                "area_id": north,
            },
        )
    )
    _ok(admin.post(f"{V1}/evenings/{evening['id']}/log", json={"text": "Sjöviks logg"}))
    host = _ok(
        admin.post(
            f"{V1}/associations/{walkers}/hosts",
            json={"name": "Sjöviks värd", "trained_on": f"{today.year}-01-10"},
        )
    )
    _ok(
        admin.post(
            f"{V1}/night-walks",
            json={
                "evening_id": evening["id"],
                "organisation_id": walkers,
                "walkers": 3,
                "host_ids": [host["id"]],
                "starts_at": (start + dt.timedelta(hours=1)).isoformat(),
                "ends_at": (start + dt.timedelta(hours=4)).isoformat(),
            },
        )
    )
    _ok(reporter.post(f"{V1}/guard-reports", json={"day": today.isoformat()}))
    reporter.close()
    walk = _ok(
        admin.post(
            f"{V1}/safety-walks",
            json={
                "area_id": north,
                "group_id": area_north,
                "starts_at": (today + dt.timedelta(days=7)).isoformat() + "T18:00",
                "meeting_point": "Sjöviks torg",
            },
        )
    )
    _ok(
        admin.post(
            f"{V1}/safety-walks/{walk['id']}/findings",
            json={
                "kind": "lighting",
                "description": "Sjöviks mörka gång",
                "responsible_organisation_id": office,
            },
        )
    )
    # No tip: a public tip is filed in the installation's first municipality (A) whatever
    # form it came from (api/tips/service.py create_public_tip), so B cannot get one yet.
    return service


# The kinds of record a route takes in its path, and one of each of a municipality.
_KINDS: dict[str, Any] = {
    "area": Area,
    "place": Place,
    "organisation": Organisation,
    "group": Group,
    "report": Report,
    "incident": Incident,
    "match": IncidentMatch,
    "situation_report": SituationReport,
    "intervention": Intervention,
    "meeting": Meeting,
    "host": Host,
    "night_walk": NightWalk,
    "goal": Goal,
    "indicator": Indicator,
    "assignment": Assignment,
    "plan": Plan,
    "activity": Activity,
    "category_mapping": CategoryMapping,
    "oidc_group_mapping": OidcGroupMapping,
    "import": ImportFile,
    "guard_report": GuardReport,
    "evening": Evening,
    "log_post": LogPost,
    "tip": Tip,
    "safety_walk": SafetyWalk,
    "walk_input": WalkInput,
    "finding": Finding,
}


def _ids_of(server: Server, municipality_id: int) -> dict[str, Any]:
    ids: dict[str, Any] = {"municipality": municipality_id}
    with server.database.session(write=False) as session:
        for kind, model in _KINDS.items():
            found = session.scalars(
                select(model.id).where(model.municipality_id == municipality_id).order_by(model.id)
            ).all()
            ids[kind] = found[-1] if found else None
            if kind == "situation_report":
                ids["other_situation_report"] = found[0] if found else None
        ids["user"] = session.scalar(
            select(User.id)
            .where(User.municipality_id == municipality_id, ~User.is_operator)
            .order_by(User.id)
        )
        ids["service_token"] = session.scalar(
            select(ServiceToken.id)
            .join(Organisation, Organisation.id == ServiceToken.organisation_id)
            .where(Organisation.municipality_id == municipality_id)
        )
        host = session.get(Host, ids["host"]) if ids["host"] else None
        ids["association"] = host.organisation_id if host else None
        for owner in ("incident", "tip", "finding"):
            row = session.execute(
                select(Photo.id, Photo.owner_id)
                .where(Photo.municipality_id == municipality_id, Photo.owner_kind == owner)
                .order_by(Photo.id)
            ).first()
            ids[f"{owner}_photo"] = tuple(row) if row else None
        walk = session.get(SafetyWalk, ids["safety_walk"]) if ids["safety_walk"] else None
        ids["walk_token"] = walk.public_token if walk else None
    return ids


# Strings that are no one municipality's: codes, enumerations, numbers, and words every
# municipality's records hold alike.
_CODE = re.compile(r"^[a-z0-9_.:\-]+$|^[\d\s.,:+\-TZ]+$")
_MIN_LENGTH = 6


def _strings(server: Server, municipality_id: int) -> set[str]:
    found: set[str] = set()
    tables = set(municipal_tables())
    with server.database.session(write=False) as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns:
                continue
            if table.name in tables:
                where = table.c.municipality_id == municipality_id
            elif table.name == "users":
                # The platform operator (the test administrator) is no one municipality's.
                where = (table.c.municipality_id == municipality_id) & ~table.c.is_operator
            elif table.name == "municipalities":
                where = table.c.id == municipality_id
            else:
                continue
            for row in session.execute(select(*columns).where(where)):
                for value in row:
                    if isinstance(value, str):
                        text = value.strip()
                        if len(text) >= _MIN_LENGTH and not _CODE.match(text):
                            found.add(text)
    return found


def _fingerprints(server: Server, a_id: int, b_id: int) -> tuple[list[str], list[str]]:
    a, b = _strings(server, a_id), _strings(server, b_id)
    with server.database.session(write=False) as session:
        shared = {
            str(v)
            for row in session.execute(select(*Base.metadata.tables["categories"].columns))
            for v in row
            if isinstance(v, str)
        }
    # The categories are the platform's: a goal's theme may be a category's words.
    common = "\n".join(shared) + "\nEurope/Stockholm"
    return (
        sorted(f for f in a - b if f not in common),
        sorted(f for f in b - a if f not in common),
    )

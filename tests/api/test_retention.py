"""Retention (gallring) on real data, on SQLite and PostgreSQL: what is older than the
settings allow loses its free text and exact point, what is younger keeps them, a dry run
changes nothing, the published lägesbilder keep their figures, the audit log's old events go
through the one door its triggers leave open, and each run is logged as counts. Through the
service, the command line and the schedule inside a running server."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from api.audit.models import AuditEvent, IncidentReading
from api.idempotency import IdempotentRequest
from api.incidents.models import Incident, Report
from api.integrations.models import ImportFile
from api.localtime import STOCKHOLM, utcnow
from api.retention import service
from api.retention.service import months_before
from api.safetywalks.models import SafetyWalk, WalkInput
from api.safetywalks.retention import THINNED_COMMENT
from api.structure.models import Area, Municipality
from tests.support.cli import est
from tests.support.factories import file_report
from tests.support.pages import browser_for
from tests.support.people import People, as_, gid
from tests.support.servers import LiveServer, Server, settings_for
from web.embedded import create_embedded_app

pytestmark = pytest.mark.jarfalla

V1 = "/api/v1"
BRO = "EST områdesgrupp Bro"
COORDINATION = "EST samordningsgrupp"
OLD_DAY = "2023-09-05T21:30"  # more than 24 months before the tests run
YOUNG_DAY = "2026-11-20T21:30"
SECRET = "Klotter på garaget vid Råbyvägen 12, ringde in från porten"


def _situation(client: httpx.Client, group_id: int, first: str, last: str, summary: str) -> int:
    draft = client.post(
        f"{V1}/groups/{group_id}/situation-reports", json={"first_day": first, "last_day": last}
    )
    assert draft.status_code == 201, draft.text
    ident = draft.json()["id"]
    saved = client.patch(
        f"{V1}/situation-reports/{ident}",
        json={"summary": summary, "analysis": summary, "assessment": "Oro", "proposals": "Mer"},
        headers={"If-Match": draft.headers["etag"]},
    )
    assert saved.status_code == 200, saved.text
    published = client.post(f"{V1}/situation-reports/{ident}/publish")
    assert published.status_code == 200, published.text
    return int(ident)


def _world(server: Server, people: People) -> dict[str, Any]:
    """An old and a young incident with text and point (the old one corrected once, so its
    history holds the text too, and with an address and a source's reference), Bro's old
    published lägesbild quoting it, and the coordination group's young one beside it."""
    bro = people["areas"]["Bro"]["id"]
    spot = {"lat": 59.5141, "lon": 17.6243}
    filed = file_report(
        server,
        people["tokens"]["admin"],
        {"area_id": bro, "occurred_from": OLD_DAY, "description": SECRET, "position": spot},
        {"area_id": bro, "occurred_from": YOUNG_DAY, "description": SECRET, "position": spot},
    )
    old, young = (i["id"] for i in filed["incidents"])
    with as_(server, people, "admin") as admin:
        corrected = admin.patch(f"{V1}/incidents/{old}", json={"description": SECRET + "!"})
        assert corrected.status_code == 200, corrected.text
        bro_report = _situation(admin, gid(people, BRO), "2023-09-01", "2023-09-14", SECRET)
    with as_(server, people, "coordination") as convener:
        coordination_report = _situation(
            convener, gid(people, COORDINATION), "2026-11-15", "2026-11-28", "Lugnt"
        )
    with server.database.session(write=True) as session:
        for ident, reference in ((old, "E-old"), (young, "E-young")):
            session.execute(
                update(Incident)
                .where(Incident.id == ident)
                .values(address="Råbyvägen 12", external_id=reference)
            )
        session.execute(update(Report).where(Report.id == filed["id"]).values(external_id="R-1"))
    return {"old": old, "young": young, "bro": bro_report, "coordination": coordination_report}


def _seen(server: Server, people: People, world: dict[str, Any]) -> dict[str, Any]:
    """Everything the API says about the world's records, as the administrator reads it."""
    with as_(server, people, "admin") as admin:
        return {
            name: admin.get(path).json()
            for name, path in (
                ("old", f"{V1}/incidents/{world['old']}"),
                ("young", f"{V1}/incidents/{world['young']}"),
                ("old_history", f"{V1}/incidents/{world['old']}/history"),
                ("bro", f"{V1}/situation-reports/{world['bro']}"),
                ("coordination", f"{V1}/situation-reports/{world['coordination']}"),
                ("bro_incidents", f"{V1}/situation-reports/{world['bro']}/incidents"),
            )
        }


def _retention_events(server: Server) -> dict[str | None, str | None]:
    with server.database.session(write=False) as session:
        return {
            kind: detail
            for kind, detail in session.execute(
                select(AuditEvent.object_type, AuditEvent.detail)
                .where(AuditEvent.action == "retention")
                .order_by(AuditEvent.id)
            )
        }


def test_old_text_and_points_go_young_stay_and_the_figures_stand(
    server: Server, people: People
) -> None:
    world = _world(server, people)
    before = _seen(server, people, world)
    assert before["old"]["description"] == SECRET + "!" and before["old"]["lat"] is not None

    dry = service.run(server.database, server.settings, dry_run=True)
    assert dry is not None
    assert dry.counts() == {
        "incidents": 1,
        "incident_versions": 1,
        "reports": 0,  # its young incident still needs the reference
        "situation_reports": 2,  # Bro's own texts, and its summary beside the coordination's
        "idempotent_requests": 0,
        "import_files": 0,
        "audit_events": 0,
        "incident_readings": 0,
        "log_posts": 0,
        "photos": 0,
        "photo_files": 0,
        "tips": 0,
        "tip_photos": 0,
        "public_posts": 0,
        "safety_walks": 0,
    }
    assert _seen(server, people, world) == before
    assert _retention_events(server) == {}

    done = service.run(server.database, server.settings)
    assert done is not None and done.counts() == dry.counts()
    after = _seen(server, people, world)

    old = after["old"]
    assert (old["description"], old["address"], old["lat"], old["lon"]) == (None,) * 4
    # Kept as a digest (api.incidents.thinning), which answers do not give out.
    assert old["external_id"] is None
    with server.database.session(write=False) as session:
        stored = session.scalar(select(Incident.external_id).where(Incident.id == world["old"]))
    assert stored is not None and stored.startswith("gallrad:") and "E-old" not in stored
    assert old["thinned_at"] is not None and before["old"]["thinned_at"] is None
    with browser_for(server, people, "admin") as browser:
        page = browser.get(f"/handelser/{world['old']}").text
    assert "Gallrad" in page and SECRET not in page
    # What the figures are counted from stays.
    for key in ("category", "area", "place", "occurred_from", "occurred_to", "precision"):
        assert old[key] == before["old"][key], key
    assert old["version"] == before["old"]["version"]
    assert SECRET not in str(after["old_history"])
    assert [v["data"]["category"] for v in after["old_history"]] == [
        v["data"]["category"] for v in before["old_history"]
    ]
    assert after["young"] == before["young"]

    bro = after["bro"]
    assert bro["figures"] == before["bro"]["figures"]
    assert after["bro_incidents"] == before["bro_incidents"]
    assert SECRET not in str(bro) and "gallrades" in bro["summary"]
    assert (bro["analysis"], bro["assessment"], bro["proposals"]) == ("", "", "")
    coordination = after["coordination"]
    assert coordination["summary"] == "Lugnt"
    assert coordination["figures"] == before["coordination"]["figures"]
    assert SECRET not in str(coordination)
    assert [e["summary"] for e in coordination["rollup"] if e["report_id"] == world["bro"]] == [
        bro["summary"]
    ]

    events = _retention_events(server)
    assert events == {
        None: "påbörjad",
        "incidents": "1 gallrade",
        "incident_versions": "1 gallrade",
        "reports": "0 gallrade",
        "situation_reports": "2 gallrade",
        "idempotent_requests": "0 gallrade",
        "import_files": "0 gallrade",
        "audit_events": "0 gallrade",
        "incident_readings": "0 gallrade",
        "log_posts": "0 gallrade",
        "photos": "0 gallrade",
        "photo_files": "0 gallrade",
        "tips": "0 gallrade",
        "tip_photos": "0 gallrade",
        "public_posts": "0 gallrade",
        "safety_walks": "0 gallrade",
    }
    # A second run finds nothing left.
    again = service.run(server.database, server.settings)
    assert again is not None and set(again.counts().values()) == {0}
    assert _seen(server, people, world) == after


def test_a_report_reference_goes_with_its_last_incident(server: Server, people: People) -> None:
    bro = people["areas"]["Bro"]["id"]
    filed = file_report(
        server, people["tokens"]["admin"], {"area_id": bro, "occurred_from": OLD_DAY}
    )
    with server.database.session(write=True) as session:
        session.execute(update(Report).where(Report.id == filed["id"]).values(external_id="R-9"))
    done = service.run(server.database, server.settings)
    assert done is not None and done.reports == 1
    with server.database.session(write=False) as session:
        reference = session.scalar(select(Report.external_id).where(Report.id == filed["id"]))
    assert reference is not None and reference.startswith("gallrad:")


def _audit_event(server: Server, at: dt.datetime, action: str = "sign_in") -> int:
    with server.database.session(write=True) as session:
        event = AuditEvent(at=at, action=action, outcome="ok", actor_kind="user")
        session.add(event)
        session.flush()
        return event.id


def test_the_copies_kept_for_a_moment_go_after_days(server: Server, people: People) -> None:
    """The answer kept for a retried report repeats its text; an upload never confirmed
    holds the whole file. Both go EST_RETAIN_REPLAY_DAYS after they came."""
    days = server.settings.retain_replay_days
    old, young = utcnow() - dt.timedelta(days=days, hours=1), utcnow()
    with server.database.session(write=True) as session:
        for key, at in (("old", old), ("young", young)):
            session.add(
                IdempotentRequest(
                    caller="user:1", key=key, request_hash="0" * 64, status=201,
                    response={"description": SECRET}, created_at=at,
                )
            )  # fmt: skip
            session.add(
                ImportFile(
                    source="embrace", filename=f"{key}.csv", format="csv",
                    municipality_id=people["municipality"]["id"],
                    content=SECRET.encode(), created_at=at,
                )
            )  # fmt: skip
    dry = service.run(server.database, server.settings, dry_run=True)
    assert dry is not None and (dry.idempotent_requests, dry.import_files) == (1, 1)
    done = service.run(server.database, server.settings)
    assert done is not None and (done.idempotent_requests, done.import_files) == (1, 1)
    with server.database.session(write=False) as session:
        assert list(session.scalars(select(IdempotentRequest.key))) == ["young"]
        assert dict(session.execute(select(ImportFile.filename, ImportFile.content)).all()) == {
            "old.csv": None,
            "young.csv": SECRET.encode(),
        }


def test_old_audit_events_go_only_through_retention(server: Server, people: People) -> None:
    now = utcnow()
    ancient = _audit_event(server, months_before(now, 12 * 5) - dt.timedelta(days=1))
    recent = _audit_event(server, months_before(now, 12 * 5) + dt.timedelta(days=1))

    # The log stays append-only to everything else, old events included.
    for statement in (
        f"DELETE FROM audit_events WHERE id = {ancient}",
        f"UPDATE audit_events SET action = 'x' WHERE id = {ancient}",
    ):
        with (
            pytest.raises(DBAPIError, match="append-only"),
            server.database.session(write=True) as session,
        ):
            session.execute(text(statement))

    assert service.run(server.database, server.settings, dry_run=True).audit_events == 1  # type: ignore[union-attr]
    done = service.run(server.database, server.settings)
    assert done is not None and done.audit_events == 1
    with server.database.session(write=False) as session:
        left = set(
            session.scalars(select(AuditEvent.id).where(AuditEvent.id.in_([ancient, recent])))
        )
        permits = session.scalar(text("SELECT count(*) FROM audit_deletion_permits"))
    assert left == {recent}
    assert permits == 0
    assert _retention_events(server)["audit_events"] == "1 gallrade"
    # Who read which incident is kept as long as the log, and goes with it.
    with server.database.session(write=True) as session:
        for moment in (months_before(now, 12 * 5) - dt.timedelta(days=1), now):
            session.add(IncidentReading(incident_id=1, user_id=1, at=moment))
    readings = service.run(server.database, server.settings)
    assert readings is not None and readings.incident_readings == 1
    with server.database.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(IncidentReading)) == 1
    # With the permit gone, the door is shut again.
    with (
        pytest.raises(DBAPIError, match="append-only"),
        server.database.session(write=True) as session,
    ):
        session.execute(text(f"DELETE FROM audit_events WHERE id = {recent}"))


def test_the_command_says_what_would_go_and_then_thins_it(server: Server, people: People) -> None:
    world = _world(server, people)
    before = _seen(server, people, world)

    dry = est(server.settings.database_url, "retention", "run", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "händelser (fritext och exakt punkt): 1 skulle gallras" in dry.stdout
    assert "lägesbilders texter: 2 skulle gallras" in dry.stdout
    assert "torrkörning" in dry.stdout
    assert _seen(server, people, world) == before
    assert _retention_events(server) == {}

    run = est(server.settings.database_url, "retention", "run")
    assert run.returncode == 0, run.stderr
    assert "händelser (fritext och exakt punkt): 1 gallrades" in run.stdout
    assert _seen(server, people, world)["old"]["description"] is None
    assert _retention_events(server)["incidents"] == "1 gallrade"


def test_a_running_server_thins_on_its_own_once_among_its_workers(
    server: Server, people: People
) -> None:
    """Two servers on the one database (as two worker processes would be) with the
    schedule on: one of them runs retention, once for the interval."""
    world = _world(server, people)
    settings = settings_for(server.settings.database_url, retain_every_hours=1)
    live = [LiveServer(create_embedded_app(settings)).start() for _ in range(2)]
    try:
        deadline = time.monotonic() + 30
        while "audit_events" not in _retention_events(server):
            assert time.monotonic() < deadline, "no retention run in 30 s"
            time.sleep(0.2)
        time.sleep(1)  # room for the other to (wrongly) run too
    finally:
        for one in live:
            one.stop()
    assert _seen(server, people, world)["old"]["description"] is None
    with server.database.session(write=False) as session:
        started = session.scalar(
            select(func.count()).where(
                AuditEvent.action == "retention", AuditEvent.detail == "påbörjad"
            )
        )
    assert started == 1


def test_the_schedule_runs_again_once_the_interval_has_passed(
    server: Server,
    api: httpx.Client,  # empties the tables after
) -> None:
    every = 2.0  # seconds
    settings = settings_for(server.settings.database_url, retain_every_hours=every / 3600)
    live = LiveServer(create_embedded_app(settings)).start()
    try:
        deadline = time.monotonic() + 30
        while True:
            with server.database.session(write=False) as session:
                starts = list(
                    session.scalars(
                        select(AuditEvent.at)
                        .where(AuditEvent.action == "retention", AuditEvent.detail == "påbörjad")
                        .order_by(AuditEvent.id)
                    )
                )
            if len(starts) >= 2:
                break
            assert time.monotonic() < deadline, f"{len(starts)} runs in 30 s"
            time.sleep(0.2)
    finally:
        live.stop()
    assert (starts[1] - starts[0]).total_seconds() >= every


def test_months_before_keeps_to_the_calendar() -> None:
    moment = dt.datetime(2026, 8, 31, 12, tzinfo=dt.UTC)
    assert months_before(moment, 6) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert months_before(moment, 24) == dt.datetime(2024, 8, 31, 12, tzinfo=dt.UTC)
    assert months_before(dt.datetime(2024, 2, 29, tzinfo=dt.UTC), 12 * 5).day == 28


def test_a_thinned_incident_sent_again_stays_one_and_thinned(
    server: Server, people: People
) -> None:
    """A mapping tool sending its whole history again must neither file a thinned incident
    a second time (the figures would count it twice) nor bring its text back."""
    with as_(server, people, "admin") as admin:
        created = admin.post(
            f"{V1}/service-tokens",
            json={
                "source": "embrace",
                "organisation_id": people["organisations"]["Rapid Säkerhet"]["id"],
            },
        )
    assert created.status_code == 201, created.text
    sent = {
        "external_id": "EMB-1",
        "category": "Skadegörelse",
        "subcategory": "Klotter",
        "occurred_from": "2023-03-01 22:00",
        "area": "Bro",
        "lat": 59.5089,
        "lon": 17.6431,
        "description": SECRET,
    }
    with server.client(created.json()["token"]) as tool:

        def push() -> dict[str, Any]:
            response = tool.post(
                f"{V1}/integrations/embrace/incidents:batch", json={"incidents": [sent]}
            )
            assert response.status_code == 200, response.text
            result: dict[str, Any] = response.json()["items"][0]
            return result

        first = push()
        assert first["result"] == "created", first
        done = service.run(server.database, server.settings)
        assert done is not None and done.incidents == 1
        again = push()
    assert again["result"] == "unchanged" and again["incident_id"] == first["incident_id"]
    with server.database.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1
        assert session.scalar(select(Incident.description)) is None


# Several municipalities, each its own periods (#21) -------------------------------------------

JARFALLA_ADMIN = "admin@jarfalla.est.demo"


def test_each_municipalitys_rows_go_by_its_own_periods(server: Server, people: People) -> None:
    # Järfälla keeps free text 6 months and its log 1 year; Upplands-Bro the installation's
    # (EST_RETAIN_*: 24 months, 5 years). Every job that removes those kinds of data holds a
    # row to its own municipality's period: observations, safety walks' pins, the log.
    bro = people["municipality"]["id"]
    year_ago = months_before(utcnow(), 12)
    with server.database.session(write=True) as session:
        jarfalla = session.scalar(select(Municipality.id).where(Municipality.id != bro))
        assert jarfalla is not None
        session.execute(
            update(Municipality)
            .where(Municipality.id == jarfalla)
            .values(retain_incident_text_months=6, retain_audit_years=1)
        )
        areas = {
            town: session.scalar(
                select(Area.id).where(Area.municipality_id == town).order_by(Area.id)
            )
            for town in (bro, jarfalla)
        }
        for town, area in areas.items():
            walk = SafetyWalk(
                area_id=area,
                starts_at=year_ago,
                meeting_point="Torget",
                public_token=f"walk-{town}",
            )
            session.add(walk)
            session.flush()
            session.add(WalkInput(walk_id=walk.id, sender="resident", comment=SECRET))
        for town in (bro, jarfalla, None):
            session.add(
                AuditEvent(
                    at=months_before(utcnow(), 24),
                    action="probe",
                    outcome="ok",
                    actor_kind="user",
                    municipality_id=town,
                )
            )
    when = f"{year_ago.astimezone(STOCKHOLM):%Y-%m-%dT%H:%M}"
    filed = {
        town: file_report(
            server,
            token,
            {"area_id": areas[town], "occurred_from": when, "description": SECRET},
        )["incidents"][0]["id"]
        for town, token in (
            (bro, people["tokens"]["admin"]),
            (jarfalla, server.token_for(JARFALLA_ADMIN)),
        )
    }
    dry = service.run(server.database, server.settings, dry_run=True)
    assert dry is not None
    assert (dry.incidents, dry.safety_walks, dry.audit_events) == (1, 1, 1)
    told = est(server.settings.database_url, "retention", "run", "--dry-run")
    assert told.returncode == 0, told.stderr
    assert "(24 månader), logghändelser från före " in told.stdout
    assert "Järfälla kommun, egna gallringsfrister: fritext och exakta punkter" in told.stdout
    assert "(6 månader)" in told.stdout and "(1 år)" in told.stdout
    assert f"{people['municipality']['name']}, egna" not in told.stdout
    done = service.run(server.database, server.settings)
    assert done is not None
    assert (done.incidents, done.safety_walks, done.audit_events) == (1, 1, 1)
    with server.database.session(write=False) as session:
        texts = {
            town: description
            for town, description in session.execute(
                select(Incident.municipality_id, Incident.description).where(
                    Incident.id.in_(filed.values())
                )
            )
        }
        assert texts == {bro: SECRET, jarfalla: None}
        pins = {
            town: comment
            for town, comment in session.execute(
                select(WalkInput.municipality_id, WalkInput.comment)
            )
        }
        assert pins == {bro: SECRET, jarfalla: THINNED_COMMENT}
        left = session.scalars(
            select(AuditEvent.municipality_id).where(AuditEvent.action == "probe")
        )
        assert sorted(left, key=str) == sorted([bro, None], key=str)
    # The privacy notice says each municipality's own periods.
    with server.client() as anon:
        for town, months, years in ((bro, 24, 5), (jarfalla, 6, 1)):
            notice = anon.get(f"{V1}/municipalities/{town}/privacy-notice")
            assert notice.status_code == 200, notice.text
            assert f"gallras {months} månader efter händelsen" in notice.json()["text"]
            assert f"sparas i {years} år" in notice.json()["text"]

"""Retention (gallring): what the municipality's records plan lets go, goes on time.

- An incident's free text (description, address, the source's reference, and the same in
  its history) and its exact point go ``EST_RETAIN_INCIDENT_TEXT_MONTHS`` after its window
  ended. Its area, place, category, times, assessment and who filed it stay, so every figure
  counted from it stays the same; ``thinned_at`` marks it. The source's reference becomes a
  digest rather than nothing, so that the (source, reference) key stays unique.
- A lägesbild whose period ended before that loses its texts (summary, analysis, assessment,
  proposals: they quote the incidents), and so do the copies of its summary shown beside
  other groups' lägesbilder; its figures and frozen analysis stay.
- Copies made for a moment go ``EST_RETAIN_REPLAY_DAYS`` after they came: the answers kept
  for a retried POST (they repeat what was filed) and uploaded exports never confirmed.
- An evening's live log goes with the incidents' text: a post written before that time is
  deleted, unless it became an observation; then only the link (and its time, organisation
  and category) stays, its text, point and author cleared.
- An incident's photos go with its text (rows and files), and so do photo files that no
  row holds an hour after they were written (a transaction that rolled back).
- Audit events older than ``EST_RETAIN_AUDIT_YEARS`` are deleted, through the one door the
  append-only triggers leave open (``AuditDeletionPermit``).

A run is logged as counts per kind (``retention`` events), never as content. Each kind goes
in batches, each its own short transaction, so a run never holds SQLite's write lock for
long. Runs are claimed: the claim takes a lock (PostgreSQL: an advisory lock; SQLite: the
write lock every writer takes) and writes a ``retention`` event, so several workers and
processes of ``est serve`` run it once per interval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import and_, delete, exists, func, not_, or_, select, text, update
from sqlalchemy.orm import Session

from api import localtime
from api.actor import SYSTEM
from api.audit import service as audit
from api.audit.models import AuditEvent, IncidentReading
from api.db import Database
from api.evenings.models import LogPost
from api.idempotency import IdempotentRequest
from api.incidents.models import Incident, IncidentVersion, Report
from api.incidents.thinning import THINNED_PREFIX, is_thinned, thinned_reference
from api.integrations.models import ImportFile
from api.photos import service as photo_service
from api.photos.schemas import PhotoOwner
from api.retention.cutoffs import Cutoffs
from api.retention.cutoffs import cutoffs as cutoffs  # the command line reads it here
from api.retention.cutoffs import months_before as months_before  # the tests read it here
from api.retention.models import AuditDeletionPermit
from api.safetywalks import retention as walk_retention
from api.settings import Settings
from api.situation.models import SituationReport
from api.swedish import day_sv
from api.tips import retention as tip_retention

ACTION = "retention"
BATCH = 1000
# Any fixed number: the advisory lock that serialises the claims of every process.
LOCK_KEY = 0x657374_726574
# The fields of an incident (and of its earlier versions) that retention takes.
FREE_TEXT = ("description", "address", "external_id")
POINT = ("lat", "lon")


def thinned_text(day: dt.date) -> str:
    return (
        f"Texterna gallrades {day_sv(day)} enligt kommunens gallringsbeslut. Siffrorna står kvar."
    )


@dataclass
class Thinned:
    """How many of each kind a run took (or, dry, would take)."""

    incidents: int = 0
    incident_versions: int = 0
    reports: int = 0
    situation_reports: int = 0
    idempotent_requests: int = 0
    import_files: int = 0
    audit_events: int = 0
    incident_readings: int = 0
    log_posts: int = 0
    photos: int = 0
    photo_files: int = 0
    # Residents' tips (#20, api.tips.retention): decided or long pending ones, their photos,
    # and the public forms' sendings.
    tips: int = 0
    tip_photos: int = 0
    public_posts: int = 0
    safety_walks: int = 0

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# What each kind is, in the words of `est retention run` and of the audit log's object.
KINDS = {
    "incidents": "händelser (fritext och exakt punkt)",
    "incident_versions": "tidigare versioner av händelser",
    "reports": "rapporters externa referens",
    "situation_reports": "lägesbilders texter",
    "idempotent_requests": "sparade svar på upprepade begäranden",
    "import_files": "uppladdade filer som aldrig lästes in",
    "audit_events": "logghändelser",
    "incident_readings": "loggade läsningar av händelser",
    "log_posts": "kvällsloggens inlägg",
    "photos": "händelsers bilder",
    "photo_files": "bildfiler utan bild",
    "tips": "tips från allmänheten (granskade, eller ogranskade länge)",
    "tip_photos": "bilder till tips som gallrades",
    "public_posts": "räknade sändningar av publika formulär",
    "safety_walks": "trygghetsvandringars synpunkter och fyndens bilder",
}


# Which rows go ------------------------------------------------------------------------------


def _old_incident(c: Cutoffs) -> Any:
    return and_(
        Incident.thinned_at.is_(None), c.text(Incident.municipality_id, Incident.occurred_to)
    )


def _old_report(c: Cutoffs) -> Any:
    """A report whose every incident is thinned or about to be (its reference names them)."""
    kept = select(Incident.id).where(
        Incident.report_id == Report.id,
        not_(
            or_(
                Incident.thinned_at.is_not(None),
                c.text(Incident.municipality_id, Incident.occurred_to),
            )
        ),
    )
    return and_(
        Report.external_id.is_not(None),
        not_(Report.external_id.startswith(THINNED_PREFIX)),
        not_(exists(kept)),
    )


def _old_situation_report(c: Cutoffs) -> Any:
    return and_(
        SituationReport.thinned_at.is_(None),
        c.day(SituationReport.municipality_id, SituationReport.last_day),
    )


def _old_replay(c: Cutoffs) -> Any:
    return IdempotentRequest.created_at < c.replay_before


def _old_upload(c: Cutoffs) -> Any:
    return and_(
        ImportFile.content.is_not(None),
        ImportFile.imported_at.is_(None),
        ImportFile.created_at < c.replay_before,
    )


def _old_post(c: Cutoffs) -> Any:
    """A log post written before the cutoff that still holds more than its link."""
    return and_(
        c.text(LogPost.municipality_id, LogPost.created_at),
        or_(
            LogPost.incident_id.is_(None),
            LogPost.text != "",
            LogPost.lat.is_not(None),
            LogPost.author_id.is_not(None),
        ),
    )


def _holds_text(data: dict[str, Any]) -> bool:
    return any(data.get(key) is not None for key in (*FREE_TEXT, *POINT))


def _rollup_thinned(entries: list[dict[str, Any]], c: Cutoffs) -> bool:
    """Whether a lägesbild's copies of other groups' summaries hold one that goes (``c``:
    the cutoffs of the lägesbild's municipality)."""
    note = thinned_text(c.today)
    return any(
        dt.date.fromisoformat(e["last_day"]) < c.day_before and e.get("summary") != note
        for e in entries
    )


# Counting (the dry run) ----------------------------------------------------------------------


def count(
    session: Session,
    c: Cutoffs,
    settings: Settings,
    now: dt.datetime,
) -> Thinned:
    """What a run now would take, taking nothing."""
    old_ids = select(Incident.id).where(_old_incident(c))
    versions = sum(
        1
        for (data,) in session.execute(
            select(IncidentVersion.data).where(IncidentVersion.incident_id.in_(old_ids))
        )
        if _holds_text(data)
    )
    rollups = sum(
        1
        for (entries, municipality_id) in session.execute(
            select(SituationReport.rollup, SituationReport.municipality_id).where(
                SituationReport.rollup.is_not(None), not_(_old_situation_report(c))
            )
        )
        if entries and _rollup_thinned(entries, c.of(municipality_id))
    )
    scalar: Callable[[Any], int] = lambda stmt: int(session.scalar(stmt) or 0)  # noqa: E731
    counted = Thinned(
        incidents=scalar(select(func.count()).where(_old_incident(c))),
        incident_versions=versions,
        reports=scalar(select(func.count()).select_from(Report).where(_old_report(c))),
        situation_reports=scalar(
            select(func.count()).select_from(SituationReport).where(_old_situation_report(c))
        )
        + rollups,
        idempotent_requests=scalar(select(func.count()).where(_old_replay(c))),
        import_files=scalar(select(func.count()).where(_old_upload(c))),
        audit_events=scalar(
            select(func.count()).where(c.audit(AuditEvent.municipality_id, AuditEvent.at))
        ),
        incident_readings=scalar(
            select(func.count()).where(c.audit(IncidentReading.municipality_id, IncidentReading.at))
        ),
        log_posts=scalar(select(func.count()).select_from(LogPost).where(_old_post(c))),
        photos=photo_service.count_for(
            session, PhotoOwner.incident, session.scalars(old_ids).all()
        ),
        photo_files=photo_service.sweep(session, settings, now, dry_run=True),
    )
    counted.tips, counted.public_posts = tip_retention.count(session, settings, now)
    return counted


# Thinning, a batch at a time ----------------------------------------------------------------


def _thin_incidents(
    session: Session, c: Cutoffs, now: dt.datetime, settings: Settings
) -> tuple[int, int, int]:
    ids = list(
        session.scalars(
            select(Incident.id).where(_old_incident(c)).order_by(Incident.id).limit(BATCH)
        )
    )
    if not ids:
        return 0, 0, 0
    # A photo is personal data as the text is. Its files go before the commit: should it
    # fail, the incident is thinned again next run, and its photos' rows with it.
    photos = photo_service.remove_for(session, PhotoOwner.incident, ids, settings)
    versions = 0
    for version in session.scalars(
        select(IncidentVersion).where(IncidentVersion.incident_id.in_(ids))
    ):
        if _holds_text(version.data):
            versions += 1
            version.data = {
                **version.data,
                **{key: None for key in (*FREE_TEXT, *POINT) if key in version.data},
            }
    references = session.execute(
        select(Incident.id, Incident.external_id).where(
            Incident.id.in_(ids), Incident.external_id.is_not(None)
        )
    ).all()
    for incident_id, reference in references:
        if reference and not is_thinned(reference):
            session.execute(
                update(Incident)
                .where(Incident.id == incident_id)
                .values(external_id=thinned_reference(reference), updated_at=Incident.updated_at)
            )
    done = session.execute(
        update(Incident)
        .where(Incident.id.in_(ids), Incident.thinned_at.is_(None))
        # Not a correction: neither a new version nor a change the feed sends on again.
        .values(
            description=None,
            address=None,
            lat=None,
            lon=None,
            thinned_at=now,
            updated_at=Incident.updated_at,
        )
        .execution_options(synchronize_session=False)
    )
    return int(done.rowcount), versions, photos  # type: ignore[attr-defined]


def _thin_reports(session: Session, c: Cutoffs) -> int:
    reports = session.execute(
        select(Report.id, Report.external_id).where(_old_report(c)).limit(BATCH)
    ).all()
    done = 0
    for report_id, reference in reports:
        assert reference is not None
        session.execute(
            update(Report)
            .where(Report.id == report_id)
            .values(external_id=thinned_reference(reference))
        )
        done += 1
    return done


def _thin_situation_reports(session: Session, c: Cutoffs, now: dt.datetime) -> int:
    done = 0
    for report in session.scalars(
        select(SituationReport).where(_old_situation_report(c)).limit(BATCH)
    ):
        own = c.of(report.municipality_id)
        report.summary = thinned_text(own.today)
        report.analysis = report.assessment = report.proposals = ""
        report.other_information = ""
        _thin_rollup(report, own)
        # analysis_frozen stays, as the figures do: grid cells, place, area, category and
        # organisation names and counts, no free text and no incident's own point.
        report.thinned_at = now
        # A form still open on the old text must not save it back (If-Match answers 412).
        report.revision += 1
        done += 1
    if done:
        return done
    # The younger lägesbilder that show an old one's summary beside them.
    for report in session.scalars(
        select(SituationReport).where(
            SituationReport.rollup.is_not(None), SituationReport.thinned_at.is_(None)
        )
    ):
        done += _thin_rollup(report, c.of(report.municipality_id))
    return done


def _thin_rollup(report: SituationReport, c: Cutoffs) -> int:
    if not report.rollup or not _rollup_thinned(report.rollup, c):
        return 0
    note = thinned_text(c.today)
    report.rollup = [
        {**e, "summary": note} if dt.date.fromisoformat(e["last_day"]) < c.day_before else e
        for e in report.rollup
    ]
    return 1


def _thin_copies(session: Session, c: Cutoffs) -> tuple[int, int]:
    """The answers kept for retries, and the uploads never confirmed (whose content goes;
    the preview's counts stay, for the page that lists them)."""
    replays = session.execute(
        delete(IdempotentRequest).where(_old_replay(c)).execution_options(synchronize_session=False)
    )
    uploads = session.execute(
        update(ImportFile)
        .where(_old_upload(c))
        .values(content=None)
        .execution_options(synchronize_session=False)
    )
    return int(replays.rowcount), int(uploads.rowcount)  # type: ignore[attr-defined]


def _thin_log_posts(session: Session, c: Cutoffs) -> int:
    """Old posts deleted; those that became observations keep only the link."""
    ids = list(
        session.scalars(select(LogPost.id).where(_old_post(c)).order_by(LogPost.id).limit(BATCH))
    )
    if not ids:
        return 0
    session.execute(
        delete(LogPost)
        .where(LogPost.id.in_(ids), LogPost.incident_id.is_(None))
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(LogPost)
        .where(LogPost.id.in_(ids), LogPost.incident_id.is_not(None))
        .values(text="", lat=None, lon=None, author_id=None)
        .execution_options(synchronize_session=False)
    )
    return len(ids)


def _delete_audit_events(session: Session, c: Cutoffs) -> int:
    """The one sanctioned DELETE of audit events: a permit row the triggers read, written
    and removed within this transaction (migration 0012)."""
    permit = AuditDeletionPermit(delete_before=c.latest_audit)
    session.add(permit)
    session.flush()
    done = _delete_before(session, AuditEvent, c)
    session.delete(permit)
    session.flush()
    return done


def _delete_readings(session: Session, c: Cutoffs) -> int:
    """Who read which incident is a log line like the others, kept as long."""
    return _delete_before(session, IncidentReading, c)


def _delete_before(
    session: Session, model: type[AuditEvent] | type[IncidentReading], c: Cutoffs
) -> int:
    """A batch of a log's lines older than their municipality's audit cutoff, deleted."""
    batch = (
        select(model.id)
        .where(c.audit(model.municipality_id, model.at))
        .order_by(model.id)
        .limit(BATCH * 10)
    ).scalar_subquery()
    done = session.execute(
        delete(model).where(model.id.in_(batch)).execution_options(synchronize_session=False)
    )
    return int(done.rowcount)  # type: ignore[attr-defined]


# A run -------------------------------------------------------------------------------------


def _claim(session: Session, *, now: dt.datetime, every: dt.timedelta | None) -> bool:
    """Whether this process runs retention now: under the lock, no run began within
    ``every`` (None: run regardless). The claim is itself a ``retention`` event."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    if every is not None:
        last = session.scalar(select(func.max(AuditEvent.at)).where(AuditEvent.action == ACTION))
        if last is not None and last > now - every:
            return False
    audit.record(session, action=ACTION, actor=SYSTEM, detail="påbörjad")
    return True


def _repeat(database: Database, step: Callable[[Session], int]) -> int:
    total = 0
    while True:
        with database.session(write=True) as session:
            done = step(session)
        total += done
        if not done:
            return total


def run(
    database: Database,
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    every: dt.timedelta | None = None,
) -> Thinned | None:
    """Thin what is due and log the counts; ``dry_run``: only count. ``every``: run only if
    no run began within it (the schedule in ``est serve``); None when nothing ran."""
    now = now or localtime.utcnow()
    with database.session(write=False) as session:
        c = cutoffs(settings, now, session)
    # Safety walks (#20): a rejected pin goes after days, as a rejected tip does.
    rejected_before = now - dt.timedelta(days=settings.retain_rejected_days)
    if dry_run:
        with database.session(write=False) as session:
            counted = count(session, c, settings, now)
            counted.safety_walks = walk_retention.count(
                session, text_before=c.text, rejected_before=rejected_before
            )
            return counted
    with database.session(write=True) as session:
        if not _claim(session, now=now, every=every):
            return None
    thinned = Thinned()
    versions = photos = 0

    def incidents(session: Session) -> int:
        nonlocal versions, photos
        done, in_versions, in_photos = _thin_incidents(session, c, now, settings)
        versions += in_versions
        photos += in_photos
        return done

    thinned.incidents = _repeat(database, incidents)
    thinned.incident_versions = versions
    thinned.photos = photos
    thinned.reports = _repeat(database, lambda s: _thin_reports(s, c))
    thinned.situation_reports = _repeat(database, lambda s: _thin_situation_reports(s, c, now))
    thinned.log_posts = _repeat(database, lambda s: _thin_log_posts(s, c))
    # Safety walks (#20): rejected pins; old walks' pins' comments and findings' photos.
    thinned.safety_walks = _repeat(
        database,
        lambda s: walk_retention.thin(
            s, settings, text_before=c.text, rejected_before=rejected_before
        ),
    )
    with database.session(write=True) as session:
        thinned.idempotent_requests, thinned.import_files = _thin_copies(session, c)
    with database.session(write=False) as session:
        thinned.photo_files = photo_service.sweep(session, settings, now)
    thinned.audit_events = _repeat(database, lambda s: _delete_audit_events(s, c))
    thinned.incident_readings = _repeat(database, lambda s: _delete_readings(s, c))
    with database.session(write=True) as session:
        thinned.tips, thinned.tip_photos, thinned.public_posts = tip_retention.run(
            session, settings, now
        )
    with database.session(write=True) as session:
        for kind, number in thinned.counts().items():
            audit.record(
                session,
                action=ACTION,
                actor=SYSTEM,
                object_type=kind,
                detail=f"{number} gallrade",
            )
    return thinned

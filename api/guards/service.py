"""The guard company's daily reports: the day's rounds, a summary, and what was seen, filed
as observations of the company in one report (``GuardReport.report_id``).

Two ways in. The company's system pushes the day with its service token (``push``): sent
again, the day's rounds and summary are replaced and its observations are created, updated
or left unchanged by their ids, through the integrations' import (``api.integrations.engine``),
so that a rejected observation comes back with its index and reason as a pushed incident does.
The company's own people file it on the form (``create``), through the incidents service as
any report is filed.

Who reads them: ``policy.can_read_guard_reports`` (those who read the whole municipality, and
the company's own people); every read is logged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import localtime
from api.access import policy
from api.actor import Actor
from api.audit import service as audit
from api.errors import Conflict, FieldError, Forbidden, Hidden, Invalid
from api.guards import schemas
from api.guards.models import GuardReport
from api.incidents import service as incident_service
from api.incidents.models import Incident, Report
from api.incidents.schemas import ReportCreate
from api.integrations import engine
from api.integrations.rows import Item
from api.records import get_or_404, not_found_message
from api.schemas_common import Ref
from api.structure import service as structure_service
from api.structure.models import Organisation
from api.swedish import day_sv

NONE_SUCH = "ingen bevakningsrapport"
# The list's longest answer.
MAX_LIST = 200
# What the form files: the report's source.
FORM = "web"


# Checks --------------------------------------------------------------------------------------


def _check_day(session: Session, organisation: Organisation, day: dt.date) -> None:
    today = structure_service.municipality_today(session, organisation.municipality_id)
    if day > today:
        raise Invalid.field("day", "Dagen ligger i framtiden: rapportera dagen efter.", "in_future")


def _check_rounds(
    session: Session, organisation: Organisation, day: dt.date, rounds: Sequence[schemas.Round]
) -> None:
    """A round starts on the report's day or in the night after it (a night's rounds run
    past midnight), and lasts at most a day."""
    tz = localtime.zone(
        structure_service.municipality_zone_name(session, organisation.municipality_id)
    )
    errors = []
    for index, item in enumerate(rounds):
        started = item.starts_at.astimezone(tz).date()
        if started not in (day, day + dt.timedelta(days=1)):
            errors.append(
                FieldError(
                    f"rounds.{index}.starts_at",
                    f"Rundan ska börja {day_sv(day)} eller natten efter.",
                    "outside_day",
                )
            )
        elif item.ends_at - item.starts_at > dt.timedelta(hours=24):
            errors.append(
                FieldError(f"rounds.{index}.ends_at", "En runda varar högst ett dygn.", "too_long")
            )
    if errors:
        raise Invalid("Rundorna har fel: rätta det som är markerat.", errors=errors)


def _stored_rounds(rounds: Sequence[schemas.Round]) -> list[dict[str, Any]]:
    return [
        schemas.RoundRead.model_validate(r.model_dump()).model_dump(mode="json") for r in rounds
    ]


def _existing(session: Session, organisation_id: int, day: dt.date) -> GuardReport | None:
    return session.scalar(
        select(GuardReport).where(
            GuardReport.organisation_id == organisation_id, GuardReport.day == day
        )
    )


# The integration ----------------------------------------------------------------------------


def report_key(organisation_id: int, day: dt.date) -> str:
    """The id of the day's report among the source's submissions (``Report.external_id``)."""
    return f"bevakningsrapport:{organisation_id}:{day.isoformat()}"


# The fields of an observation that are the report's own.
_REPORTS_OWN = ("organisation", "report_id")


def push(
    session: Session,
    source: str,
    day: dt.date,
    body: schemas.GuardReportPush,
    *,
    actor: Actor,
) -> schemas.GuardReportPushResult:
    organisation = (
        session.get(Organisation, actor.organisation_id)
        if actor.organisation_id is not None
        else None
    )
    kind = organisation.kind.value if organisation is not None else ""
    if organisation is None or not policy.can_push_guard_reports(
        actor, source=source, organisation_kind=kind
    ):
        raise Forbidden(
            "Bara ett bevakningsföretags tjänstenyckel för källan skickar bevakningsrapporter."
        )
    _check_day(session, organisation, day)
    _check_rounds(session, organisation, day, body.rounds)
    guard = _existing(session, organisation.id, day)
    if guard is not None and guard.source != source:
        where = "i formuläret" if guard.source == FORM else f"av {guard.source}"
        raise Conflict(
            f"Bevakningsrapporten för {day_sv(day)} lämnades {where} och ersätts inte härifrån.",
            code="filed_elsewhere",
        )
    key = report_key(organisation.id, day)
    refused = "Organisation och Rapport-ID är bevakningsrapportens egna och anges inte."
    items = [
        Item(position=index, raw=raw, reason=refused)
        if any(raw.get(name) not in (None, "") for name in _REPORTS_OWN)
        else Item(position=index, raw={**raw, "report_id": key})
        for index, raw in enumerate(body.observations)
    ]
    outcome = engine.apply(
        session,
        source,
        items,
        municipality=engine.municipality_of(session, organisation.id),
        organisation_id=organisation.id,
        actor=actor,
        list_all=True,
    )
    report_id = session.scalar(
        select(Report.id).where(Report.source == source, Report.external_id == key)
    )
    created = guard is None
    if guard is None:
        guard = GuardReport(
            municipality_id=organisation.municipality_id,
            organisation_id=organisation.id,
            day=day,
            source=source,
        )
        session.add(guard)
    guard.rounds = _stored_rounds(body.rounds)
    guard.summary = body.summary
    guard.report_id = report_id
    guard.updated_at = localtime.utcnow()
    session.flush()
    counts = outcome.counts
    return schemas.GuardReportPushResult(
        guard_report=read(session, guard),
        created=created,
        observations_created=counts["created"],
        observations_updated=counts["updated"],
        observations_unchanged=counts["unchanged"],
        observations_rejected=counts["rejected"],
        items=sorted(outcome.items, key=lambda i: i.index),
    )


# The form ------------------------------------------------------------------------------------


def _own_company(session: Session, actor: Actor) -> Organisation:
    organisation = (
        session.get(Organisation, actor.organisation_id)
        if actor.organisation_id is not None
        else None
    )
    if organisation is None or not policy.can_file_guard_reports(
        actor, organisation_id=organisation.id, organisation_kind=organisation.kind.value
    ):
        raise Forbidden(
            "Bara bevakningsföretagets egna rapportörer och medlemmar lämnar dess "
            "bevakningsrapporter."
        )
    return organisation


def may_file(session: Session, actor: Actor) -> bool:
    try:
        _own_company(session, actor)
    except Forbidden:
        return False
    return True


def create(session: Session, body: schemas.GuardReportCreate, *, actor: Actor) -> GuardReport:
    organisation = _own_company(session, actor)
    _check_day(session, organisation, body.day)
    _check_rounds(session, organisation, body.day, body.rounds)
    if _existing(session, organisation.id, body.day) is not None:
        message = f"Det finns redan en bevakningsrapport för {day_sv(body.day)}."
        raise Conflict(message, errors=[FieldError("day", message, "day_filed")], code="day_filed")
    report_id = None
    if body.observations:
        try:
            report = incident_service.create_report(
                session,
                ReportCreate(organisation_id=organisation.id, incidents=body.observations),
                actor=actor,
                source=FORM,
            )
        except Invalid as exc:
            # The report's incidents are this body's observations.
            raise Invalid(
                "Iakttagelserna har fel: rätta det som är markerat.",
                errors=[
                    FieldError(e.field.replace("incidents.", "observations.", 1), e.message, e.code)
                    for e in exc.errors
                ],
            ) from None
        report_id = report.id
    guard = GuardReport(
        municipality_id=organisation.municipality_id,
        organisation_id=organisation.id,
        day=body.day,
        rounds=_stored_rounds(body.rounds),
        summary=body.summary,
        report_id=report_id,
        source=FORM,
        created_by_id=actor.user_id,
    )
    session.add(guard)
    session.flush()
    return guard


# Reading -------------------------------------------------------------------------------------


def observations(session: Session, report_id: int | None) -> list[Incident]:
    """The observations filed from a report that stand (not withdrawn), in time order."""
    if report_id is None:
        return []
    return list(
        session.scalars(
            select(Incident)
            .where(Incident.report_id == report_id, Incident.withdrawn_at.is_(None))
            .order_by(Incident.occurred_from, Incident.id)
        )
    )


def get(session: Session, guard_report_id: int, *, actor: Actor) -> GuardReport:
    guard = get_or_404(session, GuardReport, guard_report_id, NONE_SUCH)
    if not policy.can_read_guard_reports(actor, guard.organisation_id):
        raise Hidden(not_found_message(NONE_SUCH, guard_report_id))
    return guard


def read_logged(session: Session, guard: GuardReport) -> schemas.GuardReportRead:
    """The report as read by the caller, the read logged: the report, and its observations
    as incidents read."""
    read_model = read(session, guard)
    audit.record_read(session, object_type="guard_reports", object_id=guard.id)
    audit.record_readings(session, [o.id for o in read_model.observations])
    return read_model


def read(session: Session, guard: GuardReport) -> schemas.GuardReportRead:
    organisation = session.get(Organisation, guard.organisation_id)
    assert organisation is not None
    return schemas.GuardReportRead(
        id=guard.id,
        organisation=Ref(id=organisation.id, name=organisation.name),
        day=guard.day,
        rounds=[schemas.RoundRead.model_validate(r) for r in guard.rounds or []],
        summary=guard.summary or "",
        source=guard.source,
        report_id=guard.report_id,
        observations=[
            schemas.Observation.model_validate(i) for i in observations(session, guard.report_id)
        ],
        created_at=guard.created_at,
        updated_at=guard.updated_at,
    )


def list_reports(
    session: Session,
    *,
    first: dt.date | None,
    last: dt.date | None,
    organisation_id: int | None,
    limit: int,
    actor: Actor,
) -> schemas.GuardReportList:
    """The reports the caller reads, newest day first: every company's for those who read
    the whole municipality, else their own company's."""
    stmt = select(GuardReport)
    if not policy.reads_whole_municipality(actor):
        own = actor.organisation_id
        if own is None or not policy.can_read_guard_reports(actor, own):
            return schemas.GuardReportList(items=[], may_file=False)
        stmt = stmt.where(GuardReport.organisation_id == own)
    if organisation_id is not None:
        stmt = stmt.where(GuardReport.organisation_id == organisation_id)
    if first is not None:
        stmt = stmt.where(GuardReport.day >= first)
    if last is not None:
        stmt = stmt.where(GuardReport.day <= last)
    guards = list(
        session.scalars(
            stmt.order_by(GuardReport.day.desc(), GuardReport.id.desc()).limit(min(limit, MAX_LIST))
        )
    )
    names = {
        organisation_id: name
        for organisation_id, name in session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_({g.organisation_id for g in guards})
            )
        )
    }
    counts = _observation_counts(session, [g.report_id for g in guards if g.report_id])
    audit.record_read(
        session,
        object_type="guard_reports",
        asked={"from": first, "to": last, "organisation": organisation_id, "limit": limit},
        rows=len(guards),
    )
    return schemas.GuardReportList(
        items=[
            schemas.GuardReportSummary(
                id=g.id,
                organisation=Ref(id=g.organisation_id, name=names.get(g.organisation_id, "")),
                day=g.day,
                rounds=len(g.rounds or []),
                observations=counts.get(g.report_id, 0) if g.report_id else 0,
                source=g.source,
                updated_at=g.updated_at,
            )
            for g in guards
        ],
        may_file=may_file(session, actor),
    )


def _observation_counts(session: Session, report_ids: list[int]) -> dict[int, int]:
    if not report_ids:
        return {}
    return {
        report_id: count
        for report_id, count in session.execute(
            select(Incident.report_id, func.count(Incident.id))
            .where(Incident.report_id.in_(report_ids), Incident.withdrawn_at.is_(None))
            .group_by(Incident.report_id)
        )
    }

"""What happened in the field since the last meeting (#19, points 4 and 5): per evening of the
period its shifts, live log and night walks, per guard report day its rounds, and the
observations each gave. Composed here, above evenings, night walks and guard reports; the
lägesbild reads it through its slot (api.situation.slots.field_summary), the meeting's agenda
names it ("Kvällar och bevakning sedan förra mötet").

Every figure obeys the reader's scope (``Scope.counted_areas``, policy.figure_areas): one
who reads only some areas counts the evenings of those areas whole, of an evening of the whole
municipality only its observations in those areas, and of a guard report only its
observations there (its rounds and the report itself are read by those who read the whole
municipality, policy.can_read_guard_reports)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api import localtime
from api.evenings.models import Evening, LogPost, Shift
from api.guards.models import GuardReport
from api.incidents.models import Incident
from api.nightwalks.models import NightWalk
from api.schemas_common import Ref
from api.situation import figures as calc
from api.situation.schemas import FieldEvening, FieldGuardDay, FieldSummary
from api.structure.models import Organisation

TITLE = "Kvällar och bevakning sedan förra mötet"


def _standing(areas: frozenset[int] | None) -> list[Any]:
    """The observations counted: those that stand, in the reader's areas."""
    conditions: list[Any] = [Incident.withdrawn_at.is_(None)]
    if areas is not None:
        conditions.append(Incident.area_id.in_(areas))
    return conditions


def _count(session: Session, stmt: Any) -> int:
    return int(session.scalar(stmt) or 0)


def _evening(
    session: Session, evening: Evening, whole: bool, areas: frozenset[int] | None
) -> FieldEvening:
    # Walks that have been walked: reported, or over; not those still to come tonight.
    walks = select(NightWalk).where(
        NightWalk.evening_id == evening.id,
        NightWalk.cancelled_at.is_(None),
        or_(NightWalk.reported_at.is_not(None), NightWalk.ends_at <= localtime.utcnow()),
    )
    walk_reports = select(NightWalk.report_id).where(
        NightWalk.evening_id == evening.id,
        NightWalk.cancelled_at.is_(None),
        NightWalk.report_id.is_not(None),
    )
    row = FieldEvening(
        id=evening.id,
        starts_at=evening.starts_at,
        kind=evening.kind,
        title=evening.title,
        area=Ref(id=evening.area.id, name=evening.area.name) if evening.area else None,
        whole=whole,
        observations=_count(
            session,
            select(func.count(LogPost.id))
            .join(Incident, Incident.id == LogPost.incident_id)
            .where(LogPost.evening_id == evening.id, *_standing(areas)),
        ),
        walk_observations=_count(
            session,
            select(func.count(Incident.id)).where(
                Incident.report_id.in_(walk_reports), *_standing(areas)
            ),
        ),
    )
    if not whole:
        return row
    shifts = list(session.scalars(select(Shift).where(Shift.evening_id == evening.id)))
    walked = list(session.scalars(walks))
    seconds = sum((w.ends_at - w.starts_at).total_seconds() for w in walked)
    return row.model_copy(
        update={
            "shifts": len(shifts),
            "organisations": sorted({s.organisation.name for s in shifts}),
            "people": sum(s.people for s in shifts),
            "posts": _count(
                session, select(func.count(LogPost.id)).where(LogPost.evening_id == evening.id)
            ),
            "walks": len(walked),
            "walkers": sum(w.walkers for w in walked),
            "walk_hours": round(max(seconds, 0) / 3600, 2),
        }
    )


def _guard_days(
    session: Session, scope: calc.Scope, first: dt.date, last: dt.date
) -> list[FieldGuardDay]:
    areas = scope.counted_areas
    whole = areas is None
    guards = session.scalars(
        select(GuardReport)
        .where(
            GuardReport.municipality_id == scope.municipality_id,
            GuardReport.day >= first,
            GuardReport.day <= last,
        )
        .order_by(GuardReport.day, GuardReport.id)
    )
    days = []
    for guard in guards:
        seen = (
            _count(
                session,
                select(func.count(Incident.id)).where(
                    Incident.report_id == guard.report_id, *_standing(areas)
                ),
            )
            if guard.report_id is not None
            else 0
        )
        if not whole and not seen:
            continue
        company = session.get(Organisation, guard.organisation_id)
        days.append(
            FieldGuardDay(
                id=guard.id if whole else None,
                organisation=Ref(id=guard.organisation_id, name=company.name if company else ""),
                day=guard.day,
                rounds=len(guard.rounds or []) if whole else None,
                observations=seen,
            )
        )
    return days


def field_summary(
    session: Session, scope: calc.Scope, first: dt.date, last: dt.date
) -> FieldSummary | None:
    """The field's figures for the local days ``first``–``last``, for the scope's reader;
    None when there was no evening and no guard report in them (for that reader)."""
    span = calc.period(first, last, localtime.zone(scope.timezone))
    areas = scope.counted_areas
    evenings = []
    for evening in session.scalars(
        select(Evening)
        .where(
            Evening.municipality_id == scope.municipality_id,
            Evening.starts_at >= span.start,
            Evening.starts_at < span.end,
        )
        .order_by(Evening.starts_at, Evening.id)
    ):
        if areas is None or evening.area_id in areas:
            evenings.append(_evening(session, evening, True, areas))
        elif evening.area_id is None:
            # The whole municipality's evening: its observations in the reader's areas.
            evenings.append(_evening(session, evening, False, areas))
    guard_days = _guard_days(session, scope, first, last)
    if not evenings and not guard_days:
        return None
    return FieldSummary(
        evenings=evenings,
        guard_days=guard_days,
        shifts=sum(e.shifts for e in evenings),
        people=sum(e.people for e in evenings),
        posts=sum(e.posts for e in evenings),
        observations=sum(e.observations for e in evenings),
        walks=sum(e.walks for e in evenings),
        walkers=sum(e.walkers for e in evenings),
        walk_hours=round(sum(e.walk_hours for e in evenings), 2),
        walk_observations=sum(e.walk_observations for e in evenings),
        guard_rounds=sum(d.rounds or 0 for d in guard_days),
        guard_observations=sum(d.observations for d in guard_days),
    )


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _hours(hours: float) -> str:
    # Two decimals, as the grant report gives a walk's hours (4,25, not 4,2).
    text = f"{hours:.2f}".rstrip("0").removesuffix(".").replace(".", ",")
    return f"{text} timme" if hours == 1 else f"{text} timmar"


def agenda_note(summary: FieldSummary) -> str:
    """The agenda item's note: the period's figures in a few words."""
    parts = []
    whole = [e for e in summary.evenings if e.whole]
    if summary.evenings:
        organisations = len({o for e in whole for o in e.organisations})
        evening = _n(len(summary.evenings), "kväll", "kvällar")
        if whole:
            evening += (
                f": {_n(summary.shifts, 'pass', 'pass')} "
                f"({_n(organisations, 'organisation', 'organisationer')}, "
                f"{_n(summary.people, 'person', 'personer')}), "
                f"{_n(summary.posts, 'loggpost', 'loggposter')}"
            )
        evening += f", {_n(summary.observations, 'iakttagelse', 'iakttagelser')} ur loggen"
        parts.append(evening)
        if summary.walks or summary.walk_observations:
            walks = _n(summary.walks, "nattvandring", "nattvandringar")
            if summary.walks:
                walks += (
                    f" ({_n(summary.walkers, 'vandrare', 'vandrare')}, "
                    f"{_hours(summary.walk_hours)})"
                )
            walks += f", {_n(summary.walk_observations, 'iakttagelse', 'iakttagelser')}"
            parts.append(walks)
    if summary.guard_days:
        guard = f"Bevakning: {_n(len(summary.guard_days), 'dagrapport', 'dagrapporter')}"
        if any(d.rounds is not None for d in summary.guard_days):
            guard += f", {_n(summary.guard_rounds, 'runda', 'rundor')}"
        guard += f", {_n(summary.guard_observations, 'iakttagelse', 'iakttagelser')}"
        parts.append(guard)
    return ". ".join(p[0].upper() + p[1:] for p in parts) + "."

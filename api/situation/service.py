"""A group's lägesbild: drafts whose figures are computed when read, the text the group writes
on them, publishing (which freezes the figures and the incidents behind them), versions, and
the roll-up of other groups' pictures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from api import concurrency
from api.access import policy
from api.actor import Actor
from api.concurrency import check_if_match
from api.errors import (
    Conflict,
    Forbidden,
    Hidden,
    Invalid,
    NotFound,
)
from api.localtime import utcnow
from api.records import get_or_404, not_found_message
from api.schemas_common import Ref
from api.situation import figures as calc
from api.situation import slots
from api.situation.models import SituationReport, SituationReportIncident
from api.situation.schemas import (
    EARLIEST,
    MAX_PERIOD_DAYS,
    TEXT_FIELDS,
    Figures,
    IncidentBrief,
    ReportKind,
    RollupEntry,
    SituationReportCreate,
    SituationReportRead,
    SituationReportSummary,
    SituationReportUpdate,
    Status,
)
from api.structure import service as structure_service
from api.structure.models import Group
from api.structure.schemas import GroupKind

DEFAULT_DAYS = 14
# What only the group's conveners and members do here (policy.require_write_in_group).
WRITES = "skriver dess lägesbild"
# What each kind of group sees beside its own picture.
ROLLS_UP = {GroupKind.coordination: GroupKind.area, GroupKind.steering: GroupKind.coordination}
ROLLUP_FAMILIES = 5
ROLLUP_HOT_SPOTS = 3


# Scope and access -----------------------------------------------------------------------------


def readable_group(session: Session, group_id: int, actor: Actor) -> Group:
    group = get_or_404(session, Group, group_id, "ingen grupp")
    if not policy.can_read_situation(actor, group.id):
        raise Hidden(not_found_message("ingen grupp", group_id))
    return group


def scope_of(session: Session, group: Group, actor: Actor) -> calc.Scope:
    """What the group's figures count, read by ``actor``: the group's area (the municipality
    for the others), of it what the actor reads (policy.figure_areas)."""
    area_id = group.area_id if group.kind == GroupKind.area else None
    return calc.Scope(
        municipality_id=group.municipality_id,
        timezone=structure_service.municipality_zone_name(session, group.municipality_id),
        area_id=area_id,
        counted_areas=policy.figure_areas(actor, area_id),
        participants=tuple(group.organisation_ids),
    )


def default_period(session: Session, group: Group) -> tuple[dt.date, dt.date]:
    """Since the group's last published lägesbild, or the last 14 days."""
    last = structure_service.municipality_today(session, group.municipality_id)
    latest = session.scalar(
        select(func.max(SituationReport.last_day)).where(
            SituationReport.group_id == group.id,
            SituationReport.status == Status.published,
            SituationReport.kind == ReportKind.period,
        )
    )
    if latest is not None and latest < last:
        # After a long pause, the longest period a lägesbild may cover.
        return max(
            latest + dt.timedelta(days=1), last - dt.timedelta(days=MAX_PERIOD_DAYS - 1)
        ), last
    return last - dt.timedelta(days=DEFAULT_DAYS - 1), last


def check_period(first: dt.date, last: dt.date) -> None:
    if last < first:
        raise Invalid.field("last_day", "Sista dagen ligger före den första.", "period_order")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise Invalid.field(
            "first_day",
            f"En lägesbild omfattar högst {MAX_PERIOD_DAYS} dagar.",
            "period_too_long",
        )


def live_figures(
    session: Session,
    group_id: int,
    first: dt.date | None,
    last: dt.date | None,
    *,
    actor: Actor,
) -> Figures:
    group = readable_group(session, group_id, actor)
    first, last = period_for(session, group, first, last)
    scope = scope_of(session, group, actor)
    figures, _ids = calc.compute(session, scope, first, last)
    return with_field(session, figures, scope, first, last)


def with_field(
    session: Session, figures: Figures, scope: calc.Scope, first: dt.date, last: dt.date
) -> Figures:
    """The figures with the period's evenings in the field and guard reports (#19)."""
    summary = slots.field_summary(session, scope, first, last)
    return figures.model_copy(update={"field": summary}) if summary is not None else figures


def period_for(
    session: Session, group: Group, first: dt.date | None, last: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The period asked for, with the defaults filled in: ending today, since the last
    lägesbild; a last day alone gives the 14 days ending then (none before the first day a
    period may have)."""
    default_first, default_last = default_period(session, group)
    if first is not None and last is None and first > default_last:
        # The last day would be today, before the first: say what was actually wrong.
        raise Invalid.field(
            "first_day",
            "Periodens första dag ligger efter i dag, och utan sista dag slutar perioden i dag. "
            "Ange också en sista dag, eller en första dag som redan varit.",
            "first_day_after_today",
        )
    last = last or default_last
    first = first or max(
        default_first if last == default_last else last - dt.timedelta(days=DEFAULT_DAYS - 1),
        EARLIEST,
    )
    check_period(first, last)
    return first, last


# Reading ----------------------------------------------------------------------------------


def list_reports(session: Session, group_id: int, *, actor: Actor) -> list[SituationReport]:
    readable_group(session, group_id, actor)
    return list(
        session.scalars(
            select(SituationReport)
            .where(SituationReport.group_id == group_id)
            .order_by(SituationReport.last_day.desc(), SituationReport.id.desc())
        )
    )


def get_report(session: Session, report_id: int, *, actor: Actor) -> SituationReport:
    report = get_or_404(session, SituationReport, report_id, "ingen lägesbild")
    if not policy.can_read_situation(actor, report.group_id) or (
        _frozen(report) and not policy.reads_frozen_figures(actor, _frozen_extent(report))
    ):
        raise Hidden(not_found_message("ingen lägesbild", report_id))
    return report


def _frozen_extent(report: SituationReport) -> int | None:
    """The area a published lägesbild's figures were counted over; None: the municipality."""
    area = (report.figures or {}).get("area")
    return int(area["id"]) if area else None


def etag(report: SituationReport) -> str:
    return concurrency.etag(report.id, report.revision)


def _frozen(report: SituationReport) -> bool:
    return report.status == Status.published and report.figures is not None


def _computed(
    session: Session, report: SituationReport, actor: Actor
) -> tuple[Figures, list[calc.Counted]]:
    scope = scope_of(session, report.group, actor)
    figures, counted = calc.compute(session, scope, report.first_day, report.last_day)
    return with_field(session, figures, scope, report.first_day, report.last_day), counted


def _frozen_incidents(session: Session, report_id: int) -> list[calc.Counted]:
    frozen = session.scalars(
        select(SituationReportIncident)
        .where(SituationReportIncident.situation_report_id == report_id)
        .order_by(SituationReportIncident.occurred_from, SituationReportIncident.incident_id)
    )
    return [calc.Counted(f.incident_id, f.category, f.area, f.occurred_from) for f in frozen]


def figures_of(session: Session, report: SituationReport, actor: Actor) -> Figures:
    """The figures: frozen for a published lägesbild (its incidents are not read), computed
    now for a draft, for ``actor``."""
    if _frozen(report):
        return Figures.model_validate(report.figures)
    return _computed(session, report, actor)[0]


def figures_and_incidents(
    session: Session, report: SituationReport, actor: Actor
) -> tuple[Figures, list[calc.Counted]]:
    """The figures and the incidents they count, frozen or computed now as ``figures_of``."""
    if _frozen(report):
        return Figures.model_validate(report.figures), _frozen_incidents(session, report.id)
    return _computed(session, report, actor)


def read(session: Session, report: SituationReport, *, actor: Actor) -> SituationReportRead:
    figures = figures_of(session, report, actor)
    draft = report.status == Status.draft
    versions = session.scalars(
        select(SituationReport)
        .where(SituationReport.series_id == report.series_id)
        .order_by(SituationReport.version)
    )
    return SituationReportRead(
        **SituationReportSummary.model_validate(report).model_dump(),
        **{f: getattr(report, f) for f in TEXT_FIELDS},
        group=Ref(id=report.group.id, name=report.group.name),
        group_kind=report.group.kind.value,
        created_by=_person(report.created_by),
        published_by=_person(report.published_by),
        figures=figures,
        rollup=rollup(session, report),
        versions=[SituationReportSummary.model_validate(v) for v in versions],
        may_edit=draft and policy.can_write_in_group(actor, report.group_id),
        may_write=policy.can_write_in_group(actor, report.group_id),
        may_publish=draft and policy.can_publish_in_group(actor, report.group_id),
    )


def _person(user: Any) -> Ref | None:
    return Ref(id=user.id, name=user.name) if user is not None else None


def rollup(session: Session, report: SituationReport) -> list[RollupEntry]:
    """The most recently published lägesbild of each group below this one: the area groups'
    for the coordination group, the coordination group's for the steering group. A
    published lägesbild shows those that were published before it, so that it never
    changes."""
    if report.status == Status.published and report.rollup is not None:
        return [RollupEntry.model_validate(entry) for entry in report.rollup]
    kind = ROLLS_UP.get(report.group.kind)
    if kind is None:
        return []
    groups = session.scalars(
        select(Group)
        .where(
            Group.municipality_id == report.group.municipality_id,
            Group.kind == kind,
            Group.active.is_(True),
        )
        .order_by(Group.name)
    )
    entries = []
    for group in groups:
        # What the group said last: the lägesbild it published most recently, whichever
        # period or version that is.
        latest = session.scalar(
            select(SituationReport)
            .where(
                SituationReport.group_id == group.id,
                SituationReport.status == Status.published,
                SituationReport.kind == ReportKind.period,
            )
            .order_by(SituationReport.published_at.desc(), SituationReport.id.desc())
            .limit(1)
        )
        if latest is None or latest.figures is None:
            continue
        figures = Figures.model_validate(latest.figures)
        assert latest.published_at is not None
        entries.append(
            RollupEntry(
                group=Ref(id=group.id, name=group.name),
                report_id=latest.id,
                version=latest.version,
                first_day=latest.first_day,
                last_day=latest.last_day,
                published_at=latest.published_at,
                total=figures.total,
                families=figures.families[:ROLLUP_FAMILIES],
                hot_spots=figures.hot_spots[:ROLLUP_HOT_SPOTS],
                summary=latest.summary,
            )
        )
    return entries


def incidents(session: Session, report_id: int, *, actor: Actor) -> list[IncidentBrief]:
    """As counted: frozen for a published lägesbild, as they are now for a draft."""
    report = get_report(session, report_id, actor=actor)
    counted = (
        _frozen_incidents(session, report.id)
        if _frozen(report)
        else _computed(session, report, actor)[1]
    )
    return [
        IncidentBrief(id=c.id, category=c.category, area=c.area, occurred_from=c.occurred_from)
        for c in counted
    ]


# Writing ----------------------------------------------------------------------------------


def _writable_group(session: Session, group_id: int, actor: Actor) -> Group:
    group = readable_group(session, group_id, actor)
    policy.require_write_in_group(actor, group.id, WRITES)
    return group


def create_report(
    session: Session, group_id: int, body: SituationReportCreate, *, actor: Actor
) -> SituationReport:
    group = _writable_group(session, group_id, actor)
    first, last = period_for(session, group, body.first_day, body.last_day)
    _refuse_same_period(session, group.id, first, last)
    report = SituationReport(
        group_id=group.id,
        first_day=first,
        last_day=last,
        created_by_id=actor.user_id,
        status=Status.draft,
    )
    session.add(report)
    session.flush()
    report.series_id = report.id
    session.flush()
    return report


def _refuse_same_period(
    session: Session, group_id: int, first: dt.date, last: dt.date, *, series: int | None = None
) -> None:
    """One lägesbild of a group for the same days: a correction or an addition is a new
    version of it, not a second picture beside it. (What counts is each lägesbild's latest
    version, draft or published; ``series``: the one being changed, left out.)"""
    # The group's row is held until the transaction ends (PostgreSQL; SQLite writes one at
    # a time anyway), so that two people starting the same days at once do not both succeed.
    session.execute(select(Group.id).where(Group.id == group_id).with_for_update())
    newest = (
        select(SituationReport.series_id, func.max(SituationReport.version).label("version"))
        .where(SituationReport.group_id == group_id)
        .group_by(SituationReport.series_id)
        .subquery()
    )
    stmt = (
        select(SituationReport)
        .join(
            newest,
            (SituationReport.series_id == newest.c.series_id)
            & (SituationReport.version == newest.c.version),
        )
        .where(
            SituationReport.group_id == group_id,
            SituationReport.first_day == first,
            SituationReport.last_day == last,
        )
        .order_by(SituationReport.id)
        .limit(1)
    )
    if series is not None:
        stmt = stmt.where(SituationReport.series_id != series)
    existing = session.scalar(stmt)
    if existing is None:
        return
    if existing.status == Status.published:
        what, instead = "publicerad", "Skapa en ny version av den i stället."
    else:
        what, instead = "ett utkast", "Skriv i den i stället."
    raise Conflict(
        f"Gruppen har redan en lägesbild för {first.isoformat()} – {last.isoformat()}: "
        f"lägesbild {existing.id}, version {existing.version}, {what}. {instead}",
        code="same_period",
    )


def _check_revision(
    report: SituationReport, if_match: str | None, *, required: bool, again: str = "spara"
) -> None:
    check_if_match(etag(report), if_match, what="lägesbilden", required=required, again=again)


def _locked(session: Session, report_id: int, actor: Actor) -> SituationReport:
    """The lägesbild, its row locked until the transaction ends (PostgreSQL; SQLite writes one
    transaction at a time anyway): two saves with the same ETag then run one after the other,
    and the second sees the first's revision and is refused, instead of both succeeding."""
    report = session.scalar(
        select(SituationReport)
        .where(SituationReport.id == report_id)
        .with_for_update(of=SituationReport)
        .execution_options(populate_existing=True)
    )
    if report is None or not policy.can_read_situation(actor, report.group_id):
        error = NotFound if report is None else Hidden
        raise error(not_found_message("ingen lägesbild", report_id))
    return report


def _draft(session: Session, report_id: int, actor: Actor) -> SituationReport:
    report = _locked(session, report_id, actor)
    policy.require_write_in_group(actor, report.group_id, WRITES)
    if report.status == Status.published:
        raise Conflict(
            "Lägesbilden är publicerad och ändras inte. Skapa en ny version för att rätta den.",
            code="published",
        )
    return report


def update_report(
    session: Session,
    report_id: int,
    body: SituationReportUpdate,
    *,
    if_match: str | None,
    actor: Actor,
) -> SituationReport:
    report = _draft(session, report_id, actor)
    _check_revision(report, if_match, required=True)
    changes = body.model_dump(exclude_unset=True, exclude={"confirm_personal_data"})
    first = changes.get("first_day", report.first_day)
    last = changes.get("last_day", report.last_day)
    check_period(first, last)
    if (first, last) != (report.first_day, report.last_day):
        _refuse_same_period(session, report.group_id, first, last, series=report.series_id)
    changed = False
    for field, value in changes.items():
        if getattr(report, field) != value:
            setattr(report, field, value)
            changed = True
    if changed:
        report.revision += 1
    session.flush()
    return report


def publish(
    session: Session,
    report_id: int,
    *,
    if_match: str | None,
    actor: Actor,
    analysis_cell_m: int,
) -> SituationReport:
    report = _draft(session, report_id, actor)
    if not policy.can_publish_in_group(actor, report.group_id):
        raise Forbidden("Det är gruppens sammankallande som publicerar lägesbilden.")
    _check_revision(report, if_match, required=False, again="publicera")
    # Counted for the convener, who reads the group's area, as every reader of it does.
    figures, counted = _computed(session, report, actor)
    report.figures = figures.model_dump(mode="json")
    # The other groups' pictures as they stand now, kept: later ones do not change this one.
    report.rollup = [entry.model_dump(mode="json") for entry in rollup(session, report)]
    # The analysis of the period, frozen as the figures are (a new version gets its own).
    report.analysis_frozen = slots.frozen_analysis(
        session, report.group_id, report.first_day, report.last_day, actor, analysis_cell_m
    )
    report.status = Status.published
    report.published_at = utcnow()
    report.published_by_id = actor.user_id
    report.revision += 1
    session.flush()
    _freeze_incidents(session, report, counted)
    return report


def _freeze_incidents(
    session: Session, report: SituationReport, counted: list[calc.Counted]
) -> None:
    """The incidents behind the figures, as the figures counted them (what, where, when), so
    that a later correction shows in neither the figures nor this list."""
    for start in range(0, len(counted), 5000):
        session.execute(
            insert(SituationReportIncident),
            [
                {
                    "situation_report_id": report.id,
                    # A bulk insert skips the flush that fills it in (api.tenancy).
                    "municipality_id": report.municipality_id,
                    "incident_id": c.id,
                    "category": c.category,
                    "area": c.area,
                    "occurred_from": c.occurred_from,
                }
                for c in counted[start : start + 5000]
            ],
        )


def new_version(session: Session, report_id: int, *, actor: Actor) -> SituationReport:
    """A new draft of a published lägesbild, with its period and text, to correct it."""
    source = _locked(session, report_id, actor)
    policy.require_write_in_group(actor, source.group_id, WRITES)
    if source.status != Status.published:
        raise Conflict("Lägesbilden är ett utkast: ändra det i stället.", code="still_draft")
    draft = session.scalar(
        select(SituationReport).where(
            SituationReport.series_id == source.series_id, SituationReport.status == Status.draft
        )
    )
    if draft is not None:
        raise Conflict(
            f"Version {draft.version} av lägesbilden är redan ett utkast (id {draft.id}).",
            code="draft_exists",
        )
    latest = session.scalar(
        select(func.max(SituationReport.version)).where(
            SituationReport.series_id == source.series_id
        )
    )
    if latest is not None and latest > source.version:
        # Building on an older version would drop the corrections made since.
        raise Conflict(
            f"Version {source.version} är ersatt av version {latest}: skapa den nya versionen "
            "från den senaste.",
            code="not_latest",
        )
    report = SituationReport(
        group_id=source.group_id,
        kind=source.kind,
        series_id=source.series_id,
        version=(latest or source.version) + 1,
        previous_id=source.id,
        first_day=source.first_day,
        last_day=source.last_day,
        created_by_id=actor.user_id,
        status=Status.draft,
        **{f: getattr(source, f) for f in TEXT_FIELDS},
    )
    session.add(report)
    session.flush()
    return report

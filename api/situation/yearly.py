"""The municipality's yearly lägesbild under lag (2023:196) om kommuners ansvar för
brottsförebyggande arbete: a lägesbild of kind ``year`` whose days are a calendar year's,
written by a municipality-wide group (the steering or the coordination group). The law asks
for a survey (kartläggning), other relevant information and an analysis, and for an action
plan decided from it. Here:

- the survey: the lägesbild's own figures of the year (by area and category, against the
  year before, counted as every lägesbild counts: ``api.situation.figures``, for the reader's
  scope), the year month by month against the year before, and the police's statistics of
  reported crime entered for the year (``api.situation.police_statistics``);
- other relevant information: the steering group's survey indicators, kept by hand, for the
  year and the year before (through the slot ``survey_indicators``), and its own text;
- the analysis: the lägesbild's ``analysis`` text;
- the action plan: the steering group's plans that say they build on it (the plan holds the
  link, through the slot ``action_plans``: a plan is decided after the lägesbild is
  published, and a published lägesbild does not change).

Publishing freezes the survey with the figures; versions, comparison and If-Match are the
lägesbild's own (``api.situation.service``), which this module wraps.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api import localtime
from api.access import policy
from api.actor import Actor
from api.errors import Invalid
from api.situation import figures as calc
from api.situation import police_statistics, service, slots
from api.situation.models import SituationReport
from api.situation.schemas import (
    MonthRow,
    ReportKind,
    SituationReportCreate,
    SituationReportRead,
    SituationReportUpdate,
    Status,
    YearlySurvey,
)
from api.structure.schemas import GroupKind

# The groups whose scope is the whole municipality.
MUNICIPALITY_WIDE = frozenset({GroupKind.steering, GroupKind.coordination})


def create_report(
    session: Session, group_id: int, body: SituationReportCreate, *, actor: Actor
) -> SituationReport:
    """A draft lägesbild: of a period (``service.create_report``), or the yearly one."""
    if body.kind == ReportKind.period:
        if body.year is not None:
            raise Invalid.field(
                "year", "Ett år anges bara för en årlig lägesbild (kind year).", "year_not_asked"
            )
        return service.create_report(session, group_id, body, actor=actor)
    if body.year is None:
        raise Invalid.field("year", "Ange vilket år den årliga lägesbilden gäller.", "year_missing")
    if body.first_day is not None or body.last_day is not None:
        raise Invalid.field(
            "first_day",
            "En årlig lägesbild omfattar hela kalenderåret: ange bara året.",
            "days_of_a_year",
        )
    group = service.readable_group(session, group_id, actor)
    policy.require_write_in_group(actor, group.id, service.WRITES)
    if group.kind not in MUNICIPALITY_WIDE or group.area_id is not None:
        raise Invalid.field(
            "kind",
            "Den årliga lägesbilden enligt lag (2023:196) gäller hela kommunen: den skrivs av "
            f"styrgruppen eller samordningsgruppen, inte av {group.name}.",
            "not_municipality_wide",
        )
    whole_year = SituationReportCreate(
        first_day=dt.date(body.year, 1, 1), last_day=dt.date(body.year, 12, 31)
    )
    report = service.create_report(session, group.id, whole_year, actor=actor)
    report.kind = ReportKind.year
    session.flush()
    return report


def update_report(
    session: Session,
    report_id: int,
    body: SituationReportUpdate,
    *,
    if_match: str | None,
    actor: Actor,
) -> SituationReport:
    """The texts (and a period's days): a yearly lägesbild's days are its year's, and only
    it has other relevant information."""
    report = service.get_report(session, report_id, actor=actor)
    sent = body.model_fields_set
    if report.kind == ReportKind.year and sent & {"first_day", "last_day"}:
        raise Invalid.field(
            "first_day",
            "En årlig lägesbild omfattar hela kalenderåret. Skapa en för ett annat år i stället.",
            "days_of_a_year",
        )
    if report.kind == ReportKind.period and "other_information" in sent:
        raise Invalid.field(
            "other_information",
            "Annan relevant information hör till den årliga lägesbilden.",
            "yearly_only",
        )
    return service.update_report(session, report_id, body, if_match=if_match, actor=actor)


def publish(
    session: Session, report_id: int, *, if_match: str | None, actor: Actor, analysis_cell_m: int
) -> SituationReport:
    """Publishing (``service.publish``); a yearly lägesbild's survey is frozen with its
    figures, counted for the same reader."""
    report = service.publish(
        session, report_id, if_match=if_match, actor=actor, analysis_cell_m=analysis_cell_m
    )
    if report.kind == ReportKind.year:
        report.yearly = survey(session, report, actor).model_dump(mode="json")
        session.flush()
    return report


def read(session: Session, report: SituationReport, *, actor: Actor) -> SituationReportRead:
    read = service.read(session, report, actor=actor)
    if report.kind != ReportKind.year:
        return read
    assert report.series_id is not None
    return read.model_copy(
        update={
            "yearly": survey_of(session, report, actor),
            "action_plans": slots.action_plans(session, report.series_id, actor),
        }
    )


def survey_of(session: Session, report: SituationReport, actor: Actor) -> YearlySurvey:
    """Frozen for a published yearly lägesbild, counted now for a draft."""
    if report.status == Status.published and report.yearly is not None:
        return YearlySurvey.model_validate(report.yearly)
    return survey(session, report, actor)


def survey(
    session: Session, report: SituationReport, actor: Actor, *, now: dt.datetime | None = None
) -> YearlySurvey:
    """The year month by month, the police's statistics and the survey indicators, for
    ``actor`` (the months count what the figures count, in their scope)."""
    year = report.first_day.year
    scope = service.scope_of(session, report.group, actor)
    tz = localtime.zone(scope.timezone)
    now = now or localtime.utcnow()
    this = calc.month_counts(session, scope, year)
    before = calc.month_counts(session, scope, year - 1)
    months = []
    for month, (current, last_year) in enumerate(zip(this, before, strict=True), start=1):
        first = dt.date(year, month, 1)
        after = dt.date(year + month // 12, month % 12 + 1, 1)
        months.append(
            MonthRow(
                month=month,
                first_day=first,
                current=current,
                last_year=last_year,
                complete=localtime.midnight(after, tz) <= now,
            )
        )
    lines, total, previous_total = police_statistics.lines(session, report.municipality_id, year)
    return YearlySurvey(
        year=year,
        months=months,
        police=lines,
        police_total=total,
        police_previous_total=previous_total,
        indicators=slots.survey_indicators(session, report.municipality_id, year, actor),
    )

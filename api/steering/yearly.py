"""What the yearly lägesbild (lag 2023:196, ``api.situation.yearly``) reads of the steering
group's work, through the slots of ``api.situation.slots``: the survey indicators kept by hand
(trygghetsmätning, LUPP …) for its year and the year before, and the action plans that say
they build on it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.situation.models import SituationReport
from api.situation.schemas import PlanLink, SurveyIndicator
from api.steering.models import Goal, Indicator, IndicatorValue, Plan
from api.steering.schemas import IndicatorKind


def survey_indicators(
    session: Session, municipality_id: int, year: int, actor: Actor
) -> list[SurveyIndicator]:
    """The indicators kept by hand of the steering group's active goals, with their values
    for ``year`` and the year before (None where none was entered), by goal and name."""
    if not policy.can_read_steering(actor):
        return []
    indicators = session.scalars(
        select(Indicator)
        .join(Goal, Indicator.goal_id == Goal.id)
        .where(
            Indicator.municipality_id == municipality_id,
            Indicator.kind == IndicatorKind.manual,
            Goal.active.is_(True),
        )
        .order_by(Goal.theme, Goal.title, Indicator.name, Indicator.id)
    ).all()
    if not indicators:
        return []
    values = {
        (v.indicator_id, v.year): v
        for v in session.scalars(
            select(IndicatorValue).where(
                IndicatorValue.indicator_id.in_([i.id for i in indicators]),
                IndicatorValue.year.in_([year - 1, year]),
            )
        )
    }
    found = []
    for indicator in indicators:
        this, before = values.get((indicator.id, year)), values.get((indicator.id, year - 1))
        found.append(
            SurveyIndicator(
                indicator_id=indicator.id,
                name=indicator.name,
                goal=indicator.goal.title,
                unit=indicator.unit,
                direction=indicator.direction.value,
                value=this.value if this else None,
                previous=before.value if before else None,
                source=this.source if this else indicator.source,
                note=this.note if this else None,
            )
        )
    return found


def action_plans(session: Session, series_id: int, actor: Actor) -> list[PlanLink]:
    """The active plans that build on a version of the lägesbild ``series_id``."""
    if not policy.can_read_steering(actor):
        return []
    plans = session.scalars(
        select(Plan)
        .join(SituationReport, Plan.situation_report_id == SituationReport.id)
        .where(SituationReport.series_id == series_id, Plan.active.is_(True))
        .order_by(Plan.period_start, Plan.id)
    )
    return [
        PlanLink(
            id=p.id,
            title=p.title,
            period_start=p.period_start,
            period_end=p.period_end,
            situation_report_id=p.situation_report_id or 0,
        )
        for p in plans
    ]

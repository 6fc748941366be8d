"""Action and activity plans (handlingsplaner, aktivitetsplaner) of the steering group, their
activities, and the yearly follow-up of both: written by the steering group's conveners
and members, read by those who read the whole municipality (policy.can_read_steering)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.errors import FieldError, Invalid
from api.pagination import PageResult, paginate
from api.records import apply, get_or_404
from api.schemas_common import Ref
from api.situation.models import SituationReport
from api.situation.schemas import ReportKind
from api.steering import common, goals, schemas
from api.steering.models import Activity, ActivityReview, Goal, Indicator, Plan, PlanReview
from api.structure import service as structure_service
from api.structure.models import Group


def list_plans(session: Session, query: schemas.PlanFilter, *, actor: Actor) -> PageResult[Plan]:
    common.check_reader(actor)
    stmt: Select[Any] = select(Plan)
    if query.group is not None:
        stmt = stmt.where(Plan.group_id == query.group)
    if query.goal is not None:
        stmt = stmt.where(Plan.goal_id == query.goal)
    if query.active is not None:
        stmt = stmt.where(Plan.active.is_(query.active))
    return paginate(session, stmt, Plan.id, query)


def get_plan(session: Session, plan_id: int, *, actor: Actor) -> Plan:
    common.check_reader(actor)
    return get_or_404(session, Plan, plan_id, "ingen plan")


def _goal_of(session: Session, goal_id: int | None, group: Group) -> None:
    if goal_id is None:
        return
    goal = session.get(Goal, goal_id)
    if goal is None or goal.group_id != group.id:
        raise Invalid.field("goal_id", "Styrgruppen har inget sådant mål.", "unknown_id")


def _builds_on(session: Session, report_id: int | None, actor: Actor) -> None:
    """A plan builds on a yearly lägesbild of the municipality that its writer reads."""
    if report_id is None:
        return
    report = session.get(SituationReport, report_id)
    if (
        report is None
        or report.kind != ReportKind.year
        or not policy.can_read_situation(actor, report.group_id)
    ):
        raise Invalid.field(
            "situation_report_id",
            "Välj en av kommunens årliga lägesbilder (lag 2023:196).",
            "unknown_id",
        )


def create_plan(session: Session, body: schemas.PlanCreate, *, actor: Actor) -> Plan:
    common.check_reader(actor)
    group = common.steering_group(session, body.group_id)
    common.check_writer(actor, group.id)
    common.check_period(body.period_start, body.period_end)
    _goal_of(session, body.goal_id, group)
    _builds_on(session, body.situation_report_id, actor)
    plan = Plan(**body.model_dump(), created_by_id=actor.user_id)
    session.add(plan)
    session.flush()
    return plan


def update_plan(session: Session, plan_id: int, body: schemas.PlanUpdate, *, actor: Actor) -> Plan:
    plan = get_plan(session, plan_id, actor=actor)
    common.check_writer(actor, plan.group_id)
    values = body.model_dump(exclude_unset=True)
    common.check_period(
        values.get("period_start", plan.period_start), values.get("period_end", plan.period_end)
    )
    if "goal_id" in values:
        _goal_of(session, values["goal_id"], plan.group)
    if "situation_report_id" in values:
        _builds_on(session, values["situation_report_id"], actor)
    apply(plan, values)
    session.flush()
    return plan


def _activity_values(session: Session, plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    if "partner_ids" in data:
        partners = structure_service.organisations_named(
            session, data.pop("partner_ids"), plan.group.municipality_id
        )
        if partners is None:
            errors.append(
                FieldError("partner_ids", "Det finns ingen sådan organisation.", "unknown_id")
            )
        else:
            data["partners"] = partners
    if data.get("indicator_id") is not None:
        indicator = session.get(Indicator, data["indicator_id"])
        if indicator is None or indicator.goal.group_id != plan.group_id:
            errors.append(
                FieldError("indicator_id", "Det finns ingen sådan indikator.", "unknown_id")
            )
        elif plan.goal_id is not None and indicator.goal_id != plan.goal_id:
            errors.append(
                FieldError(
                    "indicator_id", "Välj en indikator som följer planens mål.", "other_goal"
                )
            )
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    return data


def get_activity(session: Session, activity_id: int, *, actor: Actor) -> Activity:
    common.check_reader(actor)
    return get_or_404(session, Activity, activity_id, "ingen aktivitet")


def create_activity(
    session: Session, plan_id: int, body: schemas.ActivityCreate, *, actor: Actor
) -> Activity:
    plan = get_plan(session, plan_id, actor=actor)
    common.check_writer(actor, plan.group_id)
    common.check_period(body.period_start, body.period_end)
    values = _activity_values(session, plan, body.model_dump())
    activity = Activity(plan_id=plan.id, **values, created_by_id=actor.user_id)
    session.add(activity)
    session.flush()
    return activity


def update_activity(
    session: Session, activity_id: int, body: schemas.ActivityUpdate, *, actor: Actor
) -> Activity:
    activity = get_activity(session, activity_id, actor=actor)
    common.check_writer(actor, activity.plan.group_id)
    values = _activity_values(session, activity.plan, body.model_dump(exclude_unset=True))
    common.check_period(
        values.get("period_start", activity.period_start),
        values.get("period_end", activity.period_end),
    )
    apply(activity, values)
    session.flush()
    return activity


def _in_plan_years(plan: Plan, year: int) -> None:
    if not plan.period_start.year <= year <= plan.period_end.year:
        raise Invalid.field(
            "year",
            f"Planen gäller {plan.period_start.year}–{plan.period_end.year}; "
            f"{year} ligger utanför.",
            "outside_plan",
        )


def review_activity(
    session: Session,
    activity_id: int,
    year: int,
    body: schemas.ActivityReviewWrite,
    *,
    actor: Actor,
) -> Activity:
    activity = get_activity(session, activity_id, actor=actor)
    common.check_writer(actor, activity.plan.group_id)
    _in_plan_years(activity.plan, year)
    common.put_year(activity.reviews, year, ActivityReview, common.authored(body, actor))
    # The latest year's follow-up says where the activity stands now.
    if year >= max(r.year for r in activity.reviews):
        activity.status = body.status
    session.flush()
    return activity


def review_plan(
    session: Session, plan_id: int, year: int, body: schemas.PlanReviewWrite, *, actor: Actor
) -> Plan:
    plan = get_plan(session, plan_id, actor=actor)
    common.check_writer(actor, plan.group_id)
    _in_plan_years(plan, year)
    common.put_year(plan.reviews, year, PlanReview, common.authored(body, actor))
    session.flush()
    return plan


def read_activity(activity: Activity) -> schemas.ActivityRead:
    return schemas.ActivityRead(
        id=activity.id,
        plan_id=activity.plan_id,
        title=activity.title,
        description=activity.description,
        responsible_office=activity.responsible_office,
        partners=[Ref(id=o.id, name=o.name) for o in activity.partners],
        partners_other=activity.partners_other,
        period_start=activity.period_start,
        period_end=activity.period_end,
        status=activity.status,
        indicator=Ref(id=activity.indicator.id, name=activity.indicator.name)
        if activity.indicator
        else None,
        child_perspective=activity.child_perspective,
        reviews=[schemas.ActivityReviewRead.model_validate(r) for r in activity.reviews],
    )


def _built_on(plan: Plan) -> schemas.BuildsOn | None:
    report = plan.situation_report
    if report is None:
        return None
    return schemas.BuildsOn(
        id=report.id,
        year=report.first_day.year,
        version=report.version,
        group=Ref(id=report.group.id, name=report.group.name),
    )


def read_plan(plan: Plan, *, actor: Actor) -> schemas.PlanRead:
    return schemas.PlanRead(
        id=plan.id,
        group=Ref(id=plan.group.id, name=plan.group.name),
        title=plan.title,
        goal=Ref(id=plan.goal.id, name=plan.goal.title) if plan.goal else None,
        builds_on=_built_on(plan),
        description=plan.description,
        period_start=plan.period_start,
        period_end=plan.period_end,
        adopted_by=plan.adopted_by,
        adopted_on=plan.adopted_on,
        active=plan.active,
        activities=[read_activity(a) for a in plan.activities],
        reviewed_years=[r.year for r in plan.reviews],
        created_at=plan.created_at,
        updated_at=plan.updated_at,
        may_edit=policy.can_write_in_group(actor, plan.group_id),
    )


def plan_year(session: Session, plan_id: int, year: int, *, actor: Actor) -> schemas.PlanYear:
    plan = get_plan(session, plan_id, actor=actor)
    _in_plan_years(plan, year)
    review = next((r for r in plan.reviews if r.year == year), None)
    rows = []
    indicators: dict[int, schemas.IndicatorRead] = {}
    missing = 0
    for activity in plan.activities:
        running = activity.period_start.year <= year and (
            activity.period_end is None or activity.period_end.year >= year
        )
        activity_review = next((r for r in activity.reviews if r.year == year), None)
        if running and activity_review is None:
            missing += 1
        indicator = None
        if activity.indicator is not None:
            indicator = indicators.get(activity.indicator.id) or goals.read_indicator(
                session, activity.indicator, actor=actor, until=dt.date(year, 12, 31)
            )
            indicators[activity.indicator.id] = indicator
        rows.append(
            schemas.YearActivity(
                activity=read_activity(activity),
                review=schemas.ActivityReviewRead.model_validate(activity_review)
                if activity_review
                else None,
                indicator=indicator,
                running=running,
            )
        )
    return schemas.PlanYear(
        plan=read_plan(plan, actor=actor),
        year=year,
        summary=review.summary if review else None,
        summary_updated_at=review.updated_at if review else None,
        activities=rows,
        missing=missing,
    )

"""The steering group's goals under their theme areas, and the indicators that follow them:
written by the steering group's conveners and members, read by those who read the whole
municipality (policy.can_read_steering). An indicator's series is computed in
``indicators``; here it is counted from the incidents or read from the values kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from api import localtime
from api.access import policy
from api.actor import Actor
from api.categories.models import Category
from api.errors import FieldError, Invalid, NotFound
from api.incidents.models import Incident
from api.pagination import PageResult, paginate
from api.records import apply, get_or_404
from api.schemas_common import Ref
from api.situation import figures as calc
from api.steering import common, indicators, schemas
from api.steering.models import Assignment, Goal, Indicator, IndicatorValue
from api.structure import service as structure_service
from api.structure.models import Area


def list_goals(session: Session, query: schemas.GoalFilter, *, actor: Actor) -> PageResult[Goal]:
    common.check_reader(actor)
    stmt: Select[Any] = select(Goal)
    if query.group is not None:
        stmt = stmt.where(Goal.group_id == query.group)
    if query.active is not None:
        stmt = stmt.where(Goal.active.is_(query.active))
    return paginate(session, stmt, Goal.id, query)


def get_goal(session: Session, goal_id: int, *, actor: Actor) -> Goal:
    common.check_reader(actor)
    return get_or_404(session, Goal, goal_id, "inget mål")


def create_goal(session: Session, body: schemas.GoalCreate, *, actor: Actor) -> Goal:
    common.check_reader(actor)
    group = common.steering_group(session, body.group_id)
    common.check_writer(actor, group.id)
    common.check_period(body.period_start, body.period_end)
    goal = Goal(**body.model_dump(), created_by_id=actor.user_id)
    session.add(goal)
    session.flush()
    return goal


def update_goal(session: Session, goal_id: int, body: schemas.GoalUpdate, *, actor: Actor) -> Goal:
    goal = get_goal(session, goal_id, actor=actor)
    common.check_writer(actor, goal.group_id)
    values = body.model_dump(exclude_unset=True)
    common.check_period(
        values.get("period_start", goal.period_start), values.get("period_end", goal.period_end)
    )
    apply(goal, values)
    session.flush()
    return goal


def read_goal(session: Session, goal: Goal, *, actor: Actor) -> schemas.GoalRead:
    open_count = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.goal_id == goal.id, Assignment.status == schemas.AssignmentStatus.open)
    )
    return schemas.GoalRead(
        id=goal.id,
        group=Ref(id=goal.group.id, name=goal.group.name),
        theme=goal.theme,
        title=goal.title,
        description=goal.description,
        period_start=goal.period_start,
        period_end=goal.period_end,
        active=goal.active,
        indicators=[read_indicator(session, i, actor=actor) for i in goal.indicators],
        open_assignments=open_count or 0,
        created_at=goal.created_at,
        updated_at=goal.updated_at,
        may_edit=policy.can_write_in_group(actor, goal.group_id),
    )


def get_indicator(session: Session, indicator_id: int, *, actor: Actor) -> Indicator:
    common.check_reader(actor)
    return get_or_404(session, Indicator, indicator_id, "ingen indikator")


def create_indicator(
    session: Session, goal_id: int, body: schemas.IndicatorCreate, *, actor: Actor
) -> Indicator:
    goal = get_goal(session, goal_id, actor=actor)
    common.check_writer(actor, goal.group_id)
    errors: list[FieldError] = []
    if body.category is not None and session.get(Category, body.category) is None:
        errors.append(
            FieldError("category", f"Det finns ingen kategori {body.category}.", "unknown_id")
        )
    if body.area_id is not None:
        area = session.get(Area, body.area_id)
        if area is None or area.municipality_id != goal.group.municipality_id:
            errors.append(FieldError("area_id", "Det finns inget sådant område.", "unknown_id"))
    if errors:
        raise Invalid(errors[0].message, errors=errors)
    indicator = Indicator(goal_id=goal.id, **body.model_dump())
    session.add(indicator)
    session.flush()
    return indicator


def update_indicator(
    session: Session, indicator_id: int, body: schemas.IndicatorUpdate, *, actor: Actor
) -> Indicator:
    indicator = get_indicator(session, indicator_id, actor=actor)
    common.check_writer(actor, indicator.goal.group_id)
    apply(indicator, body.model_dump(exclude_unset=True))
    session.flush()
    return indicator


def put_value(
    session: Session,
    indicator_id: int,
    year: int,
    body: schemas.IndicatorValueWrite,
    *,
    actor: Actor,
) -> Indicator:
    indicator = get_indicator(session, indicator_id, actor=actor)
    common.check_writer(actor, indicator.goal.group_id)
    if indicator.kind != schemas.IndicatorKind.manual:
        raise Invalid.field(
            "value",
            "Indikatorn räknas fram ur händelserna; värden förs bara in i en indikator "
            "som förs in för hand.",
            "computed_indicator",
        )
    common.put_year(indicator.values, year, IndicatorValue, common.authored(body, actor))
    session.flush()
    return indicator


def delete_value(session: Session, indicator_id: int, year: int, *, actor: Actor) -> Indicator:
    indicator = get_indicator(session, indicator_id, actor=actor)
    common.check_writer(actor, indicator.goal.group_id)
    if not any(v.year == year for v in indicator.values):
        raise NotFound(f"Indikatorn har inget värde för {year}.")
    indicator.values = [v for v in indicator.values if v.year != year]
    session.flush()
    return indicator


def _earliest(
    session: Session, municipality_id: int, timezone: str, actor: Actor
) -> dt.date | None:
    """The day of the first observation counted in the municipality (of what the reader
    reads), once per request: before it there is no figure, not a zero."""
    areas = policy.figure_areas(actor)
    cache: dict[tuple[int, frozenset[int] | None], dt.date | None] = session.info.setdefault(
        "est_first_observation", {}
    )
    if (municipality_id, areas) not in cache:
        scope = calc.Scope(
            municipality_id=municipality_id, timezone=timezone, area_id=None, counted_areas=areas
        )
        first = session.scalar(
            select(func.min(Incident.occurred_from)).where(*calc.counted_conditions(scope))
        )
        local = localtime.zone(timezone)
        cache[municipality_id, areas] = first.astimezone(local).date() if first else None
    return cache[municipality_id, areas]


def _computed_series(
    session: Session,
    indicator: Indicator,
    quarters: int,
    today: dt.date,
    until: dt.date,
    actor: Actor,
) -> list[schemas.Point]:
    """The counts of the ``quarters`` quarters up to the one holding ``until``, in one
    query (a sum per quarter), of what the reader reads (policy.figure_areas)."""
    municipality_id = indicator.goal.group.municipality_id
    timezone = structure_service.municipality_zone_name(session, municipality_id)
    tz = localtime.zone(timezone)
    scope = calc.Scope(
        municipality_id=municipality_id,
        timezone=timezone,
        area_id=indicator.area_id,
        counted_areas=policy.figure_areas(actor, indicator.area_id),
    )
    first_day = _earliest(session, municipality_id, timezone, actor) or today + dt.timedelta(days=1)
    code = indicator.category or ""
    category = Incident.category_code == code if "." in code else Incident.family_code == code
    spans = indicators.quarters_up_to(min(today, until), quarters)
    bounds = [calc.period(first, last, tz) for _y, _q, first, last in spans]
    sums = [
        func.coalesce(
            func.sum(
                case(
                    (and_(Incident.occurred_from >= b.start, Incident.occurred_from < b.end), 1),
                    else_=0,
                )
            ),
            0,
        )
        for b in bounds
    ]
    counts = session.execute(
        select(*sums).where(
            *calc.counted_conditions(scope),
            category,
            Incident.occurred_from >= bounds[0].start,
            Incident.occurred_from < bounds[-1].end,
        )
    ).one()
    return indicators.counted_series(spans, counts, first_day=first_day, today=today)


def read_indicator(
    session: Session,
    indicator: Indicator,
    *,
    actor: Actor,
    quarters: int = schemas.DEFAULT_QUARTERS,
    today: dt.date | None = None,
    until: dt.date | None = None,
) -> schemas.IndicatorRead:
    """The indicator over time up to ``until`` (default: today): a year's follow-up shows
    it as it stood at the end of that year."""
    today = today or structure_service.municipality_today(
        session, indicator.goal.group.municipality_id
    )
    until = until or today
    series = (
        _computed_series(session, indicator, quarters, today, until, actor)
        if indicator.kind == schemas.IndicatorKind.computed
        else indicators.kept_series(indicator.values, until)
    )
    label = None
    if indicator.category:
        category = session.get(Category, indicator.category)
        label = category.label_sv if category else None
    return schemas.IndicatorRead(
        id=indicator.id,
        goal_id=indicator.goal_id,
        name=indicator.name,
        kind=indicator.kind,
        category=indicator.category,
        category_label=label,
        area=Ref(id=indicator.area.id, name=indicator.area.name) if indicator.area else None,
        unit=indicator.unit,
        source=indicator.source,
        direction=indicator.direction,
        series=series,
        summary=indicators.summary(indicator.direction, series),
    )

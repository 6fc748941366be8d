"""Steering: goals, indicators, assignments and plans.

Who may do what (see api.access.policy): the steering group's conveners and members write
its goals, indicators, assignments and plans; those who read the whole municipality read
them. A group given an assignment reads it, and its conveners and members answer it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.categories.models import Category
from api.db import utcnow
from api.errors import FieldError, Forbidden, Hidden, Invalid, NotFound
from api.incidents.models import Incident
from api.interventions import service as intervention_service
from api.interventions.models import FollowUp, Intervention
from api.pagination import PageResult, paginate
from api.records import apply, get_or_404, not_found_message
from api.schemas_common import Ref
from api.situation import figures as calc
from api.steering import schemas
from api.steering.models import (
    Activity,
    ActivityReview,
    Assignment,
    AssignmentEvent,
    Goal,
    Indicator,
    IndicatorValue,
    Plan,
    PlanReview,
)
from api.structure import service as structure_service
from api.structure.models import Area, Group, Municipality
from api.structure.schemas import GroupKind

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ENDED = (schemas.AssignmentStatus.closed, schemas.AssignmentStatus.withdrawn)
# Who writes the steering group's goals, assignments and plans (policy.require_write_in_group).
WRITES = "ändrar mål, uppdrag och planer"
STEERING = "styrgruppens"


def _today() -> dt.date:
    # One municipality per installation: Upplands-Bro's day.
    return utcnow().astimezone(STOCKHOLM).date()


def _reader(actor: Actor) -> None:
    if not policy.can_read_steering(actor):
        raise Forbidden("Styrgruppens mål och planer läses av styrgruppen och samordningsgruppen.")


def _period(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise Invalid.field("period_end", "Slutet ligger före starten.", "period_order")


def _by(body: Any, actor: Actor) -> dict[str, Any]:
    return {**body.model_dump(), "created_by_id": actor.user_id}


def _steering_group(session: Session, group_id: int, field: str = "group_id") -> Group:
    group = session.get(Group, group_id)
    if group is None or group.kind != GroupKind.steering:
        raise Invalid.field(field, "Välj styrgruppen: mål och planer är dess.", "not_steering")
    return group


# Goals -------------------------------------------------------------------------------------


def list_goals(session: Session, query: schemas.GoalFilter, *, actor: Actor) -> PageResult[Goal]:
    _reader(actor)
    stmt: Select[Any] = select(Goal)
    if query.group is not None:
        stmt = stmt.where(Goal.group_id == query.group)
    if query.active is not None:
        stmt = stmt.where(Goal.active.is_(query.active))
    return paginate(session, stmt, Goal.id, query)


def get_goal(session: Session, goal_id: int, *, actor: Actor) -> Goal:
    _reader(actor)
    return get_or_404(session, Goal, goal_id, "inget mål")


def create_goal(session: Session, body: schemas.GoalCreate, *, actor: Actor) -> Goal:
    _reader(actor)
    group = _steering_group(session, body.group_id)
    policy.require_write_in_group(actor, group.id, WRITES, group=STEERING)
    _period(body.period_start, body.period_end)
    goal = Goal(**body.model_dump(), created_by_id=actor.user_id)
    session.add(goal)
    session.flush()
    return goal


def update_goal(session: Session, goal_id: int, body: schemas.GoalUpdate, *, actor: Actor) -> Goal:
    goal = get_goal(session, goal_id, actor=actor)
    policy.require_write_in_group(actor, goal.group_id, WRITES, group=STEERING)
    values = body.model_dump(exclude_unset=True)
    _period(
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
        indicators=[read_indicator(session, i) for i in goal.indicators],
        open_assignments=open_count or 0,
        created_at=goal.created_at,
        updated_at=goal.updated_at,
        may_edit=policy.can_write_in_group(actor, goal.group_id),
    )


# Indicators --------------------------------------------------------------------------------


def _indicator(session: Session, indicator_id: int, actor: Actor) -> Indicator:
    _reader(actor)
    return get_or_404(session, Indicator, indicator_id, "ingen indikator")


def get_indicator(session: Session, indicator_id: int, *, actor: Actor) -> Indicator:
    return _indicator(session, indicator_id, actor)


def create_indicator(
    session: Session, goal_id: int, body: schemas.IndicatorCreate, *, actor: Actor
) -> Indicator:
    goal = get_goal(session, goal_id, actor=actor)
    policy.require_write_in_group(actor, goal.group_id, WRITES, group=STEERING)
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
    indicator = _indicator(session, indicator_id, actor)
    policy.require_write_in_group(actor, indicator.goal.group_id, WRITES, group=STEERING)
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
    indicator = _indicator(session, indicator_id, actor)
    policy.require_write_in_group(actor, indicator.goal.group_id, WRITES, group=STEERING)
    if indicator.kind != schemas.IndicatorKind.manual:
        raise Invalid.field(
            "value",
            "Indikatorn räknas fram ur händelserna; värden förs bara in i en indikator "
            "som förs in för hand.",
            "computed_indicator",
        )
    _put_year(indicator.values, year, IndicatorValue, _by(body, actor))
    session.flush()
    return indicator


def delete_value(session: Session, indicator_id: int, year: int, *, actor: Actor) -> Indicator:
    indicator = _indicator(session, indicator_id, actor)
    policy.require_write_in_group(actor, indicator.goal.group_id, WRITES, group=STEERING)
    if not any(v.year == year for v in indicator.values):
        raise NotFound(f"Indikatorn har inget värde för {year}.")
    indicator.values = [v for v in indicator.values if v.year != year]
    session.flush()
    return indicator


def _put_year(rows: list[Any], year: int, make: Any, values: dict[str, Any]) -> None:
    """A yearly record (a figure, a follow-up): the year's one is corrected, not doubled."""
    existing = next((r for r in rows if r.year == year), None)
    if existing is None:
        rows.append(make(year=year, **values))
    else:
        apply(existing, values)


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_span(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * quarter - 2, 1)
    after = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, after - dt.timedelta(days=1)


def _quarters(today: dt.date, count: int) -> list[tuple[int, int]]:
    year, quarter = quarter_of(today)
    found = []
    for _ in range(count):
        found.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return found[::-1]


def _earliest(session: Session, municipality_id: int, timezone: str) -> dt.date | None:
    """The day of the first observation counted in the municipality, once per request:
    before it there is no figure, not a zero."""
    cache: dict[int, dt.date | None] = session.info.setdefault("est_first_observation", {})
    if municipality_id not in cache:
        scope = calc.Scope(municipality_id=municipality_id, timezone=timezone, area_id=None)
        first = session.scalar(
            select(func.min(Incident.occurred_from)).where(*calc.counted_conditions(scope))
        )
        cache[municipality_id] = first.astimezone(ZoneInfo(timezone)).date() if first else None
    return cache[municipality_id]


def _computed_series(
    session: Session, indicator: Indicator, quarters: int, today: dt.date, until: dt.date
) -> list[schemas.Point]:
    """The counts of the ``quarters`` quarters up to the one holding ``until``, in one
    query (a sum per quarter)."""
    municipality_id = indicator.goal.group.municipality_id
    municipality = session.get(Municipality, municipality_id)
    timezone = municipality.timezone if municipality else "Europe/Stockholm"
    tz = ZoneInfo(timezone)
    scope = calc.Scope(
        municipality_id=municipality_id, timezone=timezone, area_id=indicator.area_id
    )
    first_day = _earliest(session, municipality_id, timezone) or today + dt.timedelta(days=1)
    code = indicator.category or ""
    category = Incident.category_code == code if "." in code else Incident.family_code == code
    spans = [
        (year, quarter, *quarter_span(year, quarter))
        for year, quarter in _quarters(min(today, until), quarters)
    ]
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
    return [
        schemas.Point(
            label=f"{year} kv. {quarter}",
            first_day=first,
            last_day=last,
            value=None if last < first_day else float(count),
            partial=last >= today,
        )
        for (year, quarter, first, last), count in zip(spans, counts, strict=True)
    ]


def _manual_series(indicator: Indicator, until: dt.date) -> list[schemas.Point]:
    return [
        schemas.Point(
            label=str(v.year),
            first_day=dt.date(v.year, 1, 1),
            last_day=dt.date(v.year, 12, 31),
            value=v.value,
            source=v.source,
            note=v.note,
        )
        for v in indicator.values
        if v.year <= until.year
    ]


def _number(value: float) -> str:
    text = f"{value:.1f}".replace(".", ",")
    return text.removesuffix(",0")


def summary(indicator: Indicator, series: list[schemas.Point]) -> str:
    """The latest complete value against the one before it, and whether that is better."""
    done = [p for p in series if not p.partial and p.value is not None]
    if not done:
        return "Inga värden ännu."
    latest = done[-1]
    assert latest.value is not None
    if len(done) == 1:
        return f"{latest.label}: {_number(latest.value)}."
    before = done[-2]
    assert before.value is not None
    if latest.value == before.value:
        judged = "oförändrat"
    else:
        lower = latest.value < before.value
        better = lower == (indicator.direction == schemas.Direction.decrease)
        judged = "bättre" if better else "sämre"
    return (
        f"{before.label}: {_number(before.value)} → {latest.label}: "
        f"{_number(latest.value)} ({judged})."
    )


def read_indicator(
    session: Session,
    indicator: Indicator,
    *,
    quarters: int = schemas.DEFAULT_QUARTERS,
    today: dt.date | None = None,
    until: dt.date | None = None,
) -> schemas.IndicatorRead:
    """The indicator over time up to ``until`` (default: today): a year's follow-up shows
    it as it stood at the end of that year."""
    today = today or _today()
    until = until or today
    series = (
        _computed_series(session, indicator, quarters, today, until)
        if indicator.kind == schemas.IndicatorKind.computed
        else _manual_series(indicator, until)
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
        summary=summary(indicator, series),
    )


# Assignments -------------------------------------------------------------------------------


def list_assignments(
    session: Session, query: schemas.AssignmentFilter, *, actor: Actor
) -> PageResult[Assignment]:
    stmt: Select[Any] = select(Assignment)
    if not policy.can_read_steering(actor):
        # A group's own assignments, for those in it.
        stmt = stmt.where(Assignment.to_group_id.in_(policy.member_group_ids(actor)))
    if query.to_group is not None:
        stmt = stmt.where(Assignment.to_group_id == query.to_group)
    if query.goal is not None:
        stmt = stmt.where(Assignment.goal_id == query.goal)
    if query.status is not None:
        stmt = stmt.where(Assignment.status == query.status)
    return paginate(session, stmt, Assignment.id, query, descending=True)


def get_assignment(session: Session, assignment_id: int, *, actor: Actor) -> Assignment:
    assignment = get_or_404(session, Assignment, assignment_id, "inget uppdrag")
    if not policy.can_read_steering(actor) and assignment.to_group_id not in (
        policy.member_group_ids(actor)
    ):
        raise Hidden(not_found_message("inget uppdrag", assignment_id))
    return assignment


def create_assignment(
    session: Session, body: schemas.AssignmentCreate, *, actor: Actor
) -> Assignment:
    _reader(actor)
    goal = session.get(Goal, body.goal_id)
    if goal is None:
        raise Invalid.field("goal_id", "Det finns inget sådant mål.", "unknown_id")
    policy.require_write_in_group(actor, goal.group_id, WRITES, group=STEERING)
    if not goal.active:
        raise Invalid.field(
            "goal_id", "Målet är avslutat; uppdrag ges under aktiva mål.", "inactive"
        )
    to = session.get(Group, body.to_group_id)
    if (
        to is None
        or to.municipality_id != goal.group.municipality_id
        or to.kind == GroupKind.steering
    ):
        raise Invalid.field(
            "to_group_id",
            "Uppdrag ges till samordningsgruppen eller en områdesgrupp.",
            "unknown_id",
        )
    if not to.active:
        raise Invalid.field("to_group_id", f"{to.name} är inte aktiv.", "inactive")
    assignment = Assignment(
        **body.model_dump(),
        from_group_id=goal.group_id,
        created_by_id=actor.user_id,
        events=[AssignmentEvent(status=schemas.AssignmentStatus.open, by_id=actor.user_id)],
    )
    session.add(assignment)
    session.flush()
    return assignment


def update_assignment(
    session: Session, assignment_id: int, body: schemas.AssignmentUpdate, *, actor: Actor
) -> Assignment:
    assignment = get_assignment(session, assignment_id, actor=actor)
    policy.require_write_in_group(actor, assignment.from_group_id, WRITES, group=STEERING)
    values = body.model_dump(exclude_unset=True)
    status = values.pop("status", None)
    if status == schemas.AssignmentStatus.answered and status != assignment.status:
        raise Invalid.field(
            "status", "Uppdraget blir besvarat när gruppen återrapporterar.", "not_answered"
        )
    apply(assignment, values)
    if status is not None and status != assignment.status:
        _set_status(assignment, status, actor)
        # Closed or withdrawn: off the agendas from now on. Opened again: back on them.
        assignment.ended_at = utcnow() if status in ENDED else None
    session.flush()
    return assignment


def _set_status(assignment: Assignment, status: schemas.AssignmentStatus, actor: Actor) -> None:
    assignment.status = status
    assignment.events.append(AssignmentEvent(status=status, by_id=actor.user_id))


def status_at(assignment: Assignment, moment: dt.datetime) -> schemas.AssignmentStatus | None:
    """The assignment's status at ``moment``; None before it was given."""
    found = None
    for event in assignment.events:
        if event.at > moment:
            break
        found = event.status
    return found


def _interventions_of(
    session: Session, assignment: Assignment, ids: list[int], field: str
) -> list[Intervention]:
    ids = list(dict.fromkeys(ids))
    found = (
        list(
            session.scalars(
                select(Intervention).where(
                    Intervention.id.in_(ids), Intervention.group_id == assignment.to_group_id
                )
            )
        )
        if ids
        else []
    )
    missing = sorted(set(ids) - {i.id for i in found})
    if missing:
        raise Invalid.field(
            field,
            f"{assignment.to_group.name} har inga insatser med id "
            f"{', '.join(map(str, missing[:10]))}.",
            "unknown_id",
        )
    taken = [i for i in found if i.assignment_id not in (None, assignment.id)]
    if taken:
        raise Invalid.field(
            field,
            f"Insatsen {taken[0].title} besvarar redan ett annat uppdrag.",
            "other_assignment",
        )
    elsewhere = [i for i in found if i.goal_id not in (None, assignment.goal_id)]
    if elsewhere:
        raise Invalid.field(
            field,
            f"Insatsen {elsewhere[0].title} tjänar ett annat mål än uppdragets.",
            "other_goal",
        )
    return found


def serve(intervention: Intervention, assignment: Assignment) -> None:
    intervention.assignment_id = assignment.id
    intervention.goal_id = assignment.goal_id


def answer(
    session: Session,
    assignment_id: int,
    body: schemas.AssignmentAnswer,
    *,
    actor: Actor,
    field: str = "intervention_ids",
    replace: bool = True,
) -> Assignment:
    """The group's report-back: the assignment is answered, and leaves its agendas. With
    ``replace``, the interventions listed are those that answer it (the others linked
    before no longer do); else they are added (a meeting's decision)."""
    assignment = get_assignment(session, assignment_id, actor=actor)
    policy.require_write_in_group(
        actor, assignment.to_group_id, "återrapporterar", group=f"{assignment.to_group.name}s"
    )
    if assignment.status in ENDED:
        raise Invalid.field(
            "text",
            "Uppdraget är avslutat eller återkallat och tar inte emot återrapporter.",
            "assignment_ended",
        )
    chosen = _interventions_of(session, assignment, body.intervention_ids, field)
    if replace:
        dropped = session.scalars(
            select(Intervention).where(
                Intervention.assignment_id == assignment.id,
                Intervention.id.not_in([i.id for i in chosen] or [0]),
            )
        )
        for intervention in dropped:
            # The goal came with the assignment; it goes with it.
            intervention.assignment_id = None
            intervention.goal_id = None
    for intervention in chosen:
        serve(intervention, assignment)
    assignment.report = body.text
    assignment.reported_at = utcnow()
    assignment.reported_by_id = actor.user_id
    _set_status(assignment, schemas.AssignmentStatus.answered, actor)
    session.flush()
    return assignment


def open_for_group(
    session: Session, group_id: int, *, at: dt.datetime, answered_here: set[int]
) -> list[Assignment]:
    """The assignments on the agenda of a group's meeting starting ``at``: for one to come,
    those open now; for one begun, those open when it began; and those its own decisions
    answered."""
    given = session.scalars(
        select(Assignment)
        .where(Assignment.to_group_id == group_id)
        .order_by(Assignment.due, Assignment.id)
    )
    begun = at <= utcnow()
    return [
        a
        for a in given
        if a.id in answered_here
        or (status_at(a, at) if begun else a.status) == schemas.AssignmentStatus.open
    ]


def read_assignment(
    session: Session, assignment: Assignment, *, actor: Actor
) -> schemas.AssignmentRead:
    served = session.execute(
        select(Intervention.id, Intervention.title)
        .where(Intervention.assignment_id == assignment.id)
        .order_by(Intervention.id)
    ).all()
    return schemas.AssignmentRead(
        id=assignment.id,
        goal=Ref(id=assignment.goal.id, name=assignment.goal.title),
        theme=assignment.goal.theme,
        from_group=Ref(id=assignment.from_group.id, name=assignment.from_group.name),
        to_group=Ref(id=assignment.to_group.id, name=assignment.to_group.name),
        title=assignment.title,
        description=assignment.description,
        due=assignment.due,
        status=assignment.status,
        overdue=assignment.status == schemas.AssignmentStatus.open and assignment.due < _today(),
        report=assignment.report,
        reported_on=assignment.reported_at,
        reported_by=Ref(id=assignment.reported_by.id, name=assignment.reported_by.name)
        if assignment.reported_by
        else None,
        interventions=[Ref(id=i, name=t) for i, t in served],
        created_at=assignment.created_at,
        may_edit=policy.can_write_in_group(actor, assignment.from_group_id),
        may_answer=assignment.status not in ENDED
        and policy.can_write_in_group(actor, assignment.to_group_id),
    )


def check_serves(
    session: Session,
    group: Group,
    goal_id: int | None,
    assignment_id: int | None,
    actor: Actor,
) -> tuple[dict[str, Any], list[FieldError]]:
    """For an intervention of ``group``: the goal and assignment it serves, checked. An
    assignment brings its goal; a goal on its own is chosen by those who read the steering
    group's goals (an area group links its work to a goal through an assignment)."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {"goal_id": goal_id, "assignment_id": assignment_id}
    if assignment_id is not None:
        assignment = session.get(Assignment, assignment_id)
        if assignment is None or assignment.to_group_id != group.id:
            errors.append(
                FieldError("assignment_id", f"{group.name} har inget sådant uppdrag.", "unknown_id")
            )
        elif assignment.status in ENDED:
            errors.append(
                FieldError(
                    "assignment_id",
                    "Uppdraget är avslutat eller återkallat; välj ett som pågår.",
                    "assignment_ended",
                )
            )
        elif goal_id is not None and goal_id != assignment.goal_id:
            errors.append(
                FieldError("goal_id", "Uppdraget hör till ett annat mål.", "goal_mismatch")
            )
        else:
            values["goal_id"] = assignment.goal_id
    elif goal_id is not None:
        if not policy.can_read_steering(actor):
            raise Forbidden(
                "En områdesgrupp kopplar en insats till ett mål genom ett uppdrag från styrgruppen."
            )
        goal = session.get(Goal, goal_id)
        if goal is None or goal.group.municipality_id != group.municipality_id:
            errors.append(FieldError("goal_id", "Det finns inget sådant mål.", "unknown_id"))
        elif not goal.active:
            errors.append(
                FieldError("goal_id", "Målet är avslutat; välj ett som gäller.", "inactive")
            )
    return values, errors


# Plans and activities ----------------------------------------------------------------------


def list_plans(session: Session, query: schemas.PlanFilter, *, actor: Actor) -> PageResult[Plan]:
    _reader(actor)
    stmt: Select[Any] = select(Plan)
    if query.group is not None:
        stmt = stmt.where(Plan.group_id == query.group)
    if query.goal is not None:
        stmt = stmt.where(Plan.goal_id == query.goal)
    if query.active is not None:
        stmt = stmt.where(Plan.active.is_(query.active))
    return paginate(session, stmt, Plan.id, query)


def get_plan(session: Session, plan_id: int, *, actor: Actor) -> Plan:
    _reader(actor)
    return get_or_404(session, Plan, plan_id, "ingen plan")


def _goal_of(session: Session, goal_id: int | None, group: Group) -> None:
    if goal_id is None:
        return
    goal = session.get(Goal, goal_id)
    if goal is None or goal.group_id != group.id:
        raise Invalid.field("goal_id", "Styrgruppen har inget sådant mål.", "unknown_id")


def create_plan(session: Session, body: schemas.PlanCreate, *, actor: Actor) -> Plan:
    _reader(actor)
    group = _steering_group(session, body.group_id)
    policy.require_write_in_group(actor, group.id, WRITES, group=STEERING)
    _period(body.period_start, body.period_end)
    _goal_of(session, body.goal_id, group)
    plan = Plan(**body.model_dump(), created_by_id=actor.user_id)
    session.add(plan)
    session.flush()
    return plan


def update_plan(session: Session, plan_id: int, body: schemas.PlanUpdate, *, actor: Actor) -> Plan:
    plan = get_plan(session, plan_id, actor=actor)
    policy.require_write_in_group(actor, plan.group_id, WRITES, group=STEERING)
    values = body.model_dump(exclude_unset=True)
    _period(
        values.get("period_start", plan.period_start), values.get("period_end", plan.period_end)
    )
    if "goal_id" in values:
        _goal_of(session, values["goal_id"], plan.group)
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
    _reader(actor)
    return get_or_404(session, Activity, activity_id, "ingen aktivitet")


def create_activity(
    session: Session, plan_id: int, body: schemas.ActivityCreate, *, actor: Actor
) -> Activity:
    plan = get_plan(session, plan_id, actor=actor)
    policy.require_write_in_group(actor, plan.group_id, WRITES, group=STEERING)
    _period(body.period_start, body.period_end)
    values = _activity_values(session, plan, body.model_dump())
    activity = Activity(plan_id=plan.id, **values, created_by_id=actor.user_id)
    session.add(activity)
    session.flush()
    return activity


def update_activity(
    session: Session, activity_id: int, body: schemas.ActivityUpdate, *, actor: Actor
) -> Activity:
    activity = get_activity(session, activity_id, actor=actor)
    policy.require_write_in_group(actor, activity.plan.group_id, WRITES, group=STEERING)
    values = _activity_values(session, activity.plan, body.model_dump(exclude_unset=True))
    _period(
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
    policy.require_write_in_group(actor, activity.plan.group_id, WRITES, group=STEERING)
    _in_plan_years(activity.plan, year)
    _put_year(activity.reviews, year, ActivityReview, _by(body, actor))
    # The latest year's follow-up says where the activity stands now.
    if year >= max(r.year for r in activity.reviews):
        activity.status = body.status
    session.flush()
    return activity


def review_plan(
    session: Session, plan_id: int, year: int, body: schemas.PlanReviewWrite, *, actor: Actor
) -> Plan:
    plan = get_plan(session, plan_id, actor=actor)
    policy.require_write_in_group(actor, plan.group_id, WRITES, group=STEERING)
    _in_plan_years(plan, year)
    _put_year(plan.reviews, year, PlanReview, _by(body, actor))
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


def read_plan(plan: Plan, *, actor: Actor) -> schemas.PlanRead:
    return schemas.PlanRead(
        id=plan.id,
        group=Ref(id=plan.group.id, name=plan.group.name),
        title=plan.title,
        goal=Ref(id=plan.goal.id, name=plan.goal.title) if plan.goal else None,
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
            indicator = indicators.get(activity.indicator.id) or read_indicator(
                session, activity.indicator, until=dt.date(year, 12, 31)
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


# The thread --------------------------------------------------------------------------------


def thread(session: Session, goal_id: int, *, actor: Actor) -> schemas.Thread:
    goal = get_goal(session, goal_id, actor=actor)
    assignments = list(
        session.scalars(
            select(Assignment)
            .where(Assignment.goal_id == goal.id)
            .order_by(Assignment.due, Assignment.id)
        )
    )
    serving = session.scalars(
        select(Intervention)
        .where(Intervention.goal_id == goal.id)
        .order_by(Intervention.planned_start, Intervention.id)
    )
    interventions = []
    for intervention in serving:
        follow_ups = list(
            session.scalars(
                select(FollowUp)
                .where(FollowUp.intervention_id == intervention.id)
                .order_by(FollowUp.day, FollowUp.id)
            )
        )
        measured = intervention_service.measure_effect(
            session, intervention.id, intervention_service.DEFAULT_WEEKS, actor=actor
        )
        latest = follow_ups[-1] if follow_ups else None
        interventions.append(
            schemas.ThreadIntervention(
                id=intervention.id,
                title=intervention.title,
                group=Ref(id=intervention.group.id, name=intervention.group.name),
                status=intervention.status,
                planned_start=intervention.planned_start,
                assignment_id=intervention.assignment_id,
                follow_ups=len(follow_ups),
                latest_follow_up=latest.day if latest else None,
                latest_seen=(latest.seen or latest.done) if latest else None,
                verdict=measured.verdict,
                effect=measured.summary,
            )
        )
    plans = session.scalars(
        select(Plan).where(Plan.goal_id == goal.id, Plan.active.is_(True)).order_by(Plan.id)
    )
    return schemas.Thread(
        goal=read_goal(session, goal, actor=actor),
        assignments=[read_assignment(session, a, actor=actor) for a in assignments],
        interventions=interventions,
        plans=[
            schemas.ThreadPlan(
                id=plan.id,
                title=plan.title,
                activities=[
                    schemas.ThreadActivity(
                        id=a.id,
                        title=a.title,
                        status=a.status,
                        responsible_office=a.responsible_office,
                        latest_review=schemas.ActivityReviewRead.model_validate(a.reviews[-1])
                        if a.reviews
                        else None,
                    )
                    for a in plan.activities
                ],
            )
            for plan in plans
        ],
    )


def served_goal(session: Session, goal_id: int | None) -> Ref | None:
    """The goal an intervention serves, as its page names it."""
    if goal_id is None:
        return None
    goal = session.get(Goal, goal_id)
    return Ref(id=goal.id, name=goal.title) if goal else None

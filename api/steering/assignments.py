"""Assignments (uppdrag): given by the steering group under one of its goals to the
coordination group or an area group, which reports back, with the interventions that
answer it. The steering group's conveners and members give, change, close and withdraw
them; the group given one reads it, and its conveners and members answer it. An open
assignment stands on the group's meeting agendas until it is answered (api.meetings)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.errors import FieldError, Forbidden, Hidden, Invalid
from api.interventions.models import Intervention
from api.interventions.slots import Served
from api.localtime import utcnow
from api.pagination import PageResult, paginate
from api.records import apply, get_or_404, not_found_message
from api.schemas_common import Ref
from api.steering import common, schemas
from api.steering.models import Assignment, AssignmentEvent, Goal
from api.structure import service as structure_service
from api.structure.models import Group
from api.structure.schemas import GroupKind

ENDED = (schemas.AssignmentStatus.closed, schemas.AssignmentStatus.withdrawn)


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
    common.check_reader(actor)
    goal = session.get(Goal, body.goal_id)
    if goal is None:
        raise Invalid.field("goal_id", "Det finns inget sådant mål.", "unknown_id")
    common.check_writer(actor, goal.group_id)
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
    common.check_writer(actor, assignment.from_group_id)
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
        overdue=assignment.status == schemas.AssignmentStatus.open
        and assignment.due
        < structure_service.municipality_today(session, assignment.from_group.municipality_id),
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


def served(session: Session, goal_id: int | None, assignment_id: int | None) -> Served:
    """The goal and assignment an intervention serves, named, for its read (the slot
    api.interventions.slots.served)."""
    goal = session.get(Goal, goal_id) if goal_id else None
    assignment = session.get(Assignment, assignment_id) if assignment_id else None
    return Served(
        goal=Ref(id=goal.id, name=goal.title) if goal else None,
        assignment=Ref(id=assignment.id, name=assignment.title) if assignment else None,
    )


def check_serves(
    session: Session,
    group: Group,
    goal_id: int | None,
    assignment_id: int | None,
    actor: Actor,
) -> tuple[dict[str, Any], list[FieldError]]:
    """For an intervention of ``group``: the goal and assignment it serves, checked (the slot
    api.interventions.slots.check_serves). An assignment brings its goal; a goal on its own
    is chosen by those who read the steering group's goals (an area group links its work to
    a goal through an assignment)."""
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

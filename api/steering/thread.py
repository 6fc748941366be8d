"""The thread from a goal to what serves it: the assignments given under it, the
interventions that serve it with their follow-ups and measured effect, and the active
plans' activities; one read for the steering group's page of a goal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.actor import Actor
from api.interventions import service as intervention_service
from api.interventions.models import FollowUp, Intervention
from api.schemas_common import Ref
from api.steering import assignments, goals, schemas
from api.steering.models import Assignment, Plan


def thread(session: Session, goal_id: int, *, actor: Actor) -> schemas.Thread:
    goal = goals.get_goal(session, goal_id, actor=actor)
    given = list(
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
        goal=goals.read_goal(session, goal, actor=actor),
        assignments=[assignments.read_assignment(session, a, actor=actor) for a in given],
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

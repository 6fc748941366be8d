from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.audit import service as audit
from api.deps import ActorDep, SessionDep
from api.pagination import PageResult
from api.problems import problem_responses
from api.routing import PurposeQuery, location, page
from api.schemas_common import Page, QueryId
from api.steering import assignments, goals, plans, schemas, thread

router = APIRouter()
PathId = Annotated[QueryId, Path()]
PathYear = Annotated[int, Path(ge=schemas.FIRST_YEAR, le=schemas.LAST_YEAR)]
READ = problem_responses(401, 403, 404, 422, 503)
WRITE = problem_responses(400, 401, 403, 404, 422, 503)


# Goals ---------------------------------------------------------------------------------------


@router.get(
    "/goals",
    response_model=Page[schemas.GoalRead],
    operation_id="list_goals",
    summary="The steering group's goals and theme areas, with their indicators",
    responses=problem_responses(401, 403, 422, 503),
)
def list_goals(
    request: Request,
    query: Annotated[schemas.GoalFilter, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> Page[schemas.GoalRead]:
    result = goals.list_goals(session, query, actor=actor)
    read = PageResult(
        [goals.read_goal(session, g, actor=actor) for g in result.items], result.next_cursor
    )
    return page(request, read, schemas.GoalRead)


@router.post(
    "/goals",
    response_model=schemas.GoalRead,
    status_code=201,
    operation_id="create_goal",
    summary="Set a goal under a theme area",
    responses=WRITE,
)
def create_goal(
    body: schemas.GoalCreate, session: SessionDep, actor: ActorDep, response: Response
) -> schemas.GoalRead:
    goal = goals.create_goal(session, body, actor=actor)
    response.headers["Location"] = location(f"/goals/{goal.id}")
    return goals.read_goal(session, goal, actor=actor)


@router.get(
    "/goals/{goal_id}",
    response_model=schemas.GoalRead,
    operation_id="get_goal",
    summary="A goal and its indicators over time",
    responses=READ,
)
def get_goal(goal_id: PathId, session: SessionDep, actor: ActorDep) -> schemas.GoalRead:
    return goals.read_goal(session, goals.get_goal(session, goal_id, actor=actor), actor=actor)


@router.patch(
    "/goals/{goal_id}",
    response_model=schemas.GoalRead,
    operation_id="update_goal",
    summary="Change a goal, or close it (active: false)",
    responses=WRITE,
)
def update_goal(
    goal_id: PathId, body: schemas.GoalUpdate, session: SessionDep, actor: ActorDep
) -> schemas.GoalRead:
    goal = goals.update_goal(session, goal_id, body, actor=actor)
    return goals.read_goal(session, goal, actor=actor)


@router.get(
    "/goals/{goal_id}/thread",
    response_model=schemas.Thread,
    operation_id="get_goal_thread",
    summary="The thread from a goal: assignments, interventions, activities, effects",
    responses=READ,
)
def get_goal_thread(goal_id: PathId, session: SessionDep, actor: ActorDep) -> schemas.Thread:
    return thread.thread(session, goal_id, actor=actor)


# Indicators ----------------------------------------------------------------------------------


@router.post(
    "/goals/{goal_id}/indicators",
    response_model=schemas.IndicatorRead,
    status_code=201,
    operation_id="create_indicator",
    summary="Follow a goal by an indicator: counted from the observations, or entered by hand",
    responses=WRITE,
)
def create_indicator(
    goal_id: PathId,
    body: schemas.IndicatorCreate,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
) -> schemas.IndicatorRead:
    indicator = goals.create_indicator(session, goal_id, body, actor=actor)
    response.headers["Location"] = location(f"/indicators/{indicator.id}")
    return goals.read_indicator(session, indicator, actor=actor)


@router.get(
    "/indicators/{indicator_id}",
    response_model=schemas.IndicatorRead,
    operation_id="get_indicator",
    summary="An indicator over time: per quarter when counted, per year when entered",
    responses=READ,
)
def get_indicator(
    indicator_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    quarters: Annotated[int, Query(ge=1, le=schemas.MAX_QUARTERS)] = schemas.DEFAULT_QUARTERS,
) -> schemas.IndicatorRead:
    indicator = goals.get_indicator(session, indicator_id, actor=actor)
    return goals.read_indicator(session, indicator, actor=actor, quarters=quarters)


@router.patch(
    "/indicators/{indicator_id}",
    response_model=schemas.IndicatorRead,
    operation_id="update_indicator",
    summary="Rename an indicator, or change its unit, source or direction",
    responses=WRITE,
)
def update_indicator(
    indicator_id: PathId, body: schemas.IndicatorUpdate, session: SessionDep, actor: ActorDep
) -> schemas.IndicatorRead:
    indicator = goals.update_indicator(session, indicator_id, body, actor=actor)
    return goals.read_indicator(session, indicator, actor=actor)


@router.put(
    "/indicators/{indicator_id}/values/{year}",
    response_model=schemas.IndicatorRead,
    operation_id="put_indicator_value",
    summary="Enter (or correct) a year's figure of an indicator kept by hand, with its source",
    responses=WRITE,
)
def put_indicator_value(
    indicator_id: PathId,
    year: PathYear,
    body: schemas.IndicatorValueWrite,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.IndicatorRead:
    indicator = goals.put_value(session, indicator_id, year, body, actor=actor)
    return goals.read_indicator(session, indicator, actor=actor)


@router.delete(
    "/indicators/{indicator_id}/values/{year}",
    response_model=schemas.IndicatorRead,
    operation_id="delete_indicator_value",
    summary="Take back a year's figure entered by mistake",
    responses=WRITE,
)
def delete_indicator_value(
    indicator_id: PathId, year: PathYear, session: SessionDep, actor: ActorDep
) -> schemas.IndicatorRead:
    indicator = goals.delete_value(session, indicator_id, year, actor=actor)
    return goals.read_indicator(session, indicator, actor=actor)


# Assignments ---------------------------------------------------------------------------------


@router.get(
    "/assignments",
    response_model=Page[schemas.AssignmentRead],
    operation_id="list_assignments",
    summary="Assignments (uppdrag), newest first: all for the steering and coordination "
    "groups, a group's own for the others",
    responses=problem_responses(401, 403, 422, 503),
)
def list_assignments(
    request: Request,
    query: Annotated[schemas.AssignmentFilter, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> Page[schemas.AssignmentRead]:
    result = assignments.list_assignments(session, query, actor=actor)
    read = PageResult(
        [assignments.read_assignment(session, a, actor=actor) for a in result.items],
        result.next_cursor,
    )
    return page(request, read, schemas.AssignmentRead)


@router.post(
    "/assignments",
    response_model=schemas.AssignmentRead,
    status_code=201,
    operation_id="create_assignment",
    summary="Give a group an assignment under a goal, to report back on by a day",
    responses=WRITE,
)
def create_assignment(
    body: schemas.AssignmentCreate, session: SessionDep, actor: ActorDep, response: Response
) -> schemas.AssignmentRead:
    assignment = assignments.create_assignment(session, body, actor=actor)
    response.headers["Location"] = location(f"/assignments/{assignment.id}")
    return assignments.read_assignment(session, assignment, actor=actor)


@router.get(
    "/assignments/{assignment_id}",
    response_model=schemas.AssignmentRead,
    operation_id="get_assignment",
    summary="An assignment and the group's report-back",
    responses=READ,
)
def get_assignment(
    assignment_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.AssignmentRead:
    assignment = assignments.get_assignment(session, assignment_id, actor=actor)
    return assignments.read_assignment(session, assignment, actor=actor)


@router.patch(
    "/assignments/{assignment_id}",
    response_model=schemas.AssignmentRead,
    operation_id="update_assignment",
    summary="Change an assignment; close, withdraw or reopen it (the steering group)",
    responses=WRITE,
)
def update_assignment(
    assignment_id: PathId,
    body: schemas.AssignmentUpdate,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.AssignmentRead:
    assignment = assignments.update_assignment(session, assignment_id, body, actor=actor)
    return assignments.read_assignment(session, assignment, actor=actor)


@router.post(
    "/assignments/{assignment_id}/answer",
    response_model=schemas.AssignmentRead,
    operation_id="answer_assignment",
    summary="Report back on an assignment (the group given it), with the interventions "
    "that answer it; it leaves the group's agendas",
    responses=WRITE,
)
def answer_assignment(
    assignment_id: PathId,
    body: schemas.AssignmentAnswer,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.AssignmentRead:
    assignment = assignments.answer(session, assignment_id, body, actor=actor)
    return assignments.read_assignment(session, assignment, actor=actor)


# Plans ---------------------------------------------------------------------------------------


@router.get(
    "/plans",
    response_model=Page[schemas.PlanRead],
    operation_id="list_plans",
    summary="Action and activity plans, with their activities",
    responses=problem_responses(401, 403, 422, 503),
)
def list_plans(
    request: Request,
    query: Annotated[schemas.PlanFilter, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> Page[schemas.PlanRead]:
    result = plans.list_plans(session, query, actor=actor)
    read = PageResult([plans.read_plan(p, actor=actor) for p in result.items], result.next_cursor)
    return page(request, read, schemas.PlanRead)


@router.post(
    "/plans",
    response_model=schemas.PlanRead,
    status_code=201,
    operation_id="create_plan",
    summary="Add an action plan or activity plan",
    responses=WRITE,
)
def create_plan(
    body: schemas.PlanCreate, session: SessionDep, actor: ActorDep, response: Response
) -> schemas.PlanRead:
    plan = plans.create_plan(session, body, actor=actor)
    response.headers["Location"] = location(f"/plans/{plan.id}")
    return plans.read_plan(plan, actor=actor)


@router.get(
    "/plans/{plan_id}",
    response_model=schemas.PlanRead,
    operation_id="get_plan",
    summary="A plan and its activities",
    responses=READ,
)
def get_plan(plan_id: PathId, session: SessionDep, actor: ActorDep) -> schemas.PlanRead:
    return plans.read_plan(plans.get_plan(session, plan_id, actor=actor), actor=actor)


@router.patch(
    "/plans/{plan_id}",
    response_model=schemas.PlanRead,
    operation_id="update_plan",
    summary="Change a plan, or retire it (active: false)",
    responses=WRITE,
)
def update_plan(
    plan_id: PathId, body: schemas.PlanUpdate, session: SessionDep, actor: ActorDep
) -> schemas.PlanRead:
    return plans.read_plan(plans.update_plan(session, plan_id, body, actor=actor), actor=actor)


@router.post(
    "/plans/{plan_id}/activities",
    response_model=schemas.ActivityRead,
    status_code=201,
    operation_id="create_activity",
    summary="Add an activity: who is responsible, with whom, when, and its child perspective",
    responses=WRITE,
)
def create_activity(
    plan_id: PathId, body: schemas.ActivityCreate, session: SessionDep, actor: ActorDep
) -> schemas.ActivityRead:
    return plans.read_activity(plans.create_activity(session, plan_id, body, actor=actor))


@router.patch(
    "/activities/{activity_id}",
    response_model=schemas.ActivityRead,
    operation_id="update_activity",
    summary="Change an activity",
    responses=WRITE,
)
def update_activity(
    activity_id: PathId, body: schemas.ActivityUpdate, session: SessionDep, actor: ActorDep
) -> schemas.ActivityRead:
    return plans.read_activity(plans.update_activity(session, activity_id, body, actor=actor))


@router.put(
    "/activities/{activity_id}/reviews/{year}",
    response_model=schemas.ActivityRead,
    operation_id="put_activity_review",
    summary="An activity's follow-up for a year: its status and what was done",
    responses=WRITE,
)
def put_activity_review(
    activity_id: PathId,
    year: PathYear,
    body: schemas.ActivityReviewWrite,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.ActivityRead:
    activity = plans.review_activity(session, activity_id, year, body, actor=actor)
    return plans.read_activity(activity)


@router.put(
    "/plans/{plan_id}/reviews/{year}",
    response_model=schemas.PlanYear,
    operation_id="put_plan_review",
    summary="The plan's follow-up for a year, as a whole",
    responses=WRITE,
)
def put_plan_review(
    plan_id: PathId,
    year: PathYear,
    body: schemas.PlanReviewWrite,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.PlanYear:
    plans.review_plan(session, plan_id, year, body, actor=actor)
    return plans.plan_year(session, plan_id, year, actor=actor)


@router.get(
    "/plans/{plan_id}/reviews/{year}",
    response_model=schemas.PlanYear,
    operation_id="get_plan_year",
    summary="The plan's yearly follow-up for the committee: each activity that year",
    responses=READ,
)
def get_plan_year(
    plan_id: PathId,
    year: PathYear,
    session: SessionDep,
    actor: ActorDep,
    purpose: PurposeQuery = None,
) -> schemas.PlanYear:
    review = plans.plan_year(session, plan_id, year, actor=actor)
    audit.record_printout(
        session, purpose, object_type="plans", object_id=plan_id, asked={"year": year},
        rows=len(review.activities),
    )  # fmt: skip
    return review

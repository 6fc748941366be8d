from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request, Response

from api import mail
from api.db import Database
from api.deps import ActorDep, SessionDep, SettingsDep, get_database
from api.interventions import mine, schemas, service
from api.pagination import PageResult
from api.problems import problem_responses
from api.routing import all_shown, location, page, shown
from api.schemas_common import Page, QueryId

router = APIRouter()
PathId = Annotated[QueryId, Path()]
DatabaseDep = Annotated[Database, Depends(get_database)]


@router.get(
    "/interventions",
    response_model=Page[schemas.InterventionRead],
    operation_id="list_interventions",
    summary="Interventions of the groups whose lägesbild the caller reads, newest first",
    responses=problem_responses(401, 403, 422, 503),
)
def list_interventions(
    request: Request,
    query: Annotated[schemas.InterventionFilter, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> Page[schemas.InterventionRead]:
    result = service.list_interventions(session, query, actor=actor)
    read = PageResult([service.read(i, actor=actor) for i in result.items], result.next_cursor)
    return page(request, read, schemas.InterventionRead)


@router.post(
    "/interventions",
    response_model=schemas.InterventionRead,
    status_code=201,
    operation_id="create_intervention",
    summary="Decide an intervention: what, where, against which categories, when, by whom",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def create_intervention(
    body: schemas.InterventionCreate, session: SessionDep, actor: ActorDep, response: Response
) -> schemas.InterventionRead:
    intervention = service.create_intervention(session, body, group_id=body.group_id, actor=actor)
    response.headers["Location"] = location(f"/interventions/{intervention.id}")
    return service.read(intervention, actor=actor)


@router.get(
    "/interventions/{intervention_id}",
    response_model=schemas.InterventionRead,
    operation_id="get_intervention",
    summary="An intervention",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_intervention(
    intervention_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.InterventionRead:
    return service.read(
        service.get_intervention(session, intervention_id, actor=actor), actor=actor
    )


@router.patch(
    "/interventions/{intervention_id}",
    response_model=schemas.InterventionRead,
    operation_id="update_intervention",
    summary="Change an intervention: its status, period, target, linked incidents …",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def update_intervention(
    intervention_id: PathId,
    body: schemas.InterventionUpdate,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.InterventionRead:
    intervention = service.update_intervention(session, intervention_id, body, actor=actor)
    return service.read(intervention, actor=actor)


@router.get(
    "/interventions/{intervention_id}/follow-ups",
    response_model=list[schemas.FollowUpRead],
    operation_id="list_follow_ups",
    summary="An intervention's follow-ups, oldest first",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_follow_ups(
    intervention_id: PathId, session: SessionDep, actor: ActorDep
) -> list[schemas.FollowUpRead]:
    return all_shown(
        schemas.FollowUpRead, service.follow_ups(session, intervention_id, actor=actor)
    )


@router.post(
    "/interventions/{intervention_id}/follow-ups",
    response_model=schemas.FollowUpRead,
    status_code=201,
    operation_id="create_follow_up",
    summary="Record a follow-up: what was done and what was seen",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def create_follow_up(
    intervention_id: PathId, body: schemas.FollowUpCreate, session: SessionDep, actor: ActorDep
) -> schemas.FollowUpRead:
    made = service.add_follow_up(session, intervention_id, body, actor=actor)
    return shown(schemas.FollowUpRead, made)


@router.get(
    "/interventions/{intervention_id}/effect",
    response_model=schemas.Effect,
    operation_id="get_intervention_effect",
    summary="Incidents in the zone N weeks before and after the start, against a comparison",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_intervention_effect(
    intervention_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    weeks: Annotated[int, Query(ge=2, le=26)] = service.DEFAULT_WEEKS,
) -> schemas.Effect:
    return service.measure_effect(session, intervention_id, weeks, actor=actor)


@router.get(
    "/interventions/{intervention_id}/feedback",
    response_model=list[schemas.FeedbackRead],
    operation_id="list_feedback",
    summary="What was told back about an intervention, oldest first",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_feedback(
    intervention_id: PathId, session: SessionDep, actor: ActorDep
) -> list[schemas.FeedbackRead]:
    return all_shown(schemas.FeedbackRead, service.feedback(session, intervention_id, actor=actor))


@router.post(
    "/interventions/{intervention_id}/feedback",
    response_model=schemas.FeedbackRead,
    status_code=201,
    operation_id="create_feedback",
    summary="Record feedback: what was told, to whom (organisations, the reporters), when, how",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def create_feedback(
    intervention_id: PathId,
    body: schemas.FeedbackCreate,
    session: SessionDep,
    actor: ActorDep,
    background: BackgroundTasks,
    database: DatabaseDep,
    settings: SettingsDep,
) -> schemas.FeedbackRead:
    made = service.add_feedback(session, intervention_id, body, actor=actor)
    # After the response, so after the request's transaction has committed: the e-mail it
    # queued is sent then, or waits in the outbox (api.mail); a refused request sends none.
    background.add_task(mail.send_waiting, database, settings)
    return shown(schemas.FeedbackRead, made)


@router.get(
    "/me/reports",
    response_model=Page[schemas.OwnReport],
    operation_id="list_own_reports",
    summary="The caller's own observations, newest filed first, with status and unread feedback",
    responses=problem_responses(401, 403, 422, 503),
)
def list_own_reports(
    request: Request,
    query: Annotated[schemas.OwnReportQuery, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> Page[schemas.OwnReport]:
    return page(request, mine.own_reports(session, query, actor=actor), schemas.OwnReport)


@router.post(
    "/me/reports/{incident_id}/seen",
    status_code=204,
    operation_id="mark_own_report_seen",
    summary="The caller has read the feedback on one of their own observations",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def mark_own_report_seen(incident_id: PathId, session: SessionDep, actor: ActorDep) -> Response:
    mine.mark_seen(session, incident_id, actor=actor)
    return Response(status_code=204)

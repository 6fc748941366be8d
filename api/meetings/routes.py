from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.actor import Actor
from api.deps import ActorDep, SessionDep
from api.meetings import schemas, service
from api.meetings.models import Meeting
from api.problems import problem_responses
from api.routing import IfMatch, location, shown
from api.schemas_common import QueryId

router = APIRouter()
PathId = Annotated[QueryId, Path()]


def _read(meeting: Meeting, actor: Actor, response: Response) -> schemas.MeetingRead:
    response.headers["ETag"] = service.meeting_etag(meeting)
    return service.read(meeting, actor=actor)


@router.get(
    "/groups/{group_id}/meetings",
    response_model=list[schemas.MeetingRead],
    operation_id="list_meetings",
    summary="A group's meetings: the upcoming ones first in time, or all, newest first",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_meetings(
    group_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    upcoming: Annotated[bool, Query(description="Only those not yet held.")] = False,
) -> list[schemas.MeetingRead]:
    meetings = service.list_meetings(session, group_id, upcoming=upcoming, actor=actor)
    return [service.read(m, actor=actor) for m in meetings]


@router.post(
    "/groups/{group_id}/meetings",
    response_model=schemas.MeetingRead,
    status_code=201,
    operation_id="create_meeting",
    summary="Plan a meeting; without an agenda, one is built from the lägesbild and follow-ups",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def create_meeting(
    group_id: PathId,
    body: schemas.MeetingCreate,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
) -> schemas.MeetingRead:
    meeting = service.create_meeting(session, group_id, body, actor=actor)
    response.headers["Location"] = location(f"/meetings/{meeting.id}")
    return _read(meeting, actor, response)


@router.get(
    "/groups/{group_id}/meetings/next",
    response_model=schemas.NextMeeting,
    operation_id="get_next_meeting",
    summary="When the group's cadence suggests it meets next",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_next_meeting(group_id: PathId, session: SessionDep, actor: ActorDep) -> schemas.NextMeeting:
    return service.next_meeting(session, group_id, actor=actor)


@router.get(
    "/groups/{group_id}/meetings.ics",
    operation_id="meetings_calendar",
    summary="The group's upcoming meetings as iCalendar (RFC 5545)",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}},
        **problem_responses(401, 403, 404, 422, 503),
    },
)
def meetings_calendar(group_id: PathId, session: SessionDep, actor: ActorDep) -> Response:
    text = service.calendar(session, group_id, actor=actor)
    return Response(
        text,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="moten-{group_id}.ics"'},
    )


@router.get(
    "/meetings/{meeting_id}",
    response_model=schemas.MeetingRead,
    operation_id="get_meeting",
    summary="A meeting: agenda, attendance, minutes, decisions",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_meeting(
    meeting_id: PathId, session: SessionDep, actor: ActorDep, response: Response
) -> schemas.MeetingRead:
    return _read(service.get_meeting(session, meeting_id, actor=actor), actor, response)


@router.patch(
    "/meetings/{meeting_id}",
    response_model=schemas.MeetingRead,
    operation_id="update_meeting",
    summary="Change the time, agenda, attendance or minutes; needs If-Match",
    responses=problem_responses(400, 401, 403, 404, 412, 422, 428, 503),
)
def update_meeting(
    meeting_id: PathId,
    body: schemas.MeetingUpdate,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> schemas.MeetingRead:
    meeting = service.update_meeting(session, meeting_id, body, if_match=if_match, actor=actor)
    return _read(meeting, actor, response)


@router.post(
    "/meetings/{meeting_id}/decisions",
    response_model=schemas.DecisionRead,
    status_code=201,
    operation_id="create_decision",
    summary="Record a decision; with `intervention`, the intervention is created with it",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def create_decision(
    meeting_id: PathId, body: schemas.DecisionCreate, session: SessionDep, actor: ActorDep
) -> schemas.DecisionRead:
    decision = service.add_decision(session, meeting_id, body, actor=actor)
    return shown(schemas.DecisionRead, decision)

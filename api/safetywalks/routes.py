from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from api.audit import service as audit
from api.deps import ActorDep, SessionDep, SettingsDep
from api.idempotency import IdempotencyDep
from api.photos import routes as answers
from api.photos import service as photos
from api.photos.schemas import PhotoAdded, PhotoRead, PhotoSize
from api.problems import problem_responses
from api.routing import location
from api.safetywalks import findings, inputs, report, walks
from api.safetywalks import schemas as s
from api.schemas_common import DEFAULT_LIMIT, MAX_LIMIT, ListQuery, Page, QueryId
from api.tips import abuse
from api.tips.schemas import Moderation

router = APIRouter()
PathId = Annotated[QueryId, Path()]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
Cursor = Annotated[str | None, Query(max_length=200)]
Token = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def _next(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    url = request.url.include_query_params(cursor=cursor)
    return f"{url.path}?{url.query}"


# Walks ----------------------------------------------------------------------------------------


@router.get(
    "/safety-walks",
    response_model=Page[s.WalkRead],
    operation_id="list_safety_walks",
    summary="Safety walks the caller reads: all (the latest first), upcoming or past",
    responses=problem_responses(401, 403, 422, 503),
)
def list_safety_walks(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    area_id: Annotated[QueryId | None, Query(description="One area's walks.")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="A year's walks.")] = None,
    when: Annotated[walks.When | None, Query(description="upcoming, past or all.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[s.WalkRead]:
    found = walks.list_walks(
        session,
        ListQuery(limit=limit, cursor=cursor),
        area_id=area_id,
        year=year,
        when=when,
        actor=actor,
    )
    # A read of many records: its filter and how many, as other lists log it.
    audit.record_export(
        session,
        object_type="safety_walks",
        form="list",
        asked={"area_id": area_id, "year": year, "when": when, "cursor": cursor},
        rows=len(found.items),
    )
    return Page[s.WalkRead](
        items=walks.read_many(session, found.items, actor=actor),
        next=_next(request, found.next_cursor),
    )


@router.post(
    "/safety-walks",
    response_model=s.WalkRead,
    status_code=201,
    operation_id="create_safety_walk",
    summary="Plan a safety walk in an area: its start, meeting point, route, invited "
    "organisations; it gets a public link for residents' pins",
    responses=problem_responses(400, 401, 403, 422, 503),
)
def create_safety_walk(
    body: s.WalkCreate, session: SessionDep, actor: ActorDep, response: Response
) -> s.WalkRead:
    walk = walks.create_walk(session, body, actor=actor)
    response.headers["Location"] = location(f"/safety-walks/{walk.id}")
    return walks.read(session, walk, actor=actor)


@router.get(
    "/safety-walks/{walk_id:int}",
    response_model=s.WalkRead,
    operation_id="get_safety_walk",
    summary="A safety walk, and what the caller may do with it",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_safety_walk(walk_id: PathId, session: SessionDep, actor: ActorDep) -> s.WalkRead:
    return walks.read(session, walks.walk_for(session, walk_id, actor), actor=actor)


@router.patch(
    "/safety-walks/{walk_id:int}",
    response_model=s.WalkRead,
    operation_id="update_safety_walk",
    summary="Change a walk; mark it held or reported; `new_link` ends the old public link",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def update_safety_walk(
    walk_id: PathId, body: s.WalkUpdate, session: SessionDep, actor: ActorDep
) -> s.WalkRead:
    return walks.read(session, walks.update_walk(session, walk_id, body, actor=actor), actor=actor)


@router.get(
    "/safety-walks/{walk_id:int}/report",
    response_model=s.WalkReport,
    operation_id="get_safety_walk_report",
    summary="The walk's report: accepted pins, findings with photos and status, and the "
    "area's previous walk with the status of its findings today",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_safety_walk_report(walk_id: PathId, session: SessionDep, actor: ActorDep) -> s.WalkReport:
    made = report.report(session, walk_id, actor=actor)
    audit.record_export(
        session,
        object_type="safety_walks",
        form="report",
        asked={"walk_id": walk_id},
        rows=len(made.inputs) + len(made.findings) + len(made.previous_findings),
        object_id=walk_id,
    )
    return made


# The public link ------------------------------------------------------------------------------


@router.get(
    "/public/safety-walks/{token}",
    response_model=s.PublicWalkRead,
    operation_id="get_public_safety_walk",
    summary="What a walk's public link shows (no sign-in): when and where, the route, the "
    "area's places; never residents' pins",
    responses=problem_responses(404, 422, 503),
)
def get_public_safety_walk(
    token: Token, session: SessionDep, settings: SettingsDep
) -> s.PublicWalkRead:
    return walks.public_walk(session, token, form_token=abuse.form_token(settings))


@router.post(
    "/safety-walks/{walk_id:int}/input",
    response_model=s.InputReceived,
    status_code=202,
    operation_id="create_walk_input",
    summary="A resident's or business's pin before the walk, through its public link (no "
    "sign-in; limited per address); nothing of it is sent back",
    responses=problem_responses(400, 404, 409, 422, 429, 503),
)
def create_walk_input(
    walk_id: PathId,
    body: s.WalkInputCreate,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
) -> s.InputReceived:
    inputs.create_input(session, walk_id, body, actor=actor, settings=settings)
    return s.InputReceived(message=inputs.THANKS)


@router.get(
    "/safety-walks/{walk_id:int}/input",
    response_model=Page[s.WalkInputRead],
    operation_id="list_walk_inputs",
    summary="The walk's pins: all for those who moderate them, accepted ones for its readers",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_walk_inputs(
    request: Request,
    walk_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    status: Annotated[Moderation | None, Query(description="Only pins of this status.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[s.WalkInputRead]:
    found = inputs.list_inputs(
        session, walk_id, ListQuery(limit=limit, cursor=cursor), status=status, actor=actor
    )
    audit.record_export(
        session,
        object_type="walk_inputs",
        form="list",
        asked={"walk_id": walk_id, "status": status, "cursor": cursor},
        rows=len(found.items),
    )
    return Page[s.WalkInputRead](
        items=[inputs.read(p) for p in found.items], next=_next(request, found.next_cursor)
    )


@router.post(
    "/safety-walks/{walk_id:int}/input/{input_id:int}/accept",
    response_model=s.WalkInputRead,
    operation_id="accept_walk_input",
    summary="Accept a waiting pin: it goes with the walk and its report",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def accept_walk_input(
    walk_id: PathId, input_id: PathId, session: SessionDep, actor: ActorDep
) -> s.WalkInputRead:
    return inputs.read(
        inputs.decide(session, walk_id, input_id, accept=True, reason=None, actor=actor)
    )


@router.post(
    "/safety-walks/{walk_id:int}/input/{input_id:int}/reject",
    response_model=s.WalkInputRead,
    operation_id="reject_walk_input",
    summary="Reject a waiting pin: kept only as long as retention says",
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def reject_walk_input(
    walk_id: PathId,
    input_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    body: s.Rejection | None = None,
) -> s.WalkInputRead:
    reason = body.reason if body else None
    return inputs.read(
        inputs.decide(session, walk_id, input_id, accept=False, reason=reason, actor=actor)
    )


# Findings -------------------------------------------------------------------------------------


@router.get(
    "/safety-walks/{walk_id:int}/findings",
    response_model=Page[s.FindingRead],
    operation_id="list_findings",
    summary="The walk's findings, with photos, status and who fixes them",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_findings(
    request: Request,
    walk_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[s.FindingRead]:
    walk, found = findings.list_findings(
        session, walk_id, ListQuery(limit=limit, cursor=cursor), actor=actor
    )
    return Page[s.FindingRead](
        items=findings.read_many(session, walk, found.items, actor=actor),
        next=_next(request, found.next_cursor),
    )


@router.post(
    "/safety-walks/{walk_id:int}/findings",
    response_model=s.FindingRead,
    status_code=201,
    operation_id="create_finding",
    summary="File a finding on the walk (from a phone), with the organisation that fixes it; "
    "a retry with the same Idempotency-Key files once",
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def create_finding(
    walk_id: PathId,
    body: s.FindingCreate,
    session: SessionDep,
    actor: ActorDep,
    idempotency: IdempotencyDep,
) -> JSONResponse:
    # Filed from a phone on the walk: a retry with the same Idempotency-Key files once.
    def file() -> s.FindingRead:
        walk, finding = findings.create_finding(session, walk_id, body, actor=actor)
        return findings.read(session, walk, finding, actor=actor)

    return idempotency.answer(
        body, file, location=location("/safety-walks/{walk_id}/findings/{id}")
    )


@router.get(
    "/safety-walks/{walk_id:int}/findings/{finding_id:int}",
    response_model=s.FindingRead,
    operation_id="get_finding",
    summary="A finding of the walk",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_finding(
    walk_id: PathId, finding_id: PathId, session: SessionDep, actor: ActorDep
) -> s.FindingRead:
    walk, finding = findings.finding_for(session, walk_id, finding_id, actor)
    return findings.read(session, walk, finding, actor=actor)


@router.patch(
    "/safety-walks/{walk_id:int}/findings/{finding_id:int}",
    response_model=s.FindingRead,
    operation_id="update_finding",
    summary="Change a finding; its status by the organisation that fixes it",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def update_finding(
    walk_id: PathId,
    finding_id: PathId,
    body: s.FindingUpdate,
    session: SessionDep,
    actor: ActorDep,
) -> s.FindingRead:
    walk, finding = findings.update_finding(session, walk_id, finding_id, body, actor=actor)
    return findings.read(session, walk, finding, actor=actor)


@router.post(
    "/safety-walks/{walk_id:int}/findings/{finding_id:int}/intervention",
    response_model=s.FindingRead,
    status_code=201,
    operation_id="propose_finding_intervention",
    summary="The finding as a proposed intervention of the walk's group (once)",
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def propose_finding_intervention(
    walk_id: PathId,
    finding_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    body: s.ProposeIntervention | None = None,
) -> s.FindingRead:
    walk, finding = findings.propose_intervention(
        session, walk_id, finding_id, body or s.ProposeIntervention(), actor=actor
    )
    response.headers["Location"] = location(f"/interventions/{finding.intervention_id}")
    return findings.read(session, walk, finding, actor=actor)


# A finding's photos ---------------------------------------------------------------------------


@router.post(
    "/safety-walks/{walk_id:int}/findings/{finding_id:int}/photos",
    response_model=PhotoAdded,
    status_code=201,
    operation_id="add_finding_photo",
    summary="A photo of the finding (re-encoded, without EXIF); `use_position`: a finding "
    "without a place takes the photo's position",
    responses=problem_responses(400, 401, 403, 404, 413, 422, 503),
)
def add_finding_photo(
    walk_id: PathId,
    finding_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    response: Response,
    file: answers.PhotoFile,
    use_position: Annotated[
        bool, Form(description="Use the photo's position as the finding's point.")
    ] = False,
) -> PhotoAdded:
    # One byte past the limit is enough to refuse it; the rest is never read.
    data = answers.sent_bytes(file, settings)
    added = findings.add_photo(
        session,
        walk_id,
        finding_id,
        data,
        use_position=use_position,
        actor=actor,
        settings=settings,
    )
    response.headers["Location"] = added.url
    return added


@router.get(
    "/safety-walks/{walk_id:int}/findings/{finding_id:int}/photos",
    response_model=list[PhotoRead],
    operation_id="list_finding_photos",
    summary="The finding's photos",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_finding_photos(
    walk_id: PathId, finding_id: PathId, session: SessionDep, actor: ActorDep
) -> list[PhotoRead]:
    return findings.list_photos(session, walk_id, finding_id, actor=actor)


@router.get(
    "/safety-walks/{walk_id:int}/findings/{finding_id:int}/photos/{photo_id:int}",
    operation_id="get_finding_photo",
    summary="A photo of the finding (JPEG); `size=thumb` for the small one",
    response_class=Response,
    responses=answers.RESPONSES,
)
def get_finding_photo(
    walk_id: PathId,
    finding_id: PathId,
    photo_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    size: answers.SizeQuery = PhotoSize.full,
) -> Response:
    photo = findings.get_photo(session, walk_id, finding_id, photo_id, actor=actor)
    return answers.photo_response(photos.content(photo, size, settings))

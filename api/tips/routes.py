"""Residents' tips: the public form and its sending (no sign-in; rate-limited per address by
api.tips.abuse), and the coordination group's moderation queue."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, Response

from api.audit import service as audit
from api.deps import ActorDep, SessionDep, SettingsDep
from api.photos import routes as answers
from api.photos.schemas import PhotoRead, PhotoSize
from api.problems import problem_responses
from api.routing import location
from api.schemas_common import DEFAULT_LIMIT, MAX_LIMIT, Page, QueryId
from api.tips import schemas, service
from api.tips.schemas import Moderation

router = APIRouter()
PathId = Annotated[QueryId, Path()]
Receipt = Annotated[str, Path(min_length=1, max_length=200)]
THANKS = (
    "Tack för ditt tips! Kommunens samordningsgrupp läser det och tar med det i lägesbilden "
    "om det hör dit. Du får inget svar, eftersom vi inte vet vem du är."
)


def _anonymous(session: SessionDep, request: Request, actor: ActorDep, path: str) -> None:
    """A resident's sending is logged without their address (the tip is anonymous; the
    per-address limit keeps only a keyed digest) and without the receipt in its path."""
    audit.bind(
        session, audit.AuditContext(replace(actor, address=None), request.method, location(path))
    )


@router.get(
    "/public/tip-form",
    response_model=schemas.TipForm,
    operation_id="get_public_tip_form",
    summary="What the public tip page asks (the municipality's areas and named places, the "
    "choices of what it is about) and a fresh form token; no sign-in",
    responses=problem_responses(404, 422, 503),
)
def get_public_tip_form(
    session: SessionDep,
    settings: SettingsDep,
    municipality_id: Annotated[
        QueryId | None,
        Query(
            description="The municipality (one of `GET /public/municipalities`; 422 for an "
            "unknown or inactive one); left out: the installation's only active municipality "
            "(422, `choose_municipality`, where there are several)."
        ),
    ] = None,
) -> schemas.TipForm:
    return service.tip_form(session, settings, municipality_id)


@router.post(
    "/public/tips",
    response_model=schemas.TipReceipt,
    status_code=202,
    operation_id="create_public_tip",
    summary="A resident's tip, anonymous, to the moderation queue of the municipality it "
    "names; the receipt adds photos for an hour. Limited per address and hour (429 with "
    "Retry-After)",
    responses=problem_responses(400, 413, 422, 429, 503),
)
def create_public_tip(
    body: schemas.TipCreate,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
) -> schemas.TipReceipt:
    _anonymous(session, request, actor, "/public/tips")
    _tip, receipt = service.create_public(session, body, actor=actor, settings=settings)
    return schemas.TipReceipt(receipt=receipt, photo_url=service.photo_url(receipt), message=THANKS)


@router.post(
    "/public/tips/{receipt}/photos",
    response_model=schemas.TipPhotoReceipt,
    status_code=201,
    operation_id="add_public_tip_photo",
    summary="A photo of the tip just sent (the receipt's), stored without EXIF; with "
    "use_position, a tip without a place takes the photo's position",
    responses=problem_responses(400, 404, 413, 422, 429, 503),
)
def add_public_tip_photo(
    receipt: Receipt,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    file: answers.PhotoFile,
    use_position: Annotated[
        bool, Form(description="Use the photo's position if the tip has no place.")
    ] = False,
) -> schemas.TipPhotoReceipt:
    _anonymous(session, request, actor, "/public/tips/…/photos")
    data = answers.sent_bytes(file, settings)
    return service.add_public_photo(
        session, receipt, data, use_position=use_position, actor=actor, settings=settings
    )


@router.get(
    "/tips",
    response_model=Page[schemas.TipRead],
    operation_id="list_tips",
    summary="The moderation queue (pending, the oldest first) or the decided tips",
    responses=problem_responses(401, 403, 422, 503),
)
def list_tips(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    status: Annotated[Moderation, Query(description="Which tips.")] = Moderation.pending,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[schemas.TipRead]:
    query = schemas.TipFilter(status=status, limit=limit, cursor=cursor)
    found = service.list_tips(session, query, actor=actor)
    service.record_list_read(session, query, len(found.items))
    next_link = None
    if found.next_cursor is not None:
        url = request.url.include_query_params(cursor=found.next_cursor)
        next_link = f"{url.path}?{url.query}"
    return Page[schemas.TipRead](items=service.read_many(session, found.items), next=next_link)


@router.get(
    "/tips/{tip_id:int}",
    response_model=schemas.TipRead,
    operation_id="get_tip",
    summary="A tip, with its photos",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_tip(tip_id: PathId, session: SessionDep, actor: ActorDep) -> schemas.TipRead:
    tip = service.get_tip(session, tip_id, actor=actor)
    audit.record_read(session, object_type="tips", object_id=tip.id)
    return service.read_one(session, tip)


@router.post(
    "/tips/{tip_id:int}/accept",
    response_model=schemas.TipRead,
    operation_id="accept_tip",
    summary="Accept a tip: it becomes an observation with source allmänheten (its photos "
    "go with it); 409 if it was already decided",
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def accept_tip(
    tip_id: PathId, body: schemas.TipAccept, session: SessionDep, actor: ActorDep
) -> schemas.TipRead:
    tip, _incident = service.accept(session, tip_id, body, actor=actor)
    return service.read_one(session, tip)


@router.post(
    "/tips/{tip_id:int}/reject",
    response_model=schemas.TipRead,
    operation_id="reject_tip",
    summary="Reject a tip (a reason is optional); kept only as long as retention says",
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def reject_tip(
    tip_id: PathId, body: schemas.TipReject, session: SessionDep, actor: ActorDep
) -> schemas.TipRead:
    return service.read_one(session, service.reject(session, tip_id, body, actor=actor))


@router.get(
    "/tips/{tip_id:int}/photos",
    response_model=list[PhotoRead],
    operation_id="list_tip_photos",
    summary="A tip's photos",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_tip_photos(tip_id: PathId, session: SessionDep, actor: ActorDep) -> list[PhotoRead]:
    return service.tip_photos(session, tip_id, actor=actor)


@router.get(
    "/tips/{tip_id:int}/photos/{photo_id:int}",
    operation_id="get_tip_photo",
    summary="A photo of a tip as JPEG (`?size=thumb`: the thumbnail)",
    response_class=Response,
    responses=answers.RESPONSES,
)
def get_tip_photo(
    tip_id: PathId,
    photo_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    size: answers.SizeQuery = PhotoSize.full,
) -> Response:
    data = service.tip_photo(session, tip_id, photo_id, size, actor=actor, settings=settings)
    return answers.photo_response(data)

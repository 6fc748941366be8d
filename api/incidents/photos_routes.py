"""Photos of an observation (#20) as sub-resources of the incident: ``…/incidents/{id}/photos``.
A photo is sent as multipart (field ``file``), up to EST_PHOTO_MAX_BYTES (the body limit
lets photo uploads through up to that, api.middleware.photo_uploads)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Form, Path
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from api.audit import service as audit
from api.deps import ActorDep, SessionDep, SettingsDep
from api.idempotency import IdempotencyDep
from api.incidents import photos, schemas
from api.photos import routes as answers
from api.photos.schemas import PhotoRead, PhotoSize
from api.problems import problem_responses
from api.schemas_common import QueryId

router = APIRouter()
PathId = Annotated[QueryId, Path()]

# A photo never changes under its id (a new one gets a new id): the reader's browser may
# keep it a while, no shared cache may.


class _Sent(BaseModel):
    """What a retried upload must repeat to be the same request (Idempotency-Key)."""

    sha256: str
    use_position: bool


@router.post(
    "/incidents/{incident_id}/photos",
    response_model=schemas.IncidentPhotoAdded,
    status_code=201,
    operation_id="add_incident_photo",
    summary="Add a photo to an incident (JPEG, PNG or WebP; re-encoded as JPEG without EXIF); "
    "its EXIF position is answered as `offered_point`, and becomes the incident's point "
    "with `use_position=true` when it has none",
    responses=problem_responses(401, 403, 404, 409, 413, 422, 503),
)
def add_incident_photo(
    incident_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
    file: answers.PhotoFile,
    use_position: Annotated[
        bool,
        Form(
            description="`true`: the person agrees that the photo's position becomes the "
            "incident's point, if the incident has none."
        ),
    ] = False,
) -> JSONResponse:
    data = answers.sent_bytes(file, settings)
    sent = _Sent(sha256=hashlib.sha256(data).hexdigest(), use_position=use_position)
    return idempotency.answer(
        sent,
        lambda: photos.add(
            session,
            incident_id,
            data,
            use_position=use_position,
            actor=actor,
            settings=settings,
        ),
        location="{url}",
    )


@router.get(
    "/incidents/{incident_id}/photos",
    response_model=list[PhotoRead],
    operation_id="list_incident_photos",
    summary="An incident's photos, oldest first",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_incident_photos(
    incident_id: PathId, session: SessionDep, actor: ActorDep
) -> list[PhotoRead]:
    return photos.photos(session, incident_id, actor=actor)


@router.get(
    "/incidents/{incident_id}/photos/{photo_id}",
    response_class=Response,
    operation_id="get_incident_photo",
    summary="One photo of an incident as JPEG (`size=thumb`: the thumbnail)",
    responses=answers.RESPONSES,
)
def get_incident_photo(
    incident_id: PathId,
    photo_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    size: answers.SizeQuery = PhotoSize.full,
) -> Response:
    data = photos.content(session, incident_id, photo_id, size, actor=actor, settings=settings)
    if size is PhotoSize.full:
        # Opening a photo is reading the incident's detail. A thumbnail is not: it is shown
        # on the incident's page, whose reading is logged already.
        audit.record_readings(session, [incident_id])
    return answers.photo_response(data)


@router.delete(
    "/incidents/{incident_id}/photos/{photo_id}",
    status_code=204,
    operation_id="delete_incident_photo",
    summary="Remove a photo of an incident (those who may correct it)",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def delete_incident_photo(
    incident_id: PathId,
    photo_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
) -> Response:
    photos.remove(session, incident_id, photo_id, actor=actor, settings=settings)
    return Response(status_code=204)

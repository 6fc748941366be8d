from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import ActorDep, SessionDep, SettingsDep
from api.problems import problem_responses
from api.routing import add_resource_routes, read_by
from api.schemas_common import QueryId, Ref
from api.structure import privacy, public, schemas, service

router = APIRouter()

add_resource_routes(
    router,
    service.MUNICIPALITIES,
    path="/municipalities",
    noun="municipality",
    read=schemas.MunicipalityRead,
    create=schemas.MunicipalityCreate,
    update=schemas.MunicipalityUpdate,
    filters=schemas.MunicipalityFilter,
)
add_resource_routes(
    router,
    service.AREAS,
    path="/areas",
    noun="area",
    read=schemas.AreaRead,
    create=schemas.AreaCreate,
    update=schemas.AreaUpdate,
    filters=schemas.AreaFilter,
)
add_resource_routes(
    router,
    service.PLACES,
    path="/places",
    noun="place",
    read=schemas.PlaceRead,
    create=schemas.PlaceCreate,
    update=schemas.PlaceUpdate,
    filters=schemas.PlaceFilter,
)
add_resource_routes(
    router,
    service.ORGANISATIONS,
    path="/organisations",
    noun="organisation",
    read=schemas.OrganisationRead,
    create=schemas.OrganisationCreate,
    update=schemas.OrganisationUpdate,
    filters=schemas.OrganisationFilter,
)
add_resource_routes(
    router,
    service.GROUPS,
    path="/groups",
    noun="group",
    read=schemas.GroupRead,
    create=schemas.GroupCreate,
    update=schemas.GroupUpdate,
    filters=schemas.GroupFilter,
)

PathId = Annotated[QueryId, Path()]


@router.put(
    "/groups/{group_id}/organisations/{organisation_id}",
    response_model=schemas.GroupRead,
    operation_id="add_group_organisation",
    summary="Let an organisation take part in a group (nothing changes if it already does)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def add_group_organisation(
    group_id: PathId, organisation_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.GroupRead:
    group = service.add_participant(session, group_id, organisation_id, actor=actor)
    return read_by(service.GROUPS, schemas.GroupRead, group, actor)


@router.delete(
    "/groups/{group_id}/organisations/{organisation_id}",
    response_model=schemas.GroupRead,
    operation_id="remove_group_organisation",
    summary="Take an organisation out of a group (nothing changes if it was not in it)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def remove_group_organisation(
    group_id: PathId, organisation_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.GroupRead:
    group = service.remove_participant(session, group_id, organisation_id, actor=actor)
    return read_by(service.GROUPS, schemas.GroupRead, group, actor)


# What a resident who has not signed in may address: the active municipalities (#21).


@router.get(
    "/public/municipalities",
    response_model=list[Ref],
    operation_id="list_public_municipalities",
    summary="The active municipalities, by name, without signing in: the ones a resident's tip "
    "and the privacy notice may be for (where there are several, the resident chooses)",
    responses=problem_responses(503),
)
def list_public_municipalities(session: SessionDep) -> list[Ref]:
    return [Ref(id=m.id, name=m.name) for m in public.municipalities(session)]


# The privacy notice: read by anyone, signed in or not; set by administrators.

NOTICE_ERRORS = problem_responses(404, 422, 503)


@router.get(
    "/privacy-notice",
    response_model=schemas.PrivacyNoticeRead,
    operation_id="get_privacy_notice",
    summary="The installation's privacy notice (its only active municipality's; 422, "
    "`choose_municipality`, where there are several: read a municipality's), without "
    "signing in",
    responses=NOTICE_ERRORS,
)
def get_privacy_notice(session: SessionDep, settings: SettingsDep) -> schemas.PrivacyNoticeRead:
    return privacy.read_notice(session, None, settings)


@router.get(
    "/municipalities/{municipality_id}/privacy-notice",
    response_model=schemas.PrivacyNoticeRead,
    operation_id="get_municipality_privacy_notice",
    summary="A municipality's privacy notice, without signing in",
    responses=NOTICE_ERRORS,
)
def get_municipality_privacy_notice(
    municipality_id: PathId, session: SessionDep, settings: SettingsDep
) -> schemas.PrivacyNoticeRead:
    return privacy.read_notice(session, municipality_id, settings)


@router.put(
    "/municipalities/{municipality_id}/privacy-notice",
    response_model=schemas.PrivacyNoticeRead,
    operation_id="set_municipality_privacy_notice",
    summary="Set a municipality's privacy notice (null: back to the default text)",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def set_municipality_privacy_notice(
    municipality_id: PathId,
    body: schemas.PrivacyNoticeUpdate,
    session: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
) -> schemas.PrivacyNoticeRead:
    return privacy.set_notice(session, municipality_id, body, settings, actor=actor)

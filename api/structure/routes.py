from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import ActorDep, SessionDep
from api.problems import problem_responses
from api.routing import add_resource_routes, read_by
from api.schemas_common import QueryId
from api.structure import schemas, service

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

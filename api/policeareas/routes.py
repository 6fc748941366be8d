from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import ActorDep, SessionDep
from api.policeareas import schemas, service, situation
from api.problems import problem_responses
from api.routing import location, page
from api.schemas_common import ListQuery, Page, QueryId
from api.situation.schemas import Day

router = APIRouter()
PathId = Annotated[QueryId, Path()]
MunicipalityId = Annotated[QueryId, Path(description="The municipality's id.")]


@router.get(
    "/police-areas",
    response_model=Page[schemas.PoliceAreaRead],
    operation_id="list_police_areas",
    summary="The police areas the caller reads: their group's, those serving the municipality "
    "they administer; every one for a platform operator",
    responses=problem_responses(400, 401, 403, 422, 503),
)
def list_police_areas(
    request: Request,
    query: Annotated[ListQuery, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> Page[schemas.PoliceAreaRead]:
    return page(
        request, service.list_police_areas(session, query, actor=actor), schemas.PoliceAreaRead
    )


@router.post(
    "/police-areas",
    response_model=schemas.PoliceAreaRead,
    status_code=201,
    operation_id="create_police_area",
    summary="A new police area (lokalpolisområde) and the municipalities it serves",
    responses=problem_responses(400, 401, 403, 409, 422, 503),
)
def create_police_area(
    body: schemas.PoliceAreaCreate, session: SessionDep, actor: ActorDep, response: Response
) -> schemas.PoliceAreaRead:
    created = service.create_police_area(session, body, actor=actor)
    response.headers["Location"] = location(f"/police-areas/{created.id}")
    return created


@router.get(
    "/police-areas/{id}",
    response_model=schemas.PoliceAreaRead,
    operation_id="get_police_area",
    summary="A police area, its municipalities and what the caller may do there",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def get_police_area(id: PathId, session: SessionDep, actor: ActorDep) -> schemas.PoliceAreaRead:
    return service.get_police_area(session, id, actor=actor)


@router.patch(
    "/police-areas/{id}",
    response_model=schemas.PoliceAreaRead,
    operation_id="update_police_area",
    summary="Rename a police area, turn it off or on, name the municipalities it serves",
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def update_police_area(
    id: PathId, body: schemas.PoliceAreaUpdate, session: SessionDep, actor: ActorDep
) -> schemas.PoliceAreaRead:
    return service.update_police_area(session, id, body, actor=actor)


@router.get(
    "/police-areas/{id}/members",
    response_model=list[schemas.MemberRead],
    operation_id="list_police_area_members",
    summary="The police area's own group",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def list_police_area_members(
    id: PathId, session: SessionDep, actor: ActorDep
) -> list[schemas.MemberRead]:
    return service.list_members(session, id, actor=actor)


@router.post(
    "/police-areas/{id}/members",
    response_model=schemas.MemberRead,
    operation_id="put_police_area_member",
    summary="Add a person to the police area's group by their e-mail address, or change "
    "their role there",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def put_police_area_member(
    id: PathId, body: schemas.MemberPut, session: SessionDep, actor: ActorDep
) -> schemas.MemberRead:
    return service.put_member(session, id, body, actor=actor)


@router.delete(
    "/police-areas/{id}/members/{user_id}",
    status_code=204,
    operation_id="remove_police_area_member",
    summary="Take a person out of the police area's group",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def remove_police_area_member(
    id: PathId, user_id: Annotated[QueryId, Path()], session: SessionDep, actor: ActorDep
) -> Response:
    service.remove_member(session, id, user_id, actor=actor)
    return Response(status_code=204)


@router.get(
    "/police-areas/{id}/agreements",
    response_model=list[schemas.AgreementRead],
    operation_id="list_sharing_agreements",
    summary="The sharing agreements of the police area's municipalities that the caller reads "
    "(its group: all; a municipality's administrator: their own)",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def list_sharing_agreements(
    id: PathId, session: SessionDep, actor: ActorDep
) -> list[schemas.AgreementRead]:
    return service.list_agreements(session, id, actor=actor)


@router.get(
    "/police-areas/{id}/agreements/{municipality_id}",
    response_model=schemas.AgreementRead,
    operation_id="get_sharing_agreement",
    summary="What a municipality shares with the police area",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def get_sharing_agreement(
    id: PathId, municipality_id: MunicipalityId, session: SessionDep, actor: ActorDep
) -> schemas.AgreementRead:
    return service.get_agreement(session, id, municipality_id, actor=actor)


@router.put(
    "/police-areas/{id}/agreements/{municipality_id}",
    response_model=schemas.AgreementRead,
    operation_id="put_sharing_agreement",
    summary="For the municipality's administrator: what it shares with the police area "
    "(categories, precision, free text); every change is kept as a version",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def put_sharing_agreement(
    id: PathId,
    municipality_id: MunicipalityId,
    body: schemas.AgreementPut,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.AgreementRead:
    return service.put_agreement(session, id, municipality_id, body, actor=actor)


@router.get(
    "/police-areas/{id}/agreements/{municipality_id}/versions",
    response_model=list[schemas.AgreementVersionRead],
    operation_id="list_sharing_agreement_versions",
    summary="Every change of the agreement: who, when, before and after; newest first",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def list_sharing_agreement_versions(
    id: PathId, municipality_id: MunicipalityId, session: SessionDep, actor: ActorDep
) -> list[schemas.AgreementVersionRead]:
    return service.list_agreement_versions(session, id, municipality_id, actor=actor)


@router.get(
    "/police-areas/{id}/situation",
    response_model=schemas.PoliceAreaSituation,
    operation_id="get_police_area_situation",
    summary="The police area's lägesbild: per municipality what its agreement shares in the "
    "period (categories, at its precision, free text only where agreed), side by side",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def get_police_area_situation(
    id: PathId,
    session: SessionDep,
    actor: ActorDep,
    first_day: Annotated[
        Day | None, Query(alias="from", description="The first local day, ÅÅÅÅ-MM-DD.")
    ] = None,
    last_day: Annotated[
        Day | None, Query(alias="to", description="The last local day, ÅÅÅÅ-MM-DD.")
    ] = None,
) -> schemas.PoliceAreaSituation:
    return situation.situation(session, id, first_day=first_day, last_day=last_day, actor=actor)

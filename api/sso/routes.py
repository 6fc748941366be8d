from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from api.accounts import schemas as account_schemas
from api.accounts import totp
from api.deps import ActorDep, SessionDep, SettingsDep
from api.errors import DomainError
from api.problems import domain_problem, problem_responses
from api.schemas_common import QueryId
from api.sso import schemas, service

router = APIRouter()
PathId = Annotated[QueryId, Path()]
SETTINGS = "/municipalities/{municipality_id}/oidc"


@router.get(
    "/auth/oidc",
    response_model=list[schemas.OidcChoice],
    operation_id="list_oidc_choices",
    summary="The municipalities whose people may sign in through their identity provider",
    responses=problem_responses(503),
)
def list_oidc_choices(session: SessionDep) -> list[schemas.OidcChoice]:
    return service.choices(session)


@router.post(
    "/auth/oidc/start",
    response_model=schemas.OidcStarted,
    operation_id="start_oidc_sign_in",
    summary="Begin an OpenID Connect sign-in: the provider's URL and the sealed flow to keep",
    responses=problem_responses(400, 404, 422, 502, 503),
)
def start_oidc_sign_in(
    body: schemas.OidcStart, session: SessionDep, settings: SettingsDep
) -> schemas.OidcStarted:
    return service.start(session, body, settings=settings)


@router.post(
    "/auth/oidc/finish",
    response_model=account_schemas.TokenRead,
    status_code=201,
    operation_id="finish_oidc_sign_in",
    summary="Finish an OpenID Connect sign-in with the provider's answer; a new bearer token",
    responses=problem_responses(400, 401, 403, 404, 422, 502, 503),
)
def finish_oidc_sign_in(
    request: Request,
    body: schemas.OidcFinish,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
) -> account_schemas.TokenRead | Response:
    outcome = service.finish(session, body, actor=actor, settings=settings)
    if isinstance(outcome, DomainError):
        # Returned, not raised: the refusal's line in the audit log is committed with it.
        return domain_problem(request, outcome)
    return totp.token_read(outcome, settings)


@router.get(
    SETTINGS,
    response_model=schemas.OidcSettingsRead,
    operation_id="get_oidc_settings",
    summary="A municipality's identity provider (the client secret is never answered)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_oidc_settings(
    municipality_id: PathId, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> schemas.OidcSettingsRead:
    return service.get_settings(session, municipality_id, actor=actor, settings=settings)


@router.put(
    SETTINGS,
    response_model=schemas.OidcSettingsRead,
    operation_id="set_oidc_settings",
    summary="Register or change a municipality's identity provider",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def set_oidc_settings(
    municipality_id: PathId,
    body: schemas.OidcSettingsWrite,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
) -> schemas.OidcSettingsRead:
    return service.put_settings(session, municipality_id, body, actor=actor, settings=settings)


@router.delete(
    SETTINGS,
    status_code=204,
    operation_id="delete_oidc_settings",
    summary="Remove a municipality's identity provider (its linked identities stay)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def delete_oidc_settings(municipality_id: PathId, session: SessionDep, actor: ActorDep) -> Response:
    service.delete_settings(session, municipality_id, actor=actor)
    return Response(status_code=204)


@router.get(
    SETTINGS + "/group-mappings",
    response_model=list[schemas.GroupMappingRead],
    operation_id="list_oidc_group_mappings",
    summary="The provider's group claims mapped to EST groups and roles",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_oidc_group_mappings(
    municipality_id: PathId, session: SessionDep, actor: ActorDep
) -> list[schemas.GroupMappingRead]:
    return service.list_mappings(session, municipality_id, actor=actor)


@router.post(
    SETTINGS + "/group-mappings",
    response_model=schemas.GroupMappingRead,
    status_code=201,
    operation_id="create_oidc_group_mapping",
    summary="Map a value of the provider's groups claim to an EST group and role",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def create_oidc_group_mapping(
    municipality_id: PathId,
    body: schemas.GroupMappingCreate,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.GroupMappingRead:
    return service.create_mapping(session, municipality_id, body, actor=actor)


@router.delete(
    SETTINGS + "/group-mappings/{mapping_id}",
    status_code=204,
    operation_id="delete_oidc_group_mapping",
    summary="Remove a group mapping (the memberships it gave go at each person's next sign-in)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def delete_oidc_group_mapping(
    municipality_id: PathId, mapping_id: PathId, session: SessionDep, actor: ActorDep
) -> Response:
    service.delete_mapping(session, municipality_id, mapping_id, actor=actor)
    return Response(status_code=204)

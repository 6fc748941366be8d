# No `from __future__ import annotations`: the settings routes are made per protocol
# (``_settings_routes``), and FastAPI reads their types from the annotations made then.
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel

from api.accounts import schemas as account_schemas
from api.accounts import service as account_service
from api.accounts import totp
from api.deps import ActorDep, SessionDep, SettingsDep
from api.errors import DomainError
from api.problems import domain_problem, problem_responses
from api.schemas_common import QueryId
from api.sso import schemas, service

router = APIRouter()
PathId = Annotated[QueryId, Path()]
MAPPINGS = "/municipalities/{municipality_id}/sso/group-mappings"


@router.get(
    "/auth/sso",
    response_model=list[schemas.SignInChoice],
    operation_id="list_sign_in_choices",
    summary="The municipalities whose people may sign in through their identity provider",
    responses=problem_responses(503),
)
def list_sign_in_choices(session: SessionDep) -> list[schemas.SignInChoice]:
    return service.choices(session)


class _SamlWhenUsed:
    """api.sso.saml, imported at its first use: pysaml2 (some 40 MB) stays out of the
    server's memory until a municipality signs in with SAML (the issue's ceiling on the
    server's peak memory)."""

    def __getattr__(self, name: str) -> Any:
        from api.sso import saml as loaded

        return getattr(loaded, name)


saml: Any = _SamlWhenUsed()


def _sign_in_routes(
    protocol: str, label: str, started: type[BaseModel], answer: type[BaseModel], module: Any
) -> None:
    """The two steps of a sign-in through a provider of one protocol: start (where to send
    the browser, and the sealed flow to keep) and finish (the provider's answer with the
    flow; a bearer token, or the refusal)."""

    # Looked up at each call, so that a module loaded at its first use stays unloaded.
    def start(body: schemas.SignInStart, session: SessionDep, settings: SettingsDep) -> started:  # type: ignore[valid-type]
        begin: Callable[..., BaseModel] = module.start
        return begin(session, body, settings=settings)

    def finish(
        request: Request,
        body: answer,  # type: ignore[valid-type]
        session: SessionDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> account_schemas.TokenRead | Response:
        end: Callable[..., account_service.SignedIn | DomainError] = module.finish
        outcome = end(session, body, actor=actor, settings=settings)
        if isinstance(outcome, DomainError):
            # Returned, not raised: the refusal's line in the audit log is committed with it.
            return domain_problem(request, outcome)
        return totp.token_read(outcome, settings)

    router.post(
        f"/auth/{protocol}/start",
        response_model=started,
        operation_id=f"start_{protocol}_sign_in",
        summary=f"Begin a {label} sign-in: where to send the browser, and the sealed flow",
        responses=problem_responses(400, 404, 422, 502, 503),
    )(start)
    router.post(
        f"/auth/{protocol}/finish",
        response_model=account_schemas.TokenRead,
        status_code=201,
        operation_id=f"finish_{protocol}_sign_in",
        summary=f"Finish a {label} sign-in with the provider's answer; a new bearer token",
        responses=problem_responses(400, 401, 403, 404, 422, 502, 503),
    )(finish)


_sign_in_routes("oidc", "OpenID Connect", schemas.OidcStarted, schemas.OidcFinish, service)
_sign_in_routes("saml", "SAML 2.0", schemas.SamlStarted, schemas.SamlFinish, saml)


@router.get(
    schemas.SAML_METADATA_ROUTE,
    operation_id="get_saml_metadata",
    summary="A municipality's SAML service provider metadata (XML), for its IdP or federation",
    response_class=Response,
    responses={
        200: {"content": {"application/samlmetadata+xml": {}}},
        **problem_responses(404, 422, 503),
    },
)
def get_saml_metadata(
    municipality_id: PathId, session: SessionDep, settings: SettingsDep
) -> Response:
    xml = saml.metadata(session, municipality_id, settings=settings)
    return Response(xml, media_type="application/samlmetadata+xml")


def _settings_routes(
    protocol: str,
    label: str,
    read: type[BaseModel],
    write: type[BaseModel],
    module: Any,
) -> None:
    """GET, PUT and DELETE of a municipality's identity provider of one protocol."""
    path = f"/municipalities/{{municipality_id}}/{protocol}"

    # Looked up at each call, as in _sign_in_routes.
    def get_settings(
        municipality_id: PathId, session: SessionDep, actor: ActorDep, settings: SettingsDep
    ) -> read:  # type: ignore[valid-type]
        get: Callable[..., BaseModel] = module.get_settings
        return get(session, municipality_id, actor=actor, settings=settings)

    def set_settings(
        municipality_id: PathId,
        body: write,  # type: ignore[valid-type]
        session: SessionDep,
        actor: ActorDep,
        settings: SettingsDep,
    ) -> read:  # type: ignore[valid-type]
        put: Callable[..., BaseModel] = module.put_settings
        return put(session, municipality_id, body, actor=actor, settings=settings)

    def delete_settings(municipality_id: PathId, session: SessionDep, actor: ActorDep) -> Response:
        remove: Callable[..., None] = module.delete_settings
        remove(session, municipality_id, actor=actor)
        return Response(status_code=204)

    router.get(
        path,
        response_model=read,
        operation_id=f"get_{protocol}_settings",
        summary=f"A municipality's {label} identity provider (no secret is ever answered)",
        responses=problem_responses(401, 403, 404, 422, 503),
    )(get_settings)
    router.put(
        path,
        response_model=read,
        operation_id=f"set_{protocol}_settings",
        summary=f"Register or change a municipality's {label} identity provider",
        responses=problem_responses(400, 401, 403, 404, 422, 502, 503),
    )(set_settings)
    router.delete(
        path,
        status_code=204,
        operation_id=f"delete_{protocol}_settings",
        summary=f"Remove a municipality's {label} identity provider (linked identities stay)",
        responses=problem_responses(401, 403, 404, 422, 503),
    )(delete_settings)


_settings_routes(
    "oidc", "OpenID Connect", schemas.OidcSettingsRead, schemas.OidcSettingsWrite, service
)
_settings_routes("saml", "SAML 2.0", schemas.SamlSettingsRead, schemas.SamlSettingsWrite, saml)


@router.get(
    MAPPINGS,
    response_model=list[schemas.GroupMappingRead],
    operation_id="list_sso_group_mappings",
    summary="The identity providers' groups mapped to EST groups and roles (every protocol)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_sso_group_mappings(
    municipality_id: PathId, session: SessionDep, actor: ActorDep
) -> list[schemas.GroupMappingRead]:
    return service.list_mappings(session, municipality_id, actor=actor)


@router.post(
    MAPPINGS,
    response_model=schemas.GroupMappingRead,
    status_code=201,
    operation_id="create_sso_group_mapping",
    summary="Map a group at the identity provider to an EST group and role",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def create_sso_group_mapping(
    municipality_id: PathId,
    body: schemas.GroupMappingCreate,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.GroupMappingRead:
    return service.create_mapping(session, municipality_id, body, actor=actor)


@router.delete(
    MAPPINGS + "/{mapping_id}",
    status_code=204,
    operation_id="delete_sso_group_mapping",
    summary="Remove a group mapping (the memberships it gave go at each person's next sign-in)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def delete_sso_group_mapping(
    municipality_id: PathId, mapping_id: PathId, session: SessionDep, actor: ActorDep
) -> Response:
    service.delete_mapping(session, municipality_id, mapping_id, actor=actor)
    return Response(status_code=204)

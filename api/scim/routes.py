"""SCIM 2.0 at /scim/v2 (beside the API, not under /api/v1, as directories expect), and the
administrator's SCIM tokens under the API. The SCIM routes answer application/scim+json and
their errors as SCIM errors (api.scim.protocol.ScimResponses)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import ActorDep, SessionDep
from api.problems import problem_responses
from api.routing import shown
from api.schemas_common import QueryId
from api.scim import discovery, groups, schemas, service, tokens
from api.scim.protocol import SCIM_PREFIX, Listing, scim_error_body
from api.scim.schemas import MEDIA_TYPE

router = APIRouter()
scim_router = APIRouter()
PathId = Annotated[QueryId, Path()]
ScimId = Annotated[str, Path(alias="id", max_length=40)]
FilterQuery = Annotated[str | None, Query(alias="filter", max_length=500)]
StartIndex = Annotated[int, Query(alias="startIndex", ge=-(2**31), le=2**31)]
Count = Annotated[int | None, Query(ge=-(2**31), le=2**31)]
Excluded = Annotated[str | None, Query(alias="excludedAttributes", max_length=500)]
Attributes = Annotated[str | None, Query(max_length=500)]
TOKENS = "/municipalities/{municipality_id}/scim-tokens"
# What the SCIM routes answer, in SCIM's media type (ScimResponses below): a resource or a
# list of them, and every refusal as a SCIM error (a 422 becomes SCIM's 400).
_SCIM_ERROR = {
    "type": "object",
    "properties": {
        "schemas": {"type": "array", "items": {"type": "string"}},
        "status": {"type": "string"},
        "scimType": {"type": "string"},
        "detail": {"type": "string"},
    },
}
ANSWERS: dict[int | str, dict[str, Any]] = {
    **{
        status: {"description": "A SCIM resource or list", "content": {MEDIA_TYPE: {"schema": {}}}}
        for status in (200, 201)
    },
    **{
        status: {**answer, "content": {MEDIA_TYPE: {"schema": _SCIM_ERROR}}}
        for status, answer in problem_responses(400, 401, 403, 404, 409, 413, 429, 503).items()
    },
}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + SCIM_PREFIX


# The administrator's tokens ----------------------------------------------------------------


@router.get(
    TOKENS,
    response_model=list[schemas.ScimTokenRead],
    operation_id="list_scim_tokens",
    summary="A municipality's SCIM tokens (never the tokens themselves)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_scim_tokens(
    municipality_id: PathId, session: SessionDep, actor: ActorDep
) -> list[schemas.ScimTokenRead]:
    records = tokens.list_tokens(session, municipality_id, actor=actor)
    return [shown(schemas.ScimTokenRead, r) for r in records]


@router.post(
    TOKENS,
    response_model=schemas.ScimTokenCreated,
    status_code=201,
    operation_id="create_scim_token",
    summary="Create the token a municipality's directory provisions with; shown this once",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def create_scim_token(
    request: Request,
    municipality_id: PathId,
    body: schemas.ScimTokenCreate,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.ScimTokenCreated:
    token, record = tokens.create_token(session, municipality_id, body, actor=actor)
    read = shown(schemas.ScimTokenRead, record)
    return schemas.ScimTokenCreated(**read.model_dump(), token=token, tenant_url=_base(request))


@router.post(
    TOKENS + "/{token_id}/revoke",
    response_model=schemas.ScimTokenRead,
    operation_id="revoke_scim_token",
    summary="Revoke a SCIM token at once",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def revoke_scim_token(
    municipality_id: PathId, token_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.ScimTokenRead:
    record = tokens.revoke_token(session, municipality_id, token_id, actor=actor)
    return shown(schemas.ScimTokenRead, record)


# Discovery -----------------------------------------------------------------------------------


@scim_router.get(
    "/ServiceProviderConfig",
    operation_id="scim_service_provider_config",
    summary="SCIM: what the service supports",
    responses=ANSWERS,
)
def scim_service_provider_config(request: Request) -> dict[str, Any]:
    return discovery.service_provider_config(_base(request))


@scim_router.get(
    "/ResourceTypes",
    operation_id="scim_resource_types",
    summary="SCIM: the resource types (User, Group)",
    responses=ANSWERS,
)
def scim_resource_types(request: Request) -> dict[str, Any]:
    return discovery.resource_types(_base(request))


@scim_router.get(
    "/Schemas",
    operation_id="scim_schemas",
    summary="SCIM: the attributes EST keeps",
    responses=ANSWERS,
)
def scim_schemas(request: Request) -> dict[str, Any]:
    return discovery.schemas_document(_base(request))


# Users ---------------------------------------------------------------------------------------


@scim_router.get(
    "/Users",
    operation_id="scim_list_users",
    summary="SCIM: the municipality's accounts, filtered by userName or externalId",
    responses=ANSWERS,
)
def scim_list_users(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    filter_text: FilterQuery = None,
    start_index: StartIndex = 1,
    count: Count = None,
) -> dict[str, Any]:
    listing = Listing(filter_text, start_index, count)
    return service.list_users(session, listing, actor=actor, base=_base(request))


@scim_router.post(
    "/Users",
    status_code=201,
    operation_id="scim_create_user",
    summary="SCIM: make an account (or take over the municipality's own with that userName)",
    responses=ANSWERS,
)
def scim_create_user(
    request: Request,
    response: Response,
    body: schemas.ScimUserIn,
    session: SessionDep,
    actor: ActorDep,
) -> dict[str, Any]:
    made = service.create_user(session, body, actor=actor, base=_base(request))
    response.headers["Location"] = made["meta"]["location"]
    return made


@scim_router.get(
    "/Users/{id}", operation_id="scim_get_user", summary="SCIM: an account", responses=ANSWERS
)
def scim_get_user(
    request: Request, ident: ScimId, session: SessionDep, actor: ActorDep
) -> dict[str, Any]:
    return service.get_user(session, ident, actor=actor, base=_base(request))


@scim_router.put(
    "/Users/{id}",
    operation_id="scim_replace_user",
    summary="SCIM: replace an account's attributes",
    responses=ANSWERS,
)
def scim_replace_user(
    request: Request,
    ident: ScimId,
    body: schemas.ScimUserIn,
    session: SessionDep,
    actor: ActorDep,
) -> dict[str, Any]:
    return service.replace_user(session, ident, body, actor=actor, base=_base(request))


@scim_router.patch(
    "/Users/{id}",
    operation_id="scim_patch_user",
    summary="SCIM: change an account; active false deactivates it and ends its sessions",
    responses=ANSWERS,
)
def scim_patch_user(
    request: Request,
    ident: ScimId,
    body: schemas.PatchRequest,
    session: SessionDep,
    actor: ActorDep,
) -> dict[str, Any]:
    return service.patch_user(session, ident, body, actor=actor, base=_base(request))


@scim_router.delete(
    "/Users/{id}",
    status_code=204,
    operation_id="scim_delete_user",
    summary="SCIM: delete an account: deactivated and kept, no longer the directory's",
    responses=ANSWERS,
)
def scim_delete_user(ident: ScimId, session: SessionDep, actor: ActorDep) -> Response:
    service.delete_user(session, ident, actor=actor)
    return Response(status_code=204)


# Groups --------------------------------------------------------------------------------------


@scim_router.get(
    "/Groups",
    operation_id="scim_list_groups",
    summary="SCIM: the directory's groups, filtered by displayName or externalId",
    responses=ANSWERS,
)
def scim_list_groups(
    request: Request,
    session: SessionDep,
    filter_text: FilterQuery = None,
    start_index: StartIndex = 1,
    count: Count = None,
    excluded: Excluded = None,
    attributes: Attributes = None,
) -> dict[str, Any]:
    return groups.list_groups(
        session,
        Listing(filter_text, start_index, count),
        excluded=excluded,
        attributes=attributes,
        base=_base(request),
    )


@scim_router.post(
    "/Groups",
    status_code=201,
    operation_id="scim_create_group",
    summary="SCIM: a directory group; its members get the EST memberships its mappings give",
    responses=ANSWERS,
)
def scim_create_group(
    request: Request,
    response: Response,
    body: schemas.ScimGroupIn,
    session: SessionDep,
    actor: ActorDep,
) -> dict[str, Any]:
    made = groups.create_group(session, body, actor=actor, base=_base(request))
    response.headers["Location"] = made["meta"]["location"]
    return made


@scim_router.get(
    "/Groups/{id}", operation_id="scim_get_group", summary="SCIM: a group", responses=ANSWERS
)
def scim_get_group(
    request: Request,
    ident: ScimId,
    session: SessionDep,
    excluded: Excluded = None,
    attributes: Attributes = None,
) -> dict[str, Any]:
    return groups.get_group(
        session, ident, excluded=excluded, attributes=attributes, base=_base(request)
    )


@scim_router.put(
    "/Groups/{id}",
    operation_id="scim_replace_group",
    summary="SCIM: replace a group's name and members",
    responses=ANSWERS,
)
def scim_replace_group(
    request: Request,
    ident: ScimId,
    body: schemas.ScimGroupIn,
    session: SessionDep,
    actor: ActorDep,
) -> dict[str, Any]:
    return groups.replace_group(session, ident, body, actor=actor, base=_base(request))


@scim_router.patch(
    "/Groups/{id}",
    operation_id="scim_patch_group",
    summary="SCIM: change a group: its name, members added or removed",
    responses=ANSWERS,
)
def scim_patch_group(
    request: Request,
    ident: ScimId,
    body: schemas.PatchRequest,
    session: SessionDep,
    actor: ActorDep,
) -> dict[str, Any]:
    return groups.patch_group(session, ident, body, actor=actor, base=_base(request))


@scim_router.delete(
    "/Groups/{id}",
    status_code=204,
    operation_id="scim_delete_group",
    summary="SCIM: delete a group; the memberships it gave go",
    responses=ANSWERS,
)
def scim_delete_group(ident: ScimId, session: SessionDep) -> Response:
    groups.delete_group(session, ident)
    return Response(status_code=204)


# The protocol over HTTP ----------------------------------------------------------------------


class ScimResponses:
    """On the SCIM routes: every answer in SCIM's media type, and every error (a domain
    error, a body that fails its schema, an unknown address, an overload) as a SCIM error,
    from the same problem+json the rest of the API answers, so that one set of handlers
    (api.problems, the audit log of refusals) serves both."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == SCIM_PREFIX or path.startswith(SCIM_PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        chunks: list[bytes] = []

        async def send_scim(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                kind = dict(headers).get(b"content-type", b"")
                if kind.startswith(b"application/problem+json"):
                    held = message
                    return
                message["headers"] = [
                    (name, MEDIA_TYPE.encode() if name == b"content-type" and value.startswith(
                        b"application/json") else value)
                    for name, value in headers
                ]  # fmt: skip
                await send(message)
                return
            if held is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            status = int(held["status"])
            try:
                problem = json.loads(b"".join(chunks) or b"{}")
            except ValueError:
                problem = {}
            body = json.dumps(scim_error_body(status, problem), ensure_ascii=False).encode()
            headers = [
                (name, value)
                for name, value in held.get("headers", [])
                if name not in (b"content-type", b"content-length")
            ] + [
                (b"content-type", MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ]
            await send({**held, "status": 400 if status == 422 else status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_scim)

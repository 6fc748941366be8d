"""Routes every resource of the structure shares, made once: list, get, create, update,
deactivate and activate. A domain's ``routes.py`` says which schemas and service functions.

No ``from __future__ import annotations`` here: FastAPI reads the endpoints' annotations,
which name the schemas passed in, and strings could not be resolved from this module."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel

from api.deps import ActorDep, SessionDep
from api.pagination import PageResult
from api.problems import problem_responses
from api.resources import (
    Resource,
    create_record,
    get_record,
    list_records,
    set_active,
    update_record,
)
from api.schemas_common import ListQuery, Page, QueryId


def page(request: Request, result: PageResult[Any], schema: type[BaseModel]) -> dict[str, Any]:
    next_link = None
    if result.next_cursor is not None:
        url = request.url.include_query_params(cursor=result.next_cursor)
        next_link = f"{url.path}?{url.query}"
    return {"items": [schema.model_validate(item) for item in result.items], "next": next_link}


def add_resource_routes(
    router: APIRouter,
    resource: Resource[Any],
    *,
    path: str,
    noun: str,
    read: type[BaseModel],
    create: type[BaseModel],
    update: type[BaseModel],
    filters: type[ListQuery],
    id_name: str = "id",
    id_type: Any = QueryId,
) -> None:
    """``noun``/plural in English for operation ids; the path parameter is ``{id_name}``."""
    plural = path.strip("/").replace("-", "_")
    item = f"{path}/{{{id_name}}}"
    IdParam = Annotated[id_type, Path(alias=id_name)]
    ReadModel: Any = read
    not_found = problem_responses(404, 422, 503)

    @router.get(
        path,
        response_model=Page[ReadModel],
        operation_id=f"list_{plural}",
        summary=f"List {plural}",
        responses=problem_responses(422, 503),
    )
    def list_(
        request: Request,
        query: Annotated[filters, Query()],  # type: ignore[valid-type]
        session: SessionDep,
        actor: ActorDep,
    ) -> dict[str, Any]:
        return page(request, list_records(session, resource, query, actor=actor), read)

    @router.get(
        item,
        response_model=ReadModel,
        operation_id=f"get_{noun}",
        summary=f"Get a {noun}",
        responses=not_found,
    )
    def get(ident: IdParam, session: SessionDep, actor: ActorDep) -> Any:
        return get_record(session, resource, ident, actor=actor)

    @router.post(
        path,
        response_model=ReadModel,
        status_code=201,
        operation_id=f"create_{noun}",
        summary=f"Create a {noun}",
        responses=problem_responses(400, 409, 422, 503),
    )
    def create_(
        request: Request,
        response: Response,
        body: create,  # type: ignore[valid-type]
        session: SessionDep,
        actor: ActorDep,
    ) -> Any:
        record = create_record(session, resource, body, actor=actor)
        key = getattr(record, resource.key.key)
        response.headers["Location"] = f"{request.url.path}/{key}"
        return record

    @router.patch(
        item,
        response_model=ReadModel,
        operation_id=f"update_{noun}",
        summary=f"Change a {noun}; only the fields sent change",
        responses=problem_responses(400, 404, 409, 422, 503),
    )
    def update_(
        ident: IdParam,
        body: update,  # type: ignore[valid-type]
        session: SessionDep,
        actor: ActorDep,
    ) -> Any:
        return update_record(session, resource, ident, body, actor=actor)

    @router.post(
        f"{item}/deactivate",
        response_model=ReadModel,
        operation_id=f"deactivate_{noun}",
        summary=f"Deactivate a {noun}; it is kept, since history refers to it",
        responses=problem_responses(404, 409, 422, 503),
    )
    def deactivate(ident: IdParam, session: SessionDep, actor: ActorDep) -> Any:
        return set_active(session, resource, ident, False, actor=actor)

    @router.post(
        f"{item}/activate",
        response_model=ReadModel,
        operation_id=f"activate_{noun}",
        summary=f"Activate a deactivated {noun}",
        responses=not_found,
    )
    def activate(ident: IdParam, session: SessionDep, actor: ActorDep) -> Any:
        return set_active(session, resource, ident, True, actor=actor)

"""What every domain's routes share: where the API is (``API_PREFIX``, and ``location`` for a
new record's ``Location``), how a handler answers its schema (``shown``, ``read_by`` with the
caller's rights on the record, ``page`` for a list), the ``If-Match`` header, and the routes
every resource of the structure has, made once (list, get, create, update, deactivate,
activate): a domain's ``routes.py`` says which schemas and service functions.

No ``from __future__ import annotations`` here: FastAPI reads the endpoints' annotations,
which name the schemas passed in, and strings could not be resolved from this module."""

from collections.abc import Callable, Iterable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel

from api.actor import Actor
from api.audit.schemas import Purpose
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

# Where the API's routes are: every Location it answers is built from here (a list's next
# link from the request itself, so that it is where the client asked).
API_PREFIX = "/api/v1"

ReadT = TypeVar("ReadT", bound=BaseModel)


def location(path: str) -> str:
    """The ``Location`` of a record made at ``path`` (below the API prefix, e.g.
    ``/meetings/5``)."""
    return f"{API_PREFIX}{path}"


def shown(schema: type[ReadT], record: Any) -> ReadT:
    """A record as the route answers it: handlers return their schema, never the ORM object."""
    return schema.model_validate(record, from_attributes=True)


def all_shown(schema: type[ReadT], records: Iterable[Any]) -> list[ReadT]:
    return [shown(schema, record) for record in records]


def read_by(resource: Resource[Any], schema: type[ReadT], record: Any, actor: Actor) -> ReadT:
    """A record of a generic resource as the caller reads it: with what they may do with it,
    where the resource says (``Resource.rights``)."""
    read = shown(schema, record)
    if resource.rights is None:
        return read
    return read.model_copy(update=resource.rights(record, actor))


def page(request: Request, result: PageResult[Any], schema: type[ReadT]) -> Page[ReadT]:
    next_link = None
    if result.next_cursor is not None:
        url = request.url.include_query_params(cursor=result.next_cursor)
        next_link = f"{url.path}?{url.query}"
    return Page[schema](  # type: ignore[valid-type]
        items=all_shown(schema, result.items), next=next_link
    )


def add_list_route(
    router: APIRouter,
    resource: Resource[Any],
    *,
    path: str,
    read: type[BaseModel],
    filters: type[ListQuery],
    summary: str | None = None,
) -> None:
    """``GET path``: the resource's records in the caller's scope, filtered, a page at a time."""
    plural = path.strip("/").replace("-", "_")
    ReadModel: Any = read

    @router.get(
        path,
        response_model=Page[ReadModel],
        operation_id=f"list_{plural}",
        summary=summary or f"List {plural}",
        responses=problem_responses(401, 403, 422, 503),
    )
    def list_(
        request: Request,
        query: Annotated[filters, Query()],  # type: ignore[valid-type]
        session: SessionDep,
        actor: ActorDep,
    ) -> Page[BaseModel]:
        result = list_records(session, resource, query, actor=actor)
        items = [read_by(resource, read, record, actor) for record in result.items]
        return page(request, PageResult(items, result.next_cursor), read)


# The generic service steps, in the shape of ``create_with``, ``update_with`` and
# ``activate_with``.


def _create(resource: Resource[Any]) -> Callable[..., Any]:
    def step(session: Any, body: Any, *, actor: Any) -> Any:
        return create_record(session, resource, body, actor=actor)

    return step


def _update(resource: Resource[Any]) -> Callable[..., Any]:
    def step(session: Any, ident: Any, body: Any, *, actor: Any) -> Any:
        return update_record(session, resource, ident, body, actor=actor)

    return step


def _set_active(resource: Resource[Any]) -> Callable[..., Any]:
    def step(session: Any, ident: Any, active: bool, *, actor: Any) -> Any:
        return set_active(session, resource, ident, active, actor=actor)

    return step


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
    create_with: Callable[..., Any] | None = None,
    update_with: Callable[..., Any] | None = None,
    activate_with: Callable[..., Any] | None = None,
) -> None:
    """``noun``/plural in English for operation ids; the path parameter is ``{id_name}``.
    ``create_with``, ``update_with`` and ``activate_with`` replace the generic service steps
    where a resource needs more (a user's password): ``(session, [ident,] body|active, *,
    actor)``."""
    item = f"{path}/{{{id_name}}}"
    IdParam = Annotated[id_type, Path(alias=id_name)]
    ReadModel: Any = read
    not_found = problem_responses(401, 403, 404, 422, 503)
    creates = create_with or _create(resource)
    updates = update_with or _update(resource)
    activates = activate_with or _set_active(resource)

    add_list_route(router, resource, path=path, read=read, filters=filters)

    @router.get(
        item,
        response_model=ReadModel,
        operation_id=f"get_{noun}",
        summary=f"Get a {noun}",
        responses=not_found,
    )
    def get(ident: IdParam, session: SessionDep, actor: ActorDep) -> BaseModel:
        return read_by(resource, read, get_record(session, resource, ident, actor=actor), actor)

    @router.post(
        path,
        response_model=ReadModel,
        status_code=201,
        operation_id=f"create_{noun}",
        summary=f"Create a {noun}",
        responses=problem_responses(401, 403, 400, 409, 422, 503),
    )
    def create_(
        response: Response,
        body: create,  # type: ignore[valid-type]
        session: SessionDep,
        actor: ActorDep,
    ) -> BaseModel:
        record = creates(session, body, actor=actor)
        response.headers["Location"] = location(f"{path}/{getattr(record, resource.key.key)}")
        return read_by(resource, read, record, actor)

    @router.patch(
        item,
        response_model=ReadModel,
        operation_id=f"update_{noun}",
        summary=f"Change a {noun}; only the fields sent change",
        responses=problem_responses(401, 403, 400, 404, 409, 422, 503),
    )
    def update_(
        ident: IdParam,
        body: update,  # type: ignore[valid-type]
        session: SessionDep,
        actor: ActorDep,
    ) -> BaseModel:
        return read_by(resource, read, updates(session, ident, body, actor=actor), actor)

    @router.post(
        f"{item}/deactivate",
        response_model=ReadModel,
        operation_id=f"deactivate_{noun}",
        summary=f"Deactivate a {noun}; it is kept, since history refers to it",
        responses=problem_responses(401, 403, 404, 409, 422, 503),
    )
    def deactivate(ident: IdParam, session: SessionDep, actor: ActorDep) -> BaseModel:
        return read_by(resource, read, activates(session, ident, False, actor=actor), actor)

    @router.post(
        f"{item}/activate",
        response_model=ReadModel,
        operation_id=f"activate_{noun}",
        summary=f"Activate a deactivated {noun}",
        responses=not_found,
    )
    def activate(ident: IdParam, session: SessionDep, actor: ActorDep) -> BaseModel:
        return read_by(resource, read, activates(session, ident, True, actor=actor), actor)


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description="The `ETag` of the document as you read it; 412 if someone saved since.",
    ),
]


# A read made for a printout (#17-d): the web says so, and the API logs it as an export.
PurposeQuery = Annotated[
    Purpose | None,
    Query(
        description="`pdf` or `print` when the read is made for a PDF or a print view: the "
        "read is then logged as an export (the web passes it)."
    ),
]

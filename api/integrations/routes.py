from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, Response, UploadFile
from pydantic import WithJsonSchema

from api.accounts.schemas import SourceName
from api.actor import Actor
from api.deps import ActorDep, SessionDep
from api.errors import TooLarge
from api.integrations import engine, feed, imports, mappings, schemas
from api.problems import problem_responses
from api.routing import all_shown, location, shown
from api.schemas_common import MAX_ID, QueryId, Timestamp

router = APIRouter()
PathId = Annotated[QueryId, Path()]


def _importer(actor: ActorDep) -> Actor:
    # Before the upload is read and validated: a person who may not import is told so, not
    # that their form was wrong.
    imports.may_import(actor)
    return actor


ImporterDep = Annotated[Actor, Depends(_importer)]


@router.post(
    "/integrations/{source}/incidents:batch",
    response_model=schemas.BatchResult,
    operation_id="push_incidents",
    summary=f"For a service token: up to {schemas.MAX_BATCH} incidents, each created, updated, "
    "unchanged or rejected by its own id",
    responses=problem_responses(400, 401, 403, 413, 422, 503),
)
def push_incidents(
    source: Annotated[SourceName, Path()],
    body: schemas.Batch,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.BatchResult:
    if len(body.incidents) > schemas.MAX_BATCH:
        raise TooLarge(
            f"En sändning tar högst {schemas.MAX_BATCH} händelser; den här hade "
            f"{len(body.incidents)}. Dela upp den."
        )
    return engine.push(session, source, body, actor=actor)


@router.get(
    "/integrations/{source}/changes",
    response_model=schemas.ChangePage,
    operation_id="list_changes",
    summary="For a service token: the incidents changed here since a point, oldest change "
    "first, in the shape of a batch item, to pull back",
    responses=problem_responses(401, 403, 422, 503),
)
def list_changes(
    source: Annotated[SourceName, Path()],
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    updated_since: Annotated[
        Timestamp | None, Query(description="Changes at or after this time (first call).")
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=200, description="From the previous answer: resumes there.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> schemas.ChangePage:
    lag = dt.timedelta(seconds=request.app.state.settings.feed_lag_seconds)
    rows, end = feed.changes(
        session, source, actor=actor, updated_since=updated_since, cursor=cursor, limit=limit,
        lag=lag,
    )  # fmt: skip
    following = None
    if len(rows) == limit:
        url = request.url.remove_query_params("updated_since").include_query_params(cursor=end)
        following = f"{url.path}?{url.query}"
    return schemas.ChangePage(items=[feed.change(r) for r in rows], next=following, cursor=end)


@router.get(
    "/category-mappings",
    response_model=list[schemas.MappingRead],
    operation_id="list_category_mappings",
    summary="The sources' names for our categories",
    responses=problem_responses(401, 403, 422, 503),
)
def list_category_mappings(
    session: SessionDep,
    actor: ImporterDep,
    source: Annotated[SourceName | None, Query(description="One source's only.")] = None,
) -> list[schemas.MappingRead]:
    return all_shown(schemas.MappingRead, mappings.list_mappings(session, source, actor=actor))


@router.put(
    "/category-mappings",
    response_model=schemas.MappingRead,
    operation_id="put_category_mapping",
    summary="Map a source's name to a category (a new name, or a new category for it)",
    responses={
        201: {"description": "A new mapping."},
        **problem_responses(400, 401, 403, 422, 503),
    },
)
def put_category_mapping(
    body: schemas.MappingPut, session: SessionDep, actor: ImporterDep, response: Response
) -> schemas.MappingRead:
    mapping, created = mappings.put_mapping(session, body, actor=actor)
    if created:
        response.status_code = 201
    return shown(schemas.MappingRead, mapping)


@router.delete(
    "/category-mappings/{mapping_id}",
    status_code=204,
    operation_id="delete_category_mapping",
    summary="Remove a mapping: the source's name is unknown again",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def delete_category_mapping(
    mapping_id: PathId, session: SessionDep, actor: ImporterDep
) -> Response:
    mappings.delete_mapping(session, mapping_id, actor=actor)
    return Response(status_code=204)


@router.post(
    "/imports",
    response_model=schemas.ImportRead,
    status_code=201,
    operation_id="create_import",
    summary="Upload a mapping tool's export (CSV or GeoJSON): it is read and previewed, "
    "nothing is imported until it is confirmed",
    responses=problem_responses(400, 401, 403, 413, 422, 503),
)
def create_import(
    session: SessionDep,
    actor: ImporterDep,
    response: Response,
    file: Annotated[UploadFile, File(description="The export: .csv, .geojson or .json.")],
    source: Annotated[SourceName, Form(description="Which tool it comes from, e.g. embrace.")],
    # A form field arrives as text, as a query parameter does, and cannot be null: left out
    # instead.
    organisation_id: Annotated[
        QueryId | None,
        Form(description="The organisation of the rows that name none."),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID}),
    ] = None,
) -> schemas.ImportRead:
    kept = imports.upload(
        session,
        source,
        # Read from where the server spooled it (on disk past 1 MB), never held whole.
        file.file,
        file.filename or "fil",
        organisation_id=organisation_id,
        actor=actor,
    )
    response.headers["Location"] = location(f"/imports/{kept.id}")
    return imports.read_import(kept)


@router.get(
    "/imports/{import_id}",
    response_model=schemas.ImportRead,
    operation_id="get_import",
    summary="An uploaded export: its preview, and once confirmed, what was imported",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_import(import_id: PathId, session: SessionDep, actor: ImporterDep) -> schemas.ImportRead:
    return imports.read_import(imports.get_import(session, import_id, actor=actor))


@router.post(
    "/imports/{import_id}/confirm",
    response_model=schemas.ImportRead,
    operation_id="confirm_import",
    summary="Import the previewed file: rows are created, updated or left unchanged by id",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def confirm_import(
    import_id: PathId, session: SessionDep, actor: ImporterDep
) -> schemas.ImportRead:
    return imports.read_import(imports.confirm(session, import_id, actor=actor))

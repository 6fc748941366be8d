from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from api.audit import service as audit
from api.deps import ActorDep, SessionDep, SettingsDep, actor_session
from api.idempotency import IdempotencyDep
from api.incidents import export, readings, schemas, service, withdrawal
from api.problems import problem_responses
from api.routing import all_shown, location, page, shown
from api.schemas_common import ListQuery, Page, QueryId

router = APIRouter()
PathId = Annotated[QueryId, Path()]


def _source(
    client: Annotated[
        str | None,
        Header(
            alias="X-EST-Client",
            max_length=20,
            description="`web` from the web front end; otherwise the report's source is `api`.",
        ),
    ] = None,
) -> str:
    return "web" if client == "web" else "api"


@router.post(
    "/reports",
    response_model=schemas.ReportRead,
    status_code=201,
    operation_id="create_report",
    summary="File a report of one or several incidents",
    responses=problem_responses(400, 401, 403, 409, 422, 503),
)
def create_report(
    body: schemas.ReportCreate,
    session: SessionDep,
    actor: ActorDep,
    idempotency: IdempotencyDep,
    source: Annotated[str, Depends(_source)],
) -> JSONResponse:
    def file() -> schemas.ReportRead:
        report = service.create_report(session, body, actor=actor, source=source)
        return service.read_report(session, report, list(report.incidents), actor=actor)

    return idempotency.answer(body, file, location=location("/reports/{id}"))


@router.get(
    "/reports/{report_id}",
    response_model=schemas.ReportRead,
    operation_id="get_report",
    summary="A report and its incidents",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_report(report_id: PathId, session: SessionDep, actor: ActorDep) -> schemas.ReportRead:
    report, incidents = service.get_report(session, report_id, actor=actor)
    audit.record_readings(session, [incident.id for incident in incidents])
    return service.read_report(session, report, incidents, actor=actor)


@router.get(
    "/incidents",
    response_model=Page[schemas.IncidentRead],
    operation_id="list_incidents",
    summary="Incidents in the caller's scope, newest filed first, with filters",
    responses=problem_responses(401, 403, 422, 503),
)
def list_incidents(
    request: Request,
    query: Annotated[schemas.IncidentFilter, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> Page[schemas.IncidentRead]:
    found = service.list_incidents(session, query, actor=actor)
    # A page of up to 200 with their descriptions: paged through, the whole municipality.
    export.record(session, query, "list", actor=actor, rows=len(found.items))
    return page(request, found, schemas.IncidentRead)


@router.get(
    "/incidents.geojson",
    operation_id="incidents_geojson",
    summary="The filtered incidents as a GeoJSON FeatureCollection (RFC 7946), streamed",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"application/geo+json": {"schema": {"type": "object"}}},
            "description": "A FeatureCollection; incidents without a point have no geometry.",
        },
        **problem_responses(401, 403, 422, 503),
    },
)
def incidents_geojson(
    request: Request,
    query: Annotated[schemas.IncidentFilter, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> StreamingResponse:
    export.record(session, query, "geojson", actor=actor)

    def body() -> Iterator[str]:
        # Its own session: the request's is committed and closed before the body is sent.
        with actor_session(request, actor, write=False) as reading:
            yield from export.geojson_chunks(reading, query, actor=actor)

    return StreamingResponse(body(), media_type="application/geo+json")


@router.get(
    "/incidents.csv",
    operation_id="incidents_csv",
    summary="The filtered incidents as CSV for Swedish Excel (;, UTF-8 with BOM), streamed",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "One row per incident, headed as the import reads them.",
        },
        **problem_responses(401, 403, 422, 503),
    },
)
def incidents_csv(
    request: Request,
    query: Annotated[schemas.IncidentFilter, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> StreamingResponse:
    export.record(session, query, "csv", actor=actor)

    def body() -> Iterator[str]:
        with actor_session(request, actor, write=False) as reading:
            yield from export.csv_lines(reading, query, actor=actor)

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": export.csv_disposition(session, query)},
    )


@router.get(
    "/incidents/{incident_id}",
    response_model=schemas.IncidentRead,
    operation_id="get_incident",
    summary="An incident, with the incidents that may describe the same event",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_incident(incident_id: PathId, session: SessionDep, actor: ActorDep) -> schemas.IncidentRead:
    incident = service.get_incident(session, incident_id, actor=actor)
    audit.record_readings(session, [incident.id])
    return service.read(session, incident, actor=actor)


@router.patch(
    "/incidents/{incident_id}",
    response_model=schemas.IncidentRead,
    operation_id="update_incident",
    summary="Correct an incident (the reporter, a convener over its area, administrators)",
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def update_incident(
    incident_id: PathId, body: schemas.IncidentUpdate, session: SessionDep, actor: ActorDep
) -> schemas.IncidentRead:
    incident = service.update_incident(session, incident_id, body, actor=actor)
    return service.read(session, incident, actor=actor)


@router.post(
    "/incidents/{incident_id}/withdraw",
    response_model=schemas.IncidentRead,
    operation_id="withdraw_incident",
    summary="Withdraw an incident with a reason: kept, but gone from lists and figures",
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def withdraw_incident(
    incident_id: PathId,
    body: schemas.Withdrawal,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
) -> schemas.IncidentRead:
    incident = service.withdraw_incident(session, incident_id, body, actor=actor, settings=settings)
    return service.read(session, incident, actor=actor)


@router.post(
    "/incidents/{incident_id}/restore",
    response_model=schemas.IncidentRead,
    operation_id="restore_incident",
    summary="Take a withdrawal back (not one for personal data, whose text is gone)",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def restore_incident(
    incident_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.IncidentRead:
    incident = withdrawal.restore_incident(session, incident_id, actor=actor)
    return service.read(session, incident, actor=actor)


@router.get(
    "/incidents/{incident_id}/history",
    response_model=list[schemas.IncidentVersionRead],
    operation_id="list_incident_history",
    summary="The incident's earlier versions, newest first",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_incident_history(
    incident_id: PathId, session: SessionDep, actor: ActorDep
) -> list[schemas.IncidentVersionRead]:
    versions = service.history(session, incident_id, actor=actor)
    return all_shown(schemas.IncidentVersionRead, versions)


@router.get(
    "/incidents/{incident_id}/readers",
    response_model=Page[schemas.IncidentReaderRead],
    operation_id="list_incident_readers",
    summary="Who has read the incident's detail, and when, newest first (the audit log's readers)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_incident_readers(
    request: Request,
    incident_id: PathId,
    query: Annotated[ListQuery, Query()],
    session: SessionDep,
) -> Page[schemas.IncidentReaderRead]:
    found = readings.readers(session, incident_id, query)
    return page(request, found, schemas.IncidentReaderRead)


@router.post(
    "/incidents/{incident_id}/matches/{match_id}/undo",
    response_model=schemas.MatchRead,
    operation_id="undo_incident_match",
    summary="Undo a police report's match to an observation: the lägesbild counts both again",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def undo_incident_match(
    incident_id: PathId, match_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.MatchRead:
    return shown(schemas.MatchRead, service.undo_match(session, incident_id, match_id, actor=actor))

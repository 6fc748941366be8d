from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import JSONResponse

from api.accounts.schemas import SourceName
from api.deps import ActorDep, SessionDep
from api.guards import schemas, service
from api.idempotency import IdempotencyDep
from api.problems import problem_responses
from api.routing import location
from api.schemas_common import QueryId
from api.situation.schemas import Day

router = APIRouter()
PathId = Annotated[QueryId, Path()]


@router.put(
    "/integrations/{source}/guard-reports/{day}",
    response_model=schemas.GuardReportPushResult,
    operation_id="put_guard_report",
    summary="For a guard company's service token: the day's report (rounds, summary, what was "
    "seen); sent again it replaces the day's, its observations by their ids",
    responses={
        201: {"description": "The day's first report."},
        **problem_responses(400, 401, 403, 409, 422, 503),
    },
)
def put_guard_report(
    source: Annotated[SourceName, Path()],
    day: Annotated[Day, Path(description="The local day reported, ÅÅÅÅ-MM-DD.")],
    body: schemas.GuardReportPush,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
) -> schemas.GuardReportPushResult:
    result = service.push(session, source, day, body, actor=actor)
    if result.created:
        response.status_code = 201
    response.headers["Location"] = location(f"/guard-reports/{result.guard_report.id}")
    return result


@router.post(
    "/guard-reports",
    response_model=schemas.GuardReportRead,
    status_code=201,
    operation_id="create_guard_report",
    summary="The guard company's report of a day, on the form by its own people",
    responses=problem_responses(400, 401, 403, 409, 422, 503),
)
def create_guard_report(
    body: schemas.GuardReportCreate,
    session: SessionDep,
    actor: ActorDep,
    idempotency: IdempotencyDep,
) -> JSONResponse:
    def file() -> schemas.GuardReportRead:
        return service.read(session, service.create(session, body, actor=actor))

    return idempotency.answer(body, file, location=location("/guard-reports/{id}"))


@router.get(
    "/guard-reports",
    response_model=schemas.GuardReportList,
    operation_id="list_guard_reports",
    summary="The guard reports the caller reads, newest day first",
    responses=problem_responses(401, 403, 422, 503),
)
def list_guard_reports(
    session: SessionDep,
    actor: ActorDep,
    first: Annotated[Day | None, Query(alias="from", description="From this day.")] = None,
    last: Annotated[Day | None, Query(alias="to", description="To this day, included.")] = None,
    organisation: Annotated[QueryId | None, Query(description="One company's only.")] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIST)] = 60,
) -> schemas.GuardReportList:
    return service.list_reports(
        session, first=first, last=last, organisation_id=organisation, limit=limit, actor=actor
    )


@router.get(
    "/guard-reports/{guard_report_id}",
    response_model=schemas.GuardReportRead,
    operation_id="get_guard_report",
    summary="A guard report: its rounds, summary and observations",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_guard_report(
    guard_report_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.GuardReportRead:
    return service.read_logged(session, service.get(session, guard_report_id, actor=actor))

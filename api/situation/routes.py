from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from api.actor import Actor
from api.audit import service as audit
from api.deps import ActorDep, SessionDep, SettingsDep
from api.problems import problem_responses
from api.routing import IfMatch, PurposeQuery, all_shown, location
from api.schemas_common import QueryId
from api.situation import schemas, service, versions, yearly
from api.situation.models import SituationReport

router = APIRouter()
PathId = Annotated[QueryId, Path()]
Day = Annotated[schemas.Day | None, Query()]


def _read(
    session: Session, report: SituationReport, actor: Actor, response: Response
) -> schemas.SituationReportRead:
    response.headers["ETag"] = service.etag(report)
    return yearly.read(session, report, actor=actor)


@router.get(
    "/groups/{group_id}/situation",
    response_model=schemas.Figures,
    operation_id="get_group_figures",
    summary="A group's figures for a period, computed now (default: since its last lägesbild)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_group_figures(
    group_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    first_day: Day = None,
    last_day: Day = None,
) -> schemas.Figures:
    return service.live_figures(session, group_id, first_day, last_day, actor=actor)


@router.get(
    "/groups/{group_id}/situation-reports",
    response_model=list[schemas.SituationReportSummary],
    operation_id="list_situation_reports",
    summary="A group's lägesbilder, newest period first, every version",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_situation_reports(
    group_id: PathId, session: SessionDep, actor: ActorDep
) -> list[schemas.SituationReportSummary]:
    reports = service.list_reports(session, group_id, actor=actor)
    return all_shown(schemas.SituationReportSummary, reports)


@router.post(
    "/groups/{group_id}/situation-reports",
    response_model=schemas.SituationReportRead,
    status_code=201,
    operation_id="create_situation_report",
    summary="Start a draft lägesbild for a period, or (kind year) the municipality's yearly "
    "lägesbild under lag 2023:196 (409 when the group has one of those days)",
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def create_situation_report(
    group_id: PathId,
    body: schemas.SituationReportCreate,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
) -> schemas.SituationReportRead:
    report = yearly.create_report(session, group_id, body, actor=actor)
    response.headers["Location"] = location(f"/situation-reports/{report.id}")
    return _read(session, report, actor, response)


@router.get(
    "/situation-reports/{report_id}",
    response_model=schemas.SituationReportRead,
    operation_id="get_situation_report",
    summary="A lägesbild: its text, figures (frozen once published), roll-up and versions",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_situation_report(
    report_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    purpose: PurposeQuery = None,
) -> schemas.SituationReportRead:
    read = _read(session, service.get_report(session, report_id, actor=actor), actor, response)
    audit.record_printout(
        session, purpose, object_type="situation_reports", object_id=report_id,
        asked={"group": read.group_id, "first_day": read.first_day, "last_day": read.last_day,
               "version": read.version},
        rows=read.figures.total.current,
    )  # fmt: skip
    return read


@router.patch(
    "/situation-reports/{report_id}",
    response_model=schemas.SituationReportRead,
    operation_id="update_situation_report",
    summary="Change a draft's text or period; needs If-Match",
    responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428, 503),
)
def update_situation_report(
    report_id: PathId,
    body: schemas.SituationReportUpdate,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> schemas.SituationReportRead:
    report = yearly.update_report(session, report_id, body, if_match=if_match, actor=actor)
    return _read(session, report, actor, response)


@router.post(
    "/situation-reports/{report_id}/publish",
    response_model=schemas.SituationReportRead,
    operation_id="publish_situation_report",
    summary="Publish a draft: its figures, incidents and analysis are frozen from now on",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 503),
)
def publish_situation_report(
    report_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> schemas.SituationReportRead:
    report = yearly.publish(
        session,
        report_id,
        if_match=if_match,
        actor=actor,
        analysis_cell_m=settings.analysis_cell_m,
    )
    return _read(session, report, actor, response)


@router.post(
    "/situation-reports/{report_id}/versions",
    response_model=schemas.SituationReportRead,
    status_code=201,
    operation_id="create_situation_report_version",
    summary="Start a new version (a draft) of a published lägesbild",
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def create_situation_report_version(
    report_id: PathId, session: SessionDep, actor: ActorDep, response: Response
) -> schemas.SituationReportRead:
    report = service.new_version(session, report_id, actor=actor)
    response.headers["Location"] = location(f"/situation-reports/{report.id}")
    return _read(session, report, actor, response)


@router.get(
    "/situation-reports/{report_id}/incidents",
    response_model=list[schemas.IncidentBrief],
    operation_id="list_situation_report_incidents",
    summary="The incidents a lägesbild counts (as frozen when it was published)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_situation_report_incidents(
    report_id: PathId, session: SessionDep, actor: ActorDep
) -> list[schemas.IncidentBrief]:
    return service.incidents(session, report_id, actor=actor)


@router.get(
    "/situation-reports/{report_id}/comparison/{other_id}",
    response_model=schemas.Comparison,
    operation_id="compare_situation_reports",
    summary="What changed between two versions of a lägesbild",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def compare_situation_reports(
    report_id: PathId, other_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.Comparison:
    return versions.compare(session, report_id, other_id, actor=actor)

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.analysis import frozen, schemas
from api.deps import ActorDep, SessionDep, SettingsDep
from api.problems import problem_responses
from api.schemas_common import QueryId
from api.situation.schemas import Day

router = APIRouter()
PathId = Annotated[QueryId, Path()]


@router.get(
    "/groups/{group_id}/analysis",
    response_model=schemas.Analysis,
    operation_id="get_group_analysis",
    summary="Hot spots, unusual weeks, near-repeat and reporting of a group's scope and period",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_group_analysis(
    group_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    first_day: Annotated[Day | None, Query(alias="from")] = None,
    last_day: Annotated[Day | None, Query(alias="to")] = None,
    cell_m: Annotated[int | None, Query(ge=25, le=2000)] = None,
) -> schemas.Analysis:
    from api.analysis import service  # SciPy is loaded where used (api.interventions.effect)

    return service.analyse(
        session,
        group_id,
        first_day,
        last_day,
        actor=actor,
        cell_m=cell_m or settings.analysis_cell_m,
    )


@router.get(
    "/situation-reports/{report_id}/analysis",
    response_model=schemas.Analysis,
    operation_id="get_situation_report_analysis",
    summary="A published lägesbild's analysis, as it was when it was published (404 for a draft)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_situation_report_analysis(
    report_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.Analysis:
    return frozen.of_report(session, report_id, actor=actor)

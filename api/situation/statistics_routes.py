from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, UploadFile

from api.deps import ActorDep, SessionDep
from api.problems import problem_responses
from api.schemas_common import Name, QueryId
from api.situation import police_statistics, schemas

router = APIRouter()
MunicipalityId = Annotated[QueryId, Path()]
Year = Annotated[int, Path(ge=1900, le=2099)]
BASE = "/municipalities/{municipality_id}/police-statistics"


@router.get(
    BASE,
    response_model=schemas.PoliceStatisticsOverview,
    operation_id="get_police_statistics_overview",
    summary="The years of the police's statistics of reported crime entered for the "
    "municipality (for its yearly lägesbild)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_police_statistics_overview(
    municipality_id: MunicipalityId, session: SessionDep, actor: ActorDep
) -> schemas.PoliceStatisticsOverview:
    return police_statistics.overview(session, municipality_id, actor=actor)


@router.get(
    f"{BASE}/{{year}}",
    response_model=schemas.PoliceStatisticsYear,
    operation_id="get_police_statistics",
    summary="The police's statistics of reported crime of a year: a count per offence",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_police_statistics(
    municipality_id: MunicipalityId, year: Year, session: SessionDep, actor: ActorDep
) -> schemas.PoliceStatisticsYear:
    return police_statistics.read_year(session, municipality_id, year, actor=actor)


@router.put(
    f"{BASE}/{{year}}",
    response_model=schemas.PoliceStatisticsYear,
    operation_id="put_police_statistics",
    summary="Set a year's police statistics: the rows replace what was entered for the year",
    responses=problem_responses(400, 401, 403, 404, 422, 503),
)
def put_police_statistics(
    municipality_id: MunicipalityId,
    year: Year,
    body: schemas.PoliceStatisticsWrite,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.PoliceStatisticsYear:
    return police_statistics.put_year(session, municipality_id, year, body, actor=actor)


@router.post(
    BASE,
    response_model=schemas.PoliceStatisticsImported,
    operation_id="import_police_statistics",
    summary="Import Brå's CSV export of reported crime (Brottstyp;År;Antal): its years "
    "replace what was entered for them; every bad row is answered with its line (422)",
    responses=problem_responses(400, 401, 403, 404, 413, 422, 503),
)
def import_police_statistics(
    municipality_id: MunicipalityId,
    session: SessionDep,
    actor: ActorDep,
    file: Annotated[UploadFile, File(description="Brå's export, CSV with a header row.")],
    source: Annotated[
        Name, Form(description="Where the figures come from.")
    ] = police_statistics.DEFAULT_SOURCE,
) -> schemas.PoliceStatisticsImported:
    # Within the request body's limit (api.settings.max_body_bytes): a few hundred rows.
    data = file.file.read()
    return police_statistics.import_csv(session, municipality_id, data, source=source, actor=actor)

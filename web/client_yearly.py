"""The API calls of the yearly lägesbild (lag 2023:196) and the police's statistics it shows:
functions taking the client, beside web.client (which stays below the size the modules
keep)."""

from __future__ import annotations

from typing import Any

from api.situation.schemas import (
    PoliceStatisticsImported,
    PoliceStatisticsOverview,
    PoliceStatisticsYear,
    SituationReportRead,
)
from web.client import V1, ApiClient


async def create_yearly(api: ApiClient, group_id: int, year: int | str) -> SituationReportRead:
    return await api._send(
        "POST",
        f"{V1}/groups/{group_id}/situation-reports",
        SituationReportRead,
        {"kind": "year", "year": year},
    )


def _statistics(municipality_id: int) -> str:
    return f"{V1}/municipalities/{municipality_id}/police-statistics"


async def police_overview(api: ApiClient, municipality_id: int) -> PoliceStatisticsOverview:
    return await api._get(_statistics(municipality_id), PoliceStatisticsOverview)


async def police_year(api: ApiClient, municipality_id: int, year: int) -> PoliceStatisticsYear:
    return await api._get(f"{_statistics(municipality_id)}/{year}", PoliceStatisticsYear)


async def put_police_year(
    api: ApiClient, municipality_id: int, year: int, rows: list[dict[str, Any]]
) -> PoliceStatisticsYear:
    return await api._send(
        "PUT", f"{_statistics(municipality_id)}/{year}", PoliceStatisticsYear, {"rows": rows}
    )


async def import_police(
    api: ApiClient, municipality_id: int, data: bytes, filename: str, source: str
) -> PoliceStatisticsImported:
    response = await api._request(
        "POST",
        _statistics(municipality_id),
        files={"file": (filename, data, "text/csv")},
        data={"source": source},
    )
    return PoliceStatisticsImported.model_validate_json(response.content)

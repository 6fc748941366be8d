"""The API calls of the guard company's daily reports (#19): the list, one report, and the
form's report. Functions taking the client, beside web.client (which stays below the size
the modules keep)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.guards.schemas import GuardReportList, GuardReportRead
from web.client import V1, ApiClient


async def guard_reports(
    api: ApiClient,
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    organisation: int | None = None,
) -> GuardReportList:
    response = await api._request(
        "GET",
        f"{V1}/guard-reports",
        params={
            "from": first.isoformat() if first else None,
            "to": last.isoformat() if last else None,
            "organisation": organisation,
        },
    )
    return GuardReportList.model_validate_json(response.content)


async def guard_report(api: ApiClient, guard_report_id: int) -> GuardReportRead:
    return await api._get(f"{V1}/guard-reports/{guard_report_id}", GuardReportRead)


async def file_guard_report(api: ApiClient, body: dict[str, Any], *, key: str) -> GuardReportRead:
    response = await api._request(
        "POST", f"{V1}/guard-reports", json=body, headers={"Idempotency-Key": key}
    )
    return GuardReportRead.model_validate_json(response.content)

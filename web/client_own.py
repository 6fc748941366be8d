"""The API calls of a person's own things (#18): their reports and what came of them, taking a
withdrawal back, their account's choices. Functions taking the client, beside web.client
(which stays below the size the modules keep)."""

from __future__ import annotations

from pydantic import TypeAdapter

from api.accounts.schemas import Me
from api.incidents.schemas import IncidentRead
from api.interventions.schemas import OwnReport
from api.schemas_common import Page
from web.client import V1, ApiClient

_OWN_REPORTS = TypeAdapter(Page[OwnReport])


async def own_reports(api: ApiClient, *, limit: int = 20) -> list[OwnReport]:
    """The latest ``limit``: the start page shows no more."""
    response = await api._request("GET", f"{V1}/me/reports", params={"limit": limit})
    return _OWN_REPORTS.validate_json(response.content).items


async def mark_report_seen(api: ApiClient, incident_id: int) -> None:
    await api._request("POST", f"{V1}/me/reports/{incident_id}/seen")


async def restore_incident(api: ApiClient, incident_id: int) -> IncidentRead:
    return await api._send("POST", f"{V1}/incidents/{incident_id}/restore", IncidentRead, None)


async def update_me(api: ApiClient, *, feedback_email: bool) -> Me:
    return await api._send("PATCH", f"{V1}/auth/me", Me, {"feedback_email": feedback_email})

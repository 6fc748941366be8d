"""The API calls of night walks (#19): the associations' hosts, booking and reporting walks,
and the grant report. Functions taking the client, beside web.client (which stays below the
size the modules keep)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from api.audit.schemas import Purpose
from api.nightwalks.schemas import GrantReport, HostRead, NightWalkRead, WalkBooking
from api.schemas_common import Page
from web.client import V1, ApiClient

_WALKS = TypeAdapter(Page[NightWalkRead])
# The walks a page lists at most (the newest booked first).
LISTED = 100


async def booking(api: ApiClient) -> WalkBooking:
    return await api._get(f"{V1}/night-walks/booking", WalkBooking)


async def walks(api: ApiClient, **filters: Any) -> list[NightWalkRead]:
    response = await api._request("GET", f"{V1}/night-walks", params={"limit": LISTED, **filters})
    return _WALKS.validate_json(response.content).items


async def walk(api: ApiClient, walk_id: int) -> NightWalkRead:
    return await api._get(f"{V1}/night-walks/{walk_id}", NightWalkRead)


async def book(api: ApiClient, body: dict[str, Any]) -> NightWalkRead:
    return await api._send("POST", f"{V1}/night-walks", NightWalkRead, body)


async def update(api: ApiClient, walk_id: int, body: dict[str, Any]) -> NightWalkRead:
    return await api._send("PATCH", f"{V1}/night-walks/{walk_id}", NightWalkRead, body)


async def report(api: ApiClient, walk_id: int, body: dict[str, Any]) -> NightWalkRead:
    return await api._send("POST", f"{V1}/night-walks/{walk_id}/report", NightWalkRead, body)


async def hosts(api: ApiClient, organisation_id: int) -> list[HostRead]:
    return await api._all(f"{V1}/associations/{organisation_id}/hosts", HostRead, limit=200)


async def add_host(api: ApiClient, organisation_id: int, body: dict[str, Any]) -> HostRead:
    return await api._send("POST", f"{V1}/associations/{organisation_id}/hosts", HostRead, body)


async def update_host(
    api: ApiClient, organisation_id: int, host_id: int, body: dict[str, Any]
) -> HostRead:
    path = f"{V1}/associations/{organisation_id}/hosts/{host_id}"
    return await api._send("PATCH", path, HostRead, body)


async def grants(api: ApiClient, term: str, *, purpose: Purpose | None = None) -> GrantReport:
    return await api._get(f"{V1}/night-walks/grants", GrantReport, term=term, purpose=purpose)


async def grants_csv(api: ApiClient, term: str) -> bytes:
    response = await api._request("GET", f"{V1}/night-walks/grants.csv", params={"term": term})
    return response.content

"""The API calls of the evenings in the field (#19): the list, an evening's briefing and
shifts, planning the next weekend, and the suggestions of places and hours to watch.
Functions taking the client, beside web.client (which stays below the size modules keep)."""

from __future__ import annotations

from typing import Any

from api.evenings.schemas import EveningRead, EveningSuggestions, NextWeekendResult
from api.schemas_common import Page
from web.client import V1, ApiClient


async def evenings(api: ApiClient, **filters: Any) -> Page[EveningRead]:
    """One page of evenings: ``when`` (upcoming, past, all), ``from``, ``to``, ``area``."""
    response = await api._request("GET", f"{V1}/evenings", params=filters)
    return Page[EveningRead].model_validate_json(response.content)


async def evening(api: ApiClient, evening_id: int) -> tuple[EveningRead, str]:
    """The evening and its ETag, to send back with a change."""
    response = await api._request("GET", f"{V1}/evenings/{evening_id}")
    return EveningRead.model_validate_json(response.content), response.headers.get("ETag", "")


async def create_evening(api: ApiClient, body: dict[str, Any]) -> EveningRead:
    return await api._send("POST", f"{V1}/evenings", EveningRead, body)


async def update_evening(
    api: ApiClient, evening_id: int, body: dict[str, Any], *, etag: str
) -> EveningRead:
    response = await api._request(
        "PATCH", f"{V1}/evenings/{evening_id}", json=body, headers={"If-Match": etag or "*"}
    )
    return EveningRead.model_validate_json(response.content)


async def close_evening(api: ApiClient, evening_id: int) -> EveningRead:
    return await api._send("POST", f"{V1}/evenings/{evening_id}/close", EveningRead, None)


async def plan_next_weekend(api: ApiClient, area_id: int | None) -> NextWeekendResult:
    return await api._send(
        "POST", f"{V1}/evenings/next-weekend", NextWeekendResult, {"area_id": area_id}
    )


async def suggestions(api: ApiClient, evening_id: int) -> EveningSuggestions:
    return await api._get(f"{V1}/evenings/{evening_id}/suggestions", EveningSuggestions)

"""The API calls of an evening's live log (#19): read it, post in it, make a post an
observation, and follow it as it is written. Functions taking the client, beside web.client
(which stays below the size the modules keep)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.evenings.schemas import LogPostRead, LogRead
from api.incidents.schemas import IncidentRead
from web.client import V1, ApiClient

# The API sends a comment every 15 seconds; a stream quiet for much longer is gone.
STREAM_READ_SECONDS = 45.0


async def evening_log(api: ApiClient, evening_id: int, *, after: int | None = None) -> LogRead:
    return await api._get(f"{V1}/evenings/{evening_id}/log", LogRead, after=after)


async def post_in_log(
    api: ApiClient, evening_id: int, body: dict[str, Any], *, key: str
) -> LogPostRead:
    response = await api._request(
        "POST", f"{V1}/evenings/{evening_id}/log", json=body, headers={"Idempotency-Key": key}
    )
    return LogPostRead.model_validate_json(response.content)


async def make_observation(
    api: ApiClient, evening_id: int, post_id: int, body: dict[str, Any]
) -> IncidentRead:
    return await api._send(
        "POST", f"{V1}/evenings/{evening_id}/log/{post_id}/observation", IncidentRead, body
    )


@dataclass
class Event:
    """One server-sent event as the API sent it (``kind`` "post", "closed"), or a comment
    (``kind`` "" and no data)."""

    kind: str
    id: str | None = None
    data: str = ""
    retry: str | None = None
    fields: dict[str, str] = field(default_factory=dict)

    def post(self) -> LogPostRead:
        return LogPostRead.model_validate(json.loads(self.data))


async def follow_log(
    api: ApiClient, evening_id: int, *, after: int | None, last_event_id: str | None
) -> AsyncGenerator[Event, None]:
    """The log's events as the API sends them; raises ApiError as the stream opens if the
    API refuses it (web.client.ApiClient.stream). The API's response is closed when the
    iteration ends or is given up."""
    response = await api.stream(
        f"{V1}/evenings/{evening_id}/log/stream",
        headers={"Last-Event-ID": last_event_id} if last_event_id is not None else None,
        patience=STREAM_READ_SECONDS,
        after=after,
    )
    return _events(response)


async def _events(response: httpx.Response) -> AsyncGenerator[Event, None]:
    try:
        lines: dict[str, str] = {}
        data: list[str] = []
        async for line in response.aiter_lines():
            if line == "":
                if lines or data:
                    yield Event(
                        kind=lines.get("event", "message"),
                        id=lines.get("id"),
                        data="\n".join(data),
                        retry=lines.get("retry"),
                        fields=lines,
                    )
                lines, data = {}, []
            elif line.startswith(":"):
                yield Event(kind="")
            else:
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "data":
                    data.append(value)
                else:
                    lines[name] = value
    except httpx.HTTPError:
        return  # the API went (or stopped): the browser reconnects
    finally:
        await response.aclose()

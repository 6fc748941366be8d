"""The API's streamed answers passed on to the browser as they arrive: the map's GeoJSON and
the list's CSV. A large export never sits in the web's memory whole; the CSV keeps the API's
content type and file name, so that what the browser saves is what the API sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from web.client import V1, ApiClient


@dataclass(frozen=True)
class Streamed:
    """An answer on its way: its body as it arrives, and the headers a browser needs."""

    chunks: AsyncIterator[bytes]
    headers: dict[str, str]


async def _chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_bytes():
            yield chunk
    finally:
        await response.aclose()


async def incidents_geojson(api: ApiClient, **filters: Any) -> AsyncIterator[bytes]:
    """The filtered incidents as GeoJSON for the map."""
    return _chunks(await api.stream(f"{V1}/incidents.geojson", **filters))


# What of the API's answer goes on to the browser: what the file is and what to call it.
_PASSED_ON = ("content-type", "content-disposition")


async def incidents_csv(api: ApiClient, **filters: Any) -> Streamed:
    """The filtered incidents as the API's CSV for Excel; the API logs it as an export."""
    response = await api.stream(f"{V1}/incidents.csv", **filters)
    headers = {name: response.headers[name] for name in _PASSED_ON if name in response.headers}
    return Streamed(_chunks(response), headers)

"""The API calls of the safety walks (#20): the walks of an area, one walk and its public
link, the residents' pins and their moderation, the findings filed on the walk with their
photos, a finding proposed as an intervention, and the walk's report. The public page's two
calls go out as nobody (the client of ``web.deps.client_of``). Functions taking the client,
beside web.client (which stays below the size modules keep)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from api.safetywalks.schemas import (
    FindingRead,
    PublicWalkRead,
    WalkInputRead,
    WalkRead,
    WalkReport,
)
from api.schemas_common import Page
from web.client import V1, ApiClient

WALKS = f"{V1}/safety-walks"
_INPUTS = TypeAdapter(list[WalkInputRead])
_FINDINGS = TypeAdapter(list[FindingRead])


async def walks(api: ApiClient, **filters: Any) -> Page[WalkRead]:
    response = await api._request("GET", WALKS, params=filters)
    return Page[WalkRead].model_validate_json(response.content)


async def walk(api: ApiClient, walk_id: int) -> WalkRead:
    return await api._get(f"{WALKS}/{walk_id}", WalkRead)


async def create_walk(api: ApiClient, body: dict[str, Any]) -> WalkRead:
    return await api._send("POST", WALKS, WalkRead, body)


async def update_walk(api: ApiClient, walk_id: int, body: dict[str, Any]) -> WalkRead:
    return await api._send("PATCH", f"{WALKS}/{walk_id}", WalkRead, body)


# The public link ------------------------------------------------------------------------------


async def public_walk(api: ApiClient, token: str) -> PublicWalkRead:
    return await api._get(f"{V1}/public/safety-walks/{token}", PublicWalkRead)


async def send_input(api: ApiClient, walk_id: int, body: dict[str, Any]) -> None:
    """A resident's pin (202: it waits for moderation, nothing to show)."""
    await api._request("POST", f"{WALKS}/{walk_id}/input", json=body)


# The pins -------------------------------------------------------------------------------------


def _list_of(content: bytes, adapter: TypeAdapter[Any]) -> Any:
    """A list answer, bare or as a page (``items``)."""
    data = TypeAdapter(Any).validate_json(content)
    return adapter.validate_python(data["items"] if isinstance(data, dict) else data)


async def inputs(api: ApiClient, walk_id: int, status: str | None = None) -> list[WalkInputRead]:
    response = await api._request("GET", f"{WALKS}/{walk_id}/input", params={"status": status})
    items: list[WalkInputRead] = _list_of(response.content, _INPUTS)
    return items


async def accept_input(api: ApiClient, walk_id: int, input_id: int) -> WalkInputRead:
    return await api._send(
        "POST", f"{WALKS}/{walk_id}/input/{input_id}/accept", WalkInputRead, None
    )


async def reject_input(
    api: ApiClient, walk_id: int, input_id: int, reason: str | None
) -> WalkInputRead:
    return await api._send(
        "POST", f"{WALKS}/{walk_id}/input/{input_id}/reject", WalkInputRead, {"reason": reason}
    )


# The findings ---------------------------------------------------------------------------------


async def findings(api: ApiClient, walk_id: int) -> list[FindingRead]:
    response = await api._request("GET", f"{WALKS}/{walk_id}/findings")
    items: list[FindingRead] = _list_of(response.content, _FINDINGS)
    return items


async def finding(api: ApiClient, walk_id: int, finding_id: int) -> FindingRead:
    return await api._get(f"{WALKS}/{walk_id}/findings/{finding_id}", FindingRead)


async def create_finding(
    api: ApiClient, walk_id: int, body: dict[str, Any], *, key: str
) -> FindingRead:
    """``key``: the form's Idempotency-Key, so that a phone sending it again files once."""
    response = await api._request(
        "POST", f"{WALKS}/{walk_id}/findings", json=body, headers={"Idempotency-Key": key}
    )
    return FindingRead.model_validate_json(response.content)


async def update_finding(
    api: ApiClient, walk_id: int, finding_id: int, body: dict[str, Any]
) -> FindingRead:
    return await api._send("PATCH", f"{WALKS}/{walk_id}/findings/{finding_id}", FindingRead, body)


async def propose_intervention(
    api: ApiClient, walk_id: int, finding_id: int, title: str | None
) -> FindingRead:
    return await api._send(
        "POST",
        f"{WALKS}/{walk_id}/findings/{finding_id}/intervention",
        FindingRead,
        {"title": title},
    )


async def report(api: ApiClient, walk_id: int) -> WalkReport:
    return await api._get(f"{WALKS}/{walk_id}/report", WalkReport)

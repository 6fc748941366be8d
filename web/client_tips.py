"""The API calls of residents' tips (#20): the public form and its sending (as nobody, with
the resident's address for the API's per-address limit), and the moderation queue.
Functions taking the client, beside web.client (which stays below the size modules keep)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from api.schemas_common import Page, Ref
from api.tips.schemas import TipForm, TipPhotoReceipt, TipRead, TipReceipt
from web.client import V1, ApiClient


async def tip_form(api: ApiClient, municipality_id: int | None = None) -> TipForm:
    params = {} if municipality_id is None else {"municipality_id": municipality_id}
    return await api._get(f"{V1}/public/tip-form", TipForm, **params)


async def public_municipalities(api: ApiClient) -> list[Ref]:
    """The municipalities a resident may address (a tip, the privacy notice), by name."""
    response = await api._request("GET", f"{V1}/public/municipalities")
    return TypeAdapter(list[Ref]).validate_json(response.content)


async def send_tip(api: ApiClient, body: dict[str, Any]) -> TipReceipt:
    return await api._send("POST", f"{V1}/public/tips", TipReceipt, body)


async def add_tip_photo(
    api: ApiClient, receipt: TipReceipt, filename: str, content: bytes, *, use_position: bool
) -> TipPhotoReceipt:
    response = await api._request(
        "POST",
        receipt.photo_url,
        data={"use_position": "true" if use_position else "false"},
        files={"file": (filename or "bild.jpg", content, "application/octet-stream")},
    )
    return TipPhotoReceipt.model_validate_json(response.content)


async def tips(
    api: ApiClient, *, status: str, cursor: str | None = None, limit: int = 50
) -> Page[TipRead]:
    response = await api._request(
        "GET", f"{V1}/tips", params={"status": status, "cursor": cursor, "limit": limit}
    )
    return Page[TipRead].model_validate_json(response.content)


async def accept_tip(api: ApiClient, tip_id: int, body: dict[str, Any]) -> TipRead:
    return await api._send("POST", f"{V1}/tips/{tip_id}/accept", TipRead, body)


async def reject_tip(api: ApiClient, tip_id: int, body: dict[str, Any]) -> TipRead:
    return await api._send("POST", f"{V1}/tips/{tip_id}/reject", TipRead, body)

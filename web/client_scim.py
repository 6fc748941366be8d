"""The API calls of SCIM provisioning (#22): a municipality's SCIM tokens, for its
administrator. Functions taking the client, beside web.client."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from api.scim.schemas import ScimTokenCreated, ScimTokenRead
from web.client import V1, ApiClient

_TOKENS = TypeAdapter(list[ScimTokenRead])


def _tokens(municipality_id: int) -> str:
    return f"{V1}/municipalities/{municipality_id}/scim-tokens"


async def tokens(api: ApiClient, municipality_id: int) -> list[ScimTokenRead]:
    response = await api._request("GET", _tokens(municipality_id))
    return _TOKENS.validate_json(response.content)


async def create(api: ApiClient, municipality_id: int, body: dict[str, Any]) -> ScimTokenCreated:
    return await api._send("POST", _tokens(municipality_id), ScimTokenCreated, body)


async def revoke(api: ApiClient, municipality_id: int, token_id: int) -> ScimTokenRead:
    return await api._send(
        "POST", _tokens(municipality_id) + f"/{token_id}/revoke", ScimTokenRead, None
    )

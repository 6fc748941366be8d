"""The API calls of single sign-on (#22): the sign-in page's choices and the two steps of an
OpenID Connect sign-in, and a municipality's identity provider and group mappings for its
administrator. Functions taking the client, beside web.client."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from api.accounts.schemas import TokenRead
from api.sso.schemas import GroupMappingRead, OidcChoice, OidcSettingsRead, OidcStarted
from web.client import V1, ApiClient

_CHOICES = TypeAdapter(list[OidcChoice])
_MAPPINGS = TypeAdapter(list[GroupMappingRead])


async def choices(api: ApiClient) -> list[OidcChoice]:
    response = await api._request("GET", f"{V1}/auth/oidc")
    return _CHOICES.validate_json(response.content)


async def start(api: ApiClient, municipality_id: int) -> OidcStarted:
    return await api._send(
        "POST", f"{V1}/auth/oidc/start", OidcStarted, {"municipality_id": municipality_id}
    )


async def finish(api: ApiClient, body: dict[str, Any]) -> TokenRead:
    return await api._send("POST", f"{V1}/auth/oidc/finish", TokenRead, body)


def _settings(municipality_id: int) -> str:
    return f"{V1}/municipalities/{municipality_id}/oidc"


async def settings(api: ApiClient, municipality_id: int) -> OidcSettingsRead:
    return await api._get(_settings(municipality_id), OidcSettingsRead)


async def set_settings(
    api: ApiClient, municipality_id: int, body: dict[str, Any]
) -> OidcSettingsRead:
    return await api._send("PUT", _settings(municipality_id), OidcSettingsRead, body)


async def mappings(api: ApiClient, municipality_id: int) -> list[GroupMappingRead]:
    response = await api._request("GET", _settings(municipality_id) + "/group-mappings")
    return _MAPPINGS.validate_json(response.content)


async def add_mapping(
    api: ApiClient, municipality_id: int, body: dict[str, Any]
) -> GroupMappingRead:
    path = _settings(municipality_id) + "/group-mappings"
    return await api._send("POST", path, GroupMappingRead, body)


async def remove_mapping(api: ApiClient, municipality_id: int, mapping_id: int) -> None:
    await api._request("DELETE", _settings(municipality_id) + f"/group-mappings/{mapping_id}")

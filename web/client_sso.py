"""The API calls of single sign-on (#22): the sign-in page's choices, the two steps of an
OpenID Connect or SAML sign-in, and a municipality's identity providers and group mappings
for its administrator. Functions taking the client, beside web.client."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from api.accounts.schemas import TokenRead
from api.sso.schemas import (
    GroupMappingRead,
    OidcSettingsRead,
    OidcStarted,
    SamlSettingsRead,
    SamlStarted,
    SignInChoice,
)
from web.client import V1, ApiClient

_CHOICES = TypeAdapter(list[SignInChoice])
_MAPPINGS = TypeAdapter(list[GroupMappingRead])


async def choices(api: ApiClient) -> list[SignInChoice]:
    response = await api._request("GET", f"{V1}/auth/sso")
    return _CHOICES.validate_json(response.content)


async def start(api: ApiClient, municipality_id: int) -> OidcStarted:
    return await api._send(
        "POST", f"{V1}/auth/oidc/start", OidcStarted, {"municipality_id": municipality_id}
    )


async def finish(api: ApiClient, body: dict[str, Any]) -> TokenRead:
    return await api._send("POST", f"{V1}/auth/oidc/finish", TokenRead, body)


async def saml_start(api: ApiClient, municipality_id: int) -> SamlStarted:
    return await api._send(
        "POST", f"{V1}/auth/saml/start", SamlStarted, {"municipality_id": municipality_id}
    )


async def saml_finish(api: ApiClient, body: dict[str, Any]) -> TokenRead:
    return await api._send("POST", f"{V1}/auth/saml/finish", TokenRead, body)


def _settings(municipality_id: int, protocol: str = "oidc") -> str:
    return f"{V1}/municipalities/{municipality_id}/{protocol}"


def _mappings(municipality_id: int) -> str:
    return f"{V1}/municipalities/{municipality_id}/sso/group-mappings"


async def settings(api: ApiClient, municipality_id: int) -> OidcSettingsRead:
    return await api._get(_settings(municipality_id), OidcSettingsRead)


async def set_settings(
    api: ApiClient, municipality_id: int, body: dict[str, Any]
) -> OidcSettingsRead:
    return await api._send("PUT", _settings(municipality_id), OidcSettingsRead, body)


async def saml_settings(api: ApiClient, municipality_id: int) -> SamlSettingsRead:
    return await api._get(_settings(municipality_id, "saml"), SamlSettingsRead)


async def set_saml_settings(
    api: ApiClient, municipality_id: int, body: dict[str, Any]
) -> SamlSettingsRead:
    return await api._send("PUT", _settings(municipality_id, "saml"), SamlSettingsRead, body)


async def mappings(api: ApiClient, municipality_id: int) -> list[GroupMappingRead]:
    response = await api._request("GET", _mappings(municipality_id))
    return _MAPPINGS.validate_json(response.content)


async def add_mapping(
    api: ApiClient, municipality_id: int, body: dict[str, Any]
) -> GroupMappingRead:
    path = _mappings(municipality_id)
    return await api._send("POST", path, GroupMappingRead, body)


async def remove_mapping(api: ApiClient, municipality_id: int, mapping_id: int) -> None:
    await api._request("DELETE", _mappings(municipality_id) + f"/{mapping_id}")

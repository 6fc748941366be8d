"""The API calls of several municipalities (#21): a municipality's own settings, for its
administrator, and the platform's municipalities, for a platform operator. Functions taking
the client, beside web.client (which stays below the size modules keep)."""

from __future__ import annotations

from typing import Any

from api.accounts.schemas import MunicipalityEstablished
from api.structure.schemas import MunicipalityRead
from web.client import V1, ApiClient


async def municipality(api: ApiClient, municipality_id: int) -> MunicipalityRead:
    return await api._get(f"{V1}/municipalities/{municipality_id}", MunicipalityRead)


async def update_municipality(
    api: ApiClient, municipality_id: int, body: dict[str, Any]
) -> MunicipalityRead:
    return await api._send(
        "PATCH", f"{V1}/municipalities/{municipality_id}", MunicipalityRead, body
    )


async def all_municipalities(api: ApiClient) -> list[MunicipalityRead]:
    """Active and inactive: the operator's list."""
    return await api.municipalities(active=None)


async def establish_municipality(api: ApiClient, body: dict[str, Any]) -> MunicipalityEstablished:
    return await api._send("POST", f"{V1}/platform/municipalities", MunicipalityEstablished, body)


async def set_municipality_active(
    api: ApiClient, municipality_id: int, active: bool
) -> MunicipalityRead:
    verb = "activate" if active else "deactivate"
    return await api._send(
        "POST", f"{V1}/municipalities/{municipality_id}/{verb}", MunicipalityRead, None
    )

"""The API calls of the police area (#21): its list, one police area, its group, the
municipalities' sharing agreements and their versions, and its federated lägesbild.
Functions taking the client, beside web.client (which stays below the size modules keep)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import TypeAdapter

from api.policeareas.schemas import (
    AgreementRead,
    AgreementVersionRead,
    MemberRead,
    PoliceAreaRead,
    PoliceAreaSituation,
)
from web.client import V1, ApiClient


async def police_areas(api: ApiClient) -> list[PoliceAreaRead]:
    """Every police area the caller reads (a list of records: a page at a time)."""
    return await api._all(f"{V1}/police-areas", PoliceAreaRead, limit=200)


async def police_area(api: ApiClient, police_area_id: int) -> PoliceAreaRead:
    return await api._get(f"{V1}/police-areas/{police_area_id}", PoliceAreaRead)


async def create_police_area(api: ApiClient, body: dict[str, Any]) -> PoliceAreaRead:
    return await api._send("POST", f"{V1}/police-areas", PoliceAreaRead, body)


async def situation(
    api: ApiClient, police_area_id: int, *, first: dt.date | None, last: dt.date | None
) -> PoliceAreaSituation:
    response = await api._request(
        "GET",
        f"{V1}/police-areas/{police_area_id}/situation",
        params={
            "from": first.isoformat() if first else None,
            "to": last.isoformat() if last else None,
        },
    )
    return PoliceAreaSituation.model_validate_json(response.content)


async def members(api: ApiClient, police_area_id: int) -> list[MemberRead]:
    response = await api._request("GET", f"{V1}/police-areas/{police_area_id}/members")
    return TypeAdapter(list[MemberRead]).validate_json(response.content)


async def put_member(api: ApiClient, police_area_id: int, email: str, role: str) -> MemberRead:
    return await api._send(
        "POST",
        f"{V1}/police-areas/{police_area_id}/members",
        MemberRead,
        {"email": email, "role": role},
    )


async def remove_member(api: ApiClient, police_area_id: int, user_id: int) -> None:
    await api._request("DELETE", f"{V1}/police-areas/{police_area_id}/members/{user_id}")


async def agreements(api: ApiClient, police_area_id: int) -> list[AgreementRead]:
    response = await api._request("GET", f"{V1}/police-areas/{police_area_id}/agreements")
    return TypeAdapter(list[AgreementRead]).validate_json(response.content)


def _agreement_path(police_area_id: int, municipality_id: int) -> str:
    return f"{V1}/police-areas/{police_area_id}/agreements/{municipality_id}"


async def agreement(api: ApiClient, police_area_id: int, municipality_id: int) -> AgreementRead:
    return await api._get(_agreement_path(police_area_id, municipality_id), AgreementRead)


async def put_agreement(
    api: ApiClient, police_area_id: int, municipality_id: int, body: dict[str, Any]
) -> AgreementRead:
    return await api._send(
        "PUT", _agreement_path(police_area_id, municipality_id), AgreementRead, body
    )


async def agreement_versions(
    api: ApiClient, police_area_id: int, municipality_id: int
) -> list[AgreementVersionRead]:
    response = await api._request(
        "GET", f"{_agreement_path(police_area_id, municipality_id)}/versions"
    )
    return TypeAdapter(list[AgreementVersionRead]).validate_json(response.content)

"""The API calls of password sign-in turned off per municipality (#22) and its break-glass
administrators, for the municipality's administrator. Functions taking the client, beside
web.client."""

from __future__ import annotations

from api.accounts.schemas import BreakGlassAdmin, PasswordSignInRead
from web.client import V1, ApiClient


def _path(municipality_id: int) -> str:
    return f"{V1}/municipalities/{municipality_id}/password-sign-in"


async def settings(api: ApiClient, municipality_id: int) -> PasswordSignInRead:
    return await api._get(_path(municipality_id), PasswordSignInRead)


async def turn(api: ApiClient, municipality_id: int, *, on: bool) -> PasswordSignInRead:
    return await api._send("PUT", _path(municipality_id), PasswordSignInRead, {"enabled": on})


async def mark(api: ApiClient, municipality_id: int, user_id: int, *, on: bool) -> BreakGlassAdmin:
    path = _path(municipality_id) + f"/break-glass/{user_id}"
    return await api._send("PUT", path, BreakGlassAdmin, {"break_glass": on})

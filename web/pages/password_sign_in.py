"""Password sign-in turned off per municipality (#22): the part of the administrator's
sign-in page (/kommun/inloggning, web.pages.sso) that turns it off and on and marks the
break-glass administrators. Mirrors ``api/accounts/password_sign_in.py``: the API decides,
its refusals (409: no identity provider, no break-glass administrator ready) stand in the
page's section."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from web import client_password_sign_in as calls
from web.deps import MunicipalityVisit, PageId
from web.forms.sending import Refused, send
from web.pages.sso import PAGE, settings_page
from web.rendering import redirect

router = APIRouter()
SECTION = "losenord"


async def _sent(
    request: Request, visit: MunicipalityVisit, call: Awaitable[object], saved: str
) -> Response:
    done = await send(call, {}, other=SECTION)
    if isinstance(done, Refused):
        return await settings_page(request, visit, errors=done.errors, status=done.status)
    return redirect(request, f"{PAGE}?sparat={saved}#{SECTION}")


@router.post(f"{PAGE}/losenord/av", response_class=HTMLResponse, name="password_sign_in_off")
async def password_sign_in_off(request: Request, visit: MunicipalityVisit) -> Response:
    assert visit.me.municipality is not None
    call = calls.turn(visit.api, visit.me.municipality.id, on=False)
    return await _sent(request, visit, call, "losenord-av")


@router.post(f"{PAGE}/losenord/pa", response_class=HTMLResponse, name="password_sign_in_on")
async def password_sign_in_on(request: Request, visit: MunicipalityVisit) -> Response:
    assert visit.me.municipality is not None
    call = calls.turn(visit.api, visit.me.municipality.id, on=True)
    return await _sent(request, visit, call, "losenord-pa")


@router.post(
    f"{PAGE}/reservadministrator/{{user_id}}/{{choice}}",
    response_class=HTMLResponse,
    name="break_glass_mark",
)
async def break_glass_mark(
    request: Request,
    visit: MunicipalityVisit,
    user_id: PageId,
    choice: Annotated[Literal["ja", "nej"], Path()],
) -> Response:
    assert visit.me.municipality is not None
    call = calls.mark(visit.api, visit.me.municipality.id, user_id, on=choice == "ja")
    return await _sent(request, visit, call, "reserv")

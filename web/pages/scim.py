"""SCIM provisioning (#22): the municipality administrator's page for the token the
municipality's directory (Entra ID's provisioning) sends, beside the sign-in settings
(``/kommun/inloggning``). Mirrors ``api/scim``; the API decides everything. A new token is
shown on the page that made it, once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.scim.schemas import ScimTokenCreated
from web import client_scim as calls
from web.deps import MunicipalityVisit, PageId
from web.forms.sending import Refused, send
from web.rendering import page, redirect, render

router = APIRouter()
PAGE = "/kommun/inloggning/scim"
FIELDS = {"organisation_id": "organisation", "days": "dagar"}
Short = Annotated[str, Form(max_length=20)]


async def _page(
    request: Request,
    visit: MunicipalityVisit,
    *,
    made: ScimTokenCreated | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    saved: str = "",
    status: int = 200,
) -> Response:
    assert visit.me.municipality is not None  # the capability says so
    municipality_id = visit.me.municipality.id
    return render(
        request,
        "scim_settings.html",
        {
            "nav": "municipality",
            "municipality": visit.me.municipality,
            "tokens": await calls.tokens(visit.api, municipality_id),
            "organisations": await visit.api.organisations(),
            "made": made,
            "tenant_url": str(request.base_url).rstrip("/") + "/scim/v2",
            "values": {"dagar": "365", **(values or {})},
            "errors": errors or {},
            "saved": saved,
        },
        status=status,
    )


@page(router, PAGE, name="scim_settings")
async def scim_settings_page(
    request: Request, visit: MunicipalityVisit, sparat: str = ""
) -> Response:
    return await _page(request, visit, saved=sparat)


@router.post(PAGE, response_class=HTMLResponse, name="scim_token_create")
async def scim_token_create(
    request: Request, visit: MunicipalityVisit, organisation: Short = "", dagar: Short = ""
) -> Response:
    assert visit.me.municipality is not None
    body = {
        "organisation_id": int(organisation) if organisation.isdigit() else None,
        "days": int(dagar) if dagar.strip().isdigit() else dagar,
    }
    made = await send(calls.create(visit.api, visit.me.municipality.id, body), FIELDS)
    if isinstance(made, Refused):
        values = {"organisation": organisation, "dagar": dagar}
        return await _page(request, visit, values=values, errors=made.errors, status=422)
    # Shown here, once: the API keeps only its hash.
    return await _page(request, visit, made=made)


@router.post(
    f"{PAGE}/{{token_id}}/aterkalla", response_class=HTMLResponse, name="scim_token_revoke"
)
async def scim_token_revoke(
    request: Request, visit: MunicipalityVisit, token_id: PageId
) -> Response:
    assert visit.me.municipality is not None
    await calls.revoke(visit.api, visit.me.municipality.id, token_id)
    return redirect(request, f"{PAGE}?sparat=aterkallad")

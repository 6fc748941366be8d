"""What the public pages (no sign-in: a resident's tip, a safety walk's public link) share:
they call the API as nobody from the resident's address, and promise nothing from a third
party, which their answers' headers hold the browser to."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from api.schemas_common import Ref
from api.settings import Settings
from web import client_tips
from web.client import ApiClient, ApiError
from web.deps import address, client_of
from web.rendering import render

# This server alone (the signed-in pages' CSP allows the CDN's htmx and Leaflet and the map
# tiles): no script, style, image or connection from elsewhere, and no form sent elsewhere.
PUBLIC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def anonymous(request: Request) -> ApiClient:
    """The API as nobody, from the resident's address: the API's per-address limit counts
    the sendings by it."""
    return client_of(request).acting_for(None, address(request))


@dataclass(frozen=True)
class Addressed:
    """The municipalities a resident may address, and the one a public page is for: the one
    chosen (``?kommun=``), else the only one; None where there are several to choose from."""

    towns: list[Ref]
    chosen: int | None

    @property
    def several(self) -> bool:
        return len(self.towns) > 1


async def addressed(request: Request, kommun: str | None, fallback: int | None = None) -> Addressed:
    """``kommun`` as the page's query gave it (one not offered counts as none); ``fallback``:
    the municipality to show where none is chosen (a signed-in person's own)."""
    towns = await client_tips.public_municipalities(anonymous(request))
    ids = [town.id for town in towns]
    chosen = int(kommun) if kommun and kommun.isdigit() and int(kommun) in ids else None
    if chosen is None and fallback in ids:
        chosen = fallback
    if chosen is None and len(ids) == 1:
        chosen = ids[0]
    return Addressed(towns, chosen)


def is_public(path: str) -> bool:
    return path == "/tipsa" or path.startswith(("/tipsa/", "/trygghetsvandring/"))


async def public_error(request: Request, status: int, title: str, detail: str) -> Response:
    """An error on a public page, on the public layout, with the way back to the form (the
    page just sent, shown afresh); never the signed-in layout, which leads to sign-in."""
    name = None  # the header says "Trygghet i kommunen" if the API cannot say the name
    with contextlib.suppress(ApiError):
        town = await addressed(request, request.query_params.get("kommun"))
        name = next((t.name for t in town.towns if t.id == town.chosen), None)
    back = request.url.path.removesuffix("/tack")
    response = render(
        request,
        "public_error.html",
        {
            "status": status,
            "title": title,
            "detail": detail,
            "back": back,
            "municipality_name": name,
        },
        status=status,
    )
    return public_answer(response)


def public_answer(response: Response) -> Response:
    """A public page's answer: held to this server, and telling no other site where the
    resident came from."""
    response.headers["Content-Security-Policy"] = PUBLIC_CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def photo_mb(settings: Settings) -> int:
    """The photo limit in whole MB, the same number wherever a page says it."""
    return settings.photo_max_bytes // (1024 * 1024)

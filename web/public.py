"""What the public pages (no sign-in: a resident's tip, a safety walk's public link) share:
they call the API as nobody from the resident's address, and promise nothing from a third
party, which their answers' headers hold the browser to."""

from __future__ import annotations

import contextlib

from fastapi import Request
from fastapi.responses import Response

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


def is_public(path: str) -> bool:
    return path == "/tipsa" or path.startswith(("/tipsa/", "/trygghetsvandring/"))


async def public_error(request: Request, status: int, title: str, detail: str) -> Response:
    """An error on a public page, on the public layout, with the way back to the form (the
    page just sent, shown afresh); never the signed-in layout, which leads to sign-in."""
    name = None  # the header says "Trygghet i kommunen" if the API cannot say the name
    with contextlib.suppress(ApiError):
        name = (await client_tips.tip_form(anonymous(request))).municipality
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

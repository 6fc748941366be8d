"""What the public pages (no sign-in: a resident's tip, a safety walk's public link) share:
they call the API as nobody from the resident's address, and promise nothing from a third
party, which their answers' headers hold the browser to."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from web.client import ApiClient
from web.deps import address, client_of

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


def public_answer(response: Response) -> Response:
    """A public page's answer: held to this server, and telling no other site where the
    resident came from."""
    response.headers["Content-Security-Policy"] = PUBLIC_CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    return response

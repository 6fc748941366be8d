"""One process: the API at ``/api`` (and the health probes), the web UI everywhere else.

The web UI still talks to the API only through its client, over ``httpx.ASGITransport``:
the same requests as in the split deployment, without a network hop.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api import problems
from api.app import create_api_app
from api.middleware import LONG_LIVED, LoadShedder, shedding
from api.settings import Settings, get_settings
from web.app import create_web_app
from web.client import ApiClient
from web.rendering import overloaded_page
from web.streaming_transport import StreamingASGITransport

# SCIM provisioning (#22) is the API's too, at /scim/v2 where directories look for it.
API_PATHS = ("/api/", "/healthz", "/readyz", "/scim/")
# What the API sees as the client address of the web app's own requests: not an address any
# network client can have, so only these may say whose request they pass on.
EMBEDDED_CLIENT = "est-web-embedded"


class ForwardedFromWeb:
    """Takes the person's address from ``X-Forwarded-For`` on the web app's requests to the
    API (for the audit log and the sign-in throttle), and from no one else's. Split, uvicorn's
    ``--forwarded-allow-ips`` does the same for the web container's address."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (scope.get("client") or ("",))[0] == EMBEDDED_CLIENT:
            forwarded = dict(scope["headers"]).get(b"x-forwarded-for", b"").decode("latin-1")
            host = forwarded.split(",")[-1].strip()
            scope = {**scope, "client": (host or "okänd", 0)}
        await self.app(scope, receive, send)


class Embedded:
    """Routes each request to the API or the web app by its path."""

    def __init__(self, api: FastAPI, web: FastAPI) -> None:
        self.api = api
        self.web = web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            # The web app's lifespan closes the client; the API's disposes the engine.
            async with self.api.router.lifespan_context(self.api):
                await self.web(scope, receive, send)
            return
        if _is_api(scope.get("path", "")):
            await self.api(scope, receive, send)
        else:
            await self.web(scope, receive, send)


def create_embedded_app(settings: Settings | None = None) -> LoadShedder:
    settings = settings or get_settings()
    # Load is shed here, at the door, once: a page's own requests to the API have been let
    # in with the page and must not queue again behind other pages.
    api = create_api_app(settings, shed_load=False)
    http = httpx.AsyncClient(
        # An error inside the API reaches the web app as a 500 response, as it would over the
        # network, not as the API's own exception.
        transport=StreamingASGITransport(
            ForwardedFromWeb(api),
            client=(EMBEDDED_CLIENT, 0),
            # An evening's live log goes on for as long as someone follows it.
            streamed=lambda path: path.endswith(LONG_LIVED),
            fallback=httpx.ASGITransport(
                app=ForwardedFromWeb(api), raise_app_exceptions=False, client=(EMBEDDED_CLIENT, 0)
            ),
        ),
        base_url="http://est-api",
        timeout=30.0,
    )
    web = create_web_app(ApiClient(http), settings, shed_load=False)
    return LoadShedder(Embedded(api, web), refuse=_overloaded, **shedding(settings))


def _overloaded(scope: Scope) -> Response:
    return problems.overloaded(scope) if _is_api(scope["path"]) else overloaded_page(scope)


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith(API_PATHS)

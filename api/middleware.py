"""ASGI middleware the API and the web front end share: security headers on every response,
and a limit on the size of request bodies."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
# JSON needs nothing to load; a browser that renders it anyway may run nothing.
API_CSP = "default-src 'none'; frame-ancestors 'none'"


class SecurityHeaders:
    """Adds the headers to every response; a handler that sets one itself (the API docs page,
    with its own CSP) keeps its own."""

    def __init__(self, app: ASGIApp, headers: Mapping[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in {**COMMON, **headers}.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + [h for h in self.headers if h[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies above ``max_bytes`` with 413, whether the client says their
    size up front or not. The refusal is an HTTPException raised where the body is read, so
    the app's own handler answers it (as problem+json in the API)."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        """``larger``: paths (exactly) that take more, such as an upload."""
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        too_large = declared.isdigit() and int(declared) > limit
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            if too_large:
                raise _refusal(limit)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _refusal(limit)
            return message

        await self.app(scope, counted, send)


def _refusal(limit: int) -> HTTPException:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} kB"
    return HTTPException(413, f"Begäran är större än {size}, det största som tas emot här.")

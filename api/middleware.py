"""ASGI middleware the API and the web front end share: security headers on every response
(and every redirect checked), limits on request bodies, and load shedding."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.json_limits import JsonLimitExceeded, JsonLimits
from api.redirects import safe_path
from api.settings import Settings

COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
# JSON needs nothing to load; a browser that renders it anyway may run nothing.
API_CSP = "default-src 'none'; frame-ancestors 'none'"


# The headers that send a browser or a client somewhere.
REDIRECTS = (b"location", b"hx-redirect")


class SecurityHeaders:
    """Adds the headers to every response; a handler that sets one itself (the API docs page,
    with its own CSP) keeps its own. Every redirect written, by a handler or by the framework
    (a path with a trailing slash), goes through the one check (``api.redirects``): a
    target off this site becomes the start page."""

    def __init__(self, app: ASGIApp, headers: Mapping[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in {**COMMON, **headers}.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, _redirect_checked(value, scope) if name.lower() in REDIRECTS else value)
                    for name, value in message.get("headers", [])
                ]
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + [h for h in self.headers if h[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


# The one target off this site a handler may send the browser to, named by the handler in
# the request's scope before it answers (a municipality's identity provider, #22:
# web.pages.sso); exactly that, in plain printable ASCII, over http(s), passes.
EXTERNAL_REDIRECT = "est.external_redirect"


def allow_external_redirect(scope: Scope, target: str) -> None:
    scope[EXTERNAL_REDIRECT] = target


def _redirect_checked(value: bytes, scope: Scope) -> bytes:
    # As a browser reads the header's bytes.
    target = value.decode("utf-8", errors="replace")
    allowed = scope.get(EXTERNAL_REDIRECT)
    if (
        allowed is not None
        and target == allowed
        and target.isascii()
        and target.isprintable()
        and " " not in target
        and urlsplit(target).scheme in ("http", "https")
    ):
        return value
    parts = urlsplit(target)
    if parts.scheme in ("http", "https") and parts.netloc == _host(scope):
        # The framework's own redirects name this site in full; only the path is kept.
        target = parts._replace(scheme="", netloc="").geturl()
    return safe_path(target).encode("ascii")


def _host(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return str(value.decode("latin-1"))
    server = scope.get("server")
    return f"{server[0]}:{server[1]}" if server else ""


class BodyLimit:
    """Refuses request bodies above ``max_bytes`` with 413, whether the client says their
    size up front or not, and a JSON body nested deeper than ``api.json_limits.MAX_DEPTH``
    with 400, as it arrives and before anything is built of it. The refusal is an
    HTTPException raised where the body is read, so the app's own handler answers it (as
    problem+json in the API)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        larger: dict[str, int] | None = None,
        larger_endings: dict[str, int] | None = None,
        before_larger: Callable[[], object] | None = None,
    ) -> None:
        """``larger``: paths (exactly) that take more, such as an upload; ``larger_endings``:
        paths ending so (a record's ``/photos``, whose path holds the record's id);
        ``before_larger``: called before a request to one of ``larger``."""
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}
        self.larger_endings = larger_endings or {}
        self.before_larger = before_larger

    def limit(self, path: str) -> int:
        if path in self.larger:
            return self.larger[path]
        ending = next((e for e in self.larger_endings if path.endswith(e)), None)
        return self.max_bytes if ending is None else self.larger_endings[ending]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope.get("path", ""))
        if self.before_larger is not None and scope.get("path", "") in self.larger:
            self.before_larger()
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"")
        too_large = declared.isdigit() and int(declared) > limit
        json = JsonLimits() if read_as_json(headers.get(b"content-type")) else None
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            if too_large:
                raise _refusal(limit)
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                seen += len(body)
                if seen > limit:
                    raise _refusal(limit)
                if json is not None:
                    try:
                        json.feed(body)
                    except JsonLimitExceeded as exc:
                        raise HTTPException(400, str(exc)) from None
            return message

        await self.app(scope, counted, send)


def read_as_json(content_type: bytes | None) -> bool:
    """Whether FastAPI reads the body as JSON: without a content type, or with a JSON one
    (of any main type, as FastAPI looks at the subtype only)."""
    if not content_type:
        return True
    subtype = content_type.split(b";", 1)[0].strip().lower().rpartition(b"/")[2]
    return subtype == b"json" or subtype.endswith(b"+json")


def _refusal(limit: int) -> HTTPException:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} kB"
    return HTTPException(413, f"Begäran är större än {size}, det största som tas emot här.")


# Streams of server-sent events (an evening's live log, the API's and the page's relay of
# it): open for as long as someone follows them, waiting almost all that time. They hold no
# slot, or a few phones following the log would shut everyone else out.
LONG_LIVED = ("/log/stream", "/logg/strom")

# A request turned away has done nothing; the client may send it again after this many
# seconds.
OVERLOADED_RETRY_AFTER = 2


class LoadShedder:
    """Lets at most ``max_active`` requests be worked on at once; the next ones wait in line,
    at most ``max_waiting`` of them and for at most ``max_wait`` seconds each, and the rest
    are answered at once by ``refuse`` (a 503 with Retry-After).

    Why: past what the machine can do, a server that takes everything makes every request
    wait, and goes on working for clients that have long given up (a phone on a bad
    connection retries, adding to the pile). Refusing early keeps the answers it does give
    fast, and the server answers normally again the moment the load drops, with no backlog.
    A refused request has done nothing, so a retry with the same Idempotency-Key is safe.
    ``max_active`` 0 turns shedding off.

    A slot is held until the response is sent, streamed bodies included. Paths that begin
    with one of ``exempt`` always pass: the health probes (an orchestrator must see a busy
    server as alive, not restart it) and static files (cheap, and the refusal page's style);
    paths that end with one of ``LONG_LIVED`` (event streams) too."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_active: int,
        max_waiting: int,
        max_wait: float,
        refuse: Callable[[Scope], Response],
        exempt: tuple[str, ...] = ("/healthz", "/readyz", "/static/"),
    ) -> None:
        self.app = app
        self.max_active = max_active
        self.max_waiting = max_waiting
        self.max_wait = max_wait
        self.refuse = refuse
        self.exempt = exempt
        self.active = 0
        self.waiting: deque[asyncio.Future[None]] = deque()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or self.max_active <= 0
            or scope["path"].startswith(self.exempt)
            or scope["path"].endswith(LONG_LIVED)
        ):
            await self.app(scope, receive, send)
            return
        if not await self._enter():
            await self.refuse(scope)(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._leave()

    async def _enter(self) -> bool:
        if self.active < self.max_active and not self.waiting:
            self.active += 1
            return True
        if len(self.waiting) >= self.max_waiting:
            return False
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append(turn)
        try:
            async with asyncio.timeout(self.max_wait):
                await turn
        except TimeoutError:
            pass
        except BaseException:
            # Cancelled (the server shutting down): a slot handed over meanwhile goes on.
            if turn.done() and not turn.cancelled():
                self._leave()
            raise
        finally:
            if turn in self.waiting:
                self.waiting.remove(turn)
        # The slot may have been handed over just as the time ran out.
        return turn.done() and not turn.cancelled()

    def _leave(self) -> None:
        """Hands the slot to the first in line who still waits, or gives it back."""
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.active -= 1


def shedding(settings: Settings) -> dict[str, Any]:
    """LoadShedder's limits from the settings (all but ``refuse``)."""
    return {
        "max_active": settings.max_active_requests,
        "max_waiting": settings.max_queued_requests,
        "max_wait": settings.max_queue_wait_ms / 1000,
    }

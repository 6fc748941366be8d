"""The embedded API's event streams, passed on as they come.

``httpx.ASGITransport`` runs the app to the end and hands over the whole body at once,
which an event stream (an evening's live log) never reaches. This transport sends the
requests for such streams (``streamed``) to the app itself and hands each part of the body
over as the app sends it; when the web closes the response (the browser went), the app is
told the client disconnected. Every other request goes through ``ASGITransport`` as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from starlette.types import ASGIApp, Message

log = logging.getLogger("est.web")

# How long a stream the browser left has to end after it is told.
END_WAIT_SECONDS = 2.0


class _Body(httpx.AsyncByteStream):
    def __init__(
        self, messages: asyncio.Queue[Message | None], task: asyncio.Task[None], gone: asyncio.Event
    ) -> None:
        self.messages = messages
        self.task = task
        self.gone = gone

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            message = await self.messages.get()
            if message is None:
                return
            if message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                if chunk:
                    yield chunk
                if not message.get("more_body", False):
                    return

    async def aclose(self) -> None:
        self.gone.set()
        if not self.task.done():
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self.task, END_WAIT_SECONDS)


class StreamingASGITransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        app: ASGIApp,
        *,
        client: tuple[str, int],
        streamed: Callable[[str], bool],
        fallback: httpx.AsyncBaseTransport,
    ) -> None:
        self.app = app
        self.client = client
        self.streamed = streamed
        self.fallback = fallback

    async def aclose(self) -> None:
        await self.fallback.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.streamed(request.url.path):
            return await self.fallback.handle_async_request(request)
        assert isinstance(request.stream, httpx.AsyncByteStream)
        body = b"".join([part async for part in request.stream])
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(name.lower(), value) for name, value in request.headers.raw],
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "server": (request.url.host, request.url.port),
            "client": self.client,
            "root_path": "",
        }
        messages: asyncio.Queue[Message | None] = asyncio.Queue()
        gone = asyncio.Event()
        request_sent = False

        async def receive() -> Message:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            await messages.put(message)

        async def run() -> None:
            try:
                await self.app(scope, receive, send)
            except Exception:
                log.exception("the API's stream failed")
            finally:
                await messages.put(None)

        task = asyncio.get_running_loop().create_task(run())
        start = await messages.get()
        if start is None or start["type"] != "http.response.start":
            gone.set()
            return httpx.Response(500, request=request)
        return httpx.Response(
            start["status"],
            headers=list(start.get("headers", [])),
            stream=_Body(messages, task, gone),
            request=request,
        )

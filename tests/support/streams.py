"""An event stream (server-sent events) read as a browser's EventSource reads it, in a thread
of its own, for the tests of an evening's live log."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time
from typing import Any

import httpx

from tests.support.servers import http_client

# Posts reach another stream within this, or the log is not live.
WITHIN = 1.0


class EventReader:
    """An open event stream read in a thread of its own: its events in a queue, as dicts of
    the fields (a comment as ``{"comment": …}``), None once it has ended."""

    def __init__(
        self,
        base_url: str,
        path: str,
        token: str | None = None,
        *,
        cookies: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """``token``: the API's bearer token; ``cookies``: a browser's (the web's relay)."""
        self.events: queue.Queue[dict[str, str] | None] = queue.Queue()
        self.status: int | None = None
        self._response: httpx.Response | None = None
        self.content_type = ""
        self.opened = threading.Event()
        self._client = http_client(
            base_url=base_url,
            timeout=httpx.Timeout(10, read=60),
            headers={**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})},
            cookies=cookies,
        )
        self._thread = threading.Thread(target=self._read, args=(path,), daemon=True)
        self._thread.start()
        assert self.opened.wait(10), "the stream did not open"

    def _read(self, path: str) -> None:
        try:
            with self._client.stream("GET", path) as response:
                self._response = response
                self.status = response.status_code
                self.content_type = response.headers.get("content-type", "")
                self.opened.set()
                event: dict[str, str] = {}
                for line in response.iter_lines():
                    if not line:
                        if event:
                            self.events.put(event)
                        event = {}
                    elif line.startswith(":"):
                        self.events.put({"comment": line[1:].strip()})
                    else:
                        name, _, value = line.partition(":")
                        value = value.removeprefix(" ")
                        if name == "data" and "data" in event:
                            value = event["data"] + "\n" + value
                        event[name] = value
        except httpx.HTTPError:
            pass
        finally:
            self.opened.set()
            self.events.put(None)

    def next_event(self, within: float, kind: str = "post") -> dict[str, Any] | None:
        """The next event of ``kind`` within ``within`` seconds (others are passed over);
        None if the stream ended."""
        ends = time.monotonic() + within
        while True:
            left = ends - time.monotonic()
            assert left > 0, f"no {kind} event within {within} s"
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                raise AssertionError(f"no {kind} event within {within} s") from None
            if event is None:
                return None
            if event.get("event") == kind:
                return event

    def next_post(self, within: float = WITHIN) -> dict[str, Any]:
        event = self.next_event(within)
        assert event is not None, "the stream ended"
        data: dict[str, Any] = json.loads(event["data"])
        assert event["id"] == str(data["id"])
        return data

    def close(self) -> None:
        """Hangs up, as a phone that leaves: the socket is shut, which also wakes the thread
        waiting on it (closing the client alone would leave it waiting for the heartbeat)."""
        if self._response is not None:
            stream = self._response.extensions.get("network_stream")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        self._client.close()
        self._thread.join(5)

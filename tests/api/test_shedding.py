"""Load shedding: past what it can work on, the server turns requests away at once with 503
and Retry-After, instead of making everyone wait; the probes and static files always pass.

Real uvicorn servers and real HTTP. A slot is held by a client that sends its body slowly,
as a phone on a bad connection does: the server has let the request in and waits for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from api import problems
from api.middleware import OVERLOADED_RETRY_AFTER, LoadShedder
from tests.support.people import People
from tests.support.servers import LiveServer, Server, http_client, settings_for
from web.embedded import create_embedded_app


@contextmanager
def slow_request(url: str, path: str) -> Iterator[threading.Thread]:
    """A POST whose body arrives only when the block ends: the request holds its slot."""
    release = threading.Event()
    answered: list[int] = []

    def body() -> Iterator[bytes]:
        yield b'{"email": "'
        release.wait(30)
        yield b'x@example.org", "password": "x"}'

    def send() -> None:
        with http_client(base_url=url, timeout=60) as client:
            answered.append(client.post(path, content=body()).status_code)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    time.sleep(0.3)  # let the server take it in
    try:
        yield thread
    finally:
        release.set()
        thread.join(30)
        assert answered, "the slow request was never answered"


async def echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse((await request.body()).decode() or "ok")


def timed(client: httpx.Client, path: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = client.get(path)
    return response, time.perf_counter() - started


@contextmanager
def shedder_server(**limits: Any) -> Iterator[tuple[LiveServer, LoadShedder]]:
    app = Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"]), Route("/healthz", echo)])
    shedder = LoadShedder(app, refuse=problems.overloaded, **limits)
    live = LiveServer(shedder).start()
    try:
        yield live, shedder
    finally:
        live.stop()


def test_a_full_server_refuses_at_once_with_retry_after() -> None:
    with shedder_server(max_active=1, max_waiting=0, max_wait=5.0) as (live, shedder):
        with slow_request(live.url, "/echo"), http_client(base_url=live.url) as client:
            refused, elapsed = timed(client, "/echo")
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == str(OVERLOADED_RETRY_AFTER)
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["code"] == "overloaded"
            assert "Ingenting har sparats" in refused.json()["detail"]
            # No room to wait: turned away without waiting.
            assert elapsed < 1.0
            assert client.get("/healthz").status_code == 200
        with http_client(base_url=live.url) as client:
            assert client.get("/echo").text == "ok"
        assert (shedder.active, len(shedder.waiting)) == (0, 0)


def test_a_waiting_request_gets_the_slot_when_it_frees_or_gives_up_in_time() -> None:
    with shedder_server(max_active=1, max_waiting=1, max_wait=0.5) as (live, shedder):
        with slow_request(live.url, "/echo"), http_client(base_url=live.url) as client:
            refused, waited = timed(client, "/echo")
            assert refused.status_code == 503
            assert 0.45 < waited < 3.0, waited

        shedder.max_wait = 20.0
        results: list[httpx.Response] = []
        with slow_request(live.url, "/echo"):
            waiter = threading.Thread(
                target=lambda: results.append(httpx.get(f"{live.url}/echo", timeout=30))
            )
            waiter.start()
            time.sleep(0.3)
            assert len(shedder.waiting) == 1
            # The line is full: the next one is told at once.
            with http_client(base_url=live.url) as client:
                refused, elapsed = timed(client, "/echo")
            assert refused.status_code == 503
            assert elapsed < 1.0
        waiter.join(30)
        assert [r.status_code for r in results] == [200]
        assert (shedder.active, len(shedder.waiting)) == (0, 0)


def test_the_app_turns_away_api_calls_and_pages_in_their_own_form(
    server: Server, people: People
) -> None:
    """The whole app (web and API in one process) with room for one request: while a slow
    client holds it, the API answers problem+json and the pages a page in Swedish; once it
    is free, a page that asks the API several things is served within that one slot."""
    settings = settings_for(
        server.settings.database_url, max_active_requests=1, max_queued_requests=0
    )
    live = LiveServer(create_embedded_app(settings)).start()
    token = people["tokens"]["coordination"]
    group = people["groups"]["EST samordningsgrupp"]
    try:
        with (
            slow_request(live.url, "/api/v1/auth/token"),
            http_client(base_url=live.url, timeout=30, cookies={"est_session": token}) as client,
        ):
            api = client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"})
            assert api.status_code == 503
            assert api.json()["title"] == "Tjänsten är hårt belastad"
            page = client.get(f"/grupper/{group['id']}")
            assert page.status_code == 503
            assert page.headers["content-type"].startswith("text/html")
            assert page.headers["retry-after"] == str(OVERLOADED_RETRY_AFTER)
            assert "Tjänsten är hårt belastad just nu" in page.text
            assert 'http-equiv="refresh"' in page.text
            assert "content-security-policy" in page.headers
            assert client.get("/healthz").status_code == 200
            assert client.get("/readyz").status_code == 200
            assert client.get("/static/est.css").status_code == 200
        with http_client(base_url=live.url, timeout=30, cookies={"est_session": token}) as c:
            page = c.get(f"/grupper/{group['id']}")
            assert page.status_code == 200
            assert "EST samordningsgrupp" in page.text
    finally:
        live.stop()


def test_a_refused_form_is_not_asked_to_be_sent_again_by_itself(server: Server) -> None:
    settings = settings_for(
        server.settings.database_url, max_active_requests=1, max_queued_requests=0
    )
    live = LiveServer(create_embedded_app(settings)).start()
    try:
        with slow_request(live.url, "/api/v1/auth/token"):
            refused = httpx.post(f"{live.url}/logga-in", data={"email": "a@b.se"})
            assert refused.status_code == 503
            assert "http-equiv" not in refused.text
            assert "gå tillbaka och skicka det igen" in refused.text
    finally:
        live.stop()

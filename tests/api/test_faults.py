"""The database going away under a running API, in the suite: the API reaches PostgreSQL
through a TCP proxy that the test cuts (every connection dropped, new ones refused) and
restores. While it is cut, a report is answered 503 with Retry-After at once instead of
hanging; once it is back, the pool recovers by itself and the phone's retry with the same
Idempotency-Key files the report exactly once. (bench/faults.py does the same with the
real server stopped hard, and the app killed, under load.)"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from api.db import Database, normalize_url
from api.incidents.models import Incident
from api.seed import DEMO_PASSWORD, load_demo, load_demo_users
from tests.support.people import PEOPLE, demo_password_hash
from tests.support.servers import (
    PG_URL,
    LiveServer,
    free_port,
    http_client,
    migrated_database,
    settings_for,
)
from web.embedded import create_embedded_app


class Proxy:
    """A TCP proxy to ``target`` that can be cut and restored on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        if self.listener is not None:
            # Shut down first: a close alone leaves a blocked accept() taking connections.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            for sock in self.open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)


@pytest.fixture
def behind_proxy() -> Iterator[tuple[str, Proxy, Database]]:
    if not PG_URL:
        pytest.skip("EST_TEST_DATABASE_URL is not set")
    direct = migrated_database("postgresql", "faults")
    database = Database.from_url(direct)
    with database.session(write=True) as session:
        load_demo(session)
        load_demo_users(session, password_hash=demo_password_hash())
    parsed = normalize_url(direct)
    proxy = Proxy((parsed.host or "127.0.0.1", parsed.port or 5432))
    proxy.up()
    through = parsed.set(port=proxy.port).render_as_string(hide_password=False)
    live = LiveServer(create_embedded_app(settings_for(through))).start()
    try:
        yield live.url, proxy, database
    finally:
        live.stop()
        proxy.down()
        database.dispose()


def report(client: httpx.Client, area: int, key: str, marker: str) -> httpx.Response:
    return client.post(
        "/api/v1/reports",
        json={
            "incidents": [
                {
                    "category": "skadegorelse.klotter",
                    "occurred_from": "2026-11-20T21:30",
                    "area_id": area,
                    "assessment": "medium",
                    "description": marker,
                }
            ]
        },
        headers={"Idempotency-Key": key},
    )


def test_a_database_outage_fails_fast_and_the_retry_files_once(
    behind_proxy: tuple[str, Proxy, Database],
) -> None:
    url, proxy, database = behind_proxy
    with http_client(base_url=url, timeout=30) as client:
        signed_in = client.post(
            "/api/v1/auth/token",
            json={"email": PEOPLE["reporter"], "password": DEMO_PASSWORD},
        )
        assert signed_in.status_code == 201, signed_in.text
        client.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
        area = next(
            a["id"] for a in client.get("/api/v1/areas").json()["items"] if a["name"] == "Bro"
        )
        assert report(client, area, str(uuid.uuid4()), "före avbrottet").status_code == 201

        proxy.down()
        key, marker = str(uuid.uuid4()), "under avbrottet"
        started = time.monotonic()
        refused = report(client, area, key, marker)
        took = time.monotonic() - started
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"].isdigit()
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert took < 3, f"the outage took {took:.1f} s to answer"

        proxy.up()
        # The pool finds its connections dead and makes new ones: no restart needed.
        retried = report(client, area, key, marker)
        assert retried.status_code == 201, retried.text
        again = report(client, area, key, marker)
        assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    with database.session(write=False) as session:
        stored = session.scalar(
            select(func.count()).select_from(Incident).where(Incident.description == marker)
        )
    assert stored == 1

"""An evening's live log as it is written (server-sent events): a post arrives on an open
stream within a second, in one process (SQLite, and PostgreSQL) and across two API
processes on one PostgreSQL (LISTEN/NOTIFY); what a reconnecting client missed comes first
(Last-Event-ID); a closed log ends its stream; access is checked as a stream opens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from api.evenings.stream import LISTENER_NAME
from tests.support.evenings import close_evening, make_evening
from tests.support.people import People
from tests.support.servers import Server, ServerProcess, http_client
from tests.support.streams import EventReader

V1 = "/api/v1"
# Posts reach the other stream within this, or the log is not live.
WITHIN = 1.0


def _evening(server: Server, people: People) -> int:
    return make_evening(
        server.database,
        municipality_id=people["municipality"]["id"],
        area_id=people["areas"]["Kungsängen"]["id"],
    )


def _post(base_url: str, token: str, evening: int, text: str) -> dict[str, Any]:
    with http_client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        sent = client.post(f"{V1}/evenings/{evening}/log", json={"text": text})
    assert sent.status_code == 201, sent.text
    answer: dict[str, Any] = sent.json()
    return answer


@pytest.fixture
def readers() -> Iterator[list[EventReader]]:
    """Streams a test opened, closed after it whatever happened."""
    opened: list[EventReader] = []
    yield opened
    for reader in opened:
        reader.close()


def test_a_post_arrives_on_an_open_stream_within_a_second(
    server: Server, api: httpx.Client, people: People, readers: list[EventReader]
) -> None:
    evening = _evening(server, people)
    token = people["tokens"]["coordination"]
    _post(server.url, token, evening, "Före strömmen")
    stream = EventReader(
        server.url, f"{V1}/evenings/{evening}/log/stream", people["tokens"]["viewer"]
    )
    readers.append(stream)
    assert stream.status == 200
    assert stream.content_type.startswith("text/event-stream")
    for text in ("Samling vid Kungsängens station", "Nu lugnare"):
        sent_at = time.monotonic()
        sent = _post(server.url, token, evening, text)
        got = stream.next_post()
        assert time.monotonic() - sent_at < WITHIN
        # Only what was written after it opened, as the log reads it.
        assert got["id"] == sent["id"] and got["text"] == text
        assert got["organisation"]["name"] == "Trygghets- och preventionsenheten"
        assert got["own"] is False


def test_last_event_id_sends_what_was_missed_first(
    server: Server, api: httpx.Client, people: People, readers: list[EventReader]
) -> None:
    evening = _evening(server, people)
    token = people["tokens"]["coordination"]
    sent = [_post(server.url, token, evening, f"Inlägg {n}") for n in range(4)]
    path = f"{V1}/evenings/{evening}/log/stream"
    stream = EventReader(server.url, path, token, headers={"Last-Event-ID": str(sent[1]["id"])})
    readers.append(stream)
    assert [stream.next_post()["id"] for _ in range(2)] == [sent[2]["id"], sent[3]["id"]]
    # Then what is written from now on.
    new = _post(server.url, token, evening, "Ny")
    got = stream.next_post()
    assert got["id"] == new["id"] and got["own"] is True
    # after= does the same for a first connection.
    fresh = EventReader(server.url, f"{path}?after={sent[2]['id']}", token)
    readers.append(fresh)
    assert fresh.next_post()["id"] == sent[3]["id"]


def test_a_closed_log_ends_its_stream(
    server: Server, api: httpx.Client, people: People, readers: list[EventReader]
) -> None:
    evening = _evening(server, people)
    token = people["tokens"]["coordination"]
    first = _post(server.url, token, evening, "Sista inlägget")
    close_evening(server.database, evening)
    stream = EventReader(server.url, f"{V1}/evenings/{evening}/log/stream?after=0", token)
    readers.append(stream)
    assert stream.next_post()["id"] == first["id"]
    assert stream.next_event(5, kind="closed") is not None
    assert stream.events.get(timeout=5) is None  # and the stream is over


def test_a_stream_is_only_opened_to_those_who_read_the_evening(
    server: Server, api: httpx.Client, people: People
) -> None:
    evening = make_evening(
        server.database,
        municipality_id=people["municipality"]["id"],
        area_id=people["areas"]["Bro"]["id"],
    )
    path = f"{V1}/evenings/{evening}/log/stream"
    with http_client(base_url=server.url, timeout=10) as client:
        assert client.get(path).status_code == 401
        kalle = {"Authorization": f"Bearer {people['tokens']['kungsangen']}"}
        assert client.get(path, headers=kalle).status_code == 404


def test_two_api_processes_on_one_postgresql_share_the_log(
    server: Server, api: httpx.Client, people: People, readers: list[EventReader]
) -> None:
    if server.backend != "postgresql":
        pytest.skip("several API processes share a PostgreSQL database; SQLite is one process")
    url = server.database.engine.url.render_as_string(hide_password=False)
    first = ServerProcess(url, EST_RETAIN_EVERY_HOURS="0").start()
    second = ServerProcess(url, EST_RETAIN_EVERY_HOURS="0").start()
    try:
        evening = _evening(server, people)
        token = people["tokens"]["coordination"]
        path = f"{V1}/evenings/{evening}/log/stream"
        on_first = EventReader(first.url, path, people["tokens"]["viewer"])
        on_second = EventReader(second.url, path, people["tokens"]["kungsangen"])
        readers.extend([on_first, on_second])
        # Each process listens from its first stream on; give the LISTEN its moment.
        time.sleep(0.5)
        for text, through in (("Via den första", first), ("Via den andra", second)):
            sent_at = time.monotonic()
            sent = _post(through.url, token, evening, text)
            assert on_second.next_post()["id"] == sent["id"]
            assert on_first.next_post()["id"] == sent["id"]
            assert time.monotonic() - sent_at < WITHIN
        # The open streams hold no transaction (nor a connection from the pool) while they wait.
        with server.database.engine.connect() as conn:
            waiting = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%'"
                )
            ).scalar()
        assert waiting == 0
        # PostgreSQL drops the listeners' connections: they reconnect, and nothing is lost.
        with server.database.engine.connect() as conn:
            dropped = conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": LISTENER_NAME},
            ).all()
            conn.commit()
        assert len(dropped) >= 2  # the two processes', and the test server's own
        sent = _post(first.url, token, evening, "Efter avbrottet")
        assert on_second.next_post(within=5)["id"] == sent["id"]
        assert on_first.next_post(within=5)["id"] == sent["id"]
    finally:
        for reader in readers:
            reader.close()
        readers.clear()
        for process in (first, second):
            # A stream a client left may still hold a graceful stop: no need to wait for it.
            assert process.process is not None
            process.process.kill()
            process.process.wait(10)

"""New log posts delivered to the streams open on an evening's log, as they are written.

The interface is small: the service calls ``announce`` in the transaction that adds a post;
a stream ``subscribe``s to its evening and is woken when something new may be there, then
reads what is new from the database itself (its own short session: a stream holds no
connection while it waits). A wake-up carries no post, only "look again", so a missed or
doubled one costs a query, never a post.

How a wake-up travels:

- **PostgreSQL** (several API processes on one database): ``announce`` sends
  ``pg_notify('est_log', '<evening>:<post>')`` in the post's own transaction, so that only
  committed posts are announced, to every process. Each process that has a stream open
  LISTENs on its own psycopg connection (``Listener``), fans the notices out to its streams,
  and reconnects if PostgreSQL drops it; on (re)connecting it wakes every stream, since
  notices sent meanwhile are lost.
- **SQLite** (one process): ``announce`` notes the evening on the session, and the hub
  wakes its streams after the commit (a rollback forgets it).

Either way a stream also looks again at every heartbeat, so that nothing waits longer than
that for a lost notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any

import psycopg
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from api.db import Database

log = logging.getLogger("est.api.log_stream")

CHANNEL = "est_log"
# The listener's connection as pg_stat_activity shows it.
LISTENER_NAME = "est-log-listener"
_PENDING = "est_log_pending"
# How long a listener waits for a notice before it asks PostgreSQL whether it is still there.
LISTENER_PING_SECONDS = 30.0
# Waits between reconnections, doubling up to the last.
RECONNECT_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)


class Subscription:
    """One open stream's doorbell: rung (from any thread) when its evening may have news."""

    def __init__(self, hub: Hub, evening_id: int) -> None:
        self.hub = hub
        self.evening_id = evening_id
        self.loop = asyncio.get_running_loop()
        self._rung = asyncio.Event()
        self.closed = False

    def ring(self) -> None:
        """Thread-safe."""
        with contextlib.suppress(RuntimeError):  # the loop is gone: so is the stream
            self.loop.call_soon_threadsafe(self._rung.set)

    def end(self) -> None:
        """Thread-safe: the server is stopping; the stream ends."""
        self.closed = True
        self.ring()

    async def wait(self, seconds: float) -> bool:
        """Whether it rang (or ended) within ``seconds``."""
        try:
            async with asyncio.timeout(seconds):
                await self._rung.wait()
        except TimeoutError:
            return False
        self._rung.clear()
        return True

    def close(self) -> None:
        self.hub.unsubscribe(self)


class Hub:
    """The streams open in this process, by evening."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_evening: dict[int, set[Subscription]] = {}

    def subscribe(self, evening_id: int) -> Subscription:
        """In the event loop the stream runs in."""
        subscription = Subscription(self, evening_id)
        with self._lock:
            self._by_evening.setdefault(evening_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            subscriptions = self._by_evening.get(subscription.evening_id)
            if subscriptions is not None:
                subscriptions.discard(subscription)
                if not subscriptions:
                    del self._by_evening[subscription.evening_id]

    def _of(self, evening_id: int | None) -> list[Subscription]:
        with self._lock:
            if evening_id is None:
                return [s for subs in self._by_evening.values() for s in subs]
            return list(self._by_evening.get(evening_id, ()))

    def publish(self, evening_id: int | None) -> None:
        """Wakes the streams of an evening (None: all of them). Thread-safe."""
        for subscription in self._of(evening_id):
            subscription.ring()

    def count(self) -> int:
        return len(self._of(None))


# The process's streams. One per process, whatever the number of apps in it: a notice of
# another app's database only makes a stream look again and find nothing.
HUB = Hub()


def announce(session: Session, evening_id: int, post_id: int) -> None:
    """A new post, announced when (and only if) its transaction commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": f"{evening_id}:{post_id}"},
        )
    else:
        session.info.setdefault(_PENDING, set()).add(evening_id)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for evening_id in session.info.pop(_PENDING, ()):
        HUB.publish(evening_id)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _evening_of(payload: str) -> int | None:
    evening, _, _post = payload.partition(":")
    return int(evening) if evening.isdigit() else None


class Listener:
    """LISTEN on PostgreSQL for this process, on a connection of its own, for as long as the
    app runs; started by the first stream that opens."""

    def __init__(self, conninfo: str, hub: Hub) -> None:
        self.conninfo = conninfo
        self.hub = hub
        self.task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def ensure_started(self) -> None:
        if self.task is None or self.task.done():
            self.connected = asyncio.Event()
            self.task = asyncio.get_running_loop().create_task(self._run(), name="est-log-listen")

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self.conninfo,
                    autocommit=True,
                    connect_timeout=5,
                    application_name=LISTENER_NAME,
                )
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.connected.set()
                    attempt = 0
                    # Whatever was announced while no one listened: every stream looks again.
                    self.hub.publish(None)
                    await self._listen(conn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the listener outlives any failure
                self.connected.clear()
                log.warning("log stream: lost PostgreSQL's notices (%r); reconnecting", exc)
            delay = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
            attempt += 1
            await asyncio.sleep(delay)

    async def _listen(self, conn: psycopg.AsyncConnection[Any]) -> None:
        while True:
            async for notice in conn.notifies(timeout=LISTENER_PING_SECONDS):
                self.hub.publish(_evening_of(notice.payload))
            # Quiet for a while: is the connection still there? (Raises if not.)
            await conn.execute("SELECT 1")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
            self.task = None


class LogStreams:
    """An app's side of it: its streams, and its listener on PostgreSQL."""

    def __init__(self, database: Database, hub: Hub = HUB) -> None:
        self.database = database
        self.hub = hub
        self.listener: Listener | None = None
        url = database.engine.url
        if url.get_backend_name() == "postgresql":
            conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
            self.listener = Listener(conninfo, hub)
        self._open: set[Subscription] = set()

    def subscribe(self, evening_id: int) -> Subscription:
        if self.listener is not None:
            self.listener.ensure_started()
        subscription = self.hub.subscribe(evening_id)
        self._open.add(subscription)
        return subscription

    def close(self, subscription: Subscription) -> None:
        self._open.discard(subscription)
        subscription.close()

    async def stop(self) -> None:
        """The app is stopping: its streams end (a server waits for open responses)."""
        for subscription in list(self._open):
            subscription.end()
        if self.listener is not None:
            await self.listener.stop()

"""Retention's daily run inside ``est serve`` (and ``est serve-api``): a task of the app's
lifespan that asks, now and then, whether a run is due, and runs it in a thread, so that no
request waits on it. Every worker process has the task; the claim in ``service.run`` lets
one of them run per interval."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from api import periodic
from api.db import Database
from api.retention import service
from api.settings import Settings

log = logging.getLogger("est.retention")

# How often a worker asks whether a run is due: a server restarted now and then still runs
# retention once per interval, not once per start.
LONGEST_TICK = dt.timedelta(minutes=15)


def _run(database: Database, settings: Settings, every: dt.timedelta) -> None:
    thinned = service.run(database, settings, every=every)
    if thinned is not None:
        log.info("retention: %s", thinned.counts())


def start(database: Database, settings: Settings) -> asyncio.Task[None] | None:
    """The running schedule, or None where ``EST_RETAIN_EVERY_HOURS`` is 0."""
    if settings.retain_every_hours <= 0:
        return None
    every = dt.timedelta(hours=settings.retain_every_hours)
    tick = min(every, LONGEST_TICK).total_seconds()
    return periodic.start("retention", tick, lambda: _run(database, settings, every))


stop = periodic.stop

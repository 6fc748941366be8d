"""Work a server does now and then beside its requests (retention, the e-mail outbox): a task
of the app's lifespan that runs a plain function in a thread at an interval, so that no
request waits on it, and that logs a failure and tries again at the next tick."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress

log = logging.getLogger("est.periodic")


async def _repeat(name: str, seconds: float, work: Callable[[], object]) -> None:
    while True:
        try:
            await asyncio.to_thread(work)
        except Exception:
            # The server keeps serving; the next tick tries again.
            log.exception("%s failed", name)
        await asyncio.sleep(seconds)


def start(name: str, seconds: float, work: Callable[[], object]) -> asyncio.Task[None]:
    return asyncio.create_task(_repeat(name, seconds, work), name=f"est-{name}")


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task

"""Faults under load: the database stopped hard and the app killed, while phones file reports.

    python -m bench.faults [--backend sqlite|postgresql|both] [--clients 16]
                           [--seconds 40] [--down 8]

Each of ``--clients`` simulated phones files reports one after another, each with its own
``Idempotency-Key`` and a unique text, and retries a report that got no answer, a refused
connection, a timeout or a 503 with the same key (after ``Retry-After``, at most 5 s) until
it is acknowledged with 201. Meanwhile:

- PostgreSQL: a third of the way in, the cluster is stopped with ``pg_ctl stop -m
  immediate`` (through ``pg_ctlcluster``; no shutdown checkpoint, as a crash) and started
  again ``--down`` seconds later; two thirds in, the app is killed with ``kill -9`` and
  started again.
- SQLite: the app is killed with ``kill -9`` three times during the writes and started again;
  afterwards ``PRAGMA integrity_check``.

Afterwards every acknowledged report must be in the database exactly once, and no report
may be there twice. During the database outage requests must fail fast (503 with
Retry-After, not a hang), and the pool must recover by itself: the figures printed are the
503s and their latency, and the time from the database's restart to the next 201.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from api.db import Database, normalize_url
from api.incidents.models import Incident
from bench.incidents import PG_URL
from bench.load import Server, World, marker_text, prepare, report_body, world

MAX_BACKOFF_S = 5.0
TIMEOUT_S = 10.0


@dataclass
class Log:
    acknowledged: set[str] = field(default_factory=set)
    attempts: int = 0
    unavailable: list[float] = field(default_factory=list)  # seconds of each 503
    without_retry_after: int = 0
    refused: int = 0  # connection refused or reset: the app was down
    timeouts: int = 0
    other: dict[int, int] = field(default_factory=dict)
    acknowledged_at: list[float] = field(default_factory=list)


async def phone(client: httpx.AsyncClient, w: World, log: Log, until: float, seed: int) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until:
        marker = marker_text("fault")
        body = report_body(w, rng, marker)
        headers = {
            "Authorization": f"Bearer {w.tokens['reporter']}",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        wait = 0.2
        # A report once sent is retried until it is acknowledged, deadline or not: a phone
        # does not forget what its user typed.
        while True:
            log.attempts += 1
            started = time.monotonic()
            try:
                answer = await client.post("/api/v1/reports", json=body, headers=headers)
            except httpx.TimeoutException:
                log.timeouts += 1
            except httpx.TransportError:
                log.refused += 1
            else:
                if answer.status_code == 201:
                    log.acknowledged.add(marker)
                    log.acknowledged_at.append(time.monotonic())
                    break
                if answer.status_code == 503:
                    log.unavailable.append(time.monotonic() - started)
                    after = answer.headers.get("Retry-After")
                    if after is None:
                        log.without_retry_after += 1
                    else:
                        wait = float(after)
                else:
                    log.other[answer.status_code] = log.other.get(answer.status_code, 0) + 1
            await asyncio.sleep(min(MAX_BACKOFF_S, wait) * rng.uniform(0.5, 1.0))
            wait = min(MAX_BACKOFF_S, wait * 2)


def pg_cluster(action: str) -> None:
    """The local cluster, as Debian runs it: stop is ``pg_ctl stop -m immediate``."""
    version = next(p.name for p in Path("/etc/postgresql").iterdir())
    args = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action]
    if action == "stop":
        args += ["-m", "immediate"]
    subprocess.run(args, check=True, capture_output=True)


def wait_for_postgres(seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError("PostgreSQL did not come back")


async def run_phones(
    server: Server, w: World, clients: int, seconds: float, events: list[tuple[float, Any]]
) -> tuple[Log, dict[str, float]]:
    """The phones for ``seconds``, and each event (a function) at its time from the start."""
    log = Log()
    marks: dict[str, float] = {}
    limits = httpx.Limits(max_connections=clients * 2)
    async with httpx.AsyncClient(
        base_url=server.base, timeout=httpx.Timeout(TIMEOUT_S), limits=limits
    ) as client:
        start = time.monotonic()
        until = start + seconds
        tasks = [asyncio.create_task(phone(client, w, log, until, i)) for i in range(clients)]
        for at, event in events:
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            name, moment = await asyncio.to_thread(event)
            marks[name] = moment - start
        await asyncio.gather(*tasks)
        marks["end"] = time.monotonic() - start
    return log, marks


def check(url: str, log: Log) -> dict[str, int]:
    """Every acknowledged report in the database exactly once; none there twice."""
    database = Database.from_url(url)
    try:
        with database.session(write=False) as session:
            counts = dict(
                session.execute(
                    select(Incident.description, func.count())
                    .where(Incident.description.like("fault %"))
                    .group_by(Incident.description)
                ).all()
            )
    finally:
        database.dispose()
    missing = [m for m in log.acknowledged if counts.get(m, 0) == 0]
    twice = [m for m, n in counts.items() if n > 1]
    return {
        "acknowledged": len(log.acknowledged),
        "stored": len(counts),
        "missing": len(missing),
        "stored twice": len(twice),
        "stored, never acknowledged": len(set(counts) - log.acknowledged),
    }


def integrity(url: str) -> str:
    path = normalize_url(url).database or ""
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def recovery(log: Log, after: float, start: float) -> float:
    """Seconds from ``after`` (from the start) to the next acknowledged report."""
    later = [t - start for t in log.acknowledged_at if t - start >= after]
    return min(later) - after if later else float("nan")


def report(backend: str, log: Log, marks: dict[str, float], checked: dict[str, int]) -> None:
    fast = log.unavailable
    print(f"\n== {backend} ==")
    print("events (s from start): " + ", ".join(f"{k} {v:.1f}" for k, v in marks.items()))
    print(
        f"attempts {log.attempts}; 503: {len(fast)}"
        + (
            f" (median {statistics.median(fast) * 1000:.0f} ms, "
            f"max {max(fast) * 1000:.0f} ms; without Retry-After: {log.without_retry_after})"
            if fast
            else ""
        )
        + f"; refused connections {log.refused}; timeouts {log.timeouts}; other {log.other}"
    )
    print("exactly once: " + ", ".join(f"{k} {v}" for k, v in checked.items()))


def postgres(clients: int, seconds: float, down: float, folder: Path) -> bool:
    url = prepare("postgresql", folder)
    server = Server(url, workers=2).start()
    w = world(server.base)
    moments: dict[str, float] = {}

    def stop_db() -> tuple[str, float]:
        pg_cluster("stop")
        return "database stopped", time.monotonic()

    def start_db() -> tuple[str, float]:
        pg_cluster("start")
        wait_for_postgres()
        moments["db"] = time.monotonic()
        return "database started", moments["db"]

    def kill_app() -> tuple[str, float]:
        server.kill()
        return "app killed", time.monotonic()

    def start_app() -> tuple[str, float]:
        server.start()
        moments["app"] = time.monotonic()
        return "app started", moments["app"]

    third = seconds / 3
    events = [
        (third, stop_db),
        (third + down, start_db),
        (2 * third, kill_app),
        (2 * third + 3, start_app),
    ]
    try:
        log, marks = asyncio.run(run_phones(server, w, clients, seconds, events))
    finally:
        wait_for_postgres()
        server.stop()
    checked = check(url, log)
    report("PostgreSQL", log, marks, checked)
    print(
        f"first acknowledged report after the database came back: "
        f"{recovery(log, moments['db'], 0.0):.1f} s; "
        f"after the app came back: {recovery(log, moments['app'], 0.0):.1f} s"
    )
    slow = [s for s in log.unavailable if s > 1.0]
    ok = checked["missing"] == 0 and checked["stored twice"] == 0 and not slow
    print(f"{'PASS' if ok else 'FAIL'}: 503s slower than 1 s: {len(slow)}")
    return ok


def sqlite(clients: int, seconds: float, folder: Path) -> bool:
    url = prepare("sqlite", folder)
    server = Server(url, workers=2).start()
    w = world(server.base)

    kills, starts = iter(range(1, 100)), iter(range(1, 100))

    def kill_app() -> tuple[str, float]:
        server.kill()
        return f"app killed ({next(kills)})", time.monotonic()

    def start_app() -> tuple[str, float]:
        server.start()
        return f"app up again ({next(starts)})", time.monotonic()

    events = []
    for k in (1, 2, 3):
        at = seconds * k / 4
        events += [(at, kill_app), (at + 2, start_app)]
    try:
        log, marks = asyncio.run(run_phones(server, w, clients, seconds, events))
    finally:
        server.stop()
    checked = check(url, log)
    report("SQLite", log, marks, checked)
    result = integrity(url)
    print(f"PRAGMA integrity_check: {result}")
    ok = checked["missing"] == 0 and checked["stored twice"] == 0 and result == "ok"
    print("PASS" if ok else "FAIL")
    return ok


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--down", type=float, default=8.0)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        if args.backend in ("sqlite", "both"):
            results.append(sqlite(args.clients, args.seconds, Path(folder) / "sqlite"))
        if args.backend in ("postgresql", "both"):
            if PG_URL:
                results.append(postgres(args.clients, args.seconds, args.down, Path(folder) / "pg"))
            else:
                print("PostgreSQL skipped: EST_TEST_DATABASE_URL is not set")
    raise SystemExit(0 if all(results) else 1)


if __name__ == "__main__":
    main()

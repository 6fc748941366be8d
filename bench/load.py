"""Load: an open-loop generator against `est serve-api` in its own processes, at rising rates.

    python -m bench.load [--backend sqlite|postgresql|both] [--rates 10,20,40,80,120]
                         [--seconds 20] [--workers 1,2] [--repeat 3]
                         [--shedding default,off,4/16/250]

Open loop: requests are sent on a schedule of Poisson arrivals at the rate asked for,
whether or not earlier ones have answered, and each is timed from when it was *scheduled*,
not from when it was sent, so that a server that falls behind shows it in the figures
instead of slowing the generator down (no coordinated omission).

The mix is what a working day looks like: filing a report from a phone (with an
Idempotency-Key, as the web does), browsing the incident list, opening the lägesbild of the
coordination group (14 days), and the map's GeoJSON of the last 14 days. The baseline, in
the same run and at the same rates, is `GET /healthz` on the same server: what the
framework, the generator and the machine cost without the database.

The database is the demo of Upplands-Bro with its 15 months of synthetic observations
(about 3,700). Each rate runs ``--seconds`` long after a short warm-up; the figures are the
median over ``--repeat`` runs of each percentile. A rate is *held* when p99 is under 500 ms
and fewer than 1 % of requests fail (5xx, a refused connection or no answer in 10 s).

``--shedding`` names the load-shedding limits to compare (api.middleware.LoadShedder):
``default`` (the settings' own), ``off``, or ``ACTIVE/QUEUED/WAIT_MS``. Besides the
percentiles of all requests, each rate reports how many were turned away (503), the p99 of
those that were served, and the *backlog*: how long after a run's last answer (or its
10 s time-out) the server still took to answer `/healthz` at once, i.e. how long it went on
with work nobody waited for.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api import localtime, migrate
from api.db import Database
from api.demo_activity import load_demo_incidents
from api.seed import DEMO_PASSWORD, load_demo, load_demo_users
from bench.incidents import PG_URL
from tests.support.servers import free_port, fresh_postgres_database, sqlite_url

HELD_P99_MS = 500.0
HELD_ERRORS = 0.01
TIMEOUT_S = 10.0
WARM_UP_S = 3.0
DEFAULT_RATES = (10, 20, 40, 80, 120)
MIX = (("file", 0.3), ("list", 0.3), ("lagesbild", 0.2), ("map", 0.2))


@dataclass
class Sample:
    kind: str
    seconds: float  # from the scheduled time to the answer
    status: int  # 0: no answer (refused connection, timeout)

    @property
    def ok(self) -> bool:
        return 0 < self.status < 400


@dataclass
class Result:
    backend: str
    workers: int
    shedding: str
    mix: str
    rate: float
    sent: int
    errors: float
    shed: float  # share answered 503 by the load shedder
    p50: float
    p95: float
    p99: float
    max: float
    served_p99: float  # of the requests not turned away
    backlog: float = 0.0  # seconds the server went on after the run's last answer
    per_kind: dict[str, float] = field(default_factory=dict)  # p99 ms per kind

    @property
    def held(self) -> bool:
        return self.p99 < HELD_P99_MS and self.errors < HELD_ERRORS


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


# The server ---------------------------------------------------------------------------------


def prepare(backend: str, folder: Path) -> str:
    """A migrated database with the demo of Upplands-Bro, its accounts and observations."""
    folder.mkdir(parents=True, exist_ok=True)
    url = sqlite_url(folder / "load.db") if backend == "sqlite" else fresh_postgres_database("load")
    migrate.upgrade(url)
    database = Database.from_url(url)
    with database.session(write=True) as session:
        load_demo(session)
        load_demo_users(session)
    with database.session(write=True) as session:
        load_demo_incidents(session, today=localtime.today())
    database.dispose()
    return url


def shedding_env(shedding: str) -> dict[str, str]:
    """The server's environment for one ``--shedding`` choice."""
    if shedding == "default":
        return {}
    if shedding == "off":
        return {"EST_MAX_ACTIVE_REQUESTS": "0"}
    active, queued, wait_ms = shedding.split("/")
    return {
        "EST_MAX_ACTIVE_REQUESTS": active,
        "EST_MAX_QUEUED_REQUESTS": queued,
        "EST_MAX_QUEUE_WAIT_MS": wait_ms,
    }


class Server:
    """`est serve-api` (or another ``est`` server command) with ``workers`` processes on a
    free port."""

    def __init__(
        self,
        url: str,
        workers: int,
        extra_env: dict[str, str] | None = None,
        command: str = "serve-api",
    ) -> None:
        self.url = url
        self.command = command
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "EST_DATABASE_URL": url,
            "EST_ENV": "test",
            "EST_SECRET_KEY": "b" * 40,
            "EST_LOG_LEVEL": "warning",
            # The load comes from one address: the sign-in throttle is not under test.
            "EST_THROTTLE_PER_ADDRESS": "100000",
            **(extra_env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        args = [sys.executable, "-m", "api.cli", self.command, "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*args, "--workers", str(self.workers)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until_up(self.base)
        return self

    def kill(self) -> None:
        """``kill -9`` of the server and its workers, as a crash would."""
        if self.process is not None:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=30)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
            self.process = None


def wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{base} did not come up in {seconds} s")


def tokens(base: str) -> dict[str, str]:
    found = {}
    for who, email in (("reporter", "rapportor@est.demo"), ("reader", "samordnare@est.demo")):
        answer = httpx.post(
            f"{base}/api/v1/auth/token",
            json={"email": email, "password": DEMO_PASSWORD},
            timeout=30,
        )
        answer.raise_for_status()
        found[who] = answer.json()["access_token"]
    return found


# The requests -------------------------------------------------------------------------------


@dataclass
class World:
    """What the requests need: who they are, and the ids they name."""

    tokens: dict[str, str]
    coordination: int
    bro: int
    categories: list[str]


def world(base: str) -> World:
    found = tokens(base)
    headers = {"Authorization": f"Bearer {found['reader']}"}
    groups = httpx.get(f"{base}/api/v1/groups", headers=headers, params={"limit": 200}).json()
    areas = httpx.get(f"{base}/api/v1/areas", headers=headers, params={"limit": 200}).json()
    categories = httpx.get(
        f"{base}/api/v1/categories", headers=headers, params={"limit": 200}
    ).json()
    return World(
        tokens=found,
        coordination=next(g["id"] for g in groups["items"] if g["kind"] == "coordination"),
        bro=next(a["id"] for a in areas["items"] if a["name"] == "Bro"),
        categories=[c["code"] for c in categories["items"] if "." in c["code"]],
    )


def report_body(w: World, rng: random.Random, marker: str) -> dict[str, Any]:
    when = dt.datetime.now(localtime.STOCKHOLM) - dt.timedelta(
        minutes=rng.randrange(60, 60 * 24 * 7)
    )
    return {
        "incidents": [
            {
                "category": rng.choice(w.categories),
                "occurred_from": when.strftime("%Y-%m-%dT%H:%M"),
                "area_id": w.bro,
                "assessment": rng.choice(["low", "medium", "high"]),
                "description": marker,
            }
        ]
    }


# Letters only: a run of digits in a description could be taken for a personal identity
# number and the report held back for confirmation.
LETTERS = str.maketrans("0123456789", "ghijklmnop")


def marker_text(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex.translate(LETTERS)}"


Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


def request_for(kind: str, w: World, rng: random.Random) -> Send:
    reader = {"Authorization": f"Bearer {w.tokens['reader']}"}
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "file":
        body = report_body(w, rng, marker_text("last"))
        headers = {
            "Authorization": f"Bearer {w.tokens['reporter']}",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        return lambda c: c.post("/api/v1/reports", json=body, headers=headers)
    if kind == "list":
        return lambda c: c.get("/api/v1/incidents", params={"limit": 50}, headers=reader)
    if kind == "lagesbild":
        return lambda c: c.get(f"/api/v1/groups/{w.coordination}/situation", headers=reader)
    if kind == "map":
        return lambda c: c.get("/api/v1/incidents.geojson", params={"since": since}, headers=reader)
    if kind == "healthz":
        return lambda c: c.get("/healthz")
    raise ValueError(kind)


async def _one(client: httpx.AsyncClient, kind: str, send: Send, scheduled: float) -> Sample:
    try:
        status = (await send(client)).status_code
    except httpx.HTTPError:
        status = 0
    return Sample(kind, time.perf_counter() - scheduled, status)


async def open_loop(
    base: str, w: World, mix: tuple[tuple[str, float], ...], rate: float, seconds: float
) -> list[Sample]:
    """Poisson arrivals at ``rate`` per second for ``seconds``; each timed from its slot."""
    rng = random.Random(f"{rate}-{seconds}")
    kinds, weights = zip(*mix, strict=True)
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=200)
    timeout = httpx.Timeout(TIMEOUT_S)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        tasks = []
        start = time.perf_counter() + 0.05
        at = 0.0
        while at < seconds:
            at += rng.expovariate(rate)
            scheduled = start + at
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            kind = rng.choices(kinds, weights)[0]
            send = request_for(kind, w, rng)
            tasks.append(asyncio.create_task(_one(client, kind, send, scheduled)))
        return list(await asyncio.gather(*tasks))


def summarise(
    backend: str,
    workers: int,
    shedding: str,
    mix: str,
    rate: float,
    runs: list[list[Sample]],
    backlogs: list[float],
) -> Result:
    def median_of(fn: Callable[[list[Sample]], float]) -> float:
        return statistics.median(fn(run) for run in runs)

    def ms(run: list[Sample], q: float, kind: str | None = None, served: bool = False) -> float:
        chosen = [
            s.seconds
            for s in run
            if (kind is None or s.kind == kind) and not (served and s.status == 503)
        ]
        return percentile(chosen, q) * 1000

    kinds = sorted({s.kind for run in runs for s in run})
    return Result(
        backend=backend,
        workers=workers,
        shedding=shedding,
        mix=mix,
        rate=rate,
        sent=round(median_of(lambda r: len(r))),
        errors=median_of(lambda r: sum(not s.ok for s in r) / max(1, len(r))),
        shed=median_of(lambda r: sum(s.status == 503 for s in r) / max(1, len(r))),
        p50=median_of(lambda r: ms(r, 0.50)),
        p95=median_of(lambda r: ms(r, 0.95)),
        p99=median_of(lambda r: ms(r, 0.99)),
        max=median_of(lambda r: max(s.seconds for s in r) * 1000),
        served_p99=median_of(lambda r: ms(r, 0.99, served=True)),
        backlog=statistics.median(backlogs),
        per_kind={k: median_of(lambda r, k=k: ms(r, 0.99, k)) for k in kinds},
    )


def measure(
    backend: str,
    url: str,
    workers: int,
    rates: list[float],
    seconds: float,
    repeat: int,
    shedding: str = "default",
) -> list[Result]:
    server = Server(url, workers, shedding_env(shedding)).start()
    results = []
    try:
        w = world(server.base)
        # The baseline first: an overloaded server goes on with the requests its clients
        # gave up on, and would hold the next measurement back until it has caught up.
        for name, mix in (("healthz", (("healthz", 1.0),)), ("mix", MIX)):
            for rate in rates:
                drain(server.base)
                asyncio.run(open_loop(server.base, w, mix, rate, WARM_UP_S))
                runs, backlogs = [], []
                for _ in range(repeat):
                    drain(server.base)
                    runs.append(asyncio.run(open_loop(server.base, w, mix, rate, seconds)))
                    # The loop returns when the last answer is in or given up on (10 s).
                    backlogs.append(drain(server.base))
                result = summarise(backend, workers, shedding, name, rate, runs, backlogs)
                print(line(result), flush=True)
                results.append(result)
                if name == "mix" and result.errors > 0.5:
                    break  # far past what it holds: the next rates only pile up timeouts
    finally:
        server.stop()
    return results


def drain(base: str, limit_s: float = 180) -> float:
    """Waits until the server answers at once again (a backlog from the last rate gone);
    returns how long that took."""
    began = time.perf_counter()
    while time.perf_counter() - began < limit_s:
        started = time.perf_counter()
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"{base}/healthz", timeout=30)
        if time.perf_counter() - started < 0.05:
            break
        time.sleep(0.2)
    return time.perf_counter() - began


def line(r: Result) -> str:
    kinds = " ".join(f"{k}={v:.0f}" for k, v in r.per_kind.items())
    return (
        f"{r.backend:10} w={r.workers} shed={r.shedding:10} {r.mix:8} {r.rate:6.0f}/s "
        f"n={r.sent:5} err={r.errors * 100:5.1f}% 503={r.shed * 100:5.1f}% p50={r.p50:7.1f} "
        f"p95={r.p95:7.1f} p99={r.p99:7.1f} max={r.max:7.1f} served p99={r.served_p99:7.1f} ms "
        f"backlog={r.backlog:5.1f} s{' held' if r.held else ''}  p99 by kind: {kinds}"
    )


def table(results: list[Result]) -> str:
    rows = [
        "| backend | workers | shedding | load | rate/s | requests | errors | of which 503 "
        "| p50 ms | p95 ms | p99 ms | max ms | served p99 ms | backlog s | held |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {r.backend} | {r.workers} | {r.shedding} | {r.mix} | {r.rate:.0f} | {r.sent} | "
            f"{r.errors * 100:.1f} % | {r.shed * 100:.1f} % | {r.p50:.0f} | {r.p95:.0f} | "
            f"{r.p99:.0f} | {r.max:.0f} | {r.served_p99:.0f} | {r.backlog:.1f} | "
            f"{'yes' if r.held else 'no'} |"
        )
    return "\n".join(rows)


def highest_held(results: list[Result]) -> dict[tuple[str, int, str], float]:
    best: dict[tuple[str, int, str], float] = {}
    for r in results:
        if r.mix == "mix" and r.held:
            key = (r.backend, r.workers, r.shedding)
            best[key] = max(best.get(key, 0.0), r.rate)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rates", default=",".join(map(str, DEFAULT_RATES)))
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shedding", default="default")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not PG_URL:
        print("PostgreSQL skipped: EST_TEST_DATABASE_URL is not set")
        backends.remove("postgresql")
    rates = [float(r) for r in args.rates.split(",")]
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            for workers in (int(w) for w in args.workers.split(",")):
                for shedding in args.shedding.split(","):
                    # A fresh database for each: the reports filed at one setting would
                    # make the lägesbild and the map of the next heavier.
                    name = f"{backend}-{workers}-{shedding.replace('/', '-')}"
                    url = prepare(backend, Path(folder) / name)
                    results += measure(
                        backend, url, workers, rates, args.seconds, args.repeat, shedding
                    )
    print()
    print(table(results))
    print()
    for (backend, workers, shedding), rate in sorted(highest_held(results).items()):
        print(f"highest rate held (p99 < {HELD_P99_MS:.0f} ms, errors < 1 %): "
              f"{backend}, {workers} worker(s), shedding {shedding}: {rate:.0f}/s")  # fmt: skip


if __name__ == "__main__":
    main()

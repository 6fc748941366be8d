"""A year's analysis of the whole municipality at 1M incidents of history, beside today's
14-day lägesbild on the same server in the same run (#23: within 2× of it).

    python -m bench.analysis [--backend sqlite|postgresql|both] [--size 1000000] [--repeat 5]

The history is bench/situation.py's (100 incidents a day ending 31 October 2026: 1M is
about 27 years), loaded with the bare driver. Measured on a live server, in turns after a
warm-up, medians: ``GET /groups/{id}/situation`` for the 14 days ending then, and
``GET /groups/{id}/analysis`` for the year ending then (Gi* of the year on a 100 m grid of
the municipality, and the twelve steps of its cube) and for the 14 days (its cube reaches
back 168 days). Checked: the year's analysis counts every incident of the year once, as the
year's lägesbild does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import httpx
from sqlalchemy import select

from api import migrate
from api.accounts.models import User
from api.accounts.passwords import hash_password
from api.accounts.service import start_session
from api.db import Database
from api.seed import DEMO_PASSWORD, load_demo, load_demo_users
from api.structure.models import Group
from api.structure.schemas import GroupKind
from bench.incidents import PG_URL, Raw, _get, _ids, served
from bench.situation import END, PERIOD_DAYS, TIMEZONE, drop_database, grow, interleaved
from tests.support.servers import fresh_postgres_database, sqlite_url

YEAR_DAYS = 365
LIMIT = 2.0  # the year's analysis within this many times the 14-day lägesbild


def run(backend: str, url: str, size: int, repeat: int) -> dict[str, tuple[float, float]]:
    migrate.upgrade(url)
    database = Database.from_url(url)
    with database.session(write=True) as session:
        load_demo(session)
        load_demo_users(session, password_hash=hash_password(DEMO_PASSWORD))
        group_id = session.scalar(select(Group.id).where(Group.kind == GroupKind.coordination))
    assert group_id is not None
    ids = _ids(database)
    database.dispose()
    raw = Raw(url)
    try:
        print(f"[{backend}] loading {size:,} incidents …", file=sys.stderr)
        load_s = grow(raw, backend, ids, 0, size, analyze=False)
        print(f"[{backend}] loaded in {load_s:.0f} s", file=sys.stderr)
    finally:
        raw.close()
    fortnight = {
        "first_day": (END - dt.timedelta(days=PERIOD_DAYS - 1)).isoformat(),
        "last_day": END.isoformat(),
    }
    year_first = (END - dt.timedelta(days=YEAR_DAYS - 1)).isoformat()
    with served(url) as (base, database, settings):
        with database.session(write=True) as session:
            user = session.scalar(select(User).where(User.email_key == "admin@est.demo"))
            assert user is not None
            token, _ = start_session(session, user, settings=settings, address="bench")
        with httpx.Client(
            base_url=base, timeout=600, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            situation = f"/api/v1/groups/{group_id}/situation"
            analysis = f"/api/v1/groups/{group_id}/analysis"
            year = client.get(analysis, params={"from": year_first, "to": END.isoformat()})
            year.raise_for_status()
            counted = client.get(
                situation, params={"first_day": year_first, "last_day": END.isoformat()}
            ).json()["total"]["current"]
            significant = year.json()["significant"]
            assert significant["incidents"] + significant["unplaced"] == counted, (
                significant["incidents"],
                significant["unplaced"],
                counted,
            )
            print(
                f"[{backend}] the year: {counted:,} incidents, {significant['incidents']:,} "
                f"placed, {len(significant['hot'])} hot cells in "
                f"{len(significant['zones'])} zones of {significant['cells']:,} cells",
                file=sys.stderr,
            )
            return interleaved(
                {
                    "lägesbild, 14 days": partial(_get, client, situation, fortnight),
                    "analysis, a year": partial(
                        _get, client, analysis, {"from": year_first, "to": END.isoformat()}
                    ),
                    "analysis, 14 days": partial(
                        _get,
                        client,
                        analysis,
                        {"from": fortnight["first_day"], "to": fortnight["last_day"]},
                    ),
                },
                repeat,
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ["TZ"] = TIMEZONE
    time.tzset()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    found: dict[str, dict[str, tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            if backend == "postgresql":
                if not PG_URL:
                    print("PostgreSQL skipped: set EST_TEST_DATABASE_URL", file=sys.stderr)
                    continue
                url = fresh_postgres_database("bench_analysis")
            else:
                url = sqlite_url(Path(tmp) / "analysis.db")
            try:
                found[backend] = run(backend, url, args.size, args.repeat)
            finally:
                if backend == "postgresql":
                    drop_database(url)
    print(
        f"\nHistory {args.size:,} incidents (100 a day ending {END}); the coordination group "
        f"(the whole municipality); medians of {args.repeat} runs after a warm-up, ms."
    )
    print(f"{'backend':<11} {'measure':<22} {'median':>9} {'best':>9} {'× lägesbild':>12}")
    for backend, timings in found.items():
        base = timings["lägesbild, 14 days"][0]
        for name, (median, best) in timings.items():
            print(f"{backend:<11} {name:<22} {median:>9.1f} {best:>9.1f} {median / base:>11.2f}×")
        ratio = timings["analysis, a year"][0] / base
        verdict = "within" if ratio <= LIMIT else "NOT within"
        print(f"{backend}: a year's analysis is {ratio:.2f}× the lägesbild, {verdict} {LIMIT:g}×")


if __name__ == "__main__":
    main()

"""Fast at scale: the time to compute a 14-day lägesbild with 10k, 100k and 1M incidents in
the database, beside hand-written SQL computing the same figures on the bare driver in the
same run, and the growth from 100k to 1M, which should stay near 1: the cost follows the
period, not the history. Also the time WeasyPrint takes to render a lägesbild as PDF, and
a lägesbild of the longest period allowed, a year (its hot spots cluster some 31,000 points).

    python -m bench.situation [--backend sqlite|postgresql|both]
                              [--sizes 10000,100000,1000000] [--repeat 7] [--keep]
                              [--analyze]

The history grows at a fixed rate (100 incidents a day, in blocks of 100 days ending on
31 October 2026), so that the 14-day period holds the same incidents whatever the total:
10k is 100 days, 100k about 3 years, 1M about 27 years. One database per backend is grown
step by step (older blocks are added) and measured after each step.

PostgreSQL runs when EST_TEST_DATABASE_URL (or EST_BENCH_DATABASE_URL) names a server; the
benchmark makes its own database beside it (``<name>_bench_situation``) and drops it at the
end unless --keep is given. The tables are measured as the application leaves them: it never
runs ANALYZE (PostgreSQL's autovacuum does, in time); --analyze runs it after each load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, event, select, text

from api import localtime, migrate
from api.accounts.models import User
from api.accounts.passwords import hash_password
from api.accounts.service import start_session
from api.actor import SYSTEM
from api.db import Database, normalize_url
from api.seed import DEMO_PASSWORD, load_demo, load_demo_users
from api.situation import figures as calc
from api.situation.service import scope_of
from api.structure.models import Group
from api.structure.schemas import GroupKind
from bench.generate import Generated, incidents
from bench.incidents import (
    INCIDENT_COLUMNS,
    PG_URL,
    Raw,
    _get,
    _ids,
    _row,
    _timed,
    insert_report,
    median_ms,
    served,
    stored,
)
from tests.support.servers import fresh_postgres_database, sqlite_url

TIMEZONE = localtime.SWEDISH_ZONE
END = dt.date(2026, 10, 31)  # the last day of the history and of the measured period
PERIOD_DAYS = 14
PER_DAY = 100
BLOCK_DAYS = 100
BLOCK = PER_DAY * BLOCK_DAYS  # incidents generated and loaded at a time
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
PDF_REPEAT = 3
YEAR_DAYS = 366  # the longest period a lägesbild may cover
YEAR_REPEAT = 3
NOW = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


# Loading ------------------------------------------------------------------------------------


def _block(k: int) -> list[Generated]:
    """Block k: the 100 days ending 100·k days before END, in the order they were filed."""
    first = END - dt.timedelta(days=BLOCK_DAYS * (k + 1) - 1)
    rows = list(incidents(BLOCK, seed=1000 + k, start=first, days=BLOCK_DAYS))
    rows.sort(key=lambda g: g.occurred_from)
    return rows


def grow(
    raw: Raw,
    backend: str,
    ids: dict[str, dict[str, int]],
    have: int,
    want: int,
    *,
    analyze: bool = True,
) -> float:
    """Load blocks until the history holds ``want`` incidents; the seconds it took."""
    start = time.perf_counter()
    organisation = ids["organisations"]["Rapid Säkerhet"]
    placeholders = ", ".join("?" * 20)
    for k in range(have // BLOCK, want // BLOCK):
        generated = _block(k)
        with raw.transaction():
            report_id = insert_report(raw, organisation, backend, NOW)
            rows = [_row(g, ids, report_id, backend, NOW) for g in generated]
            if backend == "sqlite":
                raw.conn.executemany(
                    f"INSERT INTO incidents ({INCIDENT_COLUMNS}) VALUES ({placeholders})", rows
                )
            else:
                with raw.conn.cursor().copy(
                    f"COPY incidents ({INCIDENT_COLUMNS}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row(row)
        if k % 10 == 9:
            print(f"  … {(k + 1) * BLOCK} incidents", file=sys.stderr)
    if analyze and backend == "sqlite":
        raw.execute("ANALYZE")
    elif analyze:
        # A database in use has been vacuumed and analysed by autovacuum.
        raw.execute("VACUUM ANALYZE incidents")
    return time.perf_counter() - start


# The same figures in hand-written SQL ----------------------------------------------------


@dataclass
class Bounds:
    """The instants of the periods, as the driver wants them."""

    this: tuple[Any, Any]
    previous: tuple[Any, Any]
    last_year: tuple[Any, Any]
    weeks: tuple[Any, Any]  # the chart's 12 weeks
    weeks_before: tuple[Any, Any]  # the same weeks 52 weeks earlier
    mondays: list[dt.date]


def bounds(first: dt.date, last: dt.date, backend: str) -> Bounds:
    tz = localtime.zone(TIMEZONE)
    days = (last - first).days + 1

    def span(a: dt.date, b: dt.date) -> tuple[Any, Any]:
        p = calc.period(a, b, tz)
        return stored(p.start, backend), stored(p.end, backend)

    last_monday = last - dt.timedelta(days=last.weekday())
    first_monday = last_monday - dt.timedelta(weeks=calc.CHART_WEEKS - 1)
    # The chart's last week stops where the period does, and so do the same days a year ago.
    weeks_last = min(last_monday + dt.timedelta(days=6), last)
    return Bounds(
        this=span(first, last),
        previous=span(first - dt.timedelta(days=days), first - dt.timedelta(days=1)),
        last_year=span(calc.year_earlier(first), calc.year_earlier(last)),
        weeks=span(first_monday, weeks_last),
        weeks_before=span(
            first_monday - dt.timedelta(weeks=52), weeks_last - dt.timedelta(weeks=52)
        ),
        mondays=[first_monday + dt.timedelta(weeks=k) for k in range(calc.CHART_WEEKS)],
    )


# A police report matched to an observation that stands is counted once, as the observation.
WHERE = (
    "municipality_id = ? AND withdrawn_at IS NULL AND occurred_from >= ? AND occurred_from < ?"
    " AND NOT EXISTS (SELECT 1 FROM incident_matches m JOIN incidents o ON o.id ="
    " m.observation_id WHERE m.incident_id = incidents.id AND m.undone_at IS NULL"
    " AND o.withdrawn_at IS NULL)"
)
EXACT_SECONDS = calc.EXACT_WINDOW_HOURS * 3600


def _named(column: str, join: str, names: str) -> str:
    """Counts by ``column`` in one period, with the names joined on. (One statement per
    period: a UNION ALL of the periods tempts PostgreSQL into a parallel plan whose workers
    cost more to start than the query.)"""
    return (
        f"SELECT g.k, {names}, g.n FROM (SELECT {column} AS k, count(*) AS n FROM incidents "
        f"WHERE {WHERE} GROUP BY {column}) g LEFT JOIN {join}"
    )


def _sql(backend: str) -> dict[str, str]:
    if backend == "sqlite":
        week = "date(occurred_from, 'localtime', 'weekday 0', '-6 days')"
        from_s = "CAST(strftime('%s', occurred_from) AS INTEGER)"
        to_s = "CAST(strftime('%s', occurred_to) AS INTEGER)"
        weekday_hour = (
            "SELECT (CAST(strftime('%w', m) AS INTEGER) + 6) % 7, "
            "CASE WHEN exact THEN CAST(strftime('%H', m) AS INTEGER) END, count(*) "
            f"FROM (SELECT datetime(({from_s} + {to_s}) / 2, 'unixepoch', 'localtime') AS m, "
            f"{to_s} - {from_s} <= {EXACT_SECONDS} AS exact FROM incidents WHERE {WHERE}) "
            "GROUP BY 1, 2"
        )
    else:
        week = "(date_trunc('week', occurred_from AT TIME ZONE ?))::date"
        weekday_hour = (
            "SELECT extract(isodow FROM m)::int - 1, "
            "CASE WHEN exact THEN extract(hour FROM m)::int END, count(*) "
            "FROM (SELECT (occurred_from + (occurred_to - occurred_from) / 2) AT TIME ZONE ? "
            f"AS m, occurred_to - occurred_from <= interval '{calc.EXACT_WINDOW_HOURS} hours' "
            f"AS exact FROM incidents WHERE {WHERE}) t GROUP BY 1, 2"
        )
    return {
        "totals": "SELECT "
        + ", ".join(f"(SELECT count(*) FROM incidents WHERE {WHERE})" for _ in range(3)),
        "families": _named("family_code", "categories c ON c.code = g.k", "c.label_sv"),
        "categories": _named("category_code", "categories c ON c.code = g.k", "c.label_sv"),
        "areas": _named("area_id", "areas a ON a.id = g.k", "a.name"),
        "places": _named(
            "place_id",
            "places p ON p.id = g.k LEFT JOIN areas a ON a.id = p.area_id",
            "p.name, a.name",
        ),
        "police": (
            "SELECT police_reported, count(*) FROM incidents "
            f"WHERE {WHERE} GROUP BY police_reported"
        ),
        "reporters": (
            "SELECT g.organisation_id, o.name, g.n FROM (SELECT organisation_id, count(*) AS n "
            f"FROM incidents WHERE {WHERE} GROUP BY organisation_id) g "
            "JOIN organisations o ON o.id = g.organisation_id"
        ),
        "weeks": f"SELECT {week} AS monday, count(*) FROM incidents WHERE {WHERE} GROUP BY monday",
        "weekday_hour": weekday_hour,
        # Hot spots are clustered in Python; there is no SQL for that. The baseline fetches
        # the points of this period and the previous one (for the trend), no more.
        "points": (
            "SELECT id, lat, lon, assessment, area_id, place_id, family_code "
            f"FROM incidents WHERE {WHERE} AND lat IS NOT NULL"
        ),
    }


@dataclass
class SqlFigures:
    total: tuple[int, int, int] = (0, 0, 0)
    families: dict[str, list[int]] = field(default_factory=dict)
    categories: dict[str, list[int]] = field(default_factory=dict)
    areas: dict[int, list[int]] = field(default_factory=dict)
    places: dict[int | None, list[int]] = field(default_factory=dict)
    police: dict[str, int] = field(default_factory=dict)
    reporters: dict[int, int] = field(default_factory=dict)
    weeks: tuple[list[int], list[int]] = ([], [])
    weekday_hour: list[list[int]] = field(default_factory=list)
    unknown_hour: list[int] = field(default_factory=list)
    points: int = 0


def sql_figures(raw: Raw, backend: str, b: Bounds) -> SqlFigures:
    """Every figure of the lägesbild but the hot spots, with hand-written SQL."""
    q = _sql(backend)
    m = 1
    periods = (b.this, b.previous, b.last_year)

    def args(*spans: tuple[Any, Any]) -> tuple[Any, ...]:
        return tuple(itertools.chain.from_iterable((m, *s) for s in spans))

    out = SqlFigures()
    out.total = tuple(raw.execute(q["totals"], args(*periods)).fetchone())  # type: ignore[assignment]

    def three(sql: str, spans: tuple[tuple[Any, Any], ...]) -> dict[Any, list[int]]:
        counts: dict[Any, list[int]] = {}
        for p, span in enumerate(spans):
            for r in raw.execute(sql, args(span)).fetchall():
                counts.setdefault(r[0], [0] * len(spans))[p] = r[-1]
        return counts

    out.families = three(q["families"], periods)
    out.categories = three(q["categories"], periods)
    out.areas = three(q["areas"], periods)
    out.places = three(q["places"], periods)
    out.police = dict(raw.execute(q["police"], args(b.this)).fetchall())
    out.reporters = {r[0]: r[2] for r in raw.execute(q["reporters"], args(b.this)).fetchall()}

    tz_args = (TIMEZONE,) if backend == "postgresql" else ()
    by_week: Counter[tuple[int, dt.date]] = Counter()
    for period, span in enumerate((b.weeks, b.weeks_before)):
        for monday, n in raw.execute(q["weeks"], (*tz_args, *args(span))).fetchall():
            day = monday if isinstance(monday, dt.date) else dt.date.fromisoformat(monday)
            by_week[period, day + dt.timedelta(weeks=52 * period)] = n
    out.weeks = (
        [by_week[0, d] for d in b.mondays],
        [by_week[1, d] for d in b.mondays],
    )

    out.weekday_hour = [[0] * 24 for _ in range(7)]
    out.unknown_hour = [0] * 7
    for weekday, hour, n in raw.execute(q["weekday_hour"], (*tz_args, *args(b.this))).fetchall():
        if hour is None:
            out.unknown_hour[weekday] += n
        else:
            out.weekday_hour[weekday][hour] += n

    out.points = sum(
        len(raw.execute(q["points"], args(span)).fetchall()) for span in (b.this, b.previous)
    )
    return out


def check(sql: SqlFigures, figures: dict[str, Any]) -> None:
    """The hand-written SQL and the figures count the same incidents the same way."""
    total = figures["total"]
    assert list(sql.total) == [total["current"], total["previous"], total["last_year"]], (
        f"total: SQL {sql.total}, figures {total}"
    )

    def three(rows: list[dict[str, Any]], key: str = "code") -> dict[Any, list[int]]:
        return {
            r[key]: [r["current"], r["previous"], r["last_year"]]
            for r in rows
            if r["current"] or r["previous"] or r["last_year"]
        }

    assert sql.families == three(figures["families"]), "families differ"
    categories = [c for f in figures["families"] for c in f["categories"]]
    assert sql.categories == three(categories), "categories differ"
    assert sql.areas == three(figures["areas"], "id"), "areas differ"
    assert sql.places == three(figures["places"], "id"), "places differ"
    police = figures["police"]
    assert sql.police == {k: police[k] for k in ("yes", "no", "unknown") if police[k]}, (
        "police differ"
    )
    assert sql.reporters == {r["id"]: r["count"] for r in figures["reporters"]}, "reporters"
    assert sql.weeks[0] == [w["current"] for w in figures["weeks"]], "weeks differ"
    assert sql.weeks[1] == [w["last_year"] for w in figures["weeks"]], "weeks a year ago"
    assert sql.weekday_hour == figures["weekday_hour"], "weekday × hour differs"
    assert sql.unknown_hour == figures["unknown_hour"], "unknown hour differs"


# The application ----------------------------------------------------------------------------


def compute_in_process(database: Database, group_id: int, first: dt.date, last: dt.date) -> Any:
    with database.session(write=False) as session:
        group = session.get(Group, group_id)
        assert group is not None
        figures, _ids = calc.compute(session, scope_of(session, group, SYSTEM), first, last)
        return figures


def hot_spots_only(cur: list[calc.Row], prev: list[calc.Row]) -> Any:
    return calc._hot_spots(cur, prev, {}, {}, {})


def period_rows(
    database: Database, group_id: int, first: dt.date
) -> tuple[list[calc.Row], list[calc.Row]]:
    """The rows of this period (to END) and the previous one, as compute() reads them."""
    days = (END - first).days + 1
    with database.session(write=False) as session:
        group = session.get(Group, group_id)
        assert group is not None
        scope = scope_of(session, group, SYSTEM)
        tz = localtime.zone(scope.timezone)
        before = calc.period(first - dt.timedelta(days=days), first - dt.timedelta(days=1), tz)
        return calc.rows(session, scope, calc.period(first, END, tz)), calc.rows(
            session, scope, before
        )


def interleaved(
    measures: dict[str, Callable[[], Any]], repeat: int
) -> dict[str, tuple[float, float]]:
    """Median and best ms of each, after a warm-up, taken in turns so that whatever else the
    machine is doing weighs on all of them alike."""
    for fn in measures.values():
        fn()
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(repeat):
        for name, fn in measures.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: (median_ms(s), min(s) * 1000) for name, s in samples.items()}


@contextmanager
def captured(database: Database) -> Iterator[list[tuple[str, Any]]]:
    """The statements the application sends while the block runs."""
    statements: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", remember)


def query_plans(database: Database, backend: str, group_id: int, first: dt.date) -> list[str]:
    """EXPLAIN for each distinct statement on incidents that compute() sends."""
    with captured(database) as statements:
        compute_in_process(database, group_id, first, END)
    seen: dict[str, Any] = {}
    for statement, parameters in statements:
        if "FROM incidents" in statement:
            seen.setdefault(statement, parameters)
    lines = []
    with database.engine.connect() as conn:
        for statement, parameters in seen.items():
            lines.append("  " + " ".join(statement.split())[:160] + " …")
            if backend == "sqlite":
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                lines.extend(f"    {r[3]}" for r in plan)
            else:
                plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                lines.extend(f"    {r[0]}" for r in plan)
            conn.rollback()
    return lines


@dataclass
class Year:
    """A lägesbild of a year, the longest period allowed."""

    first: dt.date
    incidents: int
    points: int  # with a position: what the hot spots cluster
    compute_ms: float
    spots_ms: float


def measure_year(database: Database, group_id: int) -> Year:
    """figures.compute() for the year to END, and the hot spots inside it (clustering the
    year's points, and gathering the year before's around the same incidents)."""
    first = END - dt.timedelta(days=YEAR_DAYS - 1)
    cur, prev = period_rows(database, group_id, first)
    timings = interleaved(
        {
            "compute": partial(compute_in_process, database, group_id, first, END),
            "spots": partial(hot_spots_only, cur, prev),
        },
        YEAR_REPEAT,
    )
    return Year(
        first=first,
        incidents=len(cur),
        points=sum(1 for r in cur if r.lat is not None),
        compute_ms=timings["compute"][0],
        spots_ms=timings["spots"][0],
    )


# PDF ------------------------------------------------------------------------------------------


def measure_pdf(
    base: str, token: str, group_id: int, params: dict[str, str]
) -> tuple[float, float]:
    """The PDF handout as a person gets it: a draft of the period, through the web page
    /lagesbild/{id}.pdf (the API's figures, the print template, the SVG charts, WeasyPrint)."""
    with httpx.Client(base_url=base, timeout=300, cookies={"est_session": token}) as browser:
        created = browser.post(
            f"/api/v1/groups/{group_id}/situation-reports",
            json=params,
            headers={"Authorization": f"Bearer {token}"},
        )
        created.raise_for_status()
        path = f"/lagesbild/{created.json()['id']}.pdf"
        response = browser.get(path)
        response.raise_for_status()
        assert response.content.startswith(b"%PDF"), response.text[:200]
        samples = _timed(lambda: browser.get(path).raise_for_status(), PDF_REPEAT)
    return median_ms(samples), len(response.content) / 1024


# Running ------------------------------------------------------------------------------------


@dataclass
class Result:
    backend: str
    history: int
    in_period: int
    load_s: float
    api_ms: float
    compute_ms: float
    spots_ms: float
    sql_ms: float
    best: dict[str, float]  # the fastest run of each, ms
    pdf_ms: float | None = None  # the lägesbild's PDF through the page, at the largest size
    pdf_kib: float | None = None
    year: Year | None = None  # at the largest size, when the history holds two years


def drop_database(url: str) -> None:
    target = normalize_url(url)
    admin = create_engine(normalize_url(PG_URL or ""), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def run(
    backend: str, url: str, sizes: list[int], repeat: int, *, analyze: bool = True
) -> tuple[list[Result], dict[str, Any], list[str]]:
    migrate.upgrade(url)
    database = Database.from_url(url)
    with database.session(write=True) as session:
        load_demo(session)
        load_demo_users(session, password_hash=hash_password(DEMO_PASSWORD))
        group_id = session.scalar(select(Group.id).where(Group.kind == GroupKind.coordination))
    assert group_id is not None
    ids = _ids(database)
    database.dispose()

    first = END - dt.timedelta(days=PERIOD_DAYS - 1)
    params = {"first_day": first.isoformat(), "last_day": END.isoformat()}
    b = bounds(first, END, backend)
    raw = Raw(url)
    results: list[Result] = []
    figures: dict[str, Any] = {}
    plans: list[str] = []
    have = 0
    try:
        for size in sizes:
            print(f"[{backend}] growing the history to {size} incidents …", file=sys.stderr)
            load_s = grow(raw, backend, ids, have, size, analyze=analyze)
            have = size
            with served(url) as (base, database, settings):
                with database.session(write=True) as session:
                    user = session.scalar(select(User).where(User.email_key == "admin@est.demo"))
                    assert user is not None
                    token, _ = start_session(session, user, settings=settings, address="bench")
                with httpx.Client(
                    base_url=base, timeout=300, headers={"Authorization": f"Bearer {token}"}
                ) as client:
                    response = client.get(f"/api/v1/groups/{group_id}/situation", params=params)
                    response.raise_for_status()
                    figures = response.json()
                    check(sql_figures(raw, backend, b), figures)
                    cur, prev = period_rows(database, group_id, first)
                    timings = interleaved(
                        {
                            "api": partial(
                                _get, client, f"/api/v1/groups/{group_id}/situation", params
                            ),
                            "compute": partial(compute_in_process, database, group_id, first, END),
                            "spots": partial(hot_spots_only, cur, prev),
                            "sql": partial(sql_figures, raw, backend, b),
                        },
                        repeat,
                    )
                year = None
                if size == sizes[-1]:
                    plans = query_plans(database, backend, group_id, first)
                    pdf = measure_pdf(base, token, group_id, params)
                    # A year and the year before it must be in the history.
                    if size >= 2 * YEAR_DAYS * PER_DAY:
                        year = measure_year(database, group_id)
            results.append(
                Result(
                    backend=backend,
                    history=size,
                    in_period=figures["total"]["current"],
                    load_s=load_s,
                    api_ms=timings["api"][0],
                    compute_ms=timings["compute"][0],
                    spots_ms=timings["spots"][0],
                    sql_ms=timings["sql"][0],
                    best={name: t[1] for name, t in timings.items()},
                    pdf_ms=pdf[0] if size == sizes[-1] else None,
                    pdf_kib=pdf[1] if size == sizes[-1] else None,
                    year=year,
                )
            )
            r = results[-1]
            print(
                f"[{backend}] {size}: loaded in {load_s:.1f} s; api {r.api_ms:.1f} ms, "
                f"compute {r.compute_ms:.1f} ms, sql {r.sql_ms:.1f} ms",
                file=sys.stderr,
            )
    finally:
        raw.close()
    return results, figures, plans


def _sizes(value: str) -> list[int]:
    sizes = [int(s.replace("_", "")) for s in value.split(",") if s.strip()]
    if not sizes or sizes != sorted(set(sizes)) or any(s % BLOCK or s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"increasing multiples of {BLOCK}, comma-separated")
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="ANALYZE after each load (the application never runs it; PostgreSQL's "
        "autovacuum does in time)",
    )
    args = parser.parse_args(argv)
    # SQLite's 'localtime' is the process's time zone: the municipality's, for the baseline.
    os.environ["TZ"] = TIMEZONE
    time.tzset()
    probe = sqlite3.connect(":memory:")
    assert probe.execute("SELECT datetime('2026-07-01 12:00:00', 'localtime')").fetchone()[0] == (
        "2026-07-01 14:00:00"
    ), f"the TZ database has no {TIMEZONE}"
    probe.close()

    started = time.perf_counter()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results: list[Result] = []
    plans: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            if backend == "postgresql":
                if not PG_URL:
                    print("PostgreSQL skipped: set EST_TEST_DATABASE_URL", file=sys.stderr)
                    continue
                url = fresh_postgres_database("bench_situation")
            else:
                url = sqlite_url(Path(tmp) / "situation.db")
            try:
                found, _figures, plans[backend] = run(
                    backend, url, args.sizes, args.repeat, analyze=args.analyze
                )
                results.extend(found)
            finally:
                if backend == "postgresql" and not args.keep:
                    drop_database(url)

    print(
        f"\nA {PERIOD_DAYS}-day lägesbild ({END - dt.timedelta(days=PERIOD_DAYS - 1)} – {END}) "
        f"of the coordination group (the whole municipality); history {PER_DAY} incidents a "
        f"day ending {END}; medians of {args.repeat} runs after a warm-up, ms; "
        f"{'ANALYZE after each load' if args.analyze else 'no ANALYZE'}."
    )
    print(
        "api: GET /api/v1/groups/{id}/situation on a live server; compute: figures.compute() "
        "in-process; spots: the hot spot clustering inside compute; sql: hand-written SQL for "
        "the same figures on the bare driver (hot spot clustering has no SQL equivalent: the "
        "baseline fetches the period's points but does not cluster them)."
    )
    head = (
        f"{'backend':<11} {'history':>9} {'in period':>9} {'load s':>7} {'api':>8} "
        f"{'compute':>8} {'spots':>7} {'sql':>7} {'api/sql':>8}"
    )
    print("\n" + head)
    for r in results:
        print(
            f"{r.backend:<11} {r.history:>9,} {r.in_period:>9,} {r.load_s:>7.1f} "
            f"{r.api_ms:>8.1f} {r.compute_ms:>8.1f} {r.spots_ms:>7.1f} {r.sql_ms:>7.1f} "
            f"{r.api_ms / r.sql_ms:>7.1f}×"
        )
    print()
    for backend in backends:
        mine = [r for r in results if r.backend == backend]
        if len(mine) >= 2:
            a, z = mine[-2], mine[-1]
            print(
                f"growth {z.history:,}/{a.history:,} on {backend}, medians: "
                f"api {z.api_ms / a.api_ms:.2f}×, compute {z.compute_ms / a.compute_ms:.2f}×, "
                f"sql {z.sql_ms / a.sql_ms:.2f}×; best runs: "
                + ", ".join(f"{k} {z.best[k] / a.best[k]:.2f}×" for k in ("api", "compute", "sql"))
            )
    for backend, lines in plans.items():
        largest = max(r.history for r in results if r.backend == backend)
        print(f"\nQuery plans of figures.compute() on {backend} at {largest:,} incidents:")
        print("\n".join(lines))

    for r in results:
        if r.pdf_ms is not None:
            print(
                f"\nPDF of the lägesbild on {r.backend} at {r.history:,} incidents "
                f"(GET /lagesbild/{{id}}.pdf on the live server: API, print template, SVG "
                f"charts, WeasyPrint): {r.pdf_ms:.0f} ms (median of {PDF_REPEAT}), "
                f"{r.pdf_kib:.0f} KiB"
            )
    for r in results:
        if r.year is not None:
            y = r.year
            print(
                f"\nA {YEAR_DAYS}-day lägesbild ({y.first} – {END}) on {r.backend} at "
                f"{r.history:,} incidents: {y.incidents:,} incidents in the period, {y.points:,} "
                f"with a point; figures.compute() {y.compute_ms:.0f} ms, of which the hot spots "
                f"(clustering the year's points, gathering the year before's around the same "
                f"incidents) "
                f"{y.spots_ms:.0f} ms (medians of {YEAR_REPEAT})"
            )
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

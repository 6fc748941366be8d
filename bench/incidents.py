"""Observations under load: filing throughput through the API and list/GeoJSON latency at
100,000 incidents, each beside a baseline measured in the same run: the same rows inserted
and selected with the bare database driver (sqlite3, psycopg), no API, no ORM.

    python -m bench.incidents [--backend sqlite|postgresql|both] [--rows 100000] [--reports 300]

PostgreSQL runs when EST_TEST_DATABASE_URL (or EST_BENCH_DATABASE_URL) names a server; the
benchmark makes its own database beside it. Prints a table of medians with the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import select

from api import migrate
from api.accounts.models import User
from api.accounts.passwords import hash_password
from api.accounts.service import start_session
from api.db import Database, normalize_url
from api.seed import DEMO_PASSWORD, load_demo, load_demo_users
from api.settings import Settings
from api.structure.models import Area, Organisation, Place
from bench.generate import Generated, incidents
from tests.support.servers import LiveServer, fresh_postgres_database, sqlite_url
from web.embedded import create_embedded_app

PG_URL = os.environ.get("EST_BENCH_DATABASE_URL") or os.environ.get("EST_TEST_DATABASE_URL")
INCIDENT_COLUMNS = (
    "report_id, municipality_id, organisation_id, category_code, family_code, occurred_from, "
    "occurred_to, precision, area_id, place_id, lat, lon, assessment, certainty, "
    "police_reported, description, source, version, created_at, updated_at"
)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


@contextmanager
def served(url: str) -> Iterator[tuple[str, Database, Settings]]:
    settings = Settings(
        env="test", database_url=url, secret_key="b" * 40, htmx_source="local", log_level="warning"
    )
    live = LiveServer(create_embedded_app(settings)).start()
    database = Database.from_url(url)
    try:
        yield live.url, database, settings
    finally:
        live.stop()
        database.dispose()


class Raw:
    """The bare driver on the same database: the baseline."""

    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.backend = self.url.get_backend_name()
        if self.url.get_backend_name() == "sqlite":
            self.conn: Any = sqlite3.connect(self.url.database or "", isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.param = "?"
        else:
            self.conn = psycopg.connect(
                self.url.set(drivername="postgresql").render_as_string(hide_password=False),
                autocommit=True,
            )
            self.param = "%s"

    def close(self) -> None:
        self.conn.close()

    def transaction(self) -> Any:
        if isinstance(self.conn, sqlite3.Connection):
            return _sqlite_transaction(self.conn)
        return self.conn.transaction()

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.conn.execute(sql.replace("?", self.param), params)


@contextmanager
def _sqlite_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# The demo's first municipality, Upplands-Bro, where the generated incidents happen (its
# neighbour has areas, places and organisations of the same names).
HOME = 1


def _ids(database: Database) -> dict[str, dict[str, int]]:
    with database.session(write=False) as session:
        return {
            kind: {
                r.name: r.id
                for r in session.scalars(select(model).where(model.municipality_id == HOME))
            }
            for kind, model in (
                ("areas", Area),
                ("places", Place),
                ("organisations", Organisation),
            )
        }


def insert_report(raw: Raw, organisation_id: int, backend: str, now: dt.datetime) -> int:
    """A report of the home municipality, written with the bare driver; its id."""
    row = raw.execute(
        "INSERT INTO reports (municipality_id, organisation_id, reporter_id, source, created_at) "
        "VALUES (?, ?, NULL, 'bench', ?) RETURNING id",
        (HOME, organisation_id, stored(now, backend)),
    ).fetchone()
    return int(row[0])


# SQLAlchemy's DateTime on SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, no offset), and
# range queries compare those strings: rows written here must look the same.
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def stored(value: dt.datetime, backend: str) -> Any:
    """A time as the application stores it on the backend."""
    if backend == "sqlite":
        return value.astimezone(dt.UTC).strftime(SQLITE_DATETIME)
    return value


def _row(
    item: Generated,
    ids: dict[str, dict[str, int]],
    report_id: int,
    backend: str,
    now: dt.datetime | None = None,
) -> tuple[Any, ...]:
    filed = stored(now or dt.datetime.now(dt.UTC), backend)
    return (
        report_id, HOME, ids["organisations"][item.organisation], item.category,
        item.category.split(".")[0], stored(item.occurred_from, backend),
        stored(item.occurred_to, backend), item.precision, ids["areas"][item.area],
        ids["places"].get(item.place) if item.place else None, item.lat, item.lon,
        item.assessment, item.certainty, item.police_reported, None, "bench", 1, filed, filed,
    )  # fmt: skip


def _insert_report(raw: Raw, items: list[Generated], ids: dict[str, dict[str, int]]) -> None:
    with raw.transaction():
        organisation = ids["organisations"][items[0].organisation]
        report_id = insert_report(raw, organisation, raw.backend, dt.datetime.now(dt.UTC))
        for item in items:
            raw.execute(
                f"INSERT INTO incidents ({INCIDENT_COLUMNS}) VALUES ({', '.join('?' * 20)})",
                _row(item, ids, report_id, raw.backend),
            )


def _api_body(items: list[Generated], ids: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {
        "incidents": [
            {
                "category": i.category,
                "occurred_from": i.occurred_from.isoformat(),
                "occurred_to": i.occurred_to.isoformat(),
                "precision": i.precision,
                "area_id": ids["areas"][i.area],
                "place_id": ids["places"].get(i.place) if i.place else None,
                "position": {"lat": i.lat, "lon": i.lon} if i.lat is not None else None,
                "assessment": i.assessment,
                "certainty": i.certainty,
                "police_reported": i.police_reported,
            }
            for i in items
        ]
    }


def _reports(count: int, seed: int) -> list[list[Generated]]:
    """Reports of one to three incidents of one organisation (the EMBRACE habit)."""
    flat = list(incidents(count * 2, seed=seed))
    reports: list[list[Generated]] = []
    index = 0
    while len(reports) < count:
        size = 1 + (index % 3)
        batch = [flat[(index + k) % len(flat)] for k in range(size)]
        organisation = batch[0].organisation
        reports.append([b.__class__(**{**b.__dict__, "organisation": organisation}) for b in batch])
        index += size
    return reports


def _get(client: httpx.Client, path: str, params: dict[str, Any]) -> None:
    client.get(path, params=params).raise_for_status()


def _fetch(raw: Raw, sql: str, args: tuple[Any, ...]) -> None:
    raw.execute(sql, args).fetchall()


def _timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    fn()  # warm up caches and connections
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def run(backend: str, url: str, rows: int, reports: int) -> list[tuple[str, str, float, float]]:
    migrate.upgrade(url)
    database = Database.from_url(url)
    with database.session(write=True) as session:
        load_demo(session)
        load_demo_users(session, password_hash=hash_password(DEMO_PASSWORD))
    ids = _ids(database)
    database.dispose()
    results: list[tuple[str, str, float, float]] = []
    with served(url) as (base, database, settings):
        with database.session(write=True) as session:
            user = session.scalar(select(User).where(User.email_key == "admin@est.demo"))
            assert user is not None
            token, _ = start_session(session, user, settings=settings, address="bench")
        raw = Raw(url)
        client = httpx.Client(
            base_url=base, timeout=120, headers={"Authorization": f"Bearer {token}"}
        )
        try:
            # Filing: reports of 1-3 incidents, one after another (one client, as a phone).
            batch = _reports(reports, seed=7)
            start = time.perf_counter()
            for items in batch:
                response = client.post("/api/v1/reports", json=_api_body(items, ids))
                assert response.status_code == 201, response.text
            api_rate = len(batch) / (time.perf_counter() - start)
            start = time.perf_counter()
            for items in batch:
                _insert_report(raw, items, ids)
            raw_rate = len(batch) / (time.perf_counter() - start)
            results.append(
                (backend, "file a report (1-3 incidents), reports/s", api_rate, raw_rate)
            )

            # Fill up to `rows` incidents with the bare driver, in large transactions.
            print(f"[{backend}] loading {rows} incidents …", file=sys.stderr)
            generated = list(incidents(rows, seed=11))
            for offset in range(0, len(generated), 5000):
                with raw.transaction():
                    report_id = insert_report(
                        raw,
                        ids["organisations"]["Rapid Säkerhet"],
                        backend,
                        dt.datetime.now(dt.UTC),
                    )
                    chunk = [
                        _row(g, ids, report_id, backend) for g in generated[offset : offset + 5000]
                    ]
                    sql = (
                        f"INSERT INTO incidents ({INCIDENT_COLUMNS}) VALUES ({', '.join('?' * 20)})"
                    )
                    cursor = raw.conn.cursor()
                    cursor.executemany(sql.replace("?", raw.param), chunk)
            if backend == "postgresql":
                raw.execute("ANALYZE incidents")

            bro = ids["areas"]["Bro"]
            list_sql = (
                "SELECT i.*, c.label_sv, a.name, o.name FROM incidents i "
                "JOIN categories c ON c.code = i.category_code JOIN areas a ON a.id = i.area_id "
                "JOIN organisations o ON o.id = i.organisation_id LEFT JOIN places p "
                "ON p.id = i.place_id WHERE i.withdrawn_at IS NULL {where} "
                "ORDER BY i.id DESC LIMIT 51"
            )
            for label, params, where, args in (
                ("list, newest 50", {}, "", ()),
                (
                    "list, one area and category family",
                    {"area": bro, "category": "skadegorelse"},
                    "AND i.area_id = ? AND i.family_code = ?",
                    (bro, "skadegorelse"),
                ),
            ):
                api = _timed(partial(_get, client, "/api/v1/incidents", params), 30)
                base_ = _timed(partial(_fetch, raw, list_sql.format(where=where), args), 30)
                results.append((backend, f"{label}, ms", median_ms(api), median_ms(base_)))

            month = {
                "area": bro,
                "since": "2025-06-01T00:00:00+02:00",
                "until": "2025-07-01T00:00:00+02:00",
            }
            geo_sql = (
                "SELECT i.id, i.lat, i.lon, i.category_code, c.label_sv, i.family_code, "
                "i.occurred_from, i.occurred_to, a.name, p.name, i.assessment, i.certainty, "
                "i.police_reported, o.name FROM incidents i "
                "JOIN categories c ON c.code = i.category_code JOIN areas a ON a.id = i.area_id "
                "JOIN organisations o ON o.id = i.organisation_id "
                "LEFT JOIN places p ON p.id = i.place_id WHERE i.withdrawn_at IS NULL {where} "
                "ORDER BY i.id DESC"
            )

            def raw_geojson(where: str, args: tuple[Any, ...]) -> int:
                features = [
                    json.dumps({
                        "type": "Feature", "id": r[0],
                        "geometry": None if r[1] is None
                        else {"type": "Point", "coordinates": [r[2], r[1]]},
                        "properties": {"category": r[3], "category_label": r[4], "family": r[5],
                                       "occurred_from": str(r[6]), "occurred_to": str(r[7]),
                                       "area": r[8], "place": r[9], "assessment": r[10],
                                       "certainty": r[11], "police_reported": r[12],
                                       "organisation": r[13]},
                    }, ensure_ascii=False)
                    for r in raw.execute(geo_sql.format(where=where), args)
                ]  # fmt: skip
                return len('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}")

            for label, params, where, args, repeat in (
                (
                    "GeoJSON, one area, one month",
                    month,
                    "AND i.area_id = ? AND i.occurred_to >= ? AND i.occurred_from < ?",
                    (bro, "2025-05-31T22:00:00+00:00", "2025-06-30T22:00:00+00:00"),
                    20,
                ),
                (f"GeoJSON, all {rows} incidents", {}, "", (), 3),
            ):
                if backend == "sqlite":
                    # SQLite stores times as text, so the bounds compare as text too.
                    args = tuple(
                        a.replace("+00:00", "") if isinstance(a, str) and "T" in a else a
                        for a in args
                    )
                api = _timed(partial(_get, client, "/api/v1/incidents.geojson", params), repeat)
                base_ = _timed(partial(raw_geojson, where, args), repeat)
                results.append((backend, f"{label}, ms", median_ms(api), median_ms(base_)))
        finally:
            client.close()
            raw.close()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reports", type=int, default=300)
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            if backend == "postgresql":
                if not PG_URL:
                    print("PostgreSQL skipped: set EST_TEST_DATABASE_URL", file=sys.stderr)
                    continue
                os.environ.setdefault("EST_TEST_DATABASE_URL", PG_URL)
                url = fresh_postgres_database("bench")
            else:
                url = sqlite_url(Path(tmp) / "bench.db")
            results.extend(run(backend, url, args.rows, args.reports))
    print(f"\n{'backend':<11} {'measure':<52} {'API':>10} {'baseline':>10} {'ratio':>7}")
    for backend, label, api, base in results:
        # For a rate the baseline is faster when larger; the ratio says how many times.
        ratio = base / api if "/s" in label else api / base
        print(f"{backend:<11} {label:<52} {api:>10.1f} {base:>10.1f} {ratio:>6.1f}×")


if __name__ == "__main__":
    main()

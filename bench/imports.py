"""Incidents in from a mapping tool, at 100,000 and 1,000,000 rows: the file import (what
`est import` does) and the push API (batches of 500 over HTTP with a service token), on
SQLite and PostgreSQL, with the peak memory of the process doing the work; beside
PostgreSQL's COPY of the same rows (already resolved to ids) in the same run.

    python -m bench.imports [--backend sqlite|postgresql|both] [--sizes 100000,1000000]
                            [--push-sizes 100000,1000000]

Each import runs in a process of its own (`est import`; `est serve-api` for the pushes), so
that its peak resident memory (VmHWM) is its own: a file that streams takes the same memory
at a million rows as at a hundred thousand. A second import of the same file, every row
unchanged, is timed too. PostgreSQL runs when EST_TEST_DATABASE_URL (or
EST_BENCH_DATABASE_URL) names a server.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import select

from api import migrate
from api.accounts import schemas as account_schemas
from api.accounts import service_tokens
from api.actor import SYSTEM
from api.db import Database, normalize_url
from api.localtime import STOCKHOLM
from api.seed import load_demo
from api.structure.models import Organisation
from bench.generate import Generated, incidents
from tests.support.servers import free_port, fresh_postgres_database, sqlite_url

PG_URL = os.environ.get("EST_BENCH_DATABASE_URL") or os.environ.get("EST_TEST_DATABASE_URL")
HEADER = [
    "Händelse-ID", "Kategori", "Underkategori", "Inträffade från", "Inträffade till",
    "Område", "Plats", "Latitud", "Longitud", "Bedömning", "Säkerhet", "Polisanmäld",
    "Organisation",
]  # fmt: skip
ASSESSMENT_SV = {"low": "Låg", "medium": "Medel", "high": "Hög"}
CERTAINTY_SV = {"observed": "Observerat", "suspected": "Misstänkt"}
POLICE_SV = {"yes": "Ja", "no": "Nej", "unknown": ""}
BATCH = 500


def _labels() -> dict[str, tuple[str, str]]:
    """Our codes as the export names them: (Kategori, Underkategori)."""
    path = Path(__file__).resolve().parent.parent / "api" / "seed_data" / "categories.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    labels = {r["code"]: r["label_sv"] for r in rows}
    return {
        code: (labels[code.split(".")[0]], labels[code] if "." in code else "") for code in labels
    }


def _local(moment: Any) -> str:
    return f"{moment.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}"


def _decimal(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}".replace(".", ",")


def generated(count: int) -> Iterator[Generated]:
    # Two years that have passed, so that none is in the future whenever it runs.
    return incidents(count, seed=7, start=dt.date(2024, 1, 1), days=730)


def csv_row(index: int, item: Generated, labels: dict[str, tuple[str, str]]) -> list[str]:
    family, sub = labels[item.category]
    return [
        f"B-{index}", family, sub, _local(item.occurred_from),
        _local(item.occurred_to) if item.occurred_to > item.occurred_from else "",
        item.area, item.place or "", _decimal(item.lat), _decimal(item.lon),
        ASSESSMENT_SV[item.assessment], CERTAINTY_SV[item.certainty],
        POLICE_SV[item.police_reported], item.organisation,
    ]  # fmt: skip


def write_csv(path: Path, count: int) -> None:
    labels = _labels()
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for index, item in enumerate(generated(count)):
            writer.writerow(csv_row(index, item, labels))


def push_items(count: int) -> Iterator[list[dict[str, Any]]]:
    labels = _labels()
    batch: list[dict[str, Any]] = []
    for index, item in enumerate(generated(count)):
        row = dict(zip(
            ("external_id", "category", "subcategory", "occurred_from", "occurred_to", "area",
             "place", "lat", "lon", "assessment", "certainty", "police_reported",
             "organisation"),
            csv_row(index, item, labels), strict=True,
        ))  # fmt: skip
        batch.append({k: v for k, v in row.items() if v})
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def write_batches(path: Path, count: int) -> None:
    """The pushes' bodies, one JSON line per batch, written before the clock starts: the
    client then only reads and sends."""
    with path.open("wb") as handle:
        for batch in push_items(count):
            handle.write(json.dumps({"incidents": batch}, ensure_ascii=False).encode() + b"\n")


def write_resolved(path: Path, count: int, ids: dict[str, dict[str, int]]) -> None:
    """The same rows resolved to ids, as COPY's CSV, written before the clock starts."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for index, item in enumerate(generated(count)):
            writer.writerow((
                f"B-{index}", item.category, item.category.split(".")[0],
                item.occurred_from.isoformat(), item.occurred_to.isoformat(),
                ids["areas"][item.area], ids["places"].get(item.place, "") if item.place else "",
                "" if item.lat is None else item.lat, "" if item.lon is None else item.lon,
                item.assessment, item.certainty, item.police_reported,
                ids["organisations"][item.organisation],
            ))  # fmt: skip


def fresh(backend: str, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    url = (
        sqlite_url(folder / "bench.db")
        if backend == "sqlite"
        else fresh_postgres_database("bench_import")
    )
    migrate.upgrade(url)
    database = Database.from_url(url)
    with database.session(write=True) as session:
        load_demo(session)
    database.dispose()
    return url


def _environment(url: str) -> dict[str, str]:
    return {**os.environ, "EST_DATABASE_URL": url, "EST_LOG_LEVEL": "warning"}


def file_import(url: str, path: Path) -> dict[str, Any]:
    """`est import` in its own process: its time and peak memory."""
    code = (
        "import resource, sys, time\n"
        "from api.cli import main\n"
        "started = time.perf_counter()\n"
        "main(['import', sys.argv[1], '--source', 'embrace'])\n"
        "seconds = time.perf_counter() - started\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(f'BENCH {seconds} {peak}')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True,
        env=_environment(url), check=True,
    )  # fmt: skip
    said = next(line for line in done.stdout.splitlines() if line.startswith("BENCH")).split()
    summary = next(line for line in done.stdout.splitlines() if " gav: " in line)
    return {"seconds": float(said[1]), "peak_mb": int(said[2]) / 1024, "summary": summary}


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def push(url: str, count: int, bodies: Path) -> dict[str, Any]:
    """The push API of `est serve-api` in its own process, fed batches of 500 by one client."""
    database = Database.from_url(url)
    with database.session(write=True) as session:
        rapid = session.scalars(
            select(Organisation).where(Organisation.name == "Rapid Säkerhet")
        ).one()
        token, _ = service_tokens.create_service_token(
            session,
            account_schemas.ServiceTokenCreate(source="embrace", organisation_id=rapid.id),
            actor=SYSTEM,
        )
    database.dispose()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve-api", "--port", str(port)],
        env={**_environment(url), "EST_ENV": "test", "EST_SECRET_KEY": "b" * 40},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=120) as client, bodies.open("rb") as lines:
            for _ in range(200):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            client.headers["Authorization"] = f"Bearer {token}"
            client.headers["Content-Type"] = "application/json"
            counts = {"created": 0, "rejected": 0}
            started = time.perf_counter()
            for line in lines:
                answer = client.post("/api/v1/integrations/embrace/incidents:batch", content=line)
                answer.raise_for_status()
                body = answer.json()
                counts["created"] += body["created"]
                counts["rejected"] += body["rejected"]
            seconds = time.perf_counter() - started
        peak = _vm_hwm_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"seconds": seconds, "peak_mb": peak, **counts}


def copy_baseline(count: int, folder: Path) -> float:
    """PostgreSQL COPY of the same rows, resolved to ids, into a table of the incidents'
    columns: how fast the server takes the data at all. Only the COPY is timed."""
    assert PG_URL
    url = fresh("postgresql", folder)
    plain = normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        ids = {
            "areas": dict(conn.execute("SELECT name, id FROM areas").fetchall()),
            "places": dict(conn.execute("SELECT name, id FROM places").fetchall()),
            "organisations": dict(conn.execute("SELECT name, id FROM organisations").fetchall()),
        }
        resolved = folder / "resolved.csv"
        write_resolved(resolved, count, ids)
        conn.execute(
            "CREATE TABLE copied (external_id text, category_code text, family_code text, "
            "occurred_from timestamptz, occurred_to timestamptz, area_id int, place_id int, "
            "lat double precision, lon double precision, assessment text, certainty text, "
            "police_reported text, organisation_id int)"
        )
        started = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy(
            "COPY copied FROM STDIN WITH (FORMAT csv)"
        ) as copy, resolved.open("rb") as source:  # fmt: skip
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--push-sizes", default="100000,1000000")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not PG_URL:
        print("PostgreSQL skipped: set EST_TEST_DATABASE_URL", file=sys.stderr)
        backends.remove("postgresql")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    push_sizes = [int(s) for s in args.push_sizes.split(",") if s]
    results: list[tuple[str, str, int, float, float, str]] = []
    copies: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        files = {}
        for size in sizes:
            files[size] = folder / f"export-{size}.csv"
            write_csv(files[size], size)
            print(f"{files[size].name}: {files[size].stat().st_size / 1e6:.0f} MB", flush=True)
        bodies = {}
        for size in push_sizes:
            bodies[size] = folder / f"batches-{size}.jsonl"
            write_batches(bodies[size], size)
        if PG_URL:
            for size in sorted(set(sizes) | set(push_sizes)):
                copies[size] = copy_baseline(size, folder / "copy")
                print(f"COPY {size}: {copies[size]:.1f} s", flush=True)
        for backend in backends:
            for size in sizes:
                url = fresh(backend, folder / f"{backend}-{size}")
                first = file_import(url, files[size])
                results.append(("file", backend, size, first["seconds"], first["peak_mb"],
                                first["summary"]))  # fmt: skip
                again = file_import(url, files[size])
                results.append(("file again", backend, size, again["seconds"], again["peak_mb"],
                                again["summary"]))  # fmt: skip
                print(results[-2], results[-1], sep="\n", flush=True)
            for size in push_sizes:
                url = fresh(backend, folder / f"{backend}-push-{size}")
                pushed = push(url, size, bodies[size])
                results.append(
                    (
                        "push",
                        backend,
                        size,
                        pushed["seconds"],
                        pushed["peak_mb"],
                        f"{pushed['created']} created, {pushed['rejected']} rejected",
                    )
                )
                print(results[-1], flush=True)  # fmt: skip
    print()
    print(
        f"{'how':<11} {'backend':<11} {'rows':>10} {'s':>8} {'rows/s':>9} {'peak MB':>8} "
        f"{'vs COPY':>8}  outcome"
    )
    for how, backend, size, seconds, peak, outcome in results:
        copy = copies.get(size)
        ratio = f"{seconds / copy:.0f}×" if copy else "–"
        print(
            f"{how:<11} {backend:<11} {size:>10,} {seconds:>8.1f} {size / seconds:>9,.0f} "
            f"{peak:>8.0f} {ratio:>8}  {outcome}"
        )
    for size, seconds in sorted(copies.items()):
        print(f"COPY        postgresql  {size:>10,} {seconds:>8.1f} {size / seconds:>9,.0f}")


if __name__ == "__main__":
    main()

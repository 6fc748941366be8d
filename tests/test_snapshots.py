"""The ``demo`` and ``people`` fixtures insert again the rows the seed wrote the first time
(tests/support/snapshots.py): what they insert must be what the seed itself writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import select

from api.db import Base, Database
from api.localtime import utcnow
from api.seed import load_demo, load_demo_users
from api.structure.models import Municipality
from tests.support.people import (
    ADMIN_EMAIL,
    adopt_municipality,
    demo_password_hash,
    make_admin,
)
from tests.support.servers import Server, empty_tables
from tests.support.snapshots import load_once, rows

# Sealed with a fresh nonce each time it is written: two real loads differ there too.
RANDOM = {("totp_factors", "secret")}


def _added(
    database: Database, before: dict[str, list[dict[str, Any]]], since: dt.datetime
) -> tuple[dict[str, Any], int]:
    """The rows there are now and were not in ``before``, times and random values left out;
    and how many of their times are ``since`` or later."""
    with database.engine.connect() as connection:
        after = rows(connection)
        connection.rollback()
    added: dict[str, Any] = {}
    fresh = 0
    for table in Base.metadata.sorted_tables:
        keys = [column.key for column in table.primary_key.columns]
        old = {tuple(row[k] for k in keys) for row in before[table.name]}
        added[table.name] = [
            {
                column: "<time>" if isinstance(value, dt.datetime) else value
                for column, value in row.items()
                if (table.name, column) not in RANDOM
            }
            for row in after[table.name]
            if tuple(row[k] for k in keys) not in old
        ]
        fresh += sum(
            1
            for row in after[table.name]
            if tuple(row[k] for k in keys) not in old
            for value in row.values()
            if isinstance(value, dt.datetime) and value >= since
        )
    return added, fresh


def test_the_rows_inserted_again_are_the_rows_the_seed_writes(
    server: Server, api: httpx.Client
) -> None:
    database = server.database

    def structure() -> None:
        with database.session(write=True) as session:
            load_demo(session)

    def accounts() -> None:
        with database.session(write=True) as session:
            load_demo_users(
                session,
                password_hash=demo_password_hash(),
                secret_key=server.settings.secret_key.get_secret_value(),
            )

    loaded: list[tuple[dict[str, Any], int]] = []
    for attempt in ("real", "again"):
        if attempt == "again":
            # The state the ``api`` fixture leaves, as at the start of the next test.
            empty_tables(database)
            make_admin(database)
            api.headers["Authorization"] = f"Bearer {server.token_for(ADMIN_EMAIL)}"
        with database.engine.connect() as connection:
            before = rows(connection)
            connection.rollback()
        started = utcnow()
        replayed = [
            load_once(database, f"snapshot-test-{name}", load)
            for name, load in (("structure", structure), ("accounts", accounts))
        ]
        assert replayed == ([False, False] if attempt == "real" else [True, True])
        loaded.append(_added(database, before, started))
    # The test administrator administers the loaded municipality, as the demo fixture makes
    # them (#21): an administrator of none sees no areas.
    with database.session(write=False) as session:
        home = session.scalar(select(Municipality.id).order_by(Municipality.id))
    assert home is not None
    adopt_municipality(database, home)
    (real, real_fresh), (again, again_fresh) = loaded
    assert real["groups"] and real["users"] and real_fresh > 0
    assert again == real
    # The times the seed stamped are moved to now, as if it had run again.
    assert again_fresh == real_fresh
    # The sequences go on after what was inserted.
    listed = api.get("/api/v1/areas", params={"limit": 200}).json()["items"]
    created = api.post(
        "/api/v1/areas",
        json={"name": "Ny plats", "municipality_id": listed[0]["municipality_id"]},
    )
    assert created.status_code == 201, created.text
    assert created.json()["id"] > max(area["id"] for area in listed)

"""The rows a fixture's loader adds, kept after its first run and inserted again after that.

The ``demo`` and ``people`` fixtures load the same demo structure and accounts for some
1,500 tests; through the services that took 0.1–0.3 s of CPU a test (every record checked,
flushed and reloaded one by one), more than most of the tests themselves. The loader still
runs for real the first time on each database of a session (per pytest-xdist worker) from
each state it finds there (the keys of every row: the ``api`` fixture's administrator and
session, and for ``people`` the demo structure too); after that the very rows it wrote from
that state are inserted again in one transaction. Times the loader stamped (``utcnow()``
while it ran) are moved to now, so the records look made now, as they would be.
``api.seed`` itself is tested where it runs for real: the first test of each backend,
tests/test_cli.py, tests/test_migrations.py and the modules that seed databases of their
own; tests/test_snapshots.py checks that the rows inserted again are the seed's.

Ids are the same as the loader's because ``empty_tables`` starts the sequences again at 1
(on SQLite too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Select,
    String,
    Table,
    literal_column,
    select,
    text,
    union_all,
)

from api.db import WRITE_OPTION, Base, Database
from api.localtime import today, utcnow

Keys = frozenset[tuple[str, str]]


@dataclass(frozen=True)
class _Snapshot:
    rows: dict[str, list[dict[str, Any]]]  # by table: the rows the loader added
    started: dt.datetime  # the loader ran from here...
    ended: dt.datetime  # ...to here


# By database URL, loader's name, day, and the keys of every row there was before it ran:
# a snapshot, or None where one cannot be replayed.
_SNAPSHOTS: dict[tuple[str, str, dt.date, Keys], _Snapshot | None] = {}


def load_once(database: Database, name: str, load: Callable[[], None]) -> bool:
    """Run ``load`` (which writes through ``database`` and commits), or insert again the rows
    it wrote before from a database that held rows of just the same keys (True)."""
    with database.engine.connect() as connection:
        before = _keys(connection)
        connection.rollback()
    key = (database.engine.url.render_as_string(hide_password=False), name, today(), before)
    if key in _SNAPSHOTS:
        snapshot = _SNAPSHOTS[key]
        if snapshot is None:
            load()
            return False
        _insert(database, snapshot)
        return True
    with database.engine.connect() as connection:
        rows_before = rows(connection)
        connection.rollback()
    started = utcnow()
    load()
    ended = utcnow()
    with database.engine.connect() as connection:
        rows_after = rows(connection)
        after = _keys(connection)
        connection.rollback()
    _SNAPSHOTS[key] = _taken(before, after, rows_before, rows_after, started, ended)
    return False


def _taken(
    before: Keys,
    after: Keys,
    rows_before: dict[str, list[dict[str, Any]]],
    rows_after: dict[str, list[dict[str, Any]]],
    started: dt.datetime,
    ended: dt.datetime,
) -> _Snapshot | None:
    """What the loader added, or None if it changed or deleted a row that was there: such a
    loader cannot be replayed by inserts alone."""
    if not before <= after:
        return None
    added: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        old = {_key(table, row): row for row in rows_before[table.name]}
        new = []
        for row in rows_after[table.name]:
            found = old.get(_key(table, row))
            if found is None:
                new.append(row)
            elif found != row:
                return None
        if new:
            added[table.name] = new
    return _Snapshot(added, started, ended)


def _insert(database: Database, snapshot: _Snapshot) -> None:
    shift = utcnow() - snapshot.started
    writing = database.engine.connect().execution_options(**{WRITE_OPTION: True})
    with writing as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table in Base.metadata.sorted_tables:
            rows = snapshot.rows.get(table.name)
            if not rows:
                continue
            stamped = [_column(table, c) for c in table.columns]
            values = [
                {
                    column: value + shift
                    if is_time
                    and isinstance(value, dt.datetime)
                    and value.tzinfo is not None
                    and snapshot.started <= value <= snapshot.ended
                    else value
                    for (column, is_time), value in zip(stamped, row.values(), strict=True)
                }
                for row in rows
            ]
            connection.execute(table.insert(), values)
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection, snapshot)


def _column(table: Table, column: Any) -> tuple[str, bool]:
    return column.key, isinstance(column.type, DateTime) or (
        getattr(column.type, "impl", None) is not None and isinstance(column.type.impl, DateTime)
    )


def _advance_sequences(connection: Connection, snapshot: _Snapshot) -> None:
    """The inserts gave their ids explicitly: the sequences go on after the largest."""
    for name in snapshot.rows:
        table = Base.metadata.tables[name]
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": name, "column": column.name},
            ).scalar()
            if sequence is not None:
                connection.execute(
                    text(f'SELECT setval(:sequence, (SELECT max("{column.name}") FROM "{name}"))'),
                    {"sequence": sequence},
                )


def _key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[column.key] for column in table.primary_key.columns)


def rows(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    return {
        table.name: [
            dict(row._mapping)
            for row in connection.execute(select(table).order_by(*table.primary_key.columns))
        ]
        for table in Base.metadata.sorted_tables
    }


def _keys(connection: Connection) -> Keys:
    """The key of every row of every table, in one query."""
    preparer = connection.dialect.identifier_preparer
    parts: list[Select[str, str]] = []
    for table in Base.metadata.sorted_tables:
        key = " || '|' || ".join(
            f"CAST({preparer.quote(column.name)} AS VARCHAR)" for column in table.primary_key
        )
        parts.append(
            select(
                literal_column(f"'{table.name}'", String).label("name"),
                literal_column(key, String).label("key"),
            ).select_from(table)
        )
    return frozenset((str(name), str(key)) for name, key in connection.execute(union_all(*parts)))

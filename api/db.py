"""Storage: the engine, the declarative base and the request-owned session.

SQLite is the default and is set up for a server: WAL, a busy timeout, foreign keys, and
``BEGIN IMMEDIATE`` for transactions that will write. The last point matters: with pysqlite's
default deferred transactions, two requests that both read and then write deadlock on the
upgrade from a shared to a reserved lock, and SQLite answers "database is locked" at once
without waiting for the busy timeout. Taking the write lock up front makes the second writer
wait its turn instead.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import DateTime, Engine, Enum, MetaData, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WRITE_OPTION = "est_write"
# Where a session keeps the municipalities it is bound to (api.tenancy).
MUNICIPALITIES_KEY = "est_municipalities"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime on every database (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a time zone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime()}


def normalize_url(url: str | URL) -> URL:
    """Accept the URLs people write (``postgresql://``, ``postgres://``) and pick psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(
    url: str | URL,
    *,
    busy_timeout_ms: int = 15_000,
    pool_size: int = 5,
    max_overflow: int = 10,
    for_migrations: bool = False,
) -> Engine:
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(
            parsed, busy_timeout_ms=busy_timeout_ms, for_migrations=for_migrations
        )
    if for_migrations:
        return create_engine(parsed, poolclass=NullPool)
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        # Fail fast when the server is away instead of hanging a request.
        pool_timeout=10,
        # A commit answered is on disk: PostgreSQL's default, set here on purpose so that a
        # server configured otherwise cannot lose an acknowledged report in a crash.
        connect_args={"connect_timeout": 5, "options": "-c synchronous_commit=on"},
    )


def _sqlite_engine(url: URL, *, busy_timeout_ms: int, for_migrations: bool) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        poolclass=NullPool if for_migrations else None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see _on_begin); pysqlite's own handling would
        # start deferred transactions behind our back.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL, not WAL's usual NORMAL: a commit answered survives a power cut too.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # Batch migrations rebuild tables (create, copy, drop, rename); with foreign keys on,
        # dropping a parent would cascade into, or be refused by, its children.
        cursor.execute(f"PRAGMA foreign_keys={'OFF' if for_migrations else 'ON'}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = for_migrations or conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class Database:
    """An engine and the sessions made from it; one per process and database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False, autoflush=True)

    @classmethod
    def from_url(cls, url: str | URL, **options: Any) -> Database:
        return cls(make_engine(url, **options))

    @contextmanager
    def session(
        self, *, write: bool, municipalities: frozenset[int] | None = None
    ) -> Iterator[Session]:
        """A session whose transaction commits when the block ends without an error; bound
        to ``municipalities`` when given (api.tenancy), before its transaction begins."""
        session = self._sessions()
        if municipalities is not None:
            session.info[MUNICIPALITIES_KEY] = municipalities
        try:
            if write:
                session.connection(execution_options={WRITE_OPTION: True})
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            conn.rollback()

    def dispose(self) -> None:
        self.engine.dispose()


def text_enum(cls: type[enum.StrEnum], name: str) -> Enum:
    # Stored as text with a CHECK: portable, and a new value is a plain migration.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )

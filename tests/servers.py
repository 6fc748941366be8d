"""Real databases and real HTTP servers for the tests."""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any

import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.db import Base, Database, normalize_url

PG_URL = os.environ.get("EST_TEST_DATABASE_URL")


def fresh_postgres_database(suffix: str) -> str:
    """A new, empty database beside the one EST_TEST_DATABASE_URL names (dropped if it was
    there): each purpose gets its own, so a migration test cannot pull tables from under the
    API server's feet. Each pytest-xdist worker would get its own too."""
    assert PG_URL, "EST_TEST_DATABASE_URL is not set"
    base = normalize_url(PG_URL)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"{base.database}_{suffix}{'_' + worker if worker else ''}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def empty_tables(database: Database) -> None:
    """Delete every row, children first, so the next test starts from an empty schema."""
    tables = list(reversed(Base.metadata.sorted_tables))
    with database.session(write=True) as session:
        if database.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # The audit log refuses DELETE (append-only); its triggers step aside for this.
            triggers = session.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            ).all()
            for name, _sql in triggers:
                session.execute(text(f'DROP TRIGGER "{name}"'))
            for table in tables:
                session.execute(table.delete())
            for _name, sql in triggers:
                session.execute(text(sql))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """An ASGI app served by uvicorn on 127.0.0.1 in a thread of the test process."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def sqlite_url(path: os.PathLike[str] | str) -> str:
    return str(make_url("sqlite://").set(database=str(path)))

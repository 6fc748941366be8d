"""Real databases and real HTTP servers for the tests (and the benchmarks): each purpose gets
its own database beside the one EST_TEST_DATABASE_URL names, each server runs uvicorn in a
thread of the test process on a free port, and a test leaves empty tables behind."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from api import migrate
from api.access.policy import requires_second_factor
from api.accounts.models import User
from api.accounts.service import actor_for, start_session
from api.accounts.totp import enrol_with_secret
from api.db import Base, Database, normalize_url
from api.seed import DEMO_TOTP_SECRET
from api.settings import Settings
from tests.support.codes import forget_totp_steps

PG_URL = os.environ.get("EST_TEST_DATABASE_URL")

# httpx makes an SSL context for each client it makes, loading the whole CA bundle: 36 ms a
# client, some thousands of clients a run, though the tests' servers speak plain HTTP on
# loopback. Their clients share this one.
_TLS = ssl.create_default_context()


def http_client(**options: Any) -> httpx.Client:
    """An ``httpx.Client`` with ``options``, for the tests' servers."""
    return httpx.Client(verify=_TLS, **options)


def settings_for(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "secret_key": "t" * 40,
        "htmx_source": "local",
        # Retention's schedule (api.retention.schedule) would thin the old incidents tests
        # file; tests/api/test_retention.py turns it on where it tests it.
        "retain_every_hours": 0,
        **overrides,
    }
    return Settings(**values)


def fresh_postgres_database(suffix: str, template: str | None = None) -> str:
    """A new, empty database beside the one EST_TEST_DATABASE_URL names (dropped if it was
    there): each purpose gets its own, so a migration test cannot pull tables from under the
    API server's feet. Each pytest-xdist worker would get its own too. With ``template`` (the
    URL of another such database, that nobody is connected to), a copy of that one."""
    assert PG_URL, "EST_TEST_DATABASE_URL is not set"
    base = normalize_url(PG_URL)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"{base.database}_{suffix}{'_' + worker if worker else ''}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            copied = f' TEMPLATE "{make_url(template).database}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# Migrated once a process and backend, and copied for each database a test makes of its own:
# the 19 migrations took 2-4 s a database. tests/test_migrations.py, tests/test_cli.py and
# the session's own database (tests/support/fixtures.py) still migrate for real.
_MIGRATED: dict[str, str] = {}


def migrated_database(backend: str, suffix: str, folder: Path | None = None) -> str:
    """A database at the head of the migrations, named after ``suffix``: a file in ``folder``
    on SQLite, a database beside EST_TEST_DATABASE_URL's on PostgreSQL (as
    ``fresh_postgres_database``)."""
    template = _MIGRATED.get(backend)
    if template is None:
        if backend == "sqlite":
            folder_of_template = tempfile.mkdtemp(prefix="est-migrated-")
            atexit.register(shutil.rmtree, folder_of_template, True)
            template = sqlite_url(Path(folder_of_template) / "est.db")
        else:
            template = fresh_postgres_database("migrated")
        migrate.upgrade(template)
        _MIGRATED[backend] = template
    if backend != "sqlite":
        return fresh_postgres_database(suffix, template=template)
    assert folder is not None, "a SQLite database needs a folder"
    copy = folder / f"{suffix}.db"
    with (
        contextlib.closing(sqlite3.connect(str(make_url(template).database))) as source,
        contextlib.closing(sqlite3.connect(copy)) as target,
    ):
        source.backup(target)
    return sqlite_url(copy)


def empty_tables(database: Database) -> None:
    """Delete every row, children first, so the next test starts from an empty schema."""
    forget_totp_steps()
    tables = list(reversed(Base.metadata.sorted_tables))
    if database.engine.dialect.name == "postgresql":
        _empty_postgres(database, tables)
        return
    with database.session(write=True) as session:
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
        # As on PostgreSQL, the ids start again at 1 (the AUTOINCREMENT tables' counters):
        # the next test sees the ids a fresh database gives (tests/support/snapshots.py).
        session.execute(text("DELETE FROM sqlite_sequence"))


# Tables that held more rows than this are vacuumed after (autovacuum is off on these machines).
_VACUUM_PAST = 1000


def _empty_postgres(database: Database, tables: list[Any]) -> None:
    """DELETE rather than TRUNCATE: a TRUNCATE of the 60 tables makes new files for every
    table, index and TOAST table and left pg_class with 50,000 dead rows a run; it took 0.4–0.9 s
    a test against 10 ms for these DELETEs. The triggers (the audit log's append-only guard)
    and foreign keys step aside for the transaction (session_replication_role: the test
    database's owner is a superuser), and the sequences start again at 1."""
    counts: dict[str, int] = {}
    with database.engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            counts[table.name] = connection.execute(table.delete()).rowcount
        connection.execute(
            text(
                "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
                "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
            )
        )
    big = [name for name, count in counts.items() if count > _VACUUM_PAST]
    if big:
        with database.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.execute(text("VACUUM " + ", ".join(f'"{name}"' for name in big)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """An ASGI app served by uvicorn on 127.0.0.1 in a thread of the test process."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
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


@dataclass
class Server:
    url: str
    database: Database
    backend: str
    settings: Settings

    def token_for(self, email: str) -> str:
        """A whole session for an existing account, as a sign-in with the password (and the
        code, where the person has a second factor) would start it, without spending an
        argon2 verification on every test. Whoever must have a second factor
        (policy.requires_second_factor) and has none is given DEMO_TOTP_SECRET's, as the
        demo seed gives it: else their session would be a half one, good for enrolling only.
        A temporary password (set by someone else, api.accounts.service.set_password) counts
        as changed: the tests of that step sign in with the password themselves."""
        return self.tokens_for([email])[email]

    def tokens_for(self, emails: Iterable[str]) -> dict[str, str]:
        """``token_for`` of each, in one transaction (a commit is a disk flush)."""
        tokens = {}
        with self.database.session(write=True) as session:
            for email in emails:
                user = session.scalar(select(User).where(User.email_key == email))
                assert user is not None, email
                if requires_second_factor(actor_for(user, session_id=None, address=None)):
                    key = self.settings.secret_key.get_secret_value()
                    enrol_with_secret(session, user.id, DEMO_TOTP_SECRET, secret_key=key)
                user.password_temporary = False
                tokens[email], _ = start_session(
                    session, user, settings=self.settings, address="test"
                )
        return tokens

    def half_token_for(self, email: str) -> str:
        """Half a sign-in: the password given, the second factor still to come."""
        with self.database.session(write=True) as session:
            user = session.scalar(select(User).where(User.email_key == email))
            assert user is not None, email
            token, _ = start_session(
                session, user, settings=self.settings, address="test", pending=True
            )
        return token

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return http_client(base_url=self.url, timeout=30, headers=headers)


# A server in its own process (issue #17, parser limits) ------------------------------------


class ServerProcess:
    """The API served by ``est serve-api`` in a process of its own, for what can only be
    measured of a process alone: its resident memory (``/proc/<pid>/status``)."""

    def __init__(self, database_url: str, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "EST_ENV": "test",
            "EST_SECRET_KEY": "p" * 40,
            "EST_DATABASE_URL": database_url,
            "EST_LOG_LEVEL": "warning",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve-api", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the server process exited")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server process did not start")

    def memory_kb(self) -> dict[str, int]:
        """The process's resident memory now (VmRSS) and at its peak (VmHWM), in kB."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return {
            name: int(value.split()[0])
            for name, value in (line.split(":", 1) for line in status.splitlines())
            if name in ("VmRSS", "VmHWM")
        }

    def reset_peak(self) -> None:
        """From now on, VmHWM counts anew (Linux: "5" to clear_refs)."""
        assert self.process is not None
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

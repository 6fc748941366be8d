"""The durability the fault benchmark (bench/faults.py) relies on, as the app's own
connections have it: a commit answered is on disk before the answer, whatever the database
server's own defaults say."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from api.db import make_engine, normalize_url
from tests.support.servers import Server


def test_commits_are_durable_on_each_backend(server: Server) -> None:
    url = server.settings.database_url
    if server.backend == "sqlite":
        with server.database.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        return
    admin = create_engine(normalize_url(url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    engine = make_engine(url)
    try:
        with admin.connect() as conn:
            name = conn.execute(text("SELECT current_database()")).scalar()
            # A server set up to trade durability for speed ...
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        with admin.connect() as conn:
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "off"
        # ... does not get its way with the app's connections.
        with engine.connect() as conn:
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
            assert conn.execute(text("SHOW fsync")).scalar() == "on"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" RESET synchronous_commit'))
        admin.dispose()
        engine.dispose()

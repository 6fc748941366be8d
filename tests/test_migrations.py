"""One Alembic history for SQLite and PostgreSQL, in step with the models."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, func, inspect, select

from api import migrate
from api.db import Base, Database, make_engine, normalize_url
from api.seed import load_demo
from tests.support.servers import fresh_postgres_database, sqlite_url


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return sqlite_url(tmp_path / "migrations.db")
    return fresh_postgres_database("migrations")


def tables(url: str) -> set[str]:
    engine = create_engine(normalize_url(url))
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }


def test_upgrade_downgrade_upgrade(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    assert tables(empty_url) == set(Base.metadata.tables)
    migrate.downgrade(empty_url, "base")
    assert tables(empty_url) == set()
    migrate.upgrade(empty_url)
    assert tables(empty_url) == set(Base.metadata.tables)


def test_models_and_migrations_agree(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    engine = make_engine(empty_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"the models and the migrations differ; add a migration: {diff}"


REBUILD = """
from alembic import op

revision = "zz_rebuild"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rebuild every parent table the way batch mode does: create, copy, drop, rename.
    for table in {tables!r}:
        with op.batch_alter_table(table, recreate="always"):
            pass


def downgrade() -> None:
    pass
"""


PARENTS = ("municipalities", "areas", "organisations", "groups", "categories")


def _rebuilding_history(tmp_path: Path, tables: tuple[str, ...] = PARENTS) -> Path:
    """A copy of the real history with one more revision that rebuilds the parent tables."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "zz_rebuild.py").write_text(
        REBUILD.format(head=migrate.head_revision(), tables=tables)
    )
    return scripts


def _seeded_sqlite(tmp_path: Path) -> tuple[str, dict[str, int]]:
    url = sqlite_url(tmp_path / "seeded.db")
    migrate.upgrade(url)
    database = Database.from_url(url)
    with database.session(write=True) as session:
        load_demo(session)
    counts = row_counts(database.engine)
    database.dispose()
    assert counts["group_organisations"] > 0
    return url, counts


def test_seeded_rows_survive_a_batch_table_rebuild(tmp_path: Path) -> None:
    """The SQLite cascade trap: with foreign keys on, dropping the old parent table during a
    rebuild deletes the children (ON DELETE CASCADE) or fails. Our migrations run with them
    off and check them at the end."""
    url, before = _seeded_sqlite(tmp_path)
    migrate.upgrade(url, script_location=_rebuilding_history(tmp_path))
    engine = make_engine(url)
    try:
        assert row_counts(engine) == before
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        engine.dispose()


def test_the_trap_is_real_with_foreign_keys_on(tmp_path: Path) -> None:
    """The control for the test above: rebuilding ``groups`` on a connection with foreign
    keys on loses the memberships (their ON DELETE CASCADE fires when the old table is
    dropped). If this ever stops losing them, the test above proves nothing."""
    url, before = _seeded_sqlite(tmp_path)
    engine = make_engine(url)  # the application's engine: foreign keys on
    try:
        with engine.begin() as conn:
            config = migrate.alembic_config(url, _rebuilding_history(tmp_path, ("groups",)))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        after = row_counts(engine)
    finally:
        engine.dispose()
    assert after["group_organisations"] < before["group_organisations"]

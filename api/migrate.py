"""Running the one Alembic history on SQLite or PostgreSQL, from the CLI and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import URL

import migrations
from api.db import normalize_url

MIGRATIONS_DIR = Path(migrations.__file__).parent


def alembic_config(url: str | URL, script_location: Path | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location or MIGRATIONS_DIR))
    # Kept out of the ini machinery: a password with % would otherwise break interpolation.
    config.attributes["database_url"] = normalize_url(url)
    return config


def upgrade(url: str | URL, revision: str = "head", script_location: Path | None = None) -> None:
    command.upgrade(alembic_config(url, script_location), revision)


def downgrade(url: str | URL, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
        conn.rollback()
        return revision

"""An uploaded file's content as the last column of import_files, on SQLite

SQLite makes room for a kept upload with zeroblob() and writes it a piece at a time; while
the blob is not the record's last column, SQLite builds the whole record in memory, zeros
and all (a 64 MB upload took the server 130 MB higher). As the last column, the zeros are
only counted. PostgreSQL keeps large values apart from the row, so its order is left alone.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORDER = (
    "id",
    "source",
    "filename",
    "format",
    "organisation_id",
    "preview",
    "result",
    "created_by_id",
    "created_at",
    "imported_at",
    "content",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "import_files",
        recreate="always",
        partial_reordering=[_ORDER],
        table_kwargs={"sqlite_autoincrement": True},
    ):
        pass


def downgrade() -> None:
    # The order before is no better for anything; the table stays as it is.
    pass

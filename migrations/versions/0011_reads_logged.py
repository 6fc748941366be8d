"""Reads logged: an export's filter and row count in the audit log, and one narrow line per
read of an incident's detail

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 12:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch: SQLite would rebuild the table and lose the triggers
    # that keep the log append-only.
    op.add_column("audit_events", sa.Column("query", sa.String(length=1000), nullable=True))
    op.add_column("audit_events", sa.Column("rows", sa.Integer(), nullable=True))
    op.create_table(
        "incident_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("service_token_id", sa.Integer(), nullable=True),
        sa.Column("at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_readings")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_incident_readings_incident_at", "incident_readings", ["incident_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_incident_readings_incident_at", table_name="incident_readings")
    op.drop_table("incident_readings")
    # SQLite (3.35 and later) drops a column in place, keeping the log's triggers.
    op.drop_column("audit_events", "rows")
    op.drop_column("audit_events", "query")

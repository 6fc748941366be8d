"""Retention: thinned marks, a municipality's privacy notice, and the one way to delete
audit events that have outlived their retention

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_deletion_permits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delete_before", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_deletion_permits")),
        sqlite_autoincrement=True,
    )
    # A nullable column is added in place (ALTER TABLE ADD COLUMN), never by a rebuild of a
    # table of a million incidents.
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("thinned_at", api.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("situation_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("thinned_at", api.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("municipalities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("privacy_notice", sa.Text(), nullable=True))
    _let_retention_delete()


def _let_retention_delete() -> None:
    # The log stays append-only against everything but retention: a DELETE goes through only
    # for an event older than what a permit row, written and removed again inside the
    # retention's own transaction, allows. UPDATE stays refused.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_deletion_permits "
            "WHERE OLD.at < delete_before) THEN RETURN OLD; END IF; "
            "RAISE EXCEPTION 'audit_events is append-only'; END $$"
        )
    else:
        op.execute("DROP TRIGGER audit_events_no_delete")
        op.execute(
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
            "WHEN NOT EXISTS (SELECT 1 FROM audit_deletion_permits "
            "WHERE OLD.at < delete_before) "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$"
        )
    else:
        op.execute("DROP TRIGGER audit_events_no_delete")
        op.execute(
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )
    with op.batch_alter_table("municipalities", schema=None) as batch_op:
        batch_op.drop_column("privacy_notice")
    with op.batch_alter_table("situation_reports", schema=None) as batch_op:
        batch_op.drop_column("thinned_at")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("thinned_at")
    op.drop_table("audit_deletion_permits")

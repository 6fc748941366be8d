"""The reporter's own reports (#18): feedback read markers, the choice of an e-mail when
feedback arrives, and the outbox the e-mail waits in until its transaction has committed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.db

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("feedback_email", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.create_table(
        "feedback_seen",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_feedback_seen_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_feedback_seen_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("user_id", "incident_id", name=op.f("pk_feedback_seen")),
    )
    op.create_table(
        "outgoing_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_mail")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("outgoing_mail")
    op.drop_table("feedback_seen")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("feedback_email")

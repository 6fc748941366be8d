"""The municipality's yearly lägesbild under lag (2023:196) (#23, point 7).

- ``situation_reports.kind``: ``period`` (every lägesbild so far) or ``year``;
  ``other_information``: the yearly lägesbild's "annan relevant information";
  ``yearly``: its survey beside the figures, frozen when it is published.
- ``plans.situation_report_id``: the yearly lägesbild an action plan builds on.
- ``police_statistics``: the police's statistics of reported crime (Brå) per municipality,
  year and offence; municipal data, row-level security on PostgreSQL as migration 0020b.

Revision ID: 0023a
Revises: 0022h
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.db

revision: str = "0023a"
down_revision: str | None = "0022h"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "est_tenant"
# As migration 0020b: the municipalities a transaction acts in, ",1,2,".
SCOPE = (
    "municipality_id = ANY (string_to_array("
    "btrim(coalesce(current_setting('est.municipalities', true), ''), ','), ',')::int[])"
)


def upgrade() -> None:
    with op.batch_alter_table("situation_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "period",
                    "year",
                    name="situation_report_kind",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                server_default="period",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("other_information", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("yearly", sa.JSON(), nullable=True))
    # The empty text was for the rows there were; a new one is given its text.
    with op.batch_alter_table("situation_reports", schema=None) as batch_op:
        batch_op.alter_column("other_information", server_default=None)

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("situation_report_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_plans_situation_report_id"), ["situation_report_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_plans_situation_report_id_situation_reports"),
            "situation_reports",
            ["situation_report_id"],
            ["id"],
        )

    op.create_table(
        "police_statistics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("offence", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_police_statistics_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_police_statistics_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_statistics")),
        sa.UniqueConstraint(
            "municipality_id",
            "year",
            "offence",
            name=op.f("uq_police_statistics_municipality_id_year_offence"),
        ),
        sqlite_autoincrement=True,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE police_statistics ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY municipality ON police_statistics TO {ROLE} "
            f"USING ({SCOPE}) WITH CHECK ({SCOPE})"
        )


def downgrade() -> None:
    op.drop_table("police_statistics")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_plans_situation_report_id_situation_reports"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_plans_situation_report_id"))
        batch_op.drop_column("situation_report_id")
    with op.batch_alter_table("situation_reports", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_situation_reports_situation_report_kind"), type_="check")
        batch_op.drop_column("yearly")
        batch_op.drop_column("other_information")
        batch_op.drop_column("kind")

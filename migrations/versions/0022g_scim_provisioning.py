"""SCIM provisioning (#22): a municipality's SCIM tokens (hashed), the accounts its directory
made or took over, the directory's groups and their members, and which memberships such a
group gave. The four new tables hold municipal data: row-level security on PostgreSQL as
migration 0020b.

Revision ID: 0022g
Revises: 0022f
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.db

revision: str = "0022g"
down_revision: str | None = "0022f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "est_tenant"
# The municipal tables of this revision (api.tenancy.municipal_tables).
TABLES = ["scim_tokens", "scim_users", "scim_groups", "scim_group_members"]
# As migration 0020b: the municipalities a transaction acts in, ",1,2,".
SCOPE = (
    "municipality_id = ANY (string_to_array("
    "btrim(coalesce(current_setting('est.municipalities', true), ''), ','), ',')::int[])"
)


def protect(table: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY municipality ON {table} TO {ROLE} USING ({SCOPE}) WITH CHECK ({SCOPE})"
    )


def upgrade() -> None:
    op.create_table(
        "scim_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=256), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_scim_groups_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_groups")),
        sa.UniqueConstraint(
            "municipality_id",
            "display_name",
            name=op.f("uq_scim_groups_municipality_id_display_name"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "scim_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_scim_tokens_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_scim_tokens_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scim_tokens_token_hash")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "scim_group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["scim_groups.id"],
            name=op.f("fk_scim_group_members_group_id_scim_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_scim_group_members_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_scim_group_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_group_members")),
        sa.UniqueConstraint(
            "group_id", "user_id", name=op.f("uq_scim_group_members_group_id_user_id")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("scim_group_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scim_group_members_group_id"), ["group_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scim_group_members_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "scim_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("given_name", sa.String(length=200), nullable=True),
        sa.Column("family_name", sa.String(length=200), nullable=True),
        sa.Column("work_email", sa.String(length=254), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_scim_users_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_scim_users_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_users")),
        sa.UniqueConstraint("user_id", name=op.f("uq_scim_users_user_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("scim_users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scim_users_external_id"), ["external_id"], unique=False
        )

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("from_scim", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            protect(table)


def downgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("from_scim")

    with op.batch_alter_table("scim_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_users_external_id"))

    op.drop_table("scim_users")
    with op.batch_alter_table("scim_group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_group_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_scim_group_members_group_id"))

    op.drop_table("scim_group_members")
    op.drop_table("scim_tokens")
    op.drop_table("scim_groups")

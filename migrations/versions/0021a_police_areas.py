"""The police area (#21): a police area over several municipalities (the operator's, no
municipality's), the municipalities it serves, its own group, and each municipality's sharing
agreement with it and the agreement's versions (the municipality's, under row-level security
on PostgreSQL like every municipal table: migration 0020b).

Revision ID: 0021a
Revises: 0020b
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.db

revision: str = "0021a"
down_revision: str | None = "0020b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "est_tenant"
# The municipal tables of this revision (api.tenancy.municipal_tables).
TABLES = ["sharing_agreements", "sharing_agreement_versions"]
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
        "police_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=400), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_areas")),
        sa.UniqueConstraint("name_key", name=op.f("uq_police_areas_name_key")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "police_area_municipalities",
        sa.Column("police_area_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_police_area_municipalities_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["police_area_id"],
            ["police_areas.id"],
            name=op.f("fk_police_area_municipalities_police_area_id_police_areas"),
        ),
        sa.PrimaryKeyConstraint(
            "police_area_id", "municipality_id", name=op.f("pk_police_area_municipalities")
        ),
    )
    op.create_table(
        "police_area_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("police_area_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "convener",
                "member",
                "viewer",
                name="police_area_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["police_area_id"],
            ["police_areas.id"],
            name=op.f("fk_police_area_members_police_area_id_police_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_police_area_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_police_area_members")),
        sa.UniqueConstraint(
            "police_area_id", "user_id", name=op.f("uq_police_area_members_police_area_id_user_id")
        ),
    )
    with op.batch_alter_table("police_area_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_police_area_members_police_area_id"), ["police_area_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_police_area_members_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "sharing_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("police_area_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column(
            "precision",
            sa.Enum(
                "point",
                "grid_250",
                "area",
                name="sharing_precision",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("free_text", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_sharing_agreements_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["police_area_id"],
            ["police_areas.id"],
            name=op.f("fk_sharing_agreements_police_area_id_police_areas"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_sharing_agreements_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_agreements")),
        sa.UniqueConstraint(
            "police_area_id",
            "municipality_id",
            name=op.f("uq_sharing_agreements_police_area_id_municipality_id"),
        ),
    )
    with op.batch_alter_table("sharing_agreements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sharing_agreements_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sharing_agreements_police_area_id"), ["police_area_id"], unique=False
        )

    op.create_table(
        "sharing_agreement_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["sharing_agreements.id"],
            name=op.f("fk_sharing_agreement_versions_agreement_id_sharing_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_sharing_agreement_versions_changed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_sharing_agreement_versions_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_agreement_versions")),
    )
    with op.batch_alter_table("sharing_agreement_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sharing_agreement_versions_agreement_id"), ["agreement_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            protect(table)


def downgrade() -> None:
    with op.batch_alter_table("sharing_agreement_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sharing_agreement_versions_agreement_id"))

    op.drop_table("sharing_agreement_versions")
    with op.batch_alter_table("sharing_agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sharing_agreements_police_area_id"))
        batch_op.drop_index(batch_op.f("ix_sharing_agreements_municipality_id"))

    op.drop_table("sharing_agreements")
    with op.batch_alter_table("police_area_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_police_area_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_police_area_members_police_area_id"))

    op.drop_table("police_area_members")
    op.drop_table("police_area_municipalities")
    op.drop_table("police_areas")

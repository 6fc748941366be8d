"""Single sign-on with OpenID Connect (#22): a municipality's identity provider (its client
secret sealed), the identities linked to accounts (issuer and subject), the provider's group
claims mapped to EST groups and roles, and which memberships such a mapping gave. The three
new tables hold municipal data: row-level security on PostgreSQL as migration 0020b.

Revision ID: 0022e
Revises: 0022d
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.db

revision: str = "0022e"
down_revision: str | None = "0022d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "est_tenant"
# The municipal tables of this revision (api.tenancy.municipal_tables).
TABLES = ["oidc_providers", "oidc_group_mappings", "oidc_identities"]
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
        "oidc_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("client_secret", sa.String(length=1000), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("provision_accounts", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("provision_organisation_id", sa.Integer(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_oidc_providers_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["provision_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_oidc_providers_provision_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_providers")),
        sa.UniqueConstraint("municipality_id", name=op.f("uq_oidc_providers_municipality_id")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "oidc_group_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_value", sa.String(length=200), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "convener",
                "member",
                "reporter",
                "viewer",
                name="oidc_mapping_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_oidc_group_mappings_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_oidc_group_mappings_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_group_mappings")),
        sa.UniqueConstraint(
            "municipality_id",
            "claim_value",
            "group_id",
            name=op.f("uq_oidc_group_mappings_municipality_id_claim_value_group_id"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("oidc_group_mappings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oidc_group_mappings_group_id"), ["group_id"], unique=False
        )

    op.create_table(
        "oidc_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_oidc_identities_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_oidc_identities_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_identities")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_oidc_identities_issuer_subject")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("oidc_identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oidc_identities_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("from_sso", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            protect(table)


def downgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("from_sso")

    with op.batch_alter_table("oidc_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_identities_user_id"))

    op.drop_table("oidc_identities")
    with op.batch_alter_table("oidc_group_mappings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_group_mappings_group_id"))

    op.drop_table("oidc_group_mappings")
    op.drop_table("oidc_providers")

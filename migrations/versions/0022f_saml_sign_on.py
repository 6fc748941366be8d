"""SAML 2.0 sign-in (#22): a municipality's SAML identity provider (EST's own service
provider key sealed) and the assertions already used (kept until they expire, so that none
is posted twice). Municipal tables: row-level security on PostgreSQL as migration 0020b.

Revision ID: 0022f
Revises: 0022e
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.db

revision: str = "0022f"
down_revision: str | None = "0022e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "est_tenant"
TABLES = ["saml_providers", "saml_used_assertions"]
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
        "saml_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idp_entity_id", sa.String(length=500), nullable=False),
        sa.Column("idp_sso_url", sa.String(length=1000), nullable=False),
        sa.Column("idp_certificates", sa.JSON(), nullable=False),
        sa.Column("metadata_url", sa.String(length=1000), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("sp_private_key", sa.Text(), nullable=False),
        sa.Column("sp_certificate", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("provision_accounts", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("provision_organisation_id", sa.Integer(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_saml_providers_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["provision_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_saml_providers_provision_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saml_providers")),
        sa.UniqueConstraint("municipality_id", name=op.f("uq_saml_providers_municipality_id")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "saml_used_assertions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assertion_id", sa.String(length=200), nullable=False),
        sa.Column("expires_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_saml_used_assertions_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saml_used_assertions")),
        sa.UniqueConstraint("assertion_id", name=op.f("uq_saml_used_assertions_assertion_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("saml_used_assertions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_saml_used_assertions_expires_at"), ["expires_at"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            protect(table)


def downgrade() -> None:
    with op.batch_alter_table("saml_used_assertions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saml_used_assertions_expires_at"))
    op.drop_table("saml_used_assertions")
    op.drop_table("saml_providers")

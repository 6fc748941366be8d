"""Residents' forms (#20): a public form's token is good for one sending (the digest of a
used token is kept with its sending), and the organisation residents' accepted tips are filed
for is marked as no partner (never offered or accepted where a partner is chosen)

Revision ID: 0019a
Revises: 0018
Create Date: 2026-12-05 23:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019a"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("public_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_key", sa.String(length=64), nullable=True))
        batch_op.create_index("ux_public_posts_form_key", ["form_key"], unique=True)
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("residents", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # The one made before this mark existed (api.tips.service.public_organisation).
    op.execute(
        "UPDATE organisations SET residents = TRUE WHERE name_key = 'allmänheten' "
        "AND NOT EXISTS (SELECT 1 FROM users WHERE users.organisation_id = organisations.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("residents")
    with op.batch_alter_table("public_posts", schema=None) as batch_op:
        batch_op.drop_index("ux_public_posts_form_key")
        batch_op.drop_column("form_key")

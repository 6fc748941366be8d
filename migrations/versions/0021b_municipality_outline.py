"""A municipality's outline (#21): a point reported in the neighbouring municipality is
refused naming it, or filed there (api/incidents/areas.py). The municipalities table is not
row-secured, so every municipality reads its neighbours' outlines.

Revision ID: 0021b
Revises: 0020b
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021b"
down_revision: str | None = "0021a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("municipalities") as batch:
        batch.add_column(sa.Column("outline", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("municipalities") as batch:
        batch.drop_column("outline")

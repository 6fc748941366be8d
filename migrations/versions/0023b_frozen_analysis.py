"""A published lägesbild keeps its analysis (#23, point 10).

- ``situation_reports.analysis_frozen``: the group's analysis of the period (significant and
  emerging hot spots, unusual weeks, near-repeat, reporting intensity) as its convener read
  it when publishing it. Lägesbilder published before this have none.

Revision ID: 0023b
Revises: 0022h
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023b"
down_revision: str | None = "0023a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("situation_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("analysis_frozen", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("situation_reports", schema=None) as batch_op:
        batch_op.drop_column("analysis_frozen")

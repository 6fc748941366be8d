"""What decided an incident's area: its boundary, the nearest named place, the place or the
area given

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no constraint: SQLite adds them to a table of a million incidents in place.
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("area_from", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("area_from_place", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("area_from_place")
        batch.drop_column("area_from")

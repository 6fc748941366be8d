"""Temporary passwords: a password set by someone other than the person (an administrator,
a platform operator, the command line) must be changed at the first sign-in.

- ``users.password_temporary``: the password was set by someone else; until the person
  chooses their own, a session reaches only the change of password, sign-out and /auth/me.
- ``users.password_set_at``: when the password was set (an unused temporary one expires
  after EST_TEMPORARY_PASSWORD_DAYS).

Revision ID: 0022d
Revises: 0021c
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.db

revision: str = "0022d"
down_revision: str | None = "0021c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("password_temporary", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("password_set_at", api.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_set_at")
        batch_op.drop_column("password_temporary")

"""Password sign-in turned off per municipality (#22), break-glass administrators, and how
each session began.

- ``municipalities.password_sign_in``: its people sign in with a password (on by default);
  its administrator turns it off where an identity provider signs them in
  (api.accounts.password_sign_in).
- ``users.break_glass``: an administrator who keeps password sign-in (with a second factor)
  when it is off, for the day the identity provider is down.
- ``auth_sessions.via``: how the session began (``password``, ``oidc``, ...): a session an
  identity provider vouched for is not held to a temporary password.

Revision ID: 0022h
Revises: 0022g
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022h"
down_revision: str | None = "0022g"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("municipalities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("password_sign_in", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("break_glass", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_column("via")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("break_glass")
    with op.batch_alter_table("municipalities", schema=None) as batch_op:
        batch_op.drop_column("password_sign_in")

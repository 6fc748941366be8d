"""A municipality's own settings, and the audit log per municipality (#21).

- ``municipalities``: its outline, and the settings where it departs from the installation's
  (the radius to the nearest named place, the retention periods; None: the EST_* setting).
- ``users``: a platform operator represents no organisation.
- ``audit_events`` and ``incident_readings``: the municipality the actor acted in. The
  events written before are filed in the municipality of the person they name, or where
  there is one municipality only, in it; the log's append-only trigger is lifted for that
  one UPDATE and put back as it was.

Revision ID: 0021c
Revises: 0020b
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021c"
down_revision: str | None = "0021b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The person's municipality, or the one municipality: what an event written before #21
# belongs to.
_FILE_OLD_EVENTS = (
    "UPDATE audit_events SET municipality_id = COALESCE("
    "(SELECT users.municipality_id FROM users WHERE users.id = audit_events.user_id), "
    "(SELECT MIN(id) FROM municipalities HAVING COUNT(*) = 1))"
)


def _users_organisation(condition: str) -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_organisation"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_organisation"), condition)


def upgrade() -> None:
    # A platform operator represents no organisation.
    _users_organisation("is_admin OR is_operator OR organisation_id IS NOT NULL")
    op.add_column("municipalities", sa.Column("nearest_place_metres", sa.Float(), nullable=True))
    for column in ("retain_incident_text_months", "retain_audit_years"):
        op.add_column("municipalities", sa.Column(column, sa.Integer(), nullable=True))
    op.add_column("audit_events", sa.Column("municipality_id", sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_audit_events_municipality_id"), "audit_events", ["municipality_id"], unique=False
    )
    op.add_column("incident_readings", sa.Column("municipality_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE incident_readings SET municipality_id = "
        "(SELECT incidents.municipality_id FROM incidents "
        "WHERE incidents.id = incident_readings.incident_id)"
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
    op.execute(_FILE_OLD_EVENTS)
    if postgresql:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
    else:
        op.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )


def downgrade() -> None:
    _users_organisation("is_admin OR organisation_id IS NOT NULL")
    op.drop_column("incident_readings", "municipality_id")
    op.drop_index(op.f("ix_audit_events_municipality_id"), table_name="audit_events")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 and later): a batch would copy the log's table
    # and lose its triggers.
    op.drop_column("audit_events", "municipality_id")
    for column in ("retain_audit_years", "retain_incident_text_months"):
        op.drop_column("municipalities", column)
    op.drop_column("municipalities", "nearest_place_metres")

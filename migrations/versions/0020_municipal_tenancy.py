"""Municipal tenancy (#21): every table of municipal data says whose a row is.

Each row takes its parent's municipality (a place its area's, a decision its meeting's…),
in an order where the parent already has one. Category mappings, which had none, belong to
the first municipality: an install before this revision served one. Users get a home
municipality (their organisation's; an administrator without one, the first municipality)
and the platform operator's flag.

Revision ID: 0020
Revises: 0019a
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, the column naming its parent, the parent's table), parents first.
PARENTS: list[tuple[str, str, str]] = [
    ("places", "area_id", "areas"),
    ("hosts", "organisation_id", "organisations"),
    ("goals", "group_id", "groups"),
    ("group_organisations", "group_id", "groups"),
    ("meetings", "group_id", "groups"),
    ("memberships", "group_id", "groups"),
    ("reports", "organisation_id", "organisations"),
    ("situation_reports", "group_id", "groups"),
    ("assignments", "from_group_id", "groups"),
    ("indicators", "goal_id", "goals"),
    ("meeting_attendees", "meeting_id", "meetings"),
    ("meeting_organisations", "meeting_id", "meetings"),
    ("night_walks", "evening_id", "evenings"),
    ("plans", "group_id", "groups"),
    ("safety_walk_organisations", "walk_id", "safety_walks"),
    ("shifts", "evening_id", "evenings"),
    ("walk_inputs", "walk_id", "safety_walks"),
    ("activities", "plan_id", "plans"),
    ("assignment_events", "assignment_id", "assignments"),
    ("feedback_seen", "incident_id", "incidents"),
    ("incident_matches", "observation_id", "incidents"),
    ("incident_versions", "incident_id", "incidents"),
    ("indicator_values", "indicator_id", "indicators"),
    ("interventions", "group_id", "groups"),
    ("log_posts", "evening_id", "evenings"),
    ("night_walk_hosts", "night_walk_id", "night_walks"),
    ("plan_reviews", "plan_id", "plans"),
    ("situation_report_incidents", "situation_report_id", "situation_reports"),
    ("activity_partners", "activity_id", "activities"),
    ("activity_reviews", "activity_id", "activities"),
    ("decisions", "meeting_id", "meetings"),
    ("feedback", "intervention_id", "interventions"),
    ("findings", "walk_id", "safety_walks"),
    ("follow_ups", "intervention_id", "interventions"),
    ("intervention_incidents", "intervention_id", "interventions"),
    ("feedback_organisations", "feedback_id", "feedback"),
]
EVERY = [*(t for t, _c, _p in PARENTS), "import_files", "category_mappings"]
FIRST = "(SELECT min(id) FROM municipalities)"


def _add(table: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column("municipality_id", sa.Integer(), nullable=True))


def _require(table: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.alter_column("municipality_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            batch.f(f"fk_{table}_municipality_id_municipalities"),
            "municipalities",
            ["municipality_id"],
            ["id"],
        )


def upgrade() -> None:
    for table, _column, _parent in PARENTS:
        _add(table)
        op.execute(
            # The tables and columns are this module's own names, not input.
            f"UPDATE {table} SET municipality_id = (SELECT p.municipality_id FROM {_parent} p"  # noqa: S608
            f" WHERE p.id = {table}.{_column})"
        )
    _add("import_files")
    op.execute(
        "UPDATE import_files SET municipality_id = (SELECT o.municipality_id"
        " FROM organisations o WHERE o.id = import_files.organisation_id)"
    )
    for table in ("import_files", "category_mappings"):
        if table == "category_mappings":
            _add(table)
        op.execute(f"UPDATE {table} SET municipality_id = {FIRST} WHERE municipality_id IS NULL")  # noqa: S608
    for table in EVERY:
        _require(table)
    with op.batch_alter_table("category_mappings") as batch:
        batch.drop_constraint("uq_category_mappings_source_name_key", type_="unique")
        batch.create_unique_constraint(
            "uq_category_mappings_municipality_id_source_name_key",
            ["municipality_id", "source", "name_key"],
        )

    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("municipality_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("is_operator", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_index("ix_users_municipality_id", ["municipality_id"])
        batch.create_foreign_key(
            "fk_users_municipality_id_municipalities", "municipalities", ["municipality_id"], ["id"]
        )
    op.execute(
        "UPDATE users SET municipality_id = (SELECT o.municipality_id FROM organisations o"
        " WHERE o.id = users.organisation_id)"
    )
    op.execute(f"UPDATE users SET municipality_id = {FIRST} WHERE municipality_id IS NULL")  # noqa: S608


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("fk_users_municipality_id_municipalities", type_="foreignkey")
        batch.drop_index("ix_users_municipality_id")
        batch.drop_column("is_operator")
        batch.drop_column("municipality_id")
    with op.batch_alter_table("category_mappings") as batch:
        batch.drop_constraint(
            "uq_category_mappings_municipality_id_source_name_key", type_="unique"
        )
        batch.create_unique_constraint(
            "uq_category_mappings_source_name_key", ["source", "name_key"]
        )
    for table in EVERY:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_municipality_id_municipalities", type_="foreignkey")
            batch.drop_column("municipality_id")

"""The second lock on PostgreSQL (#21): row-level security on every table of municipal data.

A request's transaction runs as the role ``est_tenant`` with ``est.municipalities`` set to
the municipalities it acts in (api/tenancy.py); each table's policy lets that role see and
write only their rows, whatever a query forgets. The role owns nothing and logs in nowhere:
the application's own database user becomes it for a transaction (``SET LOCAL ROLE``), and
is made a member here (a superuser needs not be). Nothing on SQLite, which has no such lock.

Revision ID: 0020b
Revises: 0020
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020b"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "est_tenant"
# Every table with a municipality_id at this revision (api.tenancy.municipal_tables; the
# test tests/api/test_tenancy.py checks that every such table has its policy).
TABLES = [
    "activities",
    "activity_partners",
    "activity_reviews",
    "areas",
    "assignment_events",
    "assignments",
    "category_mappings",
    "decisions",
    "evenings",
    "feedback",
    "feedback_organisations",
    "feedback_seen",
    "findings",
    "follow_ups",
    "goals",
    "group_organisations",
    "groups",
    "guard_reports",
    "hosts",
    "import_files",
    "incident_matches",
    "incident_versions",
    "incidents",
    "indicator_values",
    "indicators",
    "intervention_incidents",
    "interventions",
    "log_posts",
    "meeting_attendees",
    "meeting_organisations",
    "meetings",
    "memberships",
    "night_walk_hosts",
    "night_walks",
    "organisations",
    "photos",
    "places",
    "plan_reviews",
    "plans",
    "reports",
    "safety_walk_organisations",
    "safety_walks",
    "shifts",
    "situation_report_incidents",
    "situation_reports",
    "tips",
    "walk_inputs",
]
# The municipalities a transaction acts in, as api.tenancy writes them: ",1,2,". Unset
# (NULL) or empty: none, so a connection nobody scoped sees nothing as this role.
SCOPE = (
    "municipality_id = ANY (string_to_array("
    "btrim(coalesce(current_setting('est.municipalities', true), ''), ','), ',')::int[])"
)


def create_role() -> None:
    """The role, made once per cluster (several databases may migrate at once), and the
    connecting user made a member of it so that it may become it."""
    op.execute(
        f"""
        DO $$
        BEGIN
            CREATE ROLE {ROLE} NOLOGIN NOINHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$;
        """
    )
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
               AND NOT pg_has_role(current_user, '{ROLE}', 'MEMBER') THEN
                EXECUTE format('GRANT {ROLE} TO %I', current_user);
            END IF;
        END $$;
        """  # noqa: S608
    )


def grant_all() -> None:
    """What the role may do: the application's reads and writes, on every table and
    sequence, now and later (tables made by later revisions too)."""
    op.execute(f"GRANT USAGE ON SCHEMA public TO {ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ROLE}")
    op.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {ROLE}")
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {ROLE}"
    )
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
        f" GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {ROLE}"
    )


def protect(table: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY municipality ON {table} TO {ROLE} USING ({SCOPE}) WITH CHECK ({SCOPE})"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    create_role()
    grant_all()
    for table in TABLES:
        protect(table)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP POLICY IF EXISTS municipality ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")

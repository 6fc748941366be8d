"""The evening in the field (#19): evenings with their briefing and shifts, the live log,
night walks with the register of trained hosts, and the guard company's daily reports

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 18:44:12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.db

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hosts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("trained_on", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_hosts_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hosts")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hosts_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "evenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("starts_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("briefing_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("briefing_place", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("watch", sa.JSON(), nullable=False),
        sa.Column("closed_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_evenings_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_evenings_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_evenings_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evenings")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("evenings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evenings_area_id"), ["area_id"], unique=False)
        batch_op.create_index(
            "ix_evenings_municipality_starts", ["municipality_id", "starts_at"], unique=False
        )

    op.create_table(
        "guard_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rounds", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_guard_reports_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_guard_reports_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_guard_reports_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_guard_reports_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guard_reports")),
        sa.UniqueConstraint(
            "organisation_id", "day", name=op.f("uq_guard_reports_organisation_id_day")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("guard_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guard_reports_day"), ["day"], unique=False)

    op.create_table(
        "night_walks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evening_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("walkers", sa.Integer(), nullable=False),
        sa.Column("starts_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("route", sa.String(length=500), nullable=True),
        sa.Column("reported_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", api.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_night_walks_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["evening_id"], ["evenings.id"], name=op.f("fk_night_walks_evening_id_evenings")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_night_walks_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_night_walks_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_night_walks")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("night_walks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_night_walks_evening_id"), ["evening_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_night_walks_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evening_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("starts_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name=op.f("fk_shifts_area_id_areas")),
        sa.ForeignKeyConstraint(
            ["evening_id"],
            ["evenings.id"],
            name=op.f("fk_shifts_evening_id_evenings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_shifts_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_shifts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shifts_evening_id"), ["evening_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_shifts_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shifts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "log_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evening_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("created_at", api.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_log_posts_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["category"], ["categories.code"], name=op.f("fk_log_posts_category_categories")
        ),
        sa.ForeignKeyConstraint(
            ["evening_id"],
            ["evenings.id"],
            name=op.f("fk_log_posts_evening_id_evenings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_log_posts_incident_id_incidents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_log_posts_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_log_posts_place_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_posts")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_log_posts_incident_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("log_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_log_posts_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_log_posts_evening_id_id", ["evening_id", "id"], unique=False)

    op.create_table(
        "night_walk_hosts",
        sa.Column("night_walk_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["hosts.id"], name=op.f("fk_night_walk_hosts_host_id_hosts")
        ),
        sa.ForeignKeyConstraint(
            ["night_walk_id"],
            ["night_walks.id"],
            name=op.f("fk_night_walk_hosts_night_walk_id_night_walks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("night_walk_id", "host_id", name=op.f("pk_night_walk_hosts")),
    )
    with op.batch_alter_table("night_walk_hosts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_night_walk_hosts_host_id"), ["host_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("night_walk_hosts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_night_walk_hosts_host_id"))

    op.drop_table("night_walk_hosts")
    with op.batch_alter_table("log_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_log_posts_evening_id_id")
        batch_op.drop_index(batch_op.f("ix_log_posts_author_id"))

    op.drop_table("log_posts")
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shifts_user_id"))
        batch_op.drop_index(batch_op.f("ix_shifts_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_shifts_evening_id"))

    op.drop_table("shifts")
    with op.batch_alter_table("night_walks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_night_walks_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_night_walks_evening_id"))

    op.drop_table("night_walks")
    with op.batch_alter_table("guard_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guard_reports_day"))

    op.drop_table("guard_reports")
    with op.batch_alter_table("evenings", schema=None) as batch_op:
        batch_op.drop_index("ix_evenings_municipality_starts")
        batch_op.drop_index(batch_op.f("ix_evenings_area_id"))

    op.drop_table("evenings")
    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hosts_organisation_id"))

    op.drop_table("hosts")

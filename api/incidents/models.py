from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.categories.models import Category
from api.db import Base, text_enum
from api.incidents.schemas import (
    Assessment,
    Certainty,
    PoliceReported,
    Precision,
    WithdrawReason,
)
from api.localtime import utcnow
from api.records import TimestampMixin
from api.structure.models import Area, Organisation, Place
from api.tenancy import Municipal


class Report(Municipal, Base):
    """One submission: one reporter (or an integration), one organisation, its incidents."""

    __tablename__ = "reports"
    __table_args__ = (
        # A unique index rather than a constraint: added to a table of a million incidents
        # without SQLite rebuilding it.
        Index("ix_reports_source_external_id", "source", "external_id", unique=True),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # None for what an integration sent.
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(String(64), default="web")
    # The source's own id of the submission ("Rapport-ID"), for what an integration sent.
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    incidents: Mapped[list[Incident]] = relationship(
        back_populates="report", order_by="Incident.id", lazy="selectin"
    )


class Incident(Municipal, TimestampMixin, Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_area_occurred", "area_id", "occurred_from"),
        Index("ix_incidents_occurred", "occurred_from", "occurred_to"),
        # The lägesbild's range of a municipality: with the municipality first, even SQLite
        # without statistics (no ANALYZE) takes this over scanning the whole municipality.
        Index("ix_incidents_municipality_occurred", "municipality_id", "occurred_from"),
        # One incident per id in its source: sending it again updates it, never files twice.
        Index("ix_incidents_source_external_id", "source", "external_id", unique=True),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"), index=True)
    # The family is kept beside the code, so that a family's incidents are one indexed lookup.
    family_code: Mapped[str] = mapped_column(String(64), index=True)
    occurred_from: Mapped[dt.datetime]
    occurred_to: Mapped[dt.datetime]
    precision: Mapped[Precision] = mapped_column(text_enum(Precision, "incident_precision"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    # What decided the area (schemas.AreaFrom), and the nearest place's name when that did;
    # plain text without a CHECK, added to a million incidents without SQLite rebuilding.
    area_from: Mapped[str | None] = mapped_column(String(16))
    area_from_place: Mapped[str | None] = mapped_column(String(200))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # Empty from integrations that do not ask; the web and API forms always do.
    assessment: Mapped[Assessment | None] = mapped_column(
        text_enum(Assessment, "incident_assessment")
    )
    certainty: Mapped[Certainty | None] = mapped_column(text_enum(Certainty, "incident_certainty"))
    police_reported: Mapped[PoliceReported] = mapped_column(
        text_enum(PoliceReported, "incident_police_reported"), default=PoliceReported.unknown
    )
    description: Mapped[str | None] = mapped_column(Text)
    # A street address, as an integration's source knows the place ("Adress").
    address: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(64), default="web")
    # The source's id of the incident ("Händelse-ID") and when it was reported there.
    external_id: Mapped[str | None] = mapped_column(String(200))
    reported_at: Mapped[dt.datetime | None]
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawn_reason: Mapped[WithdrawReason | None] = mapped_column(
        text_enum(WithdrawReason, "incident_withdrawn_reason")
    )
    version: Mapped[int] = mapped_column(default=1)
    # When retention (api.retention) took its free text and coarsened its point to the area.
    thinned_at: Mapped[dt.datetime | None]

    report: Mapped[Report] = relationship(back_populates="incidents")
    category: Mapped[Category] = relationship(lazy="joined")
    area: Mapped[Area] = relationship(lazy="joined")
    place: Mapped[Place | None] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def family(self) -> str:
        return self.family_code

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def restorable(self) -> bool:
        """Withdrawn, and still whole: a withdrawal for personal data blanked the text, and
        what is left is not what was filed (api.incidents.withdrawal)."""
        return self.withdrawn_at is not None and self.withdrawn_reason != "personal_data"


class IncidentVersion(Municipal, Base):
    """An incident as it was before a change: the history of what was filed."""

    __tablename__ = "incident_versions"
    __table_args__ = (UniqueConstraint("incident_id", "version"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    version: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class IncidentMatch(Municipal, Base):
    """A police report (source ``polisen``) found to be the same event as an observation of
    the groups': the lägesbild counts the observation alone while the match stands. Undone
    matches are kept, so that importing the report again does not match it again."""

    __tablename__ = "incident_matches"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    # One match per police report, ever: an undone one stays undone.
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    distance_m: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[dt.datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

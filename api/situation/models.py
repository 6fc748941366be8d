from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.accounts.models import User
from api.db import Base, text_enum
from api.records import TimestampMixin
from api.situation.schemas import ReportKind, Status
from api.structure.models import Group
from api.tenancy import Municipal


class SituationReport(Municipal, TimestampMixin, Base):
    """A group's lägesbild of a period. A draft computes its figures when read; publishing
    stores them (``figures``) and the incidents behind them, and nothing changes after that:
    a correction is a new version (``previous_id`` points at the one it replaces)."""

    __tablename__ = "situation_reports"
    __table_args__ = (
        UniqueConstraint("group_id", "series_id", "version"),
        Index("ix_situation_reports_group_status", "group_id", "status", "published_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    # The first version's id, shared by all versions of the same lägesbild.
    series_id: Mapped[int | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("situation_reports.id"))
    status: Mapped[Status] = mapped_column(
        text_enum(Status, "situation_report_status"), default=Status.draft
    )
    # A period's picture, or the municipality's yearly lägesbild (lag 2023:196, api.situation
    # .yearly): its days are a calendar year's.
    kind: Mapped[ReportKind] = mapped_column(
        text_enum(ReportKind, "situation_report_kind"),
        default=ReportKind.period,
        server_default=ReportKind.period.value,
    )
    first_day: Mapped[dt.date]
    last_day: Mapped[dt.date]
    summary: Mapped[str] = mapped_column(Text, default="")
    analysis: Mapped[str] = mapped_column(Text, default="")
    assessment: Mapped[str] = mapped_column(Text, default="")
    proposals: Mapped[str] = mapped_column(Text, default="")
    other_information: Mapped[str] = mapped_column(Text, default="")
    # Counts every saved change; the ETag that catches two people saving over each other.
    revision: Mapped[int] = mapped_column(default=1)
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The other groups' pictures shown beside this one, as they stood when it was published.
    rollup: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # A yearly lägesbild's survey beside the figures (schemas.YearlySurvey), frozen with them.
    yearly: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Its group's analysis of the period (api.analysis: Analysis), as its convener read it
    # when publishing it; None for a draft, and for one published before it was kept (#23).
    analysis_frozen: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When retention (api.retention) took its texts; its figures stay.
    thinned_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    group: Mapped[Group] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])


class SituationReportIncident(Municipal, Base):
    """An incident behind a published lägesbild, as it was counted."""

    __tablename__ = "situation_report_incidents"
    # The lägesbild's publishing is logged; a line per incident behind it would drown the log.
    __audit__ = False

    situation_report_id: Mapped[int] = mapped_column(
        ForeignKey("situation_reports.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id"), primary_key=True, index=True
    )
    # As counted: a correction afterwards changes the incident, not what was counted.
    category: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(200))
    occurred_from: Mapped[dt.datetime]


class PoliceStatistic(Municipal, TimestampMixin, Base):
    """A figure of the police's statistics of reported crime (anmälda brott, as Brå publishes
    them) for the municipality: an offence's count in a year. Shown in the yearly lägesbild
    beside the municipality's own observations."""

    __tablename__ = "police_statistics"
    __table_args__ = (
        UniqueConstraint("municipality_id", "year", "offence"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    offence: Mapped[str] = mapped_column(String(200))
    count: Mapped[int]
    source: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

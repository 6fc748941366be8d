from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, text_enum
from api.localtime import utcnow
from api.records import TimestampMixin
from api.safetywalks.schemas import FindingKind, FindingStatus
from api.structure.models import Area, Organisation, Place
from api.tenancy import Municipal
from api.tips.models import ModeratedMixin


class SafetyWalk(Municipal, TimestampMixin, Base):
    """A safety walk in an area: when and where it starts, its route (drawn as points, or as
    named places in order), the organisations invited, and the link residents pin places by."""

    __tablename__ = "safety_walks"
    __table_args__ = (
        Index("ix_safety_walks_area_starts", "area_id", "starts_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    # The group that decides what the findings lead to (the area's group by default).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    title: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime]
    meeting_point: Mapped[str] = mapped_column(String(200))
    meeting_lat: Mapped[float | None] = mapped_column(Float)
    meeting_lon: Mapped[float | None] = mapped_column(Float)
    # The route: [[lat, lon], ...] as drawn, and/or [place_id, ...] in walking order.
    route: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    route_place_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The secret of the walk's public link; residents' pins come with it. A new one ends the
    # old link.
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    # Pins are taken until then (None: until the walk starts).
    input_until: Mapped[dt.datetime | None]
    # When the walk was marked as held, and when its report was finished.
    held_at: Mapped[dt.datetime | None]
    reported_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    area: Mapped[Area] = relationship(lazy="joined")
    invited: Mapped[list[SafetyWalkOrganisation]] = relationship(
        cascade="all, delete-orphan", order_by="SafetyWalkOrganisation.organisation_id"
    )


class SafetyWalkOrganisation(Municipal, Base):
    __tablename__ = "safety_walk_organisations"

    walk_id: Mapped[int] = mapped_column(
        ForeignKey("safety_walks.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class WalkInput(Municipal, ModeratedMixin, Base):
    """A resident's or business's pin before a walk, with a comment: anonymous, moderated."""

    __tablename__ = "walk_inputs"
    __table_args__ = (
        Index("ix_walk_inputs_walk_status", "walk_id", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    walk_id: Mapped[int] = mapped_column(ForeignKey("safety_walks.id", ondelete="CASCADE"))
    # api.safetywalks.schemas.InputFrom
    sender: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)

    place: Mapped[Place | None] = relationship(lazy="joined")


class Finding(Municipal, TimestampMixin, Base):
    """What a walk found (a dark path, overgrown shrubs, broken lighting), who is to fix it,
    and where that stands; it may become a proposed intervention of the walk's group."""

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_walk", "walk_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    walk_id: Mapped[int] = mapped_column(ForeignKey("safety_walks.id"))
    kind: Mapped[FindingKind] = mapped_column(text_enum(FindingKind, "finding_kind"))
    description: Mapped[str] = mapped_column(Text)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # A resident's pin the finding answers, if one.
    input_id: Mapped[int | None] = mapped_column(ForeignKey("walk_inputs.id"))
    # Who fixes it: an organisation, and within it the office (förvaltning, enhet).
    responsible_organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    responsible_office: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[FindingStatus] = mapped_column(
        text_enum(FindingStatus, "finding_status"), default=FindingStatus.open
    )
    status_note: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    intervention_id: Mapped[int | None] = mapped_column(ForeignKey("interventions.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Facts a report shows beside the finding, kept as they were on the walk.
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    place: Mapped[Place | None] = relationship(lazy="joined")
    responsible_organisation: Mapped[Organisation] = relationship(lazy="joined")

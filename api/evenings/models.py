"""The evening in the field: an evening with its briefing and shifts, and its live log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base
from api.localtime import utcnow
from api.records import TimestampMixin
from api.structure.models import Area, Organisation
from api.tenancy import Municipal


class Evening(Municipal, TimestampMixin, Base):
    """An evening of field work in an area or the whole municipality (``area_id`` None), an
    ordinary weekend evening or a named risk evening, with its briefing (utsättningsmöte)."""

    __tablename__ = "evenings"
    __table_args__ = (
        Index("ix_evenings_municipality_starts", "municipality_id", "starts_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    # api.evenings.schemas.EveningKind: weekend, valborg, school_end, halloween, new_year, other
    kind: Mapped[str] = mapped_column(String(32))
    # A name of its own where the kind says too little ("Skolavslutning Bro gymnasium").
    title: Mapped[str | None] = mapped_column(String(200))
    # The evening runs from its start into the night; the local day is that of the start.
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    # The briefing: when and where everyone on shift meets, and what they should know.
    briefing_at: Mapped[dt.datetime | None]
    briefing_place: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    # The places to watch: [{"place_id"|null, "lat", "lon", "label", "reason"}], chosen from
    # the suggestions (the lägesbild's hot spots, the hours of past evenings like it) or added.
    watch: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Set once the evening is over and its log takes no more posts.
    closed_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    area: Mapped[Area | None] = relationship(lazy="joined")
    shifts: Mapped[list[Shift]] = relationship(
        back_populates="evening", order_by="Shift.starts_at, Shift.id", cascade="all, delete-orphan"
    )


class Shift(Municipal, Base):
    """Who works where and when on an evening: an organisation's shift, with the person on it
    where known (else everyone of the organisation counts as on shift)."""

    __tablename__ = "shifts"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    evening_id: Mapped[int] = mapped_column(
        ForeignKey("evenings.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    # Where within the area ("Bro centrum, stationen"): a place, not a person.
    location: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    people: Mapped[int] = mapped_column(default=1)

    evening: Mapped[Evening] = relationship(back_populates="shifts")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class LogPost(Municipal, Base):
    """A short post in an evening's live log; it may become an observation (``incident_id``)."""

    __tablename__ = "log_posts"
    __table_args__ = (
        Index("ix_log_posts_evening_id_id", "evening_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evening_id: Mapped[int] = mapped_column(ForeignKey("evenings.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    text: Mapped[str] = mapped_column(Text)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(ForeignKey("categories.code"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), unique=True
    )

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, text_enum
from api.localtime import utcnow
from api.structure.models import Area, Place
from api.tenancy import Municipal
from api.tips.schemas import Moderation


class ModeratedMixin:
    """What moderation keeps of a resident's tip or pin: where it stands, when and by whom it
    was decided, and why a rejected one was."""

    status: Mapped[Moderation] = mapped_column(
        text_enum(Moderation, "moderation_status"), default=Moderation.pending
    )
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    moderated_at: Mapped[dt.datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reject_reason: Mapped[str | None] = mapped_column(String(200))


class Tip(Municipal, ModeratedMixin, Base):
    """A resident's tip: anonymous; no address, name or account is kept with it."""

    __tablename__ = "tips"
    __table_args__ = (
        Index("ix_tips_municipality_status", "municipality_id", "status", "received_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # api.tips.schemas.TipWhat
    what: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    # When it happened, as the resident said (None: "pågår nu / vet inte").
    occurred_at: Mapped[dt.datetime | None]
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # The observation the tip became when accepted.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))

    area: Mapped[Area | None] = relationship(lazy="joined")
    place: Mapped[Place | None] = relationship(lazy="joined")


class PublicPost(Base):
    """One sending of a public form, for the per-address limit: the address only as a keyed
    digest, kept for the hour the limit looks back."""

    __tablename__ = "public_posts"
    __audit__ = False  # the tip or pin it let through is audited as such
    __table_args__ = (
        Index("ix_public_posts_address_at", "address_key", "at"),
        Index("ux_public_posts_form_key", "form_key", unique=True),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address_key: Mapped[str] = mapped_column(String(64))
    # "tip" or "walk_input"
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The digest of the form token it was sent with: a token is good for one sending (a
    # double click or a retry is "already sent"), so kept as long as the token is good.
    form_key: Mapped[str | None] = mapped_column(String(64))

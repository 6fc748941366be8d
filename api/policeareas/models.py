"""The police area (lokalpolisområde, #21): a police area spans municipalities and has a
group of its own; each municipality's sharing agreement says what it shares with that group.

The police area, the municipalities it serves and its group are no municipality's: a
platform operator makes the area and names its municipalities, its convener manages its
group. An agreement and its versions are the municipality's own record (``Municipal``), which
its administrator changes; the police area's group reads it through a widened session
(``api.tenancy.widened``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, text_enum
from api.localtime import utcnow
from api.policeareas.schemas import PoliceAreaRole, SharingPrecision
from api.records import ActiveMixin, NamedMixin, TimestampMixin
from api.structure.models import Municipality
from api.tenancy import Municipal

# The municipalities a police area serves. Not a municipality's record: the operator's.
police_area_municipalities = Table(
    "police_area_municipalities",
    Base.metadata,
    Column("police_area_id", ForeignKey("police_areas.id"), primary_key=True),
    Column("municipality_id", ForeignKey("municipalities.id"), primary_key=True),
)


class PoliceArea(NamedMixin, ActiveMixin, TimestampMixin, Base):
    __tablename__ = "police_areas"
    __table_args__ = (UniqueConstraint("name_key"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)

    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=police_area_municipalities, order_by=Municipality.name
    )


class PoliceAreaMember(Base):
    """A person in the police area's own group (the community police officer, the
    municipalities' safety coordinators), whichever municipality they work in."""

    __tablename__ = "police_area_members"
    __table_args__ = (UniqueConstraint("police_area_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[PoliceAreaRole] = mapped_column(text_enum(PoliceAreaRole, "police_area_role"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SharingAgreement(Municipal, Base):
    """What one municipality shares with one police area's group."""

    __tablename__ = "sharing_agreements"
    __table_args__ = (UniqueConstraint("police_area_id", "municipality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    # Category families ("skadegorelse") and categories ("skadegorelse.klotter"); empty:
    # nothing is shared.
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    precision: Mapped[SharingPrecision] = mapped_column(
        text_enum(SharingPrecision, "sharing_precision")
    )
    free_text: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SharingAgreementVersion(Municipal, Base):
    """One change of an agreement: who, when, what it said before and after."""

    __tablename__ = "sharing_agreement_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("sharing_agreements.id"), index=True)
    version: Mapped[int]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # None before the first version.
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)

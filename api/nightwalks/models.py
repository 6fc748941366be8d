"""The associations' night walks (nattvandring) on an evening, and the register of their
trained hosts (vandravärdar)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base
from api.records import TimestampMixin
from api.structure.models import Organisation
from api.tenancy import Municipal


class Host(Municipal, TimestampMixin, Base):
    """A trained night-walk host (vandravärd) of an association: the register the rule of
    one host per walk is checked against."""

    __tablename__ = "hosts"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    trained_on: Mapped[dt.date]
    active: Mapped[bool] = mapped_column(default=True)


class NightWalk(Municipal, TimestampMixin, Base):
    """An association's night walk on an evening: at least three walkers, one of them a
    trained host; after it, its report (what was seen, hours walked)."""

    __tablename__ = "night_walks"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    evening_id: Mapped[int] = mapped_column(ForeignKey("evenings.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    walkers: Mapped[int]
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    route: Mapped[str | None] = mapped_column(String(500))
    # The report after the walk: set when it is given (the walk then counts for the grant).
    reported_at: Mapped[dt.datetime | None]
    report: Mapped[str] = mapped_column(Text, default="")
    # The observations filed with the report.
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    cancelled_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    hosts: Mapped[list[Host]] = relationship(secondary="night_walk_hosts", order_by=Host.name)


class NightWalkHost(Municipal, Base):
    __tablename__ = "night_walk_hosts"

    night_walk_id: Mapped[int] = mapped_column(
        ForeignKey("night_walks.id", ondelete="CASCADE"), primary_key=True
    )
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id"), primary_key=True, index=True)

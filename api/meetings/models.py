from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.accounts.models import User
from api.db import Base
from api.localtime import utcnow
from api.records import TimestampMixin
from api.structure.models import Group, Organisation
from api.tenancy import Municipal


class Meeting(Municipal, TimestampMixin, Base):
    __tablename__ = "meetings"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime | None]
    location: Mapped[str | None] = mapped_column(String(200))
    agenda: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    minutes: Mapped[str] = mapped_column(Text, default="")
    # Kept, not deleted: the calendars that took it in are told it is off.
    cancelled_at: Mapped[dt.datetime | None]
    # Counts saved changes: the ETag for the agenda and minutes written together.
    revision: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    group: Mapped[Group] = relationship(lazy="joined")
    attendees: Mapped[list[User]] = relationship(secondary="meeting_attendees", order_by=User.name)
    organisations: Mapped[list[Organisation]] = relationship(
        secondary="meeting_organisations", order_by=Organisation.name
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="meeting", order_by="Decision.id", cascade="all, delete-orphan"
    )


class MeetingAttendee(Municipal, Base):
    __tablename__ = "meeting_attendees"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class MeetingOrganisation(Municipal, Base):
    __tablename__ = "meeting_organisations"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), primary_key=True, index=True
    )


class Decision(Municipal, Base):
    """What a meeting decided; an intervention it created, if any."""

    __tablename__ = "decisions"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    intervention_id: Mapped[int | None] = mapped_column(ForeignKey("interventions.id"), index=True)
    # A feedback task: tell back about this intervention by this day.
    feedback_intervention_id: Mapped[int | None] = mapped_column(
        ForeignKey("interventions.id"), index=True
    )
    feedback_due: Mapped[dt.date | None]
    # The steering group's assignment this decision answers (api.steering).
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")

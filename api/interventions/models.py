from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.accounts.models import User
from api.db import Base, text_enum
from api.incidents.schemas import InterventionStatus
from api.interventions.schemas import Channel, InterventionType, TargetKind
from api.localtime import utcnow
from api.records import TimestampMixin
from api.structure.models import Area, Group, Organisation, Place
from api.tenancy import Municipal


class Intervention(Municipal, TimestampMixin, Base):
    __tablename__ = "interventions"
    __table_args__ = (
        CheckConstraint(
            "(target_kind = 'area' AND area_id IS NOT NULL)"
            " OR (target_kind = 'place' AND place_id IS NOT NULL)"
            " OR (target_kind = 'point' AND lat IS NOT NULL AND lon IS NOT NULL"
            " AND radius_m IS NOT NULL)",
            name="target_complete",
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[InterventionType] = mapped_column(text_enum(InterventionType, "intervention_type"))
    description: Mapped[str | None] = mapped_column(Text)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    responsible: Mapped[str | None] = mapped_column(String(200))
    target_kind: Mapped[TargetKind] = mapped_column(text_enum(TargetKind, "intervention_target"))
    # The area the target lies in (for a place or point: the place's area, or the area the
    # point was given in); it is the comparison for the effect.
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[int | None]
    categories: Mapped[list[str]] = mapped_column(JSON)
    planned_start: Mapped[dt.date]
    planned_end: Mapped[dt.date | None]
    status: Mapped[InterventionStatus] = mapped_column(
        text_enum(InterventionStatus, "intervention_status"), default=InterventionStatus.planned
    )
    # The day it was marked done, for "genomförd 12 april".
    completed_on: Mapped[dt.date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The steering group's goal it serves, and the assignment it answers (api.steering).
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"), index=True)

    group: Mapped[Group] = relationship(lazy="joined")
    owner_organisation: Mapped[Organisation] = relationship(lazy="joined")
    area: Mapped[Area] = relationship(lazy="joined")
    place: Mapped[Place | None] = relationship(lazy="joined")
    links: Mapped[list[InterventionIncident]] = relationship(
        cascade="all, delete-orphan", order_by="InterventionIncident.incident_id", lazy="selectin"
    )

    @property
    def incident_ids(self) -> list[int]:
        return sorted(link.incident_id for link in self.links)


class InterventionIncident(Municipal, Base):
    """An incident the intervention answers."""

    __tablename__ = "intervention_incidents"

    intervention_id: Mapped[int] = mapped_column(
        ForeignKey("interventions.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id"), primary_key=True, index=True
    )


class FollowUp(Municipal, Base):
    """A dated look at an intervention: what was done and what was seen."""

    __tablename__ = "follow_ups"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(
        ForeignKey("interventions.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[dt.date]
    done: Mapped[str] = mapped_column(Text)
    seen: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()


class Feedback(Municipal, Base):
    """What was told back about an intervention, to whom, when and how (återkoppling)."""

    __tablename__ = "feedback"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(
        ForeignKey("interventions.id", ondelete="CASCADE"), index=True
    )
    told_on: Mapped[dt.date]
    channel: Mapped[Channel] = mapped_column(text_enum(Channel, "feedback_channel"))
    text: Mapped[str] = mapped_column(Text)
    to_reporters: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organisations: Mapped[list[Organisation]] = relationship(
        secondary="feedback_organisations", order_by=Organisation.name
    )


class FeedbackOrganisation(Municipal, Base):
    __tablename__ = "feedback_organisations"

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), primary_key=True, index=True
    )


class FeedbackSeen(Municipal, Base):
    """How far a reporter has read the feedback on one of their incidents: the newest feedback
    (by id) told to reporters when they last opened it. Newer feedback is unread (#18)."""

    __tablename__ = "feedback_seen"
    # A read marker, moved by reading: logging each would only repeat the reads.
    __audit__ = False

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    feedback_id: Mapped[int]
    seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

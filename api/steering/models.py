from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.accounts.models import User
from api.db import Base, text_enum
from api.incidents.schemas import InterventionStatus
from api.localtime import utcnow
from api.records import ActiveMixin, TimestampMixin
from api.situation.models import SituationReport
from api.steering.schemas import AssignmentStatus, Direction, IndicatorKind
from api.structure.models import Area, Group, Organisation
from api.tenancy import Municipal


class Goal(Municipal, ActiveMixin, TimestampMixin, Base):
    """A goal of the steering group, under a theme area (temaområde)."""

    __tablename__ = "goals"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    theme: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    period_start: Mapped[dt.date | None]
    period_end: Mapped[dt.date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    group: Mapped[Group] = relationship(lazy="joined")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="goal", order_by="Indicator.id", lazy="selectin"
    )


class Indicator(Municipal, TimestampMixin, Base):
    """How a goal is followed: counted from the observations, or entered by hand."""

    __tablename__ = "indicators"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[IndicatorKind] = mapped_column(text_enum(IndicatorKind, "indicator_kind"))
    category: Mapped[str | None] = mapped_column(String(64))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    unit: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(200))
    direction: Mapped[Direction] = mapped_column(text_enum(Direction, "indicator_direction"))

    goal: Mapped[Goal] = relationship(back_populates="indicators")
    area: Mapped[Area | None] = relationship(lazy="joined")
    values: Mapped[list[IndicatorValue]] = relationship(
        order_by="IndicatorValue.year", lazy="selectin", cascade="all, delete-orphan"
    )


class IndicatorValue(Municipal, TimestampMixin, Base):
    """A figure entered by hand for a year (a survey's result), with its source."""

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "year"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Assignment(Municipal, TimestampMixin, Base):
    """An uppdrag from the steering group to the coordination group or an area group."""

    __tablename__ = "assignments"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    from_group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    to_group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    due: Mapped[dt.date]
    status: Mapped[AssignmentStatus] = mapped_column(
        text_enum(AssignmentStatus, "assignment_status"), default=AssignmentStatus.open
    )
    report: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[dt.datetime | None]
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When it was closed or withdrawn: from then on it is off the group's agendas.
    ended_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    goal: Mapped[Goal] = relationship(lazy="joined")
    from_group: Mapped[Group] = relationship(foreign_keys=[from_group_id], lazy="joined")
    to_group: Mapped[Group] = relationship(foreign_keys=[to_group_id], lazy="joined")
    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id])
    events: Mapped[list[AssignmentEvent]] = relationship(
        order_by="AssignmentEvent.id",
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class AssignmentEvent(Municipal, Base):
    """A change of an assignment's status: given, answered, closed, withdrawn, reopened.
    What a past meeting's agenda held is read from them."""

    __tablename__ = "assignment_events"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status: Mapped[AssignmentStatus] = mapped_column(
        text_enum(AssignmentStatus, "assignment_event_status")
    )
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Plan(Municipal, ActiveMixin, TimestampMixin, Base):
    """An action plan (handlingsplan) or activity plan held by the steering group."""

    __tablename__ = "plans"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    adopted_by: Mapped[str | None] = mapped_column(String(200))
    adopted_on: Mapped[dt.date | None]
    # The yearly lägesbild (lag 2023:196) the plan builds on: one of its versions.
    situation_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("situation_reports.id"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    group: Mapped[Group] = relationship(lazy="joined")
    goal: Mapped[Goal | None] = relationship(lazy="joined")
    situation_report: Mapped[SituationReport | None] = relationship(lazy="joined")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="plan", order_by="Activity.id", lazy="selectin"
    )
    reviews: Mapped[list[PlanReview]] = relationship(order_by="PlanReview.year", lazy="selectin")


class Activity(Municipal, TimestampMixin, Base):
    __tablename__ = "activities"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    responsible_office: Mapped[str] = mapped_column(String(200))
    partners_other: Mapped[str | None] = mapped_column(String(200))
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date | None]
    status: Mapped[InterventionStatus] = mapped_column(
        text_enum(InterventionStatus, "activity_status"), default=InterventionStatus.planned
    )
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicators.id"), index=True)
    child_perspective: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    plan: Mapped[Plan] = relationship(back_populates="activities")
    partners: Mapped[list[Organisation]] = relationship(
        secondary="activity_partners", order_by=Organisation.name, lazy="selectin"
    )
    indicator: Mapped[Indicator | None] = relationship(lazy="joined")
    reviews: Mapped[list[ActivityReview]] = relationship(
        order_by="ActivityReview.year", lazy="selectin"
    )


class ActivityPartner(Municipal, Base):
    __tablename__ = "activity_partners"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id"), primary_key=True, index=True
    )


class ActivityReview(Municipal, TimestampMixin, Base):
    """An activity's yearly follow-up: its status that year and what was done."""

    __tablename__ = "activity_reviews"
    __table_args__ = (UniqueConstraint("activity_id", "year"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    status: Mapped[InterventionStatus] = mapped_column(
        text_enum(InterventionStatus, "activity_review_status")
    )
    done: Mapped[str] = mapped_column(Text)
    assessment: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PlanReview(Municipal, TimestampMixin, Base):
    """A plan's yearly follow-up as a whole, for the committee."""

    __tablename__ = "plan_reviews"
    __table_args__ = (UniqueConstraint("plan_id", "year"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    summary: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

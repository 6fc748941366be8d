"""Meetings of a group: when, who took part, an agenda built for them, minutes written
together, and decisions, each of which may create an intervention."""

from __future__ import annotations

import datetime as dt
import enum

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from api.interventions.schemas import InterventionFields
from api.schemas_common import FilledText, Id, Input, LocalTime, Name, Patch, Ref, Text, omittable
from api.situation.schemas import Day, LongText

MAX_AGENDA_ITEMS = 40
# What an agenda may hold as read and sent back: its own items and the open assignments
# added to it (which are not stored).
MAX_AGENDA_SENT = 2 * MAX_AGENDA_ITEMS


class AgendaKind(enum.StrEnum):
    situation = "situation"  # the lägesbild: new incidents since the last meeting
    hot_spots = "hot_spots"
    # Unusually many of a family in an area in the last whole week (#23, api.analysis.unusual).
    unusual = "unusual"
    follow_up = "follow_up"  # an intervention due for follow-up
    feedback = "feedback"  # feedback a decision asked for, not yet given
    assignment = "assignment"  # from the steering group, until answered (not stored)
    # The evenings in the field and the guard reports since the last meeting (#19).
    field = "field"
    other = "other"  # övriga frågor


class AgendaItem(Input):
    kind: AgendaKind = AgendaKind.other
    title: Name
    note: Text | None = None
    # What the item is about: an intervention's id for a follow-up.
    ref_id: Id | None = None
    # The days the lägesbild and hot-spot items counted (local days, both included), so that
    # the page can show the same period's figures and link the lägesbild of exactly it.
    first_day: Day | None = None
    last_day: Day | None = None


class AgendaItemRead(BaseModel):
    """An agenda item as read back: text that was looked at when it was written (or built
    from records that were), so not looked at again."""

    kind: AgendaKind = AgendaKind.other
    title: str
    note: str | None = None
    ref_id: int | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None


class MeetingCreate(Input):
    # Without an offset, Swedish local time; a time the change to summer time skips is
    # refused rather than moved an hour.
    starts_at: LocalTime
    ends_at: LocalTime | None = None
    location: Name | None = None
    # Without an agenda, one is built: the lägesbild since the last meeting, its hot spots,
    # the interventions due for follow-up, other business.
    agenda: list[AgendaItem] | None = Field(default=None, max_length=MAX_AGENDA_SENT)


class MeetingUpdate(Patch):
    starts_at: LocalTime = omittable()
    ends_at: LocalTime | None = omittable()
    location: Name | None = omittable()
    agenda: list[AgendaItem] = omittable(max_length=MAX_AGENDA_SENT)
    # Build the agenda again from what is known now (the lägesbild since the last meeting,
    # hot spots, follow-ups, feedback); the items added by hand are kept at the end.
    rebuild_agenda: bool = omittable()
    minutes: LongText = omittable()
    # The group's members who took part.
    attendee_ids: list[Id] = omittable(max_length=100)
    organisation_ids: list[Id] = omittable(max_length=100)
    # A cancelled meeting stays listed, marked so, and leaves the group's calendar.
    cancelled: bool = omittable()


class MeetingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    group: Ref
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    location: str | None
    agenda: list[AgendaItemRead]
    minutes: str
    attendees: list[Ref]
    organisations: list[Ref]
    decisions: list[DecisionRead]
    cancelled: bool = False
    revision: int
    may_edit: bool = False


class DecisionCreate(Input):
    text: FilledText
    # An intervention decided here, created in the same request (its group is the meeting's).
    intervention: InterventionFields | None = None
    # Or a feedback task: tell back about one of the group's interventions, by a day. It
    # stays on the group's agendas until feedback on it is recorded.
    feedback_for: Id | None = Field(default=None, description="An intervention's id.")
    feedback_due: Day | None = None
    # Or the group's answer to an assignment from the steering group: the decision's text
    # is the report-back, and the intervention decided here (if any) answers it.
    answers_assignment: Id | None = Field(default=None, description="An assignment's id.")


class DecisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    meeting_id: int
    text: str
    intervention_id: int | None
    # Read from the model's column, and from this API's own JSON (the web client).
    feedback_for: int | None = Field(
        validation_alias=AliasChoices("feedback_intervention_id", "feedback_for")
    )
    feedback_due: dt.date | None
    answers_assignment: int | None = Field(
        default=None, validation_alias=AliasChoices("assignment_id", "answers_assignment")
    )
    created_at: dt.datetime


class NextMeeting(BaseModel):
    """The meeting the group's cadence suggests: its last meeting's weekday and hour, the
    cadence's weeks later (the coordination group: every second week)."""

    starts_at: dt.datetime
    cadence_weeks: int | None


MeetingRead.model_rebuild()

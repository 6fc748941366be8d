"""Steering: the steering group's goals and theme areas with their indicators, the
assignments (uppdrag) it gives the other groups, the action plans and their activities, and
the thread from a goal to what serves it."""

from __future__ import annotations

import datetime as dt
import enum
import math
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from api.categories.schemas import Code as CategoryCode
from api.incidents.schemas import InterventionStatus
from api.interventions.schemas import Verdict
from api.schemas_common import (
    FilledText,
    Id,
    Input,
    ListQuery,
    Name,
    Patch,
    QueryId,
    Ref,
    Text,
    omittable,
)
from api.situation.schemas import Day, LongText

FIRST_YEAR = 1990
LAST_YEAR = 2099
DEFAULT_QUARTERS = 8
MAX_QUARTERS = 40


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise PydanticCustomError("finite_number", "Skriv ett tal.")
    return value


Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
Figure = Annotated[float, Field(ge=-1e9, le=1e9), AfterValidator(_finite)]


# Goals and indicators ------------------------------------------------------------------------


class GoalCreate(Input):
    group_id: Id = Field(description="The steering group whose goal it is.")
    theme: Name = Field(description="The theme area (temaområde): 'Olovlig körning', 'ANDT' …")
    title: Name = Field(description="The goal as the steering group wrote it.")
    description: LongText | None = None
    period_start: Day | None = None
    period_end: Day | None = None


class GoalUpdate(Patch):
    theme: Name = omittable()
    title: Name = omittable()
    description: LongText | None = None
    period_start: Day | None = None
    period_end: Day | None = None
    active: bool = omittable()


class IndicatorKind(enum.StrEnum):
    computed = "computed"  # counted from the observations: a category (family) in an area
    manual = "manual"  # entered by hand: a survey figure (Stockholmsenkäten, LUPP …)


class Direction(enum.StrEnum):
    decrease = "decrease"  # lower is better
    increase = "increase"  # higher is better


class IndicatorCreate(Input):
    name: Name
    kind: IndicatorKind
    # Computed: the category or family counted, and the area (none: the whole municipality).
    category: CategoryCode | None = None
    area_id: Id | None = None
    # Manual: what a figure is in ("andel i procent") and where it usually comes from.
    unit: Name | None = None
    source: Name | None = None
    direction: Direction = Direction.decrease

    @model_validator(mode="after")
    def _complete(self) -> IndicatorCreate:
        if self.kind == IndicatorKind.computed and self.category is None:
            raise PydanticCustomError(
                "indicator_incomplete", "En beräknad indikator behöver en kategori att räkna."
            )
        if self.kind == IndicatorKind.manual and (
            self.category is not None or self.area_id is not None
        ):
            raise PydanticCustomError(
                "indicator_mixed",
                "En indikator som förs in för hand har ingen kategori eller område; "
                "en som räknas fram ur händelserna har.",
            )
        return self


class IndicatorUpdate(Patch):
    name: Name = omittable()
    unit: Name | None = None
    source: Name | None = None
    direction: Direction = omittable()


class IndicatorValueWrite(Input):
    """A figure entered by hand for a year, with where it comes from."""

    value: Figure
    source: Name = Field(description="Where the figure comes from: 'Stockholmsenkäten 2024'.")
    note: Text | None = None


class Point(BaseModel):
    """One value of an indicator: a quarter's count, or a year's entered figure."""

    label: str  # "2026 kv. 3", "2024"
    first_day: dt.date
    last_day: dt.date
    # None: nothing was recorded yet then (before the first observation), not zero.
    value: float | None
    # Counted so far: the quarter has not ended.
    partial: bool = False
    source: str | None = None
    note: str | None = None


class IndicatorRead(BaseModel):
    id: int
    goal_id: int
    name: str
    kind: IndicatorKind
    category: str | None
    category_label: str | None
    area: Ref | None
    unit: str | None
    source: str | None
    direction: Direction
    series: list[Point]
    # The latest complete value against the one before, in Swedish ("12 → 8, bättre").
    summary: str


class GoalRead(BaseModel):
    id: int
    group: Ref
    theme: str
    title: str
    description: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    active: bool
    indicators: list[IndicatorRead]
    open_assignments: int
    created_at: dt.datetime
    updated_at: dt.datetime
    may_edit: bool = False


class GoalFilter(ListQuery):
    group: QueryId | None = None
    active: bool | None = True


# Assignments ---------------------------------------------------------------------------------


class AssignmentStatus(enum.StrEnum):
    open = "open"  # lämnat, väntar på återrapport
    answered = "answered"  # återrapporterat
    closed = "closed"  # avslutat av styrgruppen
    withdrawn = "withdrawn"  # återkallat


class AssignmentCreate(Input):
    goal_id: Id = Field(description="Why: the goal the assignment serves.")
    to_group_id: Id = Field(description="The coordination group or an area group.")
    title: Name = Field(description="What the group is asked to do.")
    description: LongText | None = None
    due: Day = Field(description="The day the group reports back by.")


class AssignmentUpdate(Patch):
    title: Name = omittable()
    description: LongText | None = None
    due: Day = omittable()
    # The steering group closes an answered assignment, withdraws one, or opens it again.
    status: AssignmentStatus = omittable()


class AssignmentAnswer(Input):
    """The receiving group's report-back, and the interventions that answer it."""

    text: FilledText = Field(description="What the group did and found.")
    intervention_ids: list[Id] = Field(default=[], max_length=50)


class AssignmentRead(BaseModel):
    id: int
    goal: Ref
    theme: str
    from_group: Ref
    to_group: Ref
    title: str
    description: str | None
    due: dt.date
    status: AssignmentStatus
    overdue: bool
    report: str | None
    reported_on: dt.datetime | None
    reported_by: Ref | None
    interventions: list[Ref]
    created_at: dt.datetime
    may_edit: bool = False  # the steering group changes, closes or withdraws it
    may_answer: bool = False  # the receiving group reports back


class AssignmentFilter(ListQuery):
    to_group: QueryId | None = Field(None, description="The group given the assignment.")
    goal: QueryId | None = None
    status: AssignmentStatus | None = None


# Plans and activities ------------------------------------------------------------------------


class PlanCreate(Input):
    group_id: Id = Field(description="The steering group that holds the plan.")
    title: Name
    goal_id: Id | None = Field(default=None, description="The goal the plan serves.")
    description: LongText | None = None
    period_start: Day
    period_end: Day
    adopted_by: Name | None = Field(default=None, description="'Kommunfullmäktige' …")
    adopted_on: Day | None = None
    situation_report_id: Id | None = Field(
        default=None, description="The yearly lägesbild (lag 2023:196) the plan builds on."
    )


class PlanUpdate(Patch):
    title: Name = omittable()
    goal_id: Id | None = None
    description: LongText | None = None
    period_start: Day = omittable()
    period_end: Day = omittable()
    adopted_by: Name | None = None
    adopted_on: Day | None = None
    situation_report_id: Id | None = None
    active: bool = omittable()


class ActivityCreate(Input):
    title: Name
    description: LongText | None = None
    responsible_office: Name = Field(description="The office (förvaltning) responsible.")
    partner_ids: list[Id] = Field(default=[], max_length=30, description="Organisations.")
    partners_other: Name | None = Field(default=None, description="Partners not in the list.")
    period_start: Day
    period_end: Day | None = None
    status: InterventionStatus = InterventionStatus.planned
    indicator_id: Id | None = None
    child_perspective: FilledText = Field(
        description="Barnperspektiv: how the activity affects children and what they said."
    )


class ActivityUpdate(Patch):
    title: Name = omittable()
    description: LongText | None = None
    responsible_office: Name = omittable()
    partner_ids: list[Id] = omittable(max_length=30)
    partners_other: Name | None = None
    period_start: Day = omittable()
    period_end: Day | None = None
    status: InterventionStatus = omittable()
    indicator_id: Id | None = None
    child_perspective: FilledText = omittable()


class ActivityReviewWrite(Input):
    """An activity's yearly follow-up."""

    status: InterventionStatus
    done: FilledText = Field(description="What was done during the year.")
    assessment: Text | None = Field(default=None, description="What it achieved; what next.")


class ActivityReviewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    status: InterventionStatus
    done: str
    assessment: str | None
    updated_at: dt.datetime


class ActivityRead(BaseModel):
    id: int
    plan_id: int
    title: str
    description: str | None
    responsible_office: str
    partners: list[Ref]
    partners_other: str | None
    period_start: dt.date
    period_end: dt.date | None
    status: InterventionStatus
    indicator: Ref | None
    child_perspective: str
    reviews: list[ActivityReviewRead]


class BuildsOn(BaseModel):
    """The yearly lägesbild a plan builds on: the version it names."""

    id: int
    year: int
    version: int
    group: Ref


class PlanRead(BaseModel):
    id: int
    group: Ref
    title: str
    goal: Ref | None
    builds_on: BuildsOn | None = None
    description: str | None
    period_start: dt.date
    period_end: dt.date
    adopted_by: str | None
    adopted_on: dt.date | None
    active: bool
    activities: list[ActivityRead]
    reviewed_years: list[int]
    created_at: dt.datetime
    updated_at: dt.datetime
    may_edit: bool = False


class PlanFilter(ListQuery):
    group: QueryId | None = None
    goal: QueryId | None = None
    active: bool | None = True


class PlanReviewWrite(Input):
    summary: LongText = Field(description="The year's follow-up of the plan as a whole.")


class YearActivity(BaseModel):
    activity: ActivityRead
    review: ActivityReviewRead | None
    # The indicator as it stood at the end of the year.
    indicator: IndicatorRead | None
    # Whether the activity's period touches the year (else no follow-up is due).
    running: bool = True


class PlanYear(BaseModel):
    """A plan's follow-up for one year, for the committee: each activity with what was done
    and its status that year, its indicator, and the summary."""

    plan: PlanRead
    year: int
    summary: str | None
    summary_updated_at: dt.datetime | None
    activities: list[YearActivity]
    # Activities of the plan's period that year without a follow-up yet.
    missing: int


# The thread ----------------------------------------------------------------------------------


class ThreadIntervention(BaseModel):
    id: int
    title: str
    group: Ref
    status: InterventionStatus
    planned_start: dt.date
    assignment_id: int | None
    follow_ups: int
    latest_follow_up: dt.date | None
    latest_seen: str | None
    verdict: Verdict
    effect: str  # the effect's summary, in Swedish


class ThreadActivity(BaseModel):
    id: int
    title: str
    status: InterventionStatus
    responsible_office: str
    latest_review: ActivityReviewRead | None


class ThreadPlan(BaseModel):
    id: int
    title: str
    activities: list[ThreadActivity]


class Thread(BaseModel):
    """From a goal: its indicators over time, the assignments given for it and how they were
    answered, the interventions and plan activities that serve it, with their follow-ups and
    measured effects."""

    goal: GoalRead
    assignments: list[AssignmentRead]
    interventions: list[ThreadIntervention]
    plans: list[ThreadPlan]

"""Interventions (insatser): what a group decided to do about a problem, where, against
which categories, when; their follow-ups; and their measured effect."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from api.incidents.schemas import InterventionStatus
from api.schemas_common import (
    CODE,
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
from api.situation.schemas import Day


class InterventionType(enum.StrEnum):
    outreach = "outreach"  # uppsökande arbete
    guards = "guards"  # väktarbevakning
    letter = "letter"  # informationsbrev
    clearing = "clearing"  # slyröjning
    lighting = "lighting"  # belysning
    graffiti_removal = "graffiti_removal"  # klottersanering
    campaign = "campaign"  # kampanj
    physical = "physical"  # fysisk miljö
    night_walks = "night_walks"  # nattvandring
    other = "other"  # annat


class TargetKind(enum.StrEnum):
    area = "area"
    place = "place"
    point = "point"


MIN_RADIUS_M = 25
MAX_RADIUS_M = 3000
DEFAULT_PLACE_RADIUS_M = 250
CategoryCode = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[a-z_]+(\.[a-z_]+)?$"), CODE
]


class Target(Input):
    """Where the intervention works: an area, a named place, or a point with a radius (and
    the area it lies in, the comparison for its effect). A place with a position is measured
    as a circle around it (``radius_m``, 250 m unless given); one without, by the incidents
    filed at it."""

    kind: TargetKind
    area_id: Id | None = None
    place_id: Id | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    radius_m: int | None = Field(default=None, ge=MIN_RADIUS_M, le=MAX_RADIUS_M)

    @model_validator(mode="after")
    def _complete(self) -> Target:
        needs = {
            TargetKind.area: ("area_id",),
            TargetKind.place: ("place_id",),
            TargetKind.point: ("area_id", "lat", "lon", "radius_m"),
        }[self.kind]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise PydanticCustomError(
                "target_incomplete",
                "Ett mål av typen {kind} behöver {missing}.",
                {"kind": self.kind.value, "missing": ", ".join(missing)},
            )
        return self


class InterventionFields(Input):
    """An intervention as decided; its group is given beside it (or is the meeting's)."""

    title: Name
    type: InterventionType
    description: Text | None = None
    owner_organisation_id: Id
    responsible: Name | None = Field(default=None, description="The responsible person's name.")
    target: Target
    categories: list[CategoryCode] = Field(
        min_length=1,
        max_length=30,
        description="The categories it addresses: families (`skadegorelse`) or categories.",
    )
    planned_start: Day
    planned_end: Day | None = None
    status: InterventionStatus = InterventionStatus.planned
    incident_ids: list[Id] = Field(default=[], max_length=500)
    # The steering group's goal it serves, and the assignment it answers (which brings
    # its goal).
    goal_id: Id | None = None
    assignment_id: Id | None = None


class InterventionCreate(InterventionFields):
    group_id: Id


class InterventionUpdate(Patch):
    title: Name = omittable()
    type: InterventionType = omittable()
    description: Text | None = omittable()
    owner_organisation_id: Id = omittable()
    responsible: Name | None = omittable()
    target: Target = omittable()
    categories: list[CategoryCode] = omittable(min_length=1, max_length=30)
    planned_start: Day = omittable()
    planned_end: Day | None = omittable()
    status: InterventionStatus = omittable()
    incident_ids: list[Id] = omittable(max_length=500)
    goal_id: Id | None = None
    assignment_id: Id | None = None


class TargetRead(BaseModel):
    kind: TargetKind
    area: Ref | None
    place: Ref | None
    lat: float | None
    lon: float | None
    radius_m: int | None


class InterventionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    group: Ref
    title: str
    type: InterventionType
    description: str | None
    owner_organisation: Ref
    responsible: str | None
    target: TargetRead
    categories: list[str]
    planned_start: dt.date
    planned_end: dt.date | None
    status: InterventionStatus
    incident_ids: list[int]
    # The meeting whose decision created it, if one did.
    decided_at: DecidedAt | None = None
    # Why, from the steering group: the goal it serves, and the assignment it answers.
    goal: Ref | None = None
    assignment: Ref | None = None
    # The safety walk's finding it was proposed from, if it was (#20).
    from_walk: FromWalk | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    may_edit: bool = False


class FromWalk(BaseModel):
    """The safety walk (its name and day) and the finding an intervention was proposed from."""

    walk_id: int
    walk: str
    starts_at: dt.datetime
    finding_id: int


class DecidedAt(BaseModel):
    meeting_id: int
    starts_at: dt.datetime
    decision: str


class InterventionFilter(ListQuery):
    group: QueryId | None = Field(None, description="The group that decided it.")
    status: InterventionStatus | None = None


class FollowUpCreate(Input):
    day: Day
    done: FilledText = Field(description="What was done.")
    seen: Text | None = Field(default=None, description="What was seen: the effect on the spot.")


class FollowUpRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    intervention_id: int
    day: dt.date
    done: str
    seen: str | None
    created_by: Ref | None
    created_at: dt.datetime


# The effect ----------------------------------------------------------------------------------


class Verdict(enum.StrEnum):
    reduction = "reduction"  # färre händelser i zonen, mer än i jämförelsen
    increase = "increase"
    no_clear_change = "no_clear_change"
    too_few = "too_few"  # för få händelser för att dra slutsatser
    not_yet = "not_yet"  # the after weeks have not passed


class Window(BaseModel):
    first_day: dt.date
    last_day: dt.date


class BeforeAfter(BaseModel):
    before: int
    after: int
    # after / before − 1; None when there was nothing before.
    change: float | None


# diffusion: the ring fell too; displacement: the ring rose; more_displaced: it rose more
# than the zone fell; unchanged: the ring did not change; no_success: the zone did not fall
# relative to the comparison, so the quotient says nothing about displacement.
DisplacementReading = Literal[
    "diffusion", "displacement", "more_displaced", "unchanged", "no_success"
]


class WeightedDisplacement(BaseModel):
    """The Weighted Displacement Difference (Wheeler & Ratcliffe 2018) with its standard
    error, and the Weighted Displacement Quotient (Bowers & Johnson 2003) for the ring."""

    wdd: int = Field(description="ΔZone − ΔComparison + ΔRing, Δ = after − before")
    local: int = Field(description="ΔZone − ΔComparison: the zone's part")
    displaced: int | None = Field(description="ΔRing: the ring's part; None without a ring")
    se: float = Field(description="√ of the sum of the counts (each Poisson)")
    z: float = Field(description="WDD / SE")
    p: float = Field(description="Two-sided p from the normal distribution")
    wdq: float | None = Field(
        description="(R_a/C_a − R_b/C_b) / (Z_a/C_a − Z_b/C_b); None without a ring or "
        "where undefined"
    )
    # What the quotient says: only where the zone fell relative to the comparison.
    reading: DisplacementReading | None = None


class Effect(BaseModel):
    """Incidents of the intervention's categories in its zone, N weeks before and N weeks
    after its start, against the rest of the area over the same weeks; and a ring around the
    zone, where the problem could have moved (displacement)."""

    weeks: int
    before: Window
    after: Window
    complete: bool  # whether the after weeks have all passed
    zone: BeforeAfter
    comparison: BeforeAfter
    comparison_label: str
    ring: BeforeAfter | None  # None for an area target: no ring around a whole area
    ring_m: tuple[int, int] | None
    # The zone's change minus the comparison's, in percentage points; None when either
    # had nothing before.
    difference_pp: float | None
    # One-sided test of the zone's after-share against the share the comparison predicts.
    p_value: float | None
    # Beside the test, once there is something to judge (else None).
    weighted: WeightedDisplacement | None = None
    verdict: Verdict
    summary: str  # in Swedish, for the page
    min_incidents: int


# Feedback ------------------------------------------------------------------------------------


class Channel(enum.StrEnum):
    meeting = "meeting"  # på ett möte
    email = "email"  # e-post
    phone = "phone"  # telefon
    letter = "letter"  # brev
    other = "other"  # annat


class FeedbackCreate(Input):
    told_on: Day
    channel: Channel
    text: FilledText = Field(description="What was told back.")
    organisation_ids: list[Id] = Field(default=[], max_length=50)
    # The reporters of the linked incidents: they see the text on their own report.
    to_reporters: bool = False


class FeedbackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    intervention_id: int
    told_on: dt.date
    channel: Channel
    text: str
    organisations: list[Ref]
    to_reporters: bool
    created_at: dt.datetime


# The reporter's own reports (#18) ----------------------------------------------------------


class ReportStatus(enum.StrEnum):
    """How far an observation has come, its furthest step counting: the steps of EST, as the
    reporter can follow them."""

    new = "new"  # ny: filed, not yet in a published lägesbild
    in_situation = "in_situation"  # i lägesbild: counted in a published lägesbild
    in_intervention = "in_intervention"  # ingår i insats: linked to an intervention
    fed_back = "fed_back"  # återkopplad: feedback told to the reporters of an intervention


class OwnReport(BaseModel):
    """One of the caller's own observations, newest filed first, with its status."""

    incident_id: int
    report_id: int
    category: str = Field(description="The category's Swedish name.")
    area: str
    place: str | None
    occurred_from: dt.datetime
    occurred_to: dt.datetime
    precision: str
    filed_at: dt.datetime
    status: ReportStatus
    withdrawn: bool
    unread_feedback: bool = Field(
        description="Feedback told to reporters arrived since the caller last opened it."
    )
    fed_back_on: dt.date | None = Field(description="When the latest feedback was told.")


class OwnReportQuery(ListQuery):
    """The start page shows the latest few; the rest page on."""

    limit: int = Field(20, ge=1, le=100, description="Items per page.")


InterventionRead.model_rebuild()

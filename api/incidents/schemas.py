from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from api.accounts.schemas import SourceName
from api.incidents.thinning import served_reference
from api.photos.schemas import PhotoAdded, PhotoRead
from api.schemas_common import (
    CODE,
    Id,
    Input,
    ListQuery,
    LocalTime,
    Patch,
    QueryId,
    Ref,
    SearchText,
    Text,
    Timestamp,
    omittable,
)

MAX_INCIDENTS = 50


class Precision(enum.StrEnum):
    exact = "exact"  # a moment
    part_of_day = "part_of_day"  # a window of hours ("in the evening")
    day = "day"  # some time that day


class AreaFrom(enum.StrEnum):
    """What decided an incident's area (api.incidents.areas)."""

    place = "place"  # the named place given
    boundary = "boundary"  # the area's boundary holds the point
    nearest_place = "nearest_place"  # no boundaries: the nearest named place to the point
    nearest_area = "nearest_area"  # in no boundary: the area whose boundary is nearest
    chosen = "chosen"  # the area given, nothing else saying


class Assessment(enum.StrEnum):
    low = "low"  # låg
    medium = "medium"  # medel
    high = "high"  # hög


class Certainty(enum.StrEnum):
    observed = "observed"  # observerat
    suspected = "suspected"  # misstänkt


class PoliceReported(enum.StrEnum):
    yes = "yes"
    no = "no"
    unknown = "unknown"


class WithdrawReason(enum.StrEnum):
    duplicate = "duplicate"  # the same event was already filed
    mistake = "mistake"  # filed by mistake or wrong in a way an edit cannot fix
    personal_data = "personal_data"  # held personal data that must not stay
    other = "other"


class Wgs84Point(Input):
    crs: Literal["EPSG:4326"] = "EPSG:4326"
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]


class SwerefPoint(Input):
    """SWEREF 99 TM (EPSG:3006) or SWEREF 99 18 00 (EPSG:3011): northing and easting, m."""

    crs: Literal["EPSG:3006", "EPSG:3011"]
    n: Annotated[float, Field(ge=0, le=10_000_000)]
    e: Annotated[float, Field(ge=-10_000_000, le=10_000_000)]


def _crs_of(value: Any) -> str:
    # WGS 84 unless said otherwise, as a phone's position or a map click arrives.
    if isinstance(value, dict):
        return str(value.get("crs", "EPSG:4326"))
    return str(getattr(value, "crs", "EPSG:4326"))


Position = Annotated[
    Annotated[Wgs84Point, Tag("EPSG:4326")]
    | Annotated[SwerefPoint, Tag("EPSG:3006")]
    | Annotated[SwerefPoint, Tag("EPSG:3011")],
    Discriminator(_crs_of),
]
CategoryCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.]+$"), CODE]


class IncidentCreate(Input):
    category: CategoryCode = Field(description="A category's code, or a family's.")
    occurred_from: LocalTime
    occurred_to: LocalTime | None = Field(
        None, description="The end of the window; left out for a moment or a whole day."
    )
    precision: Precision = Precision.exact
    area_id: Id | None = Field(
        None, description="Needed unless the place or the point (inside an area's boundary) says."
    )
    place_id: Id | None = None
    position: Position | None = None
    assessment: Assessment
    certainty: Certainty = Certainty.observed
    police_reported: PoliceReported = PoliceReported.unknown
    description: Text | None = None
    confirm_personal_data: bool = Field(
        False,
        description="Send true to file a description that looks like it holds personal data.",
    )

    @model_validator(mode="after")
    def _window(self) -> IncidentCreate:
        if self.occurred_to is not None and self.occurred_to < self.occurred_from:
            raise PydanticCustomError("window_reversed", "Sluttiden ligger före starttiden.")
        return self


class ReportCreate(Input):
    organisation_id: Id | None = Field(
        None, description="The organisation reported for; the reporter's own when left out."
    )
    incidents: Annotated[list[IncidentCreate], Field(min_length=1, max_length=MAX_INCIDENTS)]


class IncidentUpdate(Patch):
    """Only the fields sent change; the incident as it was is kept in its history."""

    category: CategoryCode = omittable()
    occurred_from: LocalTime = omittable()
    occurred_to: LocalTime | None = omittable()
    precision: Precision = omittable()
    area_id: Id | None = omittable()
    place_id: Id | None = omittable()
    position: Position | None = omittable()
    assessment: Assessment = omittable()
    certainty: Certainty = omittable()
    police_reported: PoliceReported = omittable()
    description: Text | None = omittable()
    confirm_personal_data: bool = False


class Withdrawal(Input):
    reason: WithdrawReason = Field(
        description="Why: duplicate, mistake, personal_data or other. Kept in the audit log; "
        "the incident leaves lists and figures but is not deleted."
    )


class IncidentVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    data: dict[str, Any]
    changed_at: dt.datetime
    changed_by: int | None


class CategoryRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    label_sv: str


class MatchRead(BaseModel):
    """A police report found to be the same event as an observation (see
    ``api.integrations.police``): while it stands, the lägesbild counts the observation
    alone."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    police_incident_id: int = Field(
        validation_alias=AliasChoices("incident_id", "police_incident_id")
    )
    observation_id: int
    distance_m: float | None
    created_at: dt.datetime
    undone_at: dt.datetime | None


# Where work decided on the incidents stands: an intervention's (api.interventions), a plan's
# activity's (api.steering). Declared here, in the lowest package that carries it: an
# incident's outcomes (IncidentRead.outcomes) name their interventions' status.
class InterventionStatus(enum.StrEnum):
    # Proposed (a safety walk's finding, #20): waits for the group to decide it; counts in
    # no follow-up until then.
    proposed = "proposed"  # föreslagen
    planned = "planned"  # planerad
    ongoing = "ongoing"  # pågående
    done = "done"  # genomförd
    cancelled = "cancelled"  # avbruten


class Outcome(BaseModel):
    """What came of an incident, as its reporter may read it: the intervention it is part of
    and what was told back to reporters."""

    intervention: str
    status: InterventionStatus
    planned_start: dt.date
    completed_on: dt.date | None
    feedback: str | None
    told_on: dt.date | None


class IncidentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    report_id: int
    category: CategoryRef
    family: str = Field(description="The category family's code.")
    occurred_from: dt.datetime
    occurred_to: dt.datetime
    precision: Precision
    area: Ref
    area_from: AreaFrom | None = Field(
        None,
        description="What decided the area: `place` (the named place given), `boundary` (the "
        "area's boundary holds the point), `nearest_place` (the areas have no boundaries: the "
        "nearest named place within EST_NEAREST_PLACE_METRES of the point, named in "
        "`area_from_place`), `nearest_area` (the point lies in no boundary: the area whose "
        "boundary is nearest, within the same reach) or `chosen` (the area given). None "
        "for incidents filed before it was recorded.",
    )
    area_from_place: str | None = Field(
        None, description="The named place that decided the area, as it was named then."
    )
    place: Ref | None
    lat: float | None
    lon: float | None
    assessment: Assessment | None
    certainty: Certainty | None
    police_reported: PoliceReported
    description: str | None
    address: str | None = None
    source: str
    external_id: Annotated[str | None, AfterValidator(served_reference)] = Field(
        None, description="The source's own id, for imported ones (none once thinned)."
    )
    reported_at: dt.datetime | None = Field(
        None, description="When the source says it was reported."
    )
    organisation: Ref
    withdrawn: bool
    withdrawn_reason: WithdrawReason | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    thinned_at: dt.datetime | None = Field(
        None,
        description="When retention took its free text and exact point (the area, category "
        "and times stay).",
    )
    possible_duplicates: list[int] = Field(
        default_factory=list, description="Ids of incidents that may describe the same event."
    )
    may_edit: bool = Field(False, description="Whether the caller may correct or withdraw it.")
    may_restore: bool = Field(False, description="Whether the caller may take its withdrawal back.")
    outcomes: list[Outcome] = Field(
        default=[],
        description="What came of it: the interventions it is part of, and the feedback told "
        "to reporters.",
    )
    matches: list[MatchRead] = Field(
        default=[],
        description="A police report and the observation it was found to be the same event "
        "as (either side), undone ones too.",
    )
    photos: list[PhotoRead] = Field(
        default=[],
        description="Its photos (#20), oldest first: in the incident's own read and a "
        "report's, not in lists.",
    )


class ReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation: Ref
    reporter_id: int | None
    source: str
    created_at: dt.datetime
    incidents: list[IncidentRead]
    municipality_id: int = Field(description="The municipality the report is filed in.")
    notice: str | None = Field(
        None,
        description="Said when the report was filed in another of the reporter's "
        "municipalities than the one they acted in: its point lay there (#21).",
    )


class IncidentFilter(ListQuery):
    area: QueryId | None = None
    place: QueryId | None = None
    category: CategoryCode | None = Field(None, description="A category's or a family's code.")
    since: Timestamp | None = Field(None, description="Windows ending at or after this time.")
    until: Timestamp | None = Field(None, description="Windows starting before this time.")
    organisation: QueryId | None = None
    assessment: Assessment | None = None
    certainty: Certainty | None = None
    police_reported: PoliceReported | None = None
    source: SourceName | None = Field(
        None, description="`web`, `api`, or an integration's name such as `embrace`."
    )
    q: SearchText | None = Field(None, description="Words in the description.")
    withdrawn: bool = Field(False, description="Withdrawn incidents instead of the others.")


def family_of(code: str) -> str:
    return code.split(".", 1)[0]


# Who read an incident ------------------------------------------------------------- #17-d


class IncidentReaderRead(BaseModel):
    """One read of an incident's detail: who, when."""

    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    user_id: int | None = Field(description="The person who read it; None for a service token.")
    name: str | None = Field(description="Their name as it is now.")
    email: str | None
    service_token_id: int | None = Field(description="The service token that read it, if any.")


# ------------------------------------------------------------------------------------ #17-d


class IncidentPhotoAdded(PhotoAdded):
    """A photo added to an incident (#20), and whether its position became the incident's
    point."""

    point_used: bool = Field(
        False, description="Whether the photo's position became the incident's point."
    )
    point_refused: str | None = Field(
        None,
        description="Why the position asked for was not used (outside the municipality, …); "
        "None if it was used or not asked for.",
    )

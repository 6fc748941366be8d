from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from api.geojson import Boundary, Point, invalid_reason
from api.localtime import SWEDISH_ZONE, ZoneName
from api.schemas_common import (
    DocumentText,
    Id,
    Input,
    JsonInt,
    ListQuery,
    Name,
    Patch,
    QueryId,
    Record,
    Ref,
    SearchText,
    Text,
    omittable,
)


class OrganisationKind(enum.StrEnum):
    municipality = "municipality"
    police = "police"
    housing = "housing"
    # Property owners such as AB Kommunfastigheter are not housing companies but take part.
    property = "property"
    security = "security"
    fire_service = "fire_service"
    school = "school"
    association = "association"
    other = "other"


class GroupKind(enum.StrEnum):
    steering = "steering"
    coordination = "coordination"
    area = "area"


# SWEREF 99 TM and the twelve local SWEREF 99 zones (18 00 is Upplands-Bro's EPSG:3011).
LocalCrs = Literal[
    "EPSG:3006",
    "EPSG:3007",
    "EPSG:3008",
    "EPSG:3009",
    "EPSG:3010",
    "EPSG:3011",
    "EPSG:3012",
    "EPSG:3013",
    "EPSG:3014",
    "EPSG:3015",
    "EPSG:3016",
    "EPSG:3017",
    "EPSG:3018",
]
Cadence = Annotated[int, Field(ge=1, le=52, description="Weeks between meetings."), JsonInt]


def _valid_surface(boundary: Any) -> Any:
    # A boundary that crosses itself (or has a hole outside it) holds points by accident:
    # refused where it is stored (422), so that placing a point never meets it.
    why = invalid_reason(boundary.model_dump())
    if why is not None:
        raise PydanticCustomError(
            "invalid_boundary",
            "Gränsen är ingen giltig yta: {why}. Rätta den i GIS-programmet (till exempel med "
            "”Reparera geometri”) och skicka den igen.",
            {"why": why},
        )
    return boundary


# An area's boundary: a GeoJSON Polygon or MultiPolygon that is a valid surface.
AreaBoundary = Annotated[Boundary, AfterValidator(_valid_surface)]


# Municipality ---------------------------------------------------------------------------


class Extent(BaseModel):
    """The municipality's bounding box in WGS 84; positions outside it are refused."""

    model_config = ConfigDict(extra="forbid")

    west: Annotated[float, Field(ge=-180, le=180)]
    south: Annotated[float, Field(ge=-90, le=90)]
    east: Annotated[float, Field(ge=-180, le=180)]
    north: Annotated[float, Field(ge=-90, le=90)]

    @model_validator(mode="after")
    def _ordered(self) -> Extent:
        if self.west >= self.east or self.south >= self.north:
            raise PydanticCustomError(
                "extent_reversed", "Väst ska vara mindre än öst och syd mindre än nord."
            )
        return self


# A municipality's own settings where they depart from the installation's (api.settings);
# null: the installation's. The bounds are the settings'.
NearestPlaceMetres = Annotated[
    float,
    Field(
        gt=0,
        le=50_000,
        allow_inf_nan=False,
        description="How far (metres) a point filed without an area finds the nearest named "
        "place or area (EST_NEAREST_PLACE_METRES where null).",
    ),
]
RetainTextMonths = Annotated[
    int,
    Field(
        ge=1,
        le=1200,
        description="Months after an incident that its free text and exact point go "
        "(EST_RETAIN_INCIDENT_TEXT_MONTHS where null).",
    ),
    JsonInt,
]
RetainAuditYears = Annotated[
    int,
    Field(
        ge=1,
        le=100,
        description="Years the municipality's audit events are kept "
        "(EST_RETAIN_AUDIT_YEARS where null).",
    ),
    JsonInt,
]


OUTLINE = (
    "The municipality's outline, a GeoJSON Polygon or MultiPolygon in WGS 84; the extent "
    "becomes its bounding box where none is given."
)


class MunicipalitySettings(Input):
    """What a municipality's administrator sets (and the operator with them)."""

    outline: AreaBoundary | None = Field(None, description=OUTLINE)
    nearest_place_metres: NearestPlaceMetres | None = None
    retain_incident_text_months: RetainTextMonths | None = None
    retain_audit_years: RetainAuditYears | None = None


class MunicipalityCreate(MunicipalitySettings):
    name: Name
    timezone: ZoneName = SWEDISH_ZONE
    local_crs: LocalCrs = "EPSG:3011"
    extent: Extent | None = None


class MunicipalityUpdate(Patch):
    name: Name = omittable()
    timezone: ZoneName = omittable()
    local_crs: LocalCrs = omittable()
    extent: Extent | None = None
    outline: AreaBoundary | None = Field(None, description=OUTLINE)
    nearest_place_metres: NearestPlaceMetres | None = None
    retain_incident_text_months: RetainTextMonths | None = None
    retain_audit_years: RetainAuditYears | None = None


class MunicipalityDefaults(BaseModel):
    """The installation's settings (api.settings) that a municipality's own setting left
    null means."""

    nearest_place_metres: float
    retain_incident_text_months: int
    retain_audit_years: int


class MunicipalityRead(Record):
    name: str
    timezone: str
    local_crs: str
    extent: Extent | None
    outline: dict[str, Any] | None = None
    bounds: Extent | None = Field(
        None,
        description="The box its positions must lie in and its maps start from: the extent, "
        "else the outline's bounding box; null where it has neither.",
    )
    nearest_place_metres: float | None = None
    retain_incident_text_months: int | None = None
    retain_audit_years: int | None = None
    today: dt.date = Field(description="Today in the municipality's time zone.")
    # What the caller may do with it, and what its empty settings mean (one read answers).
    may_manage: bool = Field(
        False,
        description="Whether the caller changes its settings (its administrator, a platform "
        "operator).",
    )
    defaults: MunicipalityDefaults | None = Field(
        None, description="The installation's settings where the municipality's own are null."
    )


class MunicipalityFilter(ListQuery):
    q: SearchText | None = Field(None, description="Part of the name.")
    active: bool | None = Field(None, description="Only active (true) or inactive (false).")


# Area -----------------------------------------------------------------------------------


class AreaCreate(Input):
    municipality_id: Id
    name: Name
    boundary: AreaBoundary | None = None
    center: Point | None = None


class AreaUpdate(Patch):
    name: Name = omittable()
    boundary: AreaBoundary | None = None
    center: Point | None = None


class AreaRead(Record):
    municipality_id: int
    name: str
    boundary: dict[str, Any] | None
    center: Point | None


class AreaFilter(ListQuery):
    municipality: QueryId | None = Field(None, description="Municipality id.")
    q: SearchText | None = Field(None, description="Part of the name.")
    active: bool | None = None


# Place ----------------------------------------------------------------------------------


class PlaceCreate(Input):
    area_id: Id
    name: Name
    point: Point | None = None


class PlaceUpdate(Patch):
    area_id: Id = omittable()
    name: Name = omittable()
    point: Point | None = None


class PlaceRead(Record):
    area_id: int
    name: str
    point: Point | None


class PlaceFilter(ListQuery):
    area: QueryId | None = Field(None, description="Area id.")
    q: SearchText | None = Field(None, description="Part of the name.")
    active: bool | None = None


# Organisation ---------------------------------------------------------------------------


class OrganisationCreate(Input):
    municipality_id: Id
    name: Name
    kind: OrganisationKind
    parent_id: Id | None = None


class OrganisationUpdate(Patch):
    name: Name = omittable()
    kind: OrganisationKind = omittable()
    parent_id: Id | None = None


class OrganisationRef(Ref):
    kind: OrganisationKind


class OrganisationRead(Record):
    municipality_id: int
    name: str
    kind: OrganisationKind
    parent_id: int | None
    parent: Ref | None


class OrganisationFilter(ListQuery):
    municipality: QueryId | None = None
    kind: OrganisationKind | None = None
    parent: QueryId | None = Field(None, description="Parent organisation id.")
    q: SearchText | None = Field(None, description="Part of the name.")
    active: bool | None = None


# Group ----------------------------------------------------------------------------------


class GroupCreate(Input):
    municipality_id: Id
    name: Name
    kind: GroupKind
    area_id: Id | None = Field(None, description="Required for an area group, else absent.")
    convener_id: Id | None = Field(None, description="The convening organisation.")
    cadence_weeks: Cadence | None = None
    description: Text | None = None
    organisation_ids: list[Id] = Field(
        default_factory=list, max_length=500, description="Organisations taking part."
    )


class GroupUpdate(Patch):
    name: Name = omittable()
    kind: GroupKind = omittable()
    area_id: Id | None = None
    convener_id: Id | None = None
    cadence_weeks: Cadence | None = None
    description: Text | None = None
    organisation_ids: list[Id] = omittable(
        max_length=500, description="Replaces the organisations taking part."
    )


class GroupRead(Record):
    municipality_id: int
    name: str
    kind: GroupKind
    area: Ref | None
    convener: OrganisationRef | None
    cadence_weeks: int | None
    description: str | None
    organisations: list[OrganisationRef]
    # The caller's rights in the group (api.access.policy.group_rights).
    may_write: bool = Field(
        False,
        description="Whether the caller writes in the group: its lägesbild, interventions "
        "and meetings.",
    )
    may_manage: bool = Field(False, description="Whether the caller adds and removes its members.")


class GroupFilter(ListQuery):
    municipality: QueryId | None = None
    kind: GroupKind | None = None
    area: QueryId | None = Field(None, description="Area id (area groups).")
    organisation: QueryId | None = Field(
        None, description="Groups this organisation takes part in."
    )
    q: SearchText | None = Field(None, description="Part of the name.")
    active: bool | None = None


# The privacy notice -------------------------------------------------------------------------

NOTICE_FORMAT = (
    "Paragraphs are separated by an empty line; a line beginning with '## ' is a heading, "
    "lines beginning with '- ' are a list."
)


class PrivacyNoticeUpdate(Input):
    # Names the municipality's data protection officer and how to reach them: contact
    # details are what the notice is for (a personal-data guard must let them through).
    text: DocumentText | None = Field(
        description=f"The municipality's notice, in Swedish. {NOTICE_FORMAT} "
        "null: back to the default text."
    )


class PrivacyNoticeRead(BaseModel):
    """A municipality's privacy notice (integritetsmeddelande), readable without signing in."""

    municipality: Ref
    text: str = Field(description=NOTICE_FORMAT)
    default: bool = Field(
        description="Whether this is the default text, not yet replaced by the municipality's."
    )
    updated_at: dt.datetime

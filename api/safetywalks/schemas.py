from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from pydantic import BaseModel, Field

from api.photos.schemas import PhotoRead
from api.schemas_common import (
    Exempt,
    FilledText,
    Id,
    Input,
    LocalTime,
    Name,
    Patch,
    Ref,
    Text,
    omittable,
)
from api.tips.schemas import Moderation, TipFormPlace


class InputFrom(enum.StrEnum):
    """Who put a pin before a walk."""

    resident = "resident"  # boende
    business = "business"  # näringsidkare


class FindingKind(enum.StrEnum):
    """What a finding is about, as walks find them."""

    lighting = "lighting"  # belysning
    vegetation = "vegetation"  # buskar och sly
    path = "path"  # gångväg, trappa
    vandalism = "vandalism"  # skadegörelse, klotter
    litter = "litter"  # skräp, nedskräpning
    signage = "signage"  # skyltning, orienterbarhet
    other = "other"  # annat


class FindingStatus(enum.StrEnum):
    """Where the responsible organisation has got with a finding."""

    open = "open"  # ej åtgärdat
    in_progress = "in_progress"  # påbörjat
    fixed = "fixed"  # åtgärdat
    declined = "declined"  # åtgärdas inte


# The API's bodies (the contract between the API and the pages; add fields, change none) ----

MAX_ROUTE_POINTS = 500
MAX_ROUTE_PLACES = 50
MAX_INVITED = 50

LatLon = Annotated[list[float], Field(min_length=2, max_length=2)]


class WalkCreate(Input):
    """A safety walk in an area: its start, meeting point, route (drawn points [lat, lon] and/or
    named places in order), invited organisations, and until when residents may pin places."""

    area_id: Id
    group_id: Id | None = Field(default=None, description="Null: the area's own group.")
    title: Name | None = None
    starts_at: LocalTime
    meeting_point: Name
    meeting_lat: float | None = Field(default=None, ge=-90, le=90)
    meeting_lon: float | None = Field(default=None, ge=-180, le=180)
    route: list[LatLon] = Field(default_factory=list, max_length=MAX_ROUTE_POINTS)
    route_place_ids: list[Id] = Field(default_factory=list, max_length=MAX_ROUTE_PLACES)
    invited_organisation_ids: list[Id] = Field(default_factory=list, max_length=MAX_INVITED)
    input_until: LocalTime | None = Field(default=None, description="Null: until the walk starts.")
    notes: Text = ""


class WalkUpdate(Patch):
    """Only what is sent changes. ``held``: true marks the walk held (now); ``reported``: true
    marks its report finished. ``new_link``: true ends the old public link with a new token."""

    title: Name | None = omittable()
    starts_at: LocalTime = omittable()
    meeting_point: Name = omittable()
    meeting_lat: float | None = omittable(ge=-90, le=90)
    meeting_lon: float | None = omittable(ge=-180, le=180)
    route: list[LatLon] = omittable(max_length=MAX_ROUTE_POINTS)
    route_place_ids: list[Id] = omittable(max_length=MAX_ROUTE_PLACES)
    invited_organisation_ids: list[Id] = omittable(max_length=MAX_INVITED)
    input_until: LocalTime | None = omittable()
    notes: Text = omittable()
    held: bool = omittable()
    reported: bool = omittable()
    new_link: bool = omittable()


class WalkRead(BaseModel):
    id: int
    area: Ref
    group: Ref | None
    title: str | None
    starts_at: dt.datetime
    meeting_point: str
    meeting_lat: float | None
    meeting_lon: float | None
    route: list[list[float]]
    route_places: list[Ref]
    invited: list[Ref]
    notes: str
    input_until: dt.datetime | None
    held_at: dt.datetime | None
    reported_at: dt.datetime | None
    # The start has passed: only then may the walk be marked held.
    started: bool = False
    # Only for those who plan the walk: the public link's token (else null).
    public_token: str | None = None
    # Counts for the list: pins waiting, pins accepted, findings.
    inputs_pending: int = 0
    inputs_accepted: int = 0
    findings: int = 0
    # What the caller may do (api.access.policy), so that a front end holds no rules.
    may_plan: bool = False
    may_file_findings: bool = False


class PublicWalkRead(BaseModel):
    """What the public link shows: where and when, the route; never residents' pins."""

    id: int
    municipality: str = Field(description="The municipality's name, for the page's header.")
    area: str
    title: str | None
    starts_at: dt.datetime
    meeting_point: str
    meeting_lat: float | None
    meeting_lon: float | None
    route: list[list[float]]
    route_places: list[str]
    places: list[Ref] = Field(description="The area's named places, to pin by name.")
    # For the public map (no tiles: the outline and the places are the map).
    area_boundary: dict[str, Any] | None = Field(
        default=None, description="The area's outline, GeoJSON in WGS 84."
    )
    place_points: list[TipFormPlace] = Field(
        default_factory=list, description="The area's named places that have a point."
    )
    input_open: bool
    input_until: dt.datetime
    held: bool = Field(default=False, description="The walk has been marked as held.")
    started: bool = Field(default=False, description="The walk's start has passed.")
    form_token: str = Field(description="Send it back with the pin (api.tips.abuse).")


class WalkInputCreate(Input):
    """A resident's or business's pin: a point or a named place of the walk's area, and a
    comment. ``token`` is the walk's public link; ``form_token`` and ``website`` (left empty:
    a field only bots fill) hold off abuse."""

    token: Annotated[str, Field(min_length=8, max_length=64), Exempt("a link's secret")]
    form_token: Annotated[str, Field(max_length=100), Exempt("a signed time, no text")]
    website: Annotated[str, Field(max_length=200), Exempt("the honeypot; never stored")] = ""
    sender: InputFrom = InputFrom.resident
    comment: FilledText
    place_id: Id | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class WalkInputRead(BaseModel):
    id: int
    sender: InputFrom
    comment: str
    place: Ref | None
    lat: float | None
    lon: float | None
    status: Moderation
    received_at: dt.datetime
    moderated_at: dt.datetime | None
    reject_reason: str | None


class Rejection(Input):
    reason: Name | None = None


class FindingCreate(Input):
    kind: FindingKind
    description: FilledText
    place_id: Id | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    input_id: Id | None = Field(default=None, description="The resident's pin it answers.")
    responsible_organisation_id: Id
    responsible_office: Name | None = None


class FindingUpdate(Patch):
    kind: FindingKind = omittable()
    description: FilledText = omittable()
    place_id: Id | None = omittable()
    lat: float | None = omittable(ge=-90, le=90)
    lon: float | None = omittable(ge=-180, le=180)
    responsible_organisation_id: Id = omittable()
    responsible_office: Name | None = omittable()
    status: FindingStatus = omittable()
    status_note: Text | None = omittable()


class FindingRead(BaseModel):
    id: int
    walk_id: int
    kind: FindingKind
    description: str
    place: Ref | None
    lat: float | None
    lon: float | None
    input_id: int | None
    responsible_organisation: Ref
    responsible_office: str | None
    status: FindingStatus
    status_note: str | None
    status_changed_at: dt.datetime
    intervention: Ref | None = Field(description="The intervention it became (its title).")
    photos: list[PhotoRead]
    created_at: dt.datetime
    may_update: bool = False


class ProposeIntervention(Input):
    """The finding as a proposed intervention of the walk's group; the rest from the finding
    (its place or point, a type from its kind, the responsible organisation as owner)."""

    title: Name | None = None


class WalkReport(BaseModel):
    """The walk's report: the walk, the accepted pins, the findings with photos and status,
    and the previous walk of the area with the status of its findings today."""

    walk: WalkRead
    inputs: list[WalkInputRead]
    findings: list[FindingRead]
    previous_walk: WalkRead | None
    previous_findings: list[FindingRead]


class InputReceived(BaseModel):
    """The answer to a public pin (202): a thank-you, nothing of what was sent."""

    message: str

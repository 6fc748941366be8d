from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from pydantic import BaseModel, Field

from api.incidents.schemas import Assessment, CategoryCode
from api.photos.schemas import PhotoRead
from api.schemas_common import (
    Exempt,
    FilledText,
    Id,
    Input,
    ListQuery,
    LocalTime,
    Name,
    Ref,
)

# The source of an observation made from an accepted tip (and its reports'): the lägesbild
# marks what residents sent by it.
PUBLIC_SOURCE = "allmänheten"


class Moderation(enum.StrEnum):
    """Where a resident's tip or pin stands in the moderation queue."""

    pending = "pending"  # väntar
    accepted = "accepted"  # godkänd
    rejected = "rejected"  # avvisad


class TipWhat(enum.StrEnum):
    """What a resident says it is about, in their words; the moderator picks the category."""

    unsafe_place = "unsafe_place"  # otrygg plats (mörkt, buskigt)
    vandalism = "vandalism"  # skadegörelse, klotter
    gathering = "gathering"  # grupperingar, stök
    drugs = "drugs"  # droger
    traffic = "traffic"  # mopeder, trafik
    fire = "fire"  # brand
    other = "other"  # annat


# The API's bodies (#20) ------------------------------------------------------------------


# How far back a resident may date what they saw: older than this is history, not a tip.
OLDEST_DAYS = 90
# Photos a resident may add to one tip.
MAX_PHOTOS = 3
# How long a receipt lets its holder add photos to the tip just sent.
RECEIPT_MINUTES = 60

FormToken = Annotated[
    str, Field(min_length=1, max_length=200), Exempt("a signed token the page was given")
]
Honeypot = Annotated[
    str | None, Field(None, max_length=500), Exempt("a field only a bot fills in; never kept")
]


class TipChoice(BaseModel):
    value: TipWhat
    label: str


class TipFormArea(BaseModel):
    id: int
    name: str
    # GeoJSON in WGS 84, for the page's map (no tiles: the outlines are the map).
    boundary: dict[str, Any] | None = None


class TipFormPlace(BaseModel):
    id: int
    name: str
    area_id: int
    area: str
    lat: float | None = None
    lon: float | None = None


class TipLimits(BaseModel):
    description_max: int = 2000
    photos_max: int = MAX_PHOTOS
    photo_max_bytes: int
    oldest_days: int = OLDEST_DAYS
    min_fill_seconds: float
    posts_per_hour: int


class TipForm(BaseModel):
    """What the public page needs to ask for a tip: where, what, and a fresh form token."""

    municipality_id: int
    municipality: str
    extent: dict[str, float] | None = None
    areas: list[TipFormArea]
    places: list[TipFormPlace]
    whats: list[TipChoice]
    form_token: str
    limits: TipLimits


class TipCreate(Input):
    """A resident's tip. Anonymous: nothing here names the sender, and the description must
    not name anyone either (the personal-data guard refuses it; there is no confirming)."""

    municipality_id: Id | None = Field(
        None,
        description="The municipality the tip is for, one of `GET /public/municipalities` "
        "(422, `unknown_id` or `inactive`, for any other); left out: the installation's only "
        "active municipality (422, `choose_municipality`, where there are several).",
    )
    what: TipWhat
    description: FilledText
    occurred_at: LocalTime | None = Field(
        None, description="When it happened; left out: now or not known."
    )
    place_id: Id | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    form_token: FormToken
    website: Honeypot = None


class TipReceipt(BaseModel):
    """The answer to a tip: a secret that lets its holder add photos for a while, and
    nothing else (the tip itself is never shown back)."""

    receipt: str
    photo_url: str
    message: str


class TipPhotoReceipt(BaseModel):
    photos: int
    position_used: bool
    message: str


class TipRead(BaseModel):
    """A tip as its moderators read it."""

    model_config = {"from_attributes": True}

    id: int
    status: Moderation
    what: TipWhat
    description: str
    occurred_at: dt.datetime | None
    received_at: dt.datetime
    area: Ref | None
    place: Ref | None
    lat: float | None
    lon: float | None
    incident_id: int | None
    moderated_at: dt.datetime | None
    reject_reason: str | None
    photos: list[PhotoRead] = []
    # The category the moderation form starts from (api.tips.service.SUGGESTED).
    suggested_category: str | None = None


class TipFilter(ListQuery):
    status: Moderation = Moderation.pending


class TipAccept(Input):
    """Accepting a tip makes it an observation: the moderator gives the category, may
    correct the area or place (then the resident's point is left out) and may edit the
    description (to take out what names someone)."""

    category: CategoryCode
    area_id: Id | None = None
    place_id: Id | None = None
    description: FilledText | None = None
    assessment: Assessment = Assessment.medium


class TipReject(Input):
    # A name's length and form, which the schema says: a longer text is refused as the
    # schema promises (a constraint added to Text's would be checked but not published).
    reason: Name | None = None

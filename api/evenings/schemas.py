"""The evening in the field, as the API reads and writes it."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, WithJsonSchema

from api.incidents.schemas import Assessment, CategoryCode, CategoryRef, Position
from api.schemas_common import (
    FILLED_PATTERN,
    GUARDED,
    Id,
    Input,
    JsonInt,
    LocalTime,
    Name,
    Patch,
    QueryId,
    Ref,
    Text,
    filled_text,
    omittable,
)
from api.situation.schemas import Day, LongText


class EveningKind(enum.StrEnum):
    """An ordinary weekend evening, or a named risk evening (api.swedish.EVENING_KINDS)."""

    weekend = "weekend"
    valborg = "valborg"
    school_end = "school_end"
    halloween = "halloween"
    new_year = "new_year"
    other = "other"


# Evenings, their briefing and shifts (api.evenings.service) ---------------------------------

MAX_SHIFTS = 60
MAX_WATCH = 30
# An evening runs from its start into the night; no evening is longer than a day.
MAX_EVENING = dt.timedelta(hours=24)


class WatchPlace(Input):
    """A place to watch on the evening: a named place of the structure or a point, with a
    short label and why (a hot spot of the lägesbild, something said at the briefing)."""

    label: Name
    place_id: Id | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    reason: Text | None = None


class WatchPlaceRead(BaseModel):
    label: str
    place_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    reason: str | None = None


class ShiftIn(Input):
    """Who works where and when: an organisation's shift, the person on it where known.
    Without times, the evening's own."""

    organisation_id: Id
    user_id: Id | None = None
    area_id: Id | None = None
    location: Name | None = None
    starts_at: LocalTime | None = None
    ends_at: LocalTime | None = None
    people: Annotated[int, Field(ge=1, le=500), JsonInt] = 1


class ShiftRead(BaseModel):
    id: int
    organisation: Ref
    person: Ref | None
    area: Ref | None
    location: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    people: int


class EveningCreate(Input):
    """An evening: its day (then 18:00–01:00 Swedish time) or its start and end."""

    day: Day | None = Field(default=None, description="The local day; 18:00–01:00 by default.")
    starts_at: LocalTime | None = None
    ends_at: LocalTime | None = None
    area_id: Id | None = Field(default=None, description="Null: the whole municipality.")
    kind: EveningKind = EveningKind.weekend
    title: Name | None = None
    briefing_at: LocalTime | None = None
    briefing_place: Name | None = None
    notes: LongText = ""
    watch: list[WatchPlace] = Field(default_factory=list, max_length=MAX_WATCH)
    shifts: list[ShiftIn] = Field(default_factory=list, max_length=MAX_SHIFTS)


class EveningUpdate(Patch):
    """Only what is sent changes; ``shifts`` and ``watch`` replace the lists whole."""

    starts_at: LocalTime = omittable()
    ends_at: LocalTime = omittable()
    area_id: Id | None = omittable()
    kind: EveningKind = omittable()
    title: Name | None = omittable()
    briefing_at: LocalTime | None = omittable()
    briefing_place: Name | None = omittable()
    notes: LongText = omittable()
    watch: list[WatchPlace] = omittable(max_length=MAX_WATCH)
    shifts: list[ShiftIn] = omittable(max_length=MAX_SHIFTS)


class EveningRead(BaseModel):
    id: int
    day: dt.date = Field(description="The local day the evening starts on.")
    area: Ref | None = Field(description="Null: the whole municipality.")
    kind: EveningKind
    title: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    briefing_at: dt.datetime | None
    briefing_place: str | None
    notes: str
    watch: list[WatchPlaceRead]
    shifts: list[ShiftRead]
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    # What the caller may do (api.access.policy), so that a front end holds no rules.
    may_plan: bool = False
    may_post: bool = False
    on_shift: bool = False
    log_open: bool = False


# Which evenings a list holds when no period is given: upcoming (not yet over, the next
# first), past (over, the latest first) or all (the latest first).
EveningWhen = Literal["upcoming", "past", "all"]


class NextWeekend(Input):
    """The coming Friday and Saturday evenings of an area (or the whole municipality)."""

    area_id: Id | None = Field(default=None, description="Null: the whole municipality.")


class NextWeekendResult(BaseModel):
    created: list[EveningRead]
    existing: list[EveningRead] = Field(description="Already planned for those days: kept.")


class SuggestedPlace(BaseModel):
    """A hot spot of the lägesbild in the evening's scope, to watch."""

    label: str
    place_id: int | None
    lat: float
    lon: float
    area: str
    count: int
    trend: str
    family: str
    reason: str


class HourCount(BaseModel):
    hour: int = Field(ge=0, le=23, description="Local hour.")
    count: int


class EveningSuggestions(BaseModel):
    """Where and when to watch: the hot spots of the last weeks in the evening's scope, and
    the hours of past evenings like it (the same weekday, the evening's hours)."""

    first_day: dt.date
    last_day: dt.date
    hot_spots: list[SuggestedPlace]
    weeks: int
    weekday: int = Field(ge=0, le=6, description="Monday 0.")
    hours: list[HourCount]
    busiest: list[int]
    advice: str


# The live log (api.evenings.log) -------------------------------------------------------------

# A post is short, as a message in the chat group it replaces.
MAX_POST = 500
# The most posts one read gives; a busy risk evening has a few hundred.
MAX_POSTS = 1000
PostText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_POST),
    AfterValidator(filled_text),
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": MAX_POST, "pattern": FILLED_PATTERN}
    ),
    GUARDED,
]


class LogPostCreate(Input):
    """A short post: what is going on, and where (a named place or a point, both optional)."""

    text: PostText = Field(description="What is going on, at most 500 characters.")
    place_id: Id | None = None
    position: Position | None = Field(
        None, description="A point (a phone's position), inside the municipality."
    )
    category: CategoryCode | None = Field(
        None, description="A category's code; needed later if the post becomes an observation."
    )
    confirm_personal_data: bool = Field(
        False, description="Send true to post a text that looks like it holds personal data."
    )


class ObservationCreate(Input):
    """A post made an observation: its text, place, point, time and category carried over."""

    category: CategoryCode | None = Field(
        None, description="The category, where the post has none (or another is right)."
    )
    assessment: Assessment = Assessment.medium
    confirm_personal_data: bool = Field(
        False, description="Send true to file a post whose text looks like it holds personal data."
    )


class LogPostRead(BaseModel):
    """A post as everyone on the evening reads it: the author's organisation, not the person."""

    id: int
    evening_id: int
    text: str
    created_at: dt.datetime
    organisation: Ref | None
    place: Ref | None
    lat: float | None
    lon: float | None
    category: CategoryRef | None
    incident_id: int | None = Field(
        description="The observation the post became (filed once, however often asked)."
    )
    own: bool = Field(False, description="Whether the caller wrote it.")


class LogRead(BaseModel):
    """An evening's log, oldest post first, and what the caller may do in it."""

    evening_id: int
    kind: EveningKind
    title: str | None
    area: Ref | None = Field(description="The evening's area; None: the whole municipality.")
    starts_at: dt.datetime
    ends_at: dt.datetime
    open: bool = Field(description="Whether the log takes posts (the evening is not over).")
    may_post: bool = Field(
        description="Whether the caller may post (and turn posts into observations)."
    )
    items: list[LogPostRead]


class LogQuery(BaseModel):
    after: QueryId | None = Field(
        None, description="Only posts after this post's id (what is new)."
    )
    limit: Annotated[int, Field(ge=1, le=MAX_POSTS)] = MAX_POSTS

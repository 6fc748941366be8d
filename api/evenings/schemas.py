"""The evening in the field, as the API reads and writes it."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from api.schemas_common import (
    Id,
    Input,
    JsonInt,
    LocalTime,
    Name,
    Patch,
    Ref,
    Text,
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

"""The associations' night walks and trained hosts, and the grant report, as the API reads
and writes them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from api.incidents.schemas import Assessment, CategoryCode, Position
from api.schemas_common import (
    Id,
    Input,
    JsonInt,
    ListQuery,
    LocalTime,
    Name,
    Patch,
    QueryId,
    Ref,
    Text,
    omittable,
)
from api.situation.schemas import Day

# A walk: at least this many walkers, one of them a trained host (service.check_walk).
MIN_WALKERS = 3
MAX_WALKERS = 200
MAX_HOSTS = 50
# The observations one report may file.
MAX_OBSERVATIONS = 20
# A term: spring (VT, January to June) or autumn (HT, July to December).
TERM_PATTERN = r"^(19|20)\d{2}-(VT|HT)$"

Walkers = Annotated[int, Field(ge=0, le=MAX_WALKERS), JsonInt]


Term = Annotated[
    str,
    Field(
        pattern=TERM_PATTERN,
        description="A term: `2026-VT` (January–June) or `2026-HT` (July–December).",
    ),
]


# Hosts (vandravärdar) -------------------------------------------------------------------------


class HostCreate(Input):
    # A person's name, by nature: read only by those who manage the association's walks. The
    # guard still refuses what is no name (a personnummer, a phone number, an address).
    name: Name
    trained_on: Day = Field(description="The day the host was trained (vandravärdsutbildning).")
    active: bool = True


class HostUpdate(Patch):
    name: Name = omittable()
    trained_on: Day = omittable()
    active: bool = omittable()


class HostRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    name: str
    trained_on: dt.date
    active: bool


# Walks ----------------------------------------------------------------------------------------


class NightWalkCreate(Input):
    evening_id: Id
    organisation_id: Id = Field(description="The association that walks.")
    walkers: Walkers = Field(description=f"How many walk: at least {MIN_WALKERS}.")
    host_ids: list[Id] = Field(
        default_factory=list,
        max_length=MAX_HOSTS,
        description="The association's trained hosts among the walkers: at least one.",
    )
    # Without an offset, Swedish local time.
    starts_at: LocalTime
    ends_at: LocalTime
    route: Name | None = Field(None, description="Where the walk goes, in a line.")


class NightWalkUpdate(Patch):
    walkers: Walkers = omittable()
    host_ids: list[Id] = omittable(max_length=MAX_HOSTS)
    starts_at: LocalTime = omittable()
    ends_at: LocalTime = omittable()
    route: Name | None = omittable()
    # A cancelled walk stays listed, marked so, and counts for nothing.
    cancelled: bool = omittable()


class Observation(Input):
    """What was seen on the walk, filed as an incident of the association's report."""

    category: CategoryCode
    at: LocalTime = Field(description="When it was seen.")
    area_id: Id | None = Field(None, description="Needed unless the place or the point says.")
    place_id: Id | None = None
    position: Position | None = None
    assessment: Assessment = Assessment.medium
    text: Text | None = None


class NightWalkReport(Input):
    """The report after the walk: when it really started and ended, how many walked, what
    was seen. Sent again, it replaces the text and times; its observations are filed once."""

    started_at: LocalTime
    ended_at: LocalTime
    walkers: Walkers
    seen: Text = Field("", description="What was seen, in words (no names of persons).")
    observations: list[Observation] = Field(default_factory=list, max_length=MAX_OBSERVATIONS)


class EveningRef(BaseModel):
    id: int
    kind: str
    title: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    area: Ref | None


class HostRef(BaseModel):
    id: int
    name: str
    trained_on: dt.date


class NightWalkRead(BaseModel):
    id: int
    evening: EveningRef
    organisation: Ref
    walkers: int
    # The hosts by name only for those who manage the association's walks; others see
    # how many.
    host_count: int
    hosts: list[HostRef]
    starts_at: dt.datetime
    ends_at: dt.datetime
    route: str | None
    cancelled: bool
    reported: bool
    reported_at: dt.datetime | None
    report: str
    report_id: int | None
    observations: int = Field(description="Observations filed with the report.")
    hours: float = Field(description="Hours walked (as planned until reported).")
    person_hours: float = Field(description="Hours walked × walkers.")
    may_manage: bool = False


class BookingAssociation(BaseModel):
    """An association whose walks the caller manages, with its register of hosts."""

    id: int
    name: str
    hosts: list[HostRead]


class WalkBooking(BaseModel):
    """What the caller may book: the associations whose walks they manage (none: they book
    none) and the evenings offered; and whether they read the grant report."""

    associations: list[BookingAssociation]
    evenings: list[EveningRef]
    may_read_grants: bool


# The grant report -------------------------------------------------------------------------


class GrantRow(BaseModel):
    organisation: Ref
    walks: int = Field(description="Reported walks in the term.")
    hours: float
    person_hours: float


class UnreportedWalk(BaseModel):
    id: int
    organisation: Ref
    starts_at: dt.datetime
    ends_at: dt.datetime
    walkers: int


class GrantReport(BaseModel):
    term: str
    first_day: dt.date
    last_day: dt.date
    associations: list[GrantRow]
    total: GrantRow | None = Field(description="The sum over the associations; null if none.")
    unreported: list[UnreportedWalk] = Field(
        description="Walks of the term, held and not cancelled, with no report: not counted."
    )


def term_days(term: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a term ("2026-HT": 1 July – 31 December 2026)."""
    match = re.fullmatch(TERM_PATTERN, term)
    assert match is not None, term
    year = int(term[:4])
    if term.endswith("VT"):
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


def term_of(day: dt.date) -> str:
    return f"{day.year}-{'VT' if day.month <= 6 else 'HT'}"


class NightWalkFilter(ListQuery):
    evening: QueryId | None = None
    association: QueryId | None = Field(None, description="An association's id.")
    from_: Day | None = Field(None, alias="from", description="Walks starting on or after.")
    to: Day | None = Field(None, description="Walks starting on or before this (local) day.")

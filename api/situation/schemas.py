"""The lägesbild: a group's figures for a period, the text written on them, and its versions."""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from api.schemas_common import (
    _TEXT_PATTERN,
    GUARDED,
    Input,
    JsonInt,
    Name,
    Patch,
    Ref,
    _text,
    omittable,
)

# The analysis of a busy fortnight runs to a few pages; this is a generous ceiling.
MAX_TEXT = 20_000
# A lägesbild covers at most a year: its cost follows the period.
MAX_PERIOD_DAYS = 366
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2099, 12, 31)

LongText = Annotated[
    str,
    StringConstraints(max_length=MAX_TEXT),
    AfterValidator(_text),
    WithJsonSchema({"type": "string", "maxLength": MAX_TEXT, "pattern": _TEXT_PATTERN}),
    GUARDED,
]


def _in_range(value: dt.date) -> dt.date:
    # A rule the schema's "date" cannot state, hence its own error type.
    if not EARLIEST <= value <= LATEST:
        raise PydanticCustomError("time_out_of_range", "Ange ett år mellan 1900 och 2099.")
    return value


def _iso_date(value: object) -> object:
    # Pydantic would also take a number of seconds since 1970, which nobody means by a day.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("date_parsing", "Ange en giltig dag som ÅÅÅÅ-MM-DD.")
    if not isinstance(value, str | dt.date):
        raise PydanticCustomError("date_type", "Ange en giltig dag som ÅÅÅÅ-MM-DD.")
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_in_range)]


class Status(enum.StrEnum):
    draft = "draft"  # utkast: figures live, text editable
    published = "published"  # publicerad: figures and incidents frozen, nothing changes


class ReportKind(enum.StrEnum):
    period = "period"  # a group's picture of a period (every other week)
    year = "year"  # the municipality's yearly lägesbild under lag (2023:196)


class HotSpotTrend(enum.StrEnum):
    new = "new"  # ny: not a hot spot in the previous period
    growing = "growing"  # växande
    steady = "steady"  # oförändrad
    shrinking = "shrinking"  # minskande


# Figures ------------------------------------------------------------------------------------


class Period(BaseModel):
    """Local calendar days, both included; ``start``/``end`` are the instants (end excluded)."""

    first_day: dt.date
    last_day: dt.date
    days: int
    start: dt.datetime
    end: dt.datetime


class Counts(BaseModel):
    """The same figure in this period, the previous period of equal length, and the same
    days a year earlier."""

    current: int = 0
    previous: int = 0
    last_year: int = 0


class CategoryRow(Counts):
    code: str
    name: str


class FamilyRow(Counts):
    code: str
    name: str
    categories: list[CategoryRow]


class AreaRow(Counts):
    id: int
    name: str


class PlaceRow(BaseModel):
    id: int | None  # None: incidents given without a named place
    name: str
    area: str
    current: int
    previous: int
    # None in a lägesbild published before places were counted a year back.
    last_year: int | None = None


class WeekRow(BaseModel):
    """A local ISO week (Monday to Sunday) and the same week a year earlier (52 weeks back,
    so that weekdays line up)."""

    monday: dt.date
    week: int
    current: int
    last_year: int
    # False for a week still under way when the figures were counted, or cut short by the
    # period's end: its bar is not comparable with whole weeks. True in lägesbilder
    # published before this was stated.
    complete: bool = True
    # The last local day counted in an incomplete week; None for a complete week.
    through: dt.date | None = None


class HotSpot(BaseModel):
    rank: int
    lat: float
    lon: float
    # The cluster's centre in SWEREF 99 TM, where the distances were computed.
    x: float
    y: float
    radius_m: float
    count: int
    high: int
    medium: int
    low: int
    previous: int
    trend: HotSpotTrend
    area: str
    place: str | None
    family: str
    incident_ids: list[int]


class PoliceShare(BaseModel):
    yes: int
    no: int
    unknown: int
    # Of all incidents in the period; None when there were none.
    share: float | None


class OrganisationRow(BaseModel):
    id: int
    name: str
    count: int


class Rules(BaseModel):
    """How the figures were counted, stated with them."""

    hot_spot_radius_m: float
    hot_spot_min_count: int
    # Incidents whose time window is at most this long are placed at its midpoint in the
    # weekday × hour matrix; longer ones count under their weekday in "tid okänd".
    exact_window_hours: int
    timezone: str
    # How a hot spot's count, previous count and trend are counted, in words (Swedish). None
    # in a lägesbild published before it was stated.
    hot_spot_trend: str | None = None


# The evening in the field (#19): what the evenings, night walks and guard reports of the
# period came to, for the reader's scope (composed in api.meetings.field, read through the
# slot api.situation.slots.field_summary).


class FieldEvening(BaseModel):
    id: int
    starts_at: dt.datetime
    kind: str = Field(description="api.evenings.schemas.EveningKind's value.")
    title: str | None = None
    area: Ref | None = Field(description="None: an evening of the whole municipality.")
    whole: bool = Field(
        description="False for an evening of the whole municipality read by someone who "
        "reads only some areas: only its observations in those areas are counted."
    )
    shifts: int = 0
    organisations: list[str] = []
    people: int = 0
    posts: int = 0
    observations: int = Field(0, description="Observations made from the live log.")
    walks: int = 0
    walkers: int = 0
    walk_hours: float = 0
    walk_observations: int = Field(0, description="Observations the night walkers filed.")


class FieldGuardDay(BaseModel):
    id: int | None = Field(description="The guard report, for those who read it.")
    organisation: Ref
    day: dt.date
    rounds: int | None = Field(description="None for those who read only some areas.")
    observations: int


class FieldSummary(BaseModel):
    evenings: list[FieldEvening]
    guard_days: list[FieldGuardDay]
    shifts: int
    people: int
    posts: int
    observations: int
    walks: int
    walkers: int
    walk_hours: float
    walk_observations: int
    guard_rounds: int
    guard_observations: int


class Figures(BaseModel):
    computed_at: dt.datetime
    area: Ref | None  # None: the whole municipality
    period: Period
    previous: Period
    last_year: Period
    rules: Rules
    total: Counts
    families: list[FamilyRow]
    areas: list[AreaRow]
    places: list[PlaceRow]
    weeks: list[WeekRow]
    # [weekday 0 = Monday][hour 0–23], local time.
    weekday_hour: list[list[int]]
    unknown_hour: list[int]
    hot_spots: list[HotSpot]
    police: PoliceShare
    reporters: list[OrganisationRow]
    # Organisations taking part in the group that reported nothing in the period.
    silent: list[Ref]
    # The evenings in the field and the guard reports of the period (#19); None when there
    # were none, or for figures counted before they were.
    field: FieldSummary | None = None


# The lägesbild ------------------------------------------------------------------------------


class TextFields(BaseModel):
    summary: str = ""
    analysis: str = ""
    assessment: str = ""
    proposals: str = ""
    # The yearly lägesbild's "annan relevant information" beside the survey (2023:196).
    other_information: str = ""


TEXT_FIELDS = tuple(TextFields.model_fields)


class SituationReportCreate(Input):
    kind: ReportKind = Field(
        default=ReportKind.period,
        description="year: the municipality's yearly lägesbild (lag 2023:196) of ``year``, "
        "for the steering or coordination group; its days are the calendar year's.",
    )
    year: int | None = Field(
        default=None, ge=1900, le=2099, description="The year of a yearly lägesbild."
    )
    first_day: Day | None = Field(
        default=None, description="Default: the day after the group's last lägesbild, or 14 days."
    )
    last_day: Day | None = Field(default=None, description="Default: today.")


class SituationReportUpdate(Patch):
    summary: LongText = omittable()
    analysis: LongText = omittable()
    assessment: LongText = omittable()
    proposals: LongText = omittable()
    other_information: LongText = omittable(description="A yearly lägesbild's only.")
    first_day: Day = omittable()
    last_day: Day = omittable()
    confirm_personal_data: bool = Field(
        default=False,
        description="Send true to save a text that looks like it holds personal data.",
    )


class RollupEntry(BaseModel):
    """Another group's latest published lägesbild, shown beside this one."""

    group: Ref
    report_id: int
    version: int
    first_day: dt.date
    last_day: dt.date
    published_at: dt.datetime
    total: Counts
    families: list[FamilyRow]
    hot_spots: list[HotSpot]
    summary: str


class SituationReportSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    group_id: int
    kind: ReportKind = ReportKind.period
    version: int
    previous_id: int | None
    status: Status
    first_day: dt.date
    last_day: dt.date
    revision: int
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class SituationReportRead(SituationReportSummary, TextFields):
    group: Ref
    group_kind: str
    created_by: Ref | None
    published_by: Ref | None
    figures: Figures
    rollup: list[RollupEntry]
    # The versions of this lägesbild, oldest first (ids), and the newer one if any.
    versions: list[SituationReportSummary]
    may_edit: bool  # the text and period (a draft, and the caller writes in the group)
    may_write: bool  # in the group at all: start a draft or a new version
    may_publish: bool
    # A yearly lägesbild's survey beside its figures (None for a period's), frozen with
    # them, and the action plans that build on it (any of its versions), as they are now.
    yearly: YearlySurvey | None = None
    action_plans: list[PlanLink] = []


class IncidentBrief(BaseModel):
    id: int
    category: str
    area: str
    occurred_from: dt.datetime


class TextChange(BaseModel):
    field: str
    before: str
    after: str


class CountChange(BaseModel):
    label: str
    before: int
    after: int


class Comparison(BaseModel):
    before: SituationReportSummary
    after: SituationReportSummary
    texts: list[TextChange]
    counts: list[CountChange]
    incidents_added: list[int]
    incidents_removed: list[int]


# The yearly lägesbild (lag 2023:196) -----------------------------------------------------------


class MonthRow(BaseModel):
    """A local calendar month of the year and the same month a year earlier."""

    month: int
    first_day: dt.date
    current: int
    last_year: int
    # False for a month not over when counted: its count is not comparable yet.
    complete: bool


class PoliceLine(BaseModel):
    """An offence in the police's statistics of reported crime: the year's count beside the
    year before's (None: the year before has no figure for it)."""

    offence: str
    count: int
    previous: int | None
    source: str


class SurveyIndicator(BaseModel):
    """A figure the steering group keeps by hand (a survey: trygghetsmätning, LUPP …) for
    the year and the year before."""

    indicator_id: int
    name: str
    goal: str
    unit: str | None
    direction: str
    value: float | None
    previous: float | None
    source: str | None
    note: str | None


class YearlySurvey(BaseModel):
    """What the yearly lägesbild shows beside a lägesbild's figures: the year month by month,
    the police's statistics of reported crime and the survey indicators of the year and the
    year before, as they stood when it was published (counted now for a draft)."""

    year: int
    months: list[MonthRow]
    police: list[PoliceLine]
    police_total: int | None
    police_previous_total: int | None
    indicators: list[SurveyIndicator]


class PlanLink(BaseModel):
    """An action plan that builds on a yearly lägesbild."""

    id: int
    title: str
    period_start: dt.date
    period_end: dt.date
    situation_report_id: int


# The police's statistics of reported crime (anmälda brott), per municipality and year ------


class PoliceStatisticRow(Input):
    offence: Name = Field(description="The offence as the statistics name it: 'Skadegörelse'.")
    count: Annotated[int, JsonInt] = Field(ge=0, le=10_000_000)
    source: Name = Field(default="Brå, anmälda brott", description="Where the figure is from.")


class PoliceStatisticsWrite(Input):
    rows: list[PoliceStatisticRow] = Field(max_length=1000)


class PoliceStatisticRead(BaseModel):
    offence: str
    count: int
    source: str


class PoliceStatisticsYear(BaseModel):
    municipality_id: int
    year: int
    rows: list[PoliceStatisticRead]
    updated_at: dt.datetime | None
    may_write: bool


class PoliceStatisticsYearBrief(BaseModel):
    year: int
    offences: int
    total: int


class PoliceStatisticsOverview(BaseModel):
    municipality_id: int
    years: list[PoliceStatisticsYearBrief]
    may_write: bool


class PoliceStatisticsImported(BaseModel):
    municipality_id: int
    years: list[PoliceStatisticsYearBrief]
    rows: int

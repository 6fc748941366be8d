from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from api.situation.schemas import Period

EmergingClass = Literal[
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
]


class GridCell(BaseModel):
    """A square of the grid: its south-west corner in SWEREF 99 TM and its centre in WGS 84,
    the nearest named place (within 400 m) and the area it lies in."""

    x: float
    y: float
    lat: float
    lon: float
    place: str | None
    area: str | None


class GiCell(GridCell):
    count: int = Field(description="Incidents in the cell in the period")
    neighbourhood: int = Field(description="Incidents in the cell and its neighbours")
    z: float = Field(description="Getis-Ord Gi* z-score")
    p: float = Field(description="Two-sided p-value from the normal distribution")
    q: float = Field(description="Benjamini-Hochberg q-value over every cell tested")


class HotZone(GridCell):
    """Significant hot cells that touch, as one hot spot: named and placed by its hottest."""

    rank: int
    cells: int
    count: int = Field(description="Incidents in its cells and their neighbours in the period")
    z: float = Field(description="The highest Gi* z-score of its cells")
    q: float = Field(description="The lowest q-value of its cells")


class SignificantHotSpots(BaseModel):
    cell_m: int
    band_m: int
    level: float = Field(description="The false discovery rate a hot cell is called at")
    cells: int = Field(description="Cells in the study area, each tested")
    incidents: int = Field(description="Incidents with a position in the study area")
    unplaced: int = Field(description="Incidents without a position or outside the area")
    # True where some area has no boundary and the study area is the incidents' surroundings.
    area_from_incidents: bool
    hot: list[GiCell]
    zones: list[HotZone]
    cold: int = Field(description="Cells significantly colder than the area as a whole")


class CubeStep(BaseModel):
    first_day: dt.date
    last_day: dt.date
    incidents: int
    hot_cells: int


class EmergingCell(GridCell):
    kind: EmergingClass
    hot_steps: int
    cold_steps: int
    tau: float = Field(description="Kendall's tau of the cell's Gi* z-scores over the steps")
    trend_p: float = Field(description="Mann-Kendall two-sided p-value")
    z: list[float] = Field(description="The cell's Gi* z-score in each step, oldest first")
    count: int = Field(description="Incidents in the cell over all steps")


class EmergingZone(GridCell):
    """Cells of one class that touch, as one place: named and described by its cell hottest
    in the last step."""

    kind: EmergingClass
    cells: int
    count: int = Field(description="Incidents in its cells and their neighbours, all steps")
    hot_steps: int
    tau: float
    trend_p: float


class EmergingHotSpots(BaseModel):
    steps: list[CubeStep]
    level: float
    trend_level: float
    cells: list[EmergingCell]
    zones: list[EmergingZone] = Field(description="Touching cells of one class, by class")
    kinds: dict[EmergingClass, int] = Field(description="Cells of each class")


class TestedWeek(BaseModel):
    monday: dt.date
    week: int = Field(description="ISO week number")
    incidents: int = Field(description="Incidents of the scope in the week")
    judged: int = Field(description="Area and family pairs with baseline enough to judge")
    unusual: int


class UnusualWeek(BaseModel):
    """An area's family with unusually many incidents in a week."""

    monday: dt.date
    week: int
    area: str
    family: str
    family_name: str
    count: int
    expected: float = Field(description="The baseline weeks' mean")
    threshold: int = Field(description="The predicted distribution's upper quantile")
    usual_low: int = Field(description="The baseline weeks' lower quartile")
    usual_high: int = Field(description="The baseline weeks' upper quartile")
    baseline_weeks: int
    p: float = Field(description="The chance of at least this many in a usual week")


class UnusualWeeks(BaseModel):
    level: float = Field(description="The quantile above which a count is unusual")
    years: int
    half_window: int = Field(description="Weeks either side of the same week, each year")
    min_count: int
    min_baseline: int = Field(description="Baseline weeks needed to judge")
    history_from: dt.date | None = Field(description="The Monday of the first incident's week")
    weeks: list[TestedWeek]
    unusual: list[UnusualWeek]


class KnoxCell(BaseModel):
    """Pairs of events so far apart in space and in time."""

    metres_from: int
    metres_to: int
    days_from: int
    days_to: int
    observed: int
    expected: float = Field(description="The mean over the permutations of the times")
    ratio: float | None = Field(description="Observed / expected (the Knox ratio)")
    p: float = Field(description="Share of permutations with at least as many pairs")
    significant: bool


class NearRepeatKind(BaseModel):
    code: str = Field(description="A category, or a family's code")
    label: str
    events: int = Field(description="Incidents of the kind with a position, tested")
    sampled_from: int | None = Field(
        default=None,
        description="Where more than could be tested: the incidents of the kind with a "
        "position, of which ``events`` is a random sample (None: all were tested)",
    )
    pairs: int = Field(description="Pairs within the largest distance")
    permutations: int = Field(default=0, description="The permutations made (fewer for many pairs)")
    tested: bool = Field(description="False with too few events")
    cells: list[KnoxCell]
    # How far and how long the risk is raised: from the nearest and soonest cell, the
    # significant ones without a gap; None when the nearest and soonest is not significant.
    reach_m: int | None = None
    reach_days: int | None = None
    ratio: float | None = Field(default=None, description="The nearest, soonest cell's ratio")


class NearRepeat(BaseModel):
    first_day: dt.date
    last_day: dt.date
    permutations: int
    level: float
    min_events: int
    max_events: int = Field(description="More events of a kind: a random sample is tested")
    max_pairs: int = Field(description="More close pairs: a random sample is tested")
    kinds: list[NearRepeatKind]


class Reporter(BaseModel):
    """An organisation's incidents per week, and the week its reporting changed, if it did."""

    name: str
    counts: list[int] = Field(description="Incidents per week, as Reporting.weeks")
    total: int
    change_monday: dt.date | None = Field(description="From this week on it reports at a new rate")
    change_week: int | None = Field(description="Its ISO week number")
    rate_before: float | None = Field(description="Incidents per week before the change")
    rate_after: float | None = Field(description="Incidents per week from the change on")
    p: float = Field(description="The best change week's p, times the tests (Bonferroni)")
    direction: Literal["more", "fewer"] | None
    share_of_change: float | None = Field(
        description="Its change in weekly rate over all reports' change, at the same week"
    )
    explains: bool = Field(description="The change explains the overall change")


class Reporting(BaseModel):
    weeks: list[dt.date] = Field(description="The Mondays of the weeks counted")
    totals: list[int]
    reporters: list[Reporter]
    level: float
    min_side: int
    tests: int = Field(description="Organisations × candidate weeks: what p is multiplied by")


class Analysis(BaseModel):
    group_id: int
    period: Period
    significant: SignificantHotSpots
    emerging: EmergingHotSpots
    unusual_weeks: UnusualWeeks
    near_repeat: NearRepeat
    reporting: Reporting

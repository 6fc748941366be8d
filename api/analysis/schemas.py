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


class Analysis(BaseModel):
    group_id: int
    period: Period
    significant: SignificantHotSpots
    emerging: EmergingHotSpots

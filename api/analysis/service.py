"""A group's analysis of its scope and period: significant and emerging hot spots, unusual
weeks, near-repeat and reporting intensity.

It counts what the lägesbild counts (``api.situation.figures.counted_conditions``: the
group's area or municipality, of it the areas the reader reads, withdrawn incidents and
police reports matched to an observation left out), so a reader never learns from the
analysis what the lägesbild would not tell them. The methods are explained in
``gistar``, ``emerging``, ``unusual``, ``nearrepeat`` and ``reporting``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from scipy import ndimage
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from api import localtime
from api.actor import Actor
from api.analysis import emerging, gistar, nearrepeat, places, reporting, unusual
from api.analysis.schemas import (
    Analysis,
    CubeStep,
    EmergingCell,
    EmergingHotSpots,
    EmergingZone,
    GiCell,
    GridCell,
    HotZone,
    NearRepeat,
    SignificantHotSpots,
)
from api.errors import Invalid
from api.incidents import geo
from api.incidents.models import Incident
from api.situation import figures as calc
from api.situation import service as situation
from api.situation.schemas import Period as PeriodModel

LEVEL = 0.05
BAND_CELLS = 1.5  # the neighbourhood reaches one and a half cells: the eight around
# Each step's arrays are this many cells: a bound on the memory an analysis takes.
MAX_CELLS = 500_000


@dataclass(frozen=True)
class Located:
    """The incidents of the whole cube: the time step of each with a position and where it
    is, and the time step of each without."""

    step: npt.NDArray[np.intp]
    xs: gistar.Floats
    ys: gistar.Floats
    unplaced: npt.NDArray[np.intp]


def steps(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The cube's time steps, oldest first, the last ending on ``last``: a period of at least
    ``STEPS`` weeks is cut into ``STEPS`` steps of whole days (the first ones a day longer
    where the days do not divide); a shorter one is the last step, and the steps before it
    are as long."""
    days = (last - first).days + 1
    n = emerging.STEPS
    if days >= 7 * n:
        size, extra = divmod(days, n)
        out = []
        start = first
        for k in range(n):
            length = size + (1 if k < extra else 0)
            out.append((start, start + dt.timedelta(days=length - 1)))
            start += dt.timedelta(days=length)
        return out
    return [
        (first - dt.timedelta(days=days * k), last - dt.timedelta(days=days * k))
        for k in range(n - 1, -1, -1)
    ]


def _located(session: Session, scope: calc.Scope, spans: list[PeriodModel]) -> Located:
    """One query for the cube: each incident's time step is found by the database, with the
    same comparisons of the start time that count it in the lägesbild (no time is read
    back, converted and compared again here)."""
    step = case(
        *((Incident.occurred_from < span.end, k) for k, span in enumerate(spans[:-1])),
        else_=len(spans) - 1,
    )
    stmt = select(step, Incident.lat, Incident.lon).where(
        *calc.counted_conditions(scope),
        Incident.occurred_from >= spans[0].start,
        Incident.occurred_from < spans[-1].end,
    )
    # Column by column: NumPy makes a float array of plain tuples fast (None becomes NaN).
    columns = list(zip(*session.execute(stmt), strict=True)) or [(), (), ()]
    step_of = np.array(columns[0], dtype=np.intp)
    lats, lons = (np.array(c, dtype=np.float64) for c in columns[1:])
    placed = ~np.isnan(lats) & ~np.isnan(lons)
    xs, ys = geo.project_arrays(lats[placed], lons[placed])
    return Located(step_of[placed], xs, ys, step_of[~placed])


def _study_area(
    areas: list[Any], located: Located, cell_m: float, weights: gistar.Floats
) -> tuple[gistar.Grid, gistar.Bools, bool]:
    """The grid and the cells where incidents can happen: inside the scope's areas, or near
    the incidents where an area has no boundary."""
    boundaries = [area.boundary for area in areas]
    if boundaries and all(b is not None for b in boundaries):
        shape = shapely.union_all([geo.boundary_in_metres(b) for b in boundaries])
        grid = _grid(*shape.bounds, cell_m)
        return grid, gistar.inside_shape(grid, shape), False
    if not len(located.xs):
        grid = gistar.Grid(0.0, 0.0, cell_m, 1, 1)
        return grid, np.zeros((1, 1), dtype=np.bool_), True
    pad = cell_m * BAND_CELLS
    grid = _grid(
        float(located.xs.min()) - pad,
        float(located.ys.min()) - pad,
        float(located.xs.max()) + pad,
        float(located.ys.max()) + pad,
        cell_m,
    )
    return grid, gistar.near_points(grid, located.xs, located.ys, weights), True


def _grid(west: float, south: float, east: float, north: float, cell_m: float) -> gistar.Grid:
    grid = gistar.Grid.covering(west, south, east, north, cell_m)
    if grid.rows * grid.cols > MAX_CELLS:
        raise Invalid.field(
            "cell_m",
            f"Rutnätet skulle få {grid.rows * grid.cols:,} rutor (högst "
            f"{MAX_CELLS:,}). Välj större rutor.".replace(",", "\u00a0"),
            "grid_too_fine",
        )
    return grid


Indices = Sequence[int] | npt.NDArray[np.intp]


def _cells(
    grid: gistar.Grid, rows: Indices, cols: Indices, names: places.Names
) -> list[dict[str, Any]]:
    """The grid cells (row, col) as GridCell fields, named, all at once."""
    xs = grid.x0 + np.asarray(cols, dtype=np.float64) * grid.size
    ys = grid.y0 + np.asarray(rows, dtype=np.float64) * grid.size
    half = grid.size / 2
    lats, lons = geo.unproject_arrays(xs + half, ys + half)
    named = names.of_many(xs + half, ys + half)
    return [
        GridCell(
            x=float(x), y=float(y), lat=round(float(lat), 6), lon=round(float(lon), 6),
            place=place, area=area,
        ).model_dump()
        for x, y, lat, lon, (place, area) in zip(xs, ys, lats, lons, named, strict=True)
    ]  # fmt: skip


def analyse(
    session: Session,
    group_id: int,
    first: dt.date | None,
    last: dt.date | None,
    *,
    actor: Actor,
    cell_m: int,
) -> Analysis:
    group = situation.readable_group(session, group_id, actor)
    first, last = situation.period_for(session, group, first, last)
    scope = situation.scope_of(session, group, actor)
    tz = localtime.zone(scope.timezone)
    cube = steps(first, last)
    spans = [calc.period(a, b, tz) for a, b in cube]
    located = _located(session, scope, spans)
    weights = gistar.kernel(cell_m, cell_m * BAND_CELLS)
    areas = places.scope_areas(session, scope)
    grid, inside, from_incidents = _study_area(areas, located, cell_m, weights)
    # The period is the last step, or all of them.
    first_step = next(k for k, (a, _) in enumerate(cube) if a >= first)
    names = places.names(session, areas)
    significant = _significant(grid, inside, weights, located, first_step, from_incidents, names)
    return Analysis(
        group_id=group.id,
        period=calc.period(first, last, tz),
        significant=significant,
        emerging=_emerging(grid, inside, weights, located, cube, names),
        unusual_weeks=unusual.find(session, scope, first, last),
        near_repeat=NearRepeat(
            first_day=cube[0][0],
            last_day=cube[-1][1],
            permutations=nearrepeat.PERMUTATIONS,
            level=nearrepeat.LEVEL,
            min_events=nearrepeat.MIN_EVENTS,
            max_events=nearrepeat.MAX_EVENTS,
            max_pairs=nearrepeat.MAX_PAIRS,
            kinds=nearrepeat.find(session, scope, spans[0].start, spans[-1].end),
        ),
        reporting=reporting.find(session, scope, first, last),
    )


def _significant(
    grid: gistar.Grid,
    inside: gistar.Bools,
    weights: gistar.Floats,
    located: Located,
    first_step: int,
    from_incidents: bool,
    names: places.Names,
) -> SignificantHotSpots:
    in_period = located.step >= first_step
    xs, ys = located.xs[in_period], located.ys[in_period]
    counts = grid.counts(xs, ys)
    placed = int(counts[inside].sum())
    result = gistar.gi_star(counts, inside, weights)
    q = gistar.q_values(result.p)
    neighbourhood = gistar.neighbourhood(counts, inside, weights)
    hot_mask = (q < LEVEL) & (result.z > 0)
    hot_rows, hot_cols = np.nonzero(hot_mask)
    order = np.argsort(-result.z[hot_rows, hot_cols], kind="stable")
    hot_rows, hot_cols = hot_rows[order], hot_cols[order]
    hot = [
        GiCell(
            **cell,
            count=int(counts[r, c]),
            neighbourhood=int(neighbourhood[r, c]),
            z=round(float(result.z[r, c]), 4),
            p=float(result.p[r, c]),
            q=float(q[r, c]),
        )
        for r, c, cell in zip(
            hot_rows, hot_cols, _cells(grid, hot_rows, hot_cols, names), strict=True
        )
    ]
    return SignificantHotSpots(
        cell_m=int(grid.size),
        band_m=int(grid.size * BAND_CELLS),
        level=LEVEL,
        cells=result.n,
        incidents=placed,
        unplaced=int(in_period.sum()) - placed + int((located.unplaced >= first_step).sum()),
        area_from_incidents=from_incidents,
        hot=hot,
        zones=_zones(grid, hot_mask, counts, result, q, names, inside, weights),
        cold=int(((q < LEVEL) & (result.z < 0)).sum()),
    )


@dataclass(frozen=True)
class _Zone:
    """Cells that touch, seen through a window of the grid around them wide enough for
    their neighbours too."""

    window: tuple[slice, slice]
    member: gistar.Bools  # within the window

    def peak(self, values: gistar.Floats) -> tuple[int, int]:
        """The (row, col) of the grid where ``values`` is highest among the members."""
        seen = np.where(self.member, values[self.window], -np.inf)
        r, c = np.unravel_index(int(np.argmax(seen)), seen.shape)
        return int(r) + self.window[0].start, int(c) + self.window[1].start

    def around(self, values: gistar.Floats, inside: gistar.Bools, weights: gistar.Floats) -> int:
        """The sum of ``values`` over the members and their neighbours in the study area."""
        near = ndimage.binary_dilation(self.member, structure=weights > 0) & inside[self.window]
        return int(values[self.window][near].sum())


def _touching(mask: gistar.Bools, reach: int) -> list[_Zone]:
    """The groups of cells of ``mask`` that touch, by a side or a corner."""
    labels, _found = ndimage.label(mask, structure=np.ones((3, 3)))
    rows, cols = mask.shape
    zones = []
    for index, (r, c) in enumerate(ndimage.find_objects(labels), 1):
        window = (
            slice(max(r.start - reach, 0), min(r.stop + reach, rows)),
            slice(max(c.start - reach, 0), min(c.stop + reach, cols)),
        )
        zones.append(_Zone(window, labels[window] == index))
    return zones


def _zones(
    grid: gistar.Grid,
    hot: gistar.Bools,
    counts: gistar.Floats,
    result: gistar.Result,
    q: gistar.Floats,
    names: places.Names,
    inside: gistar.Bools,
    weights: gistar.Floats,
) -> list[HotZone]:
    """The hot cells that touch, each group one zone, hottest first; its count is the
    incidents in its cells and their neighbours."""
    reach = weights.shape[0] // 2
    found = sorted(
        ((zone, zone.peak(result.z)) for zone in _touching(hot, reach)),
        key=lambda found: -result.z[found[1]],
    )
    named = _cells(grid, [r for _, (r, _) in found], [c for _, (_, c) in found], names)
    return [
        HotZone(
            **cell,
            rank=rank,
            cells=int(zone.member.sum()),
            count=zone.around(counts, inside, weights),
            z=round(float(result.z[peak]), 4),
            q=float(np.nanmin(np.where(zone.member, q[zone.window], np.nan))),
        )
        for rank, ((zone, peak), cell) in enumerate(zip(found, named, strict=True), 1)
    ]


def _emerging(
    grid: gistar.Grid,
    inside: gistar.Bools,
    weights: gistar.Floats,
    located: Located,
    cube: list[tuple[dt.date, dt.date]],
    names: places.Names,
) -> EmergingHotSpots:
    zs, hots, colds, totals, summary = [], [], [], np.zeros((grid.rows, grid.cols)), []
    for k, (a, b) in enumerate(cube):
        chosen = located.step == k
        counts = grid.counts(located.xs[chosen], located.ys[chosen])
        totals += counts
        result = gistar.gi_star(counts, inside, weights)
        q = gistar.q_values(result.p)
        hot = (q < emerging.CUBE_LEVEL) & (result.z > 0)
        zs.append(result.z)
        hots.append(hot)
        colds.append((q < emerging.CUBE_LEVEL) & (result.z < 0))
        summary.append(
            CubeStep(
                first_day=a,
                last_day=b,
                incidents=int(counts[inside].sum()),
                hot_cells=int(hot.sum()),
            )
        )
    z_cube, hot_cube, cold_cube = np.stack(zs), np.stack(hots), np.stack(colds)
    rows, cols = np.nonzero(hot_cube.any(axis=0))
    series = np.round(z_cube[:, rows, cols].T, 4)
    _s, _z, trend_p, tau = emerging.mann_kendall_rows(series)
    kind_of = np.full((grid.rows, grid.cols), -1)
    chosen = []
    for k, (r, c) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        trend = emerging.Trend(int(_s[k]), float(_z[k]), float(trend_p[k]), float(tau[k]))
        kind = emerging.classify(hot_cube[:, r, c].tolist(), cold_cube[:, r, c].tolist(), trend)
        if kind is not None:
            kind_of[r, c] = emerging.CLASSES.index(kind)
            chosen.append((k, r, c, kind))
    named = _cells(grid, [r for _, r, _, _ in chosen], [c for _, _, c, _ in chosen], names)
    cells = [
        EmergingCell(
            **cell,
            kind=kind,
            hot_steps=int(hot_cube[:, r, c].sum()),
            cold_steps=int(cold_cube[:, r, c].sum()),
            tau=round(float(tau[k]), 4),
            trend_p=float(trend_p[k]),
            z=series[k].tolist(),
            count=int(totals[r, c]),
        )
        for (k, r, c, kind), cell in zip(chosen, named, strict=True)
    ]
    cells.sort(key=lambda e: (emerging.CLASSES.index(e.kind), -e.z[-1]))
    kinds = {k: 0 for k in emerging.CLASSES}
    for e in cells:
        kinds[e.kind] += 1
    by_place = {(e.x, e.y): e for e in cells}
    zones = []
    for index, kind in enumerate(emerging.CLASSES):
        for zone in _touching(kind_of == index, weights.shape[0] // 2):
            r, c = zone.peak(z_cube[-1])
            peak = by_place[grid.x0 + c * grid.size, grid.y0 + r * grid.size]
            zones.append(
                EmergingZone(
                    **peak.model_dump(include=set(GridCell.model_fields)),
                    kind=kind,
                    cells=int(zone.member.sum()),
                    count=zone.around(totals, inside, weights),
                    hot_steps=peak.hot_steps,
                    tau=peak.tau,
                    trend_p=peak.trend_p,
                )
            )
    # As the cells: by class, then hottest now first.
    zones.sort(key=lambda e: (emerging.CLASSES.index(e.kind), -by_place[e.x, e.y].z[-1]))
    return EmergingHotSpots(
        steps=summary,
        level=emerging.CUBE_LEVEL,
        trend_level=emerging.TREND_LEVEL,
        cells=cells,
        zones=zones,
        kinds=kinds,
    )

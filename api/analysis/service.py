"""A group's analysis of its scope and period: significant and emerging hot spots, unusual
weeks, near-repeat and reporting intensity.

It counts what the lägesbild counts (``api.situation.figures.counted_conditions``: the
group's area or municipality, of it the areas the reader reads, withdrawn incidents and
police reports matched to an observation left out), so a reader never learns from the
analysis what the lägesbild would not tell them. The methods are explained in
``gistar``, ``emerging``, ``unusual``, ``nearrepeat`` and ``reporting``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from scipy import ndimage
from sqlalchemy import select
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
from api.structure.models import Area

LEVEL = 0.05
BAND_CELLS = 1.5  # the neighbourhood reaches one and a half cells: the eight around
# Each step's arrays are this many cells: a bound on the memory an analysis takes.
MAX_CELLS = 500_000


@dataclass(frozen=True)
class Located:
    """The incidents of the whole cube with a position: when (UTC seconds) and where."""

    times: gistar.Floats
    xs: gistar.Floats
    ys: gistar.Floats
    unplaced: gistar.Floats  # when the incidents without a position happened


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


def _located(session: Session, scope: calc.Scope, start: dt.datetime, end: dt.datetime) -> Located:
    stmt = select(Incident.occurred_from, Incident.lat, Incident.lon).where(
        *calc.counted_conditions(scope),
        Incident.occurred_from >= start,
        Incident.occurred_from < end,
    )
    times: list[float] = []
    lats: list[float] = []
    lons: list[float] = []
    unplaced: list[float] = []
    for when, lat, lon in session.execute(stmt):
        if lat is None or lon is None:
            unplaced.append(when.timestamp())
            continue
        times.append(when.timestamp())
        lats.append(lat)
        lons.append(lon)
    xs, ys = geo.project_arrays(np.asarray(lats), np.asarray(lons))
    return Located(
        np.asarray(times, dtype=np.float64), xs, ys, np.asarray(unplaced, dtype=np.float64)
    )


def _study_area(
    session: Session, scope: calc.Scope, located: Located, cell_m: float, weights: gistar.Floats
) -> tuple[gistar.Grid, gistar.Bools, bool]:
    """The grid and the cells where incidents can happen: inside the scope's areas, or near
    the incidents where an area has no boundary."""
    stmt = select(Area.boundary).where(Area.municipality_id == scope.municipality_id)
    if scope.area_id is not None:
        stmt = stmt.where(Area.id == scope.area_id)
    if scope.counted_areas is not None:
        stmt = stmt.where(Area.id.in_(scope.counted_areas))
    boundaries = list(session.scalars(stmt))
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


def _cell(grid: gistar.Grid, row: int, col: int, names: places.Names) -> dict[str, Any]:
    x, y = grid.x0 + col * grid.size, grid.y0 + row * grid.size
    mid_x, mid_y = x + grid.size / 2, y + grid.size / 2
    lat, lon = geo.unproject(mid_x, mid_y)
    place, area = names.of(mid_x, mid_y)
    return GridCell(
        x=x, y=y, lat=round(lat, 6), lon=round(lon, 6), place=place, area=area
    ).model_dump()


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
    # Step k spans [bounds[k], bounds[k + 1]); the period is the last step or all of them.
    spans = [calc.period(a, b, tz) for a, b in cube]
    bounds = [s.start.timestamp() for s in spans] + [spans[-1].end.timestamp()]
    located = _located(session, scope, spans[0].start, spans[-1].end)
    weights = gistar.kernel(cell_m, cell_m * BAND_CELLS)
    grid, inside, from_incidents = _study_area(session, scope, located, cell_m, weights)
    step_of = np.asarray(
        [bisect.bisect_right(bounds, t) - 1 for t in located.times.tolist()], dtype=np.intp
    )
    period_start = calc.period(first, last, tz).start.timestamp()
    names = places.names(session, scope)
    significant = _significant(grid, inside, weights, located, period_start, from_incidents, names)
    return Analysis(
        group_id=group.id,
        period=calc.period(first, last, tz),
        significant=significant,
        emerging=_emerging(grid, inside, weights, located, step_of, cube, names),
        unusual_weeks=unusual.find(session, scope, first, last),
        near_repeat=NearRepeat(
            first_day=cube[0][0],
            last_day=cube[-1][1],
            permutations=nearrepeat.PERMUTATIONS,
            level=nearrepeat.LEVEL,
            min_events=nearrepeat.MIN_EVENTS,
            kinds=nearrepeat.find(session, scope, spans[0].start, spans[-1].end),
        ),
        reporting=reporting.find(session, scope, first, last),
    )


def _significant(
    grid: gistar.Grid,
    inside: gistar.Bools,
    weights: gistar.Floats,
    located: Located,
    period_start: float,
    from_incidents: bool,
    names: places.Names,
) -> SignificantHotSpots:
    in_period = located.times >= period_start
    xs, ys = located.xs[in_period], located.ys[in_period]
    counts = grid.counts(xs, ys)
    placed = int(counts[inside].sum())
    result = gistar.gi_star(counts, inside, weights)
    q = gistar.q_values(result.p)
    neighbourhood = gistar.neighbourhood(counts, inside, weights)
    hot_mask = (q < LEVEL) & (result.z > 0)
    hot_rows, hot_cols = np.nonzero(hot_mask)
    order = np.argsort(-result.z[hot_rows, hot_cols], kind="stable")
    hot = [
        GiCell(
            **_cell(grid, int(r), int(c), names),
            count=int(counts[r, c]),
            neighbourhood=int(neighbourhood[r, c]),
            z=round(float(result.z[r, c]), 4),
            p=float(result.p[r, c]),
            q=float(q[r, c]),
        )
        for r, c in zip(hot_rows[order], hot_cols[order], strict=True)
    ]
    return SignificantHotSpots(
        cell_m=int(grid.size),
        band_m=int(grid.size * BAND_CELLS),
        level=LEVEL,
        cells=result.n,
        incidents=placed,
        unplaced=int(in_period.sum()) - placed + int((located.unplaced >= period_start).sum()),
        area_from_incidents=from_incidents,
        hot=hot,
        zones=_zones(grid, hot_mask, counts, result, q, names, inside, weights),
        cold=int(((q < LEVEL) & (result.z < 0)).sum()),
    )


def _touching(mask: gistar.Bools) -> list[gistar.Bools]:
    """The groups of cells of ``mask`` that touch, by a side or a corner."""
    labels, found = ndimage.label(mask, structure=np.ones((3, 3)))
    return [labels == index for index in range(1, found + 1)]


def _around(member: gistar.Bools, inside: gistar.Bools, weights: gistar.Floats) -> gistar.Bools:
    """The cells of a zone and their neighbours: where the incidents that made it lie."""
    reach: gistar.Bools = ndimage.binary_dilation(member, structure=weights > 0) & inside
    return reach


def _peak(member: gistar.Bools, values: gistar.Floats) -> tuple[int, int]:
    r, c = np.unravel_index(int(np.argmax(np.where(member, values, -np.inf))), values.shape)
    return int(r), int(c)


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
    found = []
    for member in _touching(hot):
        r, c = _peak(member, result.z)
        found.append((float(result.z[r, c]), r, c, member))
    found.sort(key=lambda zone: -zone[0])
    return [
        HotZone(
            **_cell(grid, r, c, names),
            rank=rank,
            cells=int(member.sum()),
            count=int(counts[_around(member, inside, weights)].sum()),
            z=round(z, 4),
            q=float(np.nanmin(np.where(member, q, np.nan))),
        )
        for rank, (z, r, c, member) in enumerate(found, 1)
    ]


def _emerging(
    grid: gistar.Grid,
    inside: gistar.Bools,
    weights: gistar.Floats,
    located: Located,
    step_of: npt.NDArray[np.intp],
    cube: list[tuple[dt.date, dt.date]],
    names: places.Names,
) -> EmergingHotSpots:
    zs, hots, colds, totals, summary = [], [], [], np.zeros((grid.rows, grid.cols)), []
    for k, (a, b) in enumerate(cube):
        chosen = step_of == k
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
    cells: list[EmergingCell] = []
    kind_of = np.full((grid.rows, grid.cols), -1)
    for r, c in zip(*np.nonzero(hot_cube.any(axis=0)), strict=True):
        series = [round(float(v), 4) for v in z_cube[:, r, c]]
        trend = emerging.mann_kendall(series)
        kind = emerging.classify(hot_cube[:, r, c].tolist(), cold_cube[:, r, c].tolist(), trend)
        if kind is None:
            continue
        kind_of[r, c] = emerging.CLASSES.index(kind)
        cells.append(
            EmergingCell(
                **_cell(grid, int(r), int(c), names),
                kind=kind,
                hot_steps=int(hot_cube[:, r, c].sum()),
                cold_steps=int(cold_cube[:, r, c].sum()),
                tau=round(trend.tau, 4),
                trend_p=trend.p,
                z=series,
                count=int(totals[r, c]),
            )
        )
    cells.sort(key=lambda e: (emerging.CLASSES.index(e.kind), -e.z[-1]))
    kinds = {k: 0 for k in emerging.CLASSES}
    for e in cells:
        kinds[e.kind] += 1
    by_place = {(e.x, e.y): e for e in cells}
    zones = []
    for index, kind in enumerate(emerging.CLASSES):
        for member in _touching(kind_of == index):
            r, c = _peak(member, z_cube[-1])
            peak = by_place[grid.x0 + c * grid.size, grid.y0 + r * grid.size]
            zones.append(
                EmergingZone(
                    **peak.model_dump(include=set(GridCell.model_fields)),
                    kind=kind,
                    cells=int(member.sum()),
                    count=int(totals[_around(member, inside, weights)].sum()),
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

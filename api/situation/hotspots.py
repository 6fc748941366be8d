"""Hot spots: where incidents gather within a walk of a minute or two.

Distances are computed in SWEREF 99 TM (metres), not in degrees, where a degree of longitude
is half a degree of latitude this far north.

The method is a greedy, fixed-radius clustering, chosen because its result can be stated and
checked: take the incident with the most others within ``radius`` metres; those (not yet in a
hot spot) form a hot spot when there are at least ``min_count`` of them; repeat with the rest.
Unlike single-linkage or DBSCAN, a hot spot never chains along a street into one long blob:
every member lies within ``radius`` of the incident it was gathered around, so a hot spot is
at most two radii across. A grid of ``radius``-sized cells keeps each neighbour search to the
nine cells around a point.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from pyproj import Transformer

SWEREF99TM = "EPSG:3006"
RADIUS_M = 125.0
MIN_COUNT = 3


@dataclass(frozen=True)
class Point:
    id: int
    x: float  # easting, metres
    y: float  # northing, metres
    weight: int  # ties are broken by the assessment: high 3, medium 2, low 1, none 0


@dataclass(frozen=True)
class Cluster:
    seed: Point
    members: tuple[Point, ...]

    @property
    def centre(self) -> tuple[float, float]:
        n = len(self.members)
        return sum(p.x for p in self.members) / n, sum(p.y for p in self.members) / n


@cache
def _to_sweref() -> Transformer:
    return Transformer.from_crs("EPSG:4326", SWEREF99TM, always_xy=True)


@cache
def _from_sweref() -> Transformer:
    return Transformer.from_crs(SWEREF99TM, "EPSG:4326", always_xy=True)


def project(lats: Sequence[float], lons: Sequence[float]) -> list[tuple[float, float]]:
    """(x, y) in SWEREF 99 TM for each (lat, lon)."""
    if not lats:
        return []
    xs, ys = _to_sweref().transform(list(lons), list(lats))
    return [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]


def unproject(x: float, y: float) -> tuple[float, float]:
    """(lat, lon) of a SWEREF 99 TM point."""
    lon, lat = _from_sweref().transform(x, y)
    return float(lat), float(lon)


def _cell(x: float, y: float, size: float) -> tuple[int, int]:
    return math.floor(x / size), math.floor(y / size)


def clusters(
    points: Sequence[Point], *, radius: float = RADIUS_M, min_count: int = MIN_COUNT
) -> list[Cluster]:
    """The hot spots among ``points``, largest first (see the module's docstring)."""
    grid: dict[tuple[int, int], list[Point]] = defaultdict(list)
    for p in points:
        grid[_cell(p.x, p.y, radius)].append(p)
    r2 = radius * radius

    def neighbours(p: Point) -> list[Point]:
        cx, cy = _cell(p.x, p.y, radius)
        return [
            q
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for q in grid.get((cx + dx, cy + dy), ())
            if (q.x - p.x) ** 2 + (q.y - p.y) ** 2 <= r2
        ]

    near = {p.id: neighbours(p) for p in points}
    # How many neighbours (and how much weight) each point still has free, kept up to date as
    # points are taken, so the whole search costs one pass over the neighbour lists.
    free = {p.id: len(near[p.id]) for p in points}
    weight = {p.id: sum(q.weight for q in near[p.id]) for p in points}
    taken: set[int] = set()
    found: list[Cluster] = []
    while True:
        best: tuple[int, int, int] | None = None
        seed: Point | None = None
        for p in points:
            if p.id in taken or free[p.id] < min_count:
                continue
            # Most incidents, then the most serious, then the earliest filed: deterministic.
            key = (free[p.id], weight[p.id], -p.id)
            if best is None or key > best:
                best, seed = key, p
        if seed is None:
            return found
        members = tuple(sorted((q for q in near[seed.id] if q.id not in taken), key=_by_id))
        for m in members:
            taken.add(m.id)
            for q in near[m.id]:
                free[q.id] -= 1
                weight[q.id] -= m.weight
        found.append(Cluster(seed, members))


def _by_id(p: Point) -> int:
    return p.id


def count_within(points: Sequence[Point], x: float, y: float, radius: float = RADIUS_M) -> int:
    r2 = radius * radius
    return sum(1 for p in points if (p.x - x) ** 2 + (p.y - y) ** 2 <= r2)

"""Hot spots: where incidents gather within a walk of a minute or two.

Distances are computed in SWEREF 99 TM (metres, ``api.incidents.geo.project``), not in
degrees, where a degree of longitude is half a degree of latitude this far north.

The method is a greedy, fixed-radius clustering, chosen because its result can be stated and
checked: take the incident with the most others within ``radius`` metres; those (not yet in a
hot spot) form a hot spot when there are at least ``min_count`` of them; repeat with the rest.
Unlike single-linkage or DBSCAN, a hot spot never chains along a street into one long blob:
every member lies within ``radius`` of the incident it was gathered around, so a hot spot is
at most two radii across.

The search gives that result without measuring every pair of neighbours, which in a dense
hot spot of a year's incidents are thousands per incident: the points sit in cells an eighth
of the radius wide, a disc adds up the cells it covers whole and measures single points only
along its rim, and a heap hands out the next seed, looking closely only at the cells whose
bound reaches its top (see ``clusters``). tests/api/test_situation_hotspots.py checks the
result against the method done point by point.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

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


Cell = tuple[int, int]
# Points as the grid measures them: x, y and their share of a packed key (see _Grid).
Rim = list[tuple[float, float, int]]

# Cells per radius: finer cells make the rim (the points looked at one by one) thinner, and
# the cells to add up more. Eight was the fastest on a year of synthetic incidents.
_CELLS_PER_RADIUS = 8
# Where fewer free points than this lie in the blocks around a cell, they are measured one
# by one.
_FEW = 64


class _Grid:
    """The free points in square cells an eighth of the radius wide, with each cell's sum. A
    disc adds up the cells it covers whole and looks at single points only along its rim, so
    a point in a dense hot spot costs a few hundred cells and its rim, not a distance to each
    of its thousands of neighbours.

    The sums are packed keys: a point is worth ``unit`` plus its weight (less the smallest
    weight), and ``unit`` is more than all the weights together, so a sum orders as (points,
    weight) does and one addition counts both."""

    def __init__(self, points: Sequence[Point], radius: float) -> None:
        if not radius > 0:
            raise ValueError("the radius must be positive")
        self.size = radius / _CELLS_PER_RADIUS
        self.radius = radius
        self.r2 = radius * radius
        # Rounding may put a point a hair outside the cell its coordinates name; within this
        # margin of the circle, points are always measured one by one.
        extent = max((max(abs(p.x), abs(p.y)) for p in points), default=0.0)
        self.margin = self.size / 100 + extent * 1e-12
        lightest = min((p.weight for p in points), default=0)
        heaviest = max((p.weight for p in points), default=0)
        self.unit = len(points) * (heaviest - lightest) + 1
        self.share = {p.id: self.unit + p.weight - lightest for p in points}
        self.points: dict[Cell, list[Point]] = defaultdict(list)
        for p in points:
            self.points[self.cell(p)].append(p)
        self.sums: dict[Cell, int] = {}
        self.coords: dict[Cell, Rim] = {}
        for c, ps in self.points.items():
            self._keep(c, ps)
        self.whole, self.rim = _offsets(radius, self.size, self.margin)
        self.reach = max(max(abs(dx), abs(dy)) for dx, dy in self.rim)
        # Blocks of cells with their sums: a bound cheap enough for every cell.
        k = _CELLS_PER_RADIUS
        self.blocks: dict[Cell, int] = defaultdict(int)
        self.cells_in: dict[Cell, list[Cell]] = defaultdict(list)
        for (cx, cy), total in self.sums.items():
            self.blocks[cx // k, cy // k] += total
            self.cells_in[cx // k, cy // k].append((cx, cy))
        self.kinds = {o: 0 for o in self.whole} | {o: 1 for o in self.rim}
        self._near: dict[Cell, tuple[list[Cell], list[Cell], list[Cell]]] = {}

    def _keep(self, c: Cell, ps: list[Point]) -> None:
        share = self.share
        self.points[c] = ps
        self.sums[c] = sum(share[p.id] for p in ps)
        self.coords[c] = [(p.x, p.y, share[p.id]) for p in ps]

    def cell(self, p: Point) -> Cell:
        return math.floor(p.x / self.size), math.floor(p.y / self.size)

    def near(self, cell: Cell) -> tuple[list[Cell], list[Cell], list[Cell]]:
        """The occupied cells wholly within the radius of every point of ``cell``, those
        that may be partly within it, and both."""
        found = self._near.get(cell)
        if found is not None:
            return found
        cx, cy = cell
        whole: list[Cell] = []
        rim: list[Cell] = []
        candidates = self._in_blocks(cell)
        if len(candidates) < len(self.kinds):
            # Where incidents are few, the occupied cells around are fewer than the places
            # a cell could be.
            kinds = self.kinds
            for c in candidates:
                kind = kinds.get((c[0] - cx, c[1] - cy))
                if kind is not None:
                    (rim if kind else whole).append(c)
        else:
            points = self.points
            whole = [c for dx, dy in self.whole if (c := (cx + dx, cy + dy)) in points]
            rim = [c for dx, dy in self.rim if (c := (cx + dx, cy + dy)) in points]
        found = self._near[cell] = (whole, rim, whole + rim)
        return found

    def _in_blocks(self, cell: Cell) -> list[Cell]:
        k, reach, (cx, cy), cells = _CELLS_PER_RADIUS, self.reach, cell, self.cells_in
        return [
            c
            for bx in range((cx - reach) // k, (cx + reach) // k + 1)
            for by in range((cy - reach) // k, (cy + reach) // k + 1)
            for c in cells.get((bx, by), ())
        ]

    def rough_bound(self, cell: Cell) -> int:
        """At least ``bound``, from the blocks around the cell's, without looking at cells."""
        k, reach, (cx, cy), blocks = _CELLS_PER_RADIUS, self.reach, cell, self.blocks
        return sum(
            blocks.get((bx, by), 0)
            for bx in range((cx - reach) // k, (cx + reach) // k + 1)
            for by in range((cy - reach) // k, (cy + reach) // k + 1)
        )

    def bound(self, cell: Cell) -> int:
        """The packed sum of the free points any point of ``cell`` may have within the
        radius: at least its key, and exactly that for a point that has all of them."""
        return sum(map(self.sums.__getitem__, self.near(cell)[2]))

    def refine(self, cell: Cell) -> tuple[int, Rim]:
        """The packed sum of the free points within the radius of every point of ``cell``,
        and the rim points that may or may not be."""
        whole, rim, _both = self.near(cell)
        mx, my = (cell[0] + 0.5) * self.size, (cell[1] + 0.5) * self.size
        # Every point of the cell is within half a diagonal of its middle.
        reach = self.size / math.sqrt(2) + self.margin
        inner = max(self.radius - reach, 0.0) ** 2
        outer = (self.radius + reach) ** 2
        coords = self.coords
        ring = [(q, (q[0] - mx) ** 2 + (q[1] - my) ** 2) for c in rim for q in coords[c]]
        sure = sum([q[2] for q, d in ring if d <= inner])
        maybe = [q for q, d in ring if inner < d <= outer]
        return sum(map(self.sums.__getitem__, whole)) + sure, maybe

    def few(self, cell: Cell) -> Rim | None:
        """The free points in the blocks around ``cell`` when they are so few that measuring
        each costs less than sorting the cells around it into whole and rim; else None."""
        if self.rough_bound(cell) >= _FEW * self.unit:
            return None
        coords = self.coords
        return [q for c in self._in_blocks(cell) for q in coords[c]]

    def key_of(self, p: Point) -> int:
        """The packed key of ``p``: the free points within the radius, and their weight."""
        cell = self.cell(p)
        few = self.few(cell)
        if few is not None:
            return self.around(p, 0, few)
        whole, rim, _both = self.near(cell)
        coords = self.coords
        return sum(map(self.sums.__getitem__, whole)) + self.around(
            p, 0, [q for c in rim for q in coords[c]]
        )

    def around(self, p: Point, sure: int, maybe: Rim) -> int:
        """The packed key of ``p``: ``sure`` and those of ``maybe`` within the radius."""
        x, y, r2 = p.x, p.y, self.r2
        return sure + sum([s for qx, qy, s in maybe if (qx - x) ** 2 + (qy - y) ** 2 <= r2])

    def within(self, p: Point) -> list[Point]:
        """The free points within the radius of ``p``."""
        cell = self.cell(p)
        points, x, y, r2 = self.points, p.x, p.y, self.r2
        if self.few(cell) is not None:
            return [
                q
                for c in self._in_blocks(cell)
                for q in points[c]
                if (q.x - x) ** 2 + (q.y - y) ** 2 <= r2
            ]
        whole, rim, _both = self.near(cell)
        return [q for c in whole for q in points[c]] + [
            q for c in rim for q in points[c] if (q.x - x) ** 2 + (q.y - y) ** 2 <= r2
        ]

    def take(self, taken: Sequence[Point]) -> None:
        gone = {p.id for p in taken}
        k = _CELLS_PER_RADIUS
        for c in {self.cell(p) for p in taken}:
            self.blocks[c[0] // k, c[1] // k] -= self.sums[c]
            self._keep(c, [q for q in self.points[c] if q.id not in gone])
            self.blocks[c[0] // k, c[1] // k] += self.sums[c]


@cache
def _offsets(
    radius: float, size: float, margin: float
) -> tuple[tuple[Cell, ...], tuple[Cell, ...]]:
    """The cells, relative to a point's own, that lie wholly within ``radius`` of anywhere in
    it, and those that may lie partly within."""
    reach = math.ceil(radius / size) + 1
    whole, rim = [], []
    for dx in range(-reach, reach + 1):
        for dy in range(-reach, reach + 1):
            far = size * math.hypot(abs(dx) + 1, abs(dy) + 1)
            close = size * math.hypot(max(abs(dx) - 1, 0), max(abs(dy) - 1, 0))
            if far <= radius - margin:
                whole.append((dx, dy))
            elif close <= radius + margin:
                rim.append((dx, dy))
    return tuple(whole), tuple(rim)


# What a heap entry stands for. (At equal keys the smallest id comes out first: a cell's
# entry carries its smallest id, and its points only enter once the cell has left.)
_ROUGH, _CELL, _REFINED, _POINT = range(4)


def clusters(
    points: Sequence[Point], *, radius: float = RADIUS_M, min_count: int = MIN_COUNT
) -> list[Cluster]:
    """The hot spots among ``points``, largest first (see the module's docstring)."""
    grid = _Grid(points, radius)
    least = min_count * grid.unit  # the packed keys of min_count points start here
    # A heap of packed seed keys, largest first (negated), then the smallest id: the order
    # the method picks seeds in. A cell goes in with a rough bound on its points' keys
    # (from blocks of cells), gets a closer one (its cells) and a closer still (its rim's
    # points) as each reaches the top, and is opened into its points' exact keys when the
    # closest does. Keys only fall as points are taken, so an entry found out of date goes
    # back with its current key, and the first that is up to date at the top is the seed.
    # Only what comes near the top is ever counted closely.
    heap: list[tuple[int, int, int, Any]] = []
    for start, inside in grid.points.items():
        bound = grid.rough_bound(start)
        if bound >= least:
            heap.append((-bound, min(p.id for p in inside), _ROUGH, start))
    heapq.heapify(heap)
    refined: dict[Cell, tuple[int, int, Rim]] = {}
    taken: set[int] = set()
    found: list[Cluster] = []
    while heap:
        negative, ident, kind, item = heapq.heappop(heap)
        if kind == _POINT:
            seed: Point = item
            if seed.id in taken:
                continue
            key = grid.key_of(seed)
            if key < least:
                continue
            if key != -negative:
                heapq.heappush(heap, (-key, ident, _POINT, seed))
                continue
            members = tuple(sorted(grid.within(seed), key=_by_id))
            grid.take(members)
            taken.update(m.id for m in members)
            found.append(Cluster(seed, members))
            continue
        cell: Cell = item
        if not grid.points[cell]:
            continue  # all taken
        if kind == _ROUGH:
            # Opening a cell early is always right: its points' keys are exact.
            few = grid.few(cell)
            if few is not None:
                for p in grid.points[cell]:
                    key = grid.around(p, 0, few)
                    if key >= least:
                        heapq.heappush(heap, (-key, p.id, _POINT, p))
                continue
        bound = grid.bound(cell)
        if bound < least:
            continue
        if kind == _REFINED and refined[cell][0] == bound:
            # Nothing near has been taken since: open the cell into its points.
            _was, sure, maybe = refined.pop(cell)
            for p in grid.points[cell]:
                key = grid.around(p, sure, maybe)
                if key >= least:
                    heapq.heappush(heap, (-key, p.id, _POINT, p))
        elif kind == _CELL and bound == -negative:
            sure, maybe = grid.refine(cell)
            refined[cell] = (bound, sure, maybe)
            heapq.heappush(heap, (-(sure + sum(s for _x, _y, s in maybe)), ident, _REFINED, cell))
        else:
            heapq.heappush(heap, (-bound, ident, _CELL, cell))
    return found


def _by_id(p: Point) -> int:
    return p.id


def claimed(points: Sequence[Point], seeds: Sequence[Point], radius: float = RADIUS_M) -> list[int]:
    """How many of ``points`` each seed gathers as a hot spot gathers its members: those
    within ``radius`` of it that an earlier seed (in the order given) has not gathered."""
    grid = _Grid(points, radius)
    counts = []
    for seed in seeds:
        gathered = grid.within(seed)
        grid.take(gathered)
        counts.append(len(gathered))
    return counts

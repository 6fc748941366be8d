"""The hot spot clustering against a reference written here as the module's docstring states
the method, point by point with no index: take the free point with the most free points
within the radius (then the most weight, then the smallest id); those form a hot spot when
there are at least ``min_count`` of them; repeat with the rest.

The layouts are chosen to tie: points on a whole-metre grid with a radius of 5 (so that
3-4-5 triangles put points exactly on the circle), points on the same spot, weights that
tie, and points at the coordinates of Upplands-Bro in SWEREF 99 TM.

Then a hot spot's two figures and its trend, over random layouts of overlapping clusters:
the trend follows from the figures shown, as figures.py states the rule.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.incidents import geo
from api.situation import figures, hotspots
from api.synthetic import incidents
from tests.support.figures import stated_trend

Result = list[tuple[int, tuple[int, ...]]]


def reference(points: list[hotspots.Point], radius: float, min_count: int) -> Result:
    r2 = radius * radius
    free = {p.id: p for p in points}

    def near(p: hotspots.Point) -> list[hotspots.Point]:
        return [q for q in free.values() if (q.x - p.x) ** 2 + (q.y - p.y) ** 2 <= r2]

    found: Result = []
    while True:
        keyed = [
            ((len(nb), sum(q.weight for q in nb), -p.id), p, nb)
            for p in free.values()
            if len(nb := near(p)) >= min_count
        ]
        if not keyed:
            return found
        _key, seed, members = max(keyed, key=lambda k: k[0])
        found.append((seed.id, tuple(sorted(q.id for q in members))))
        for q in members:
            del free[q.id]


def clustered(points: list[hotspots.Point], radius: float, min_count: int) -> Result:
    return [
        (c.seed.id, tuple(p.id for p in c.members))
        for c in hotspots.clusters(points, radius=radius, min_count=min_count)
    ]


def layout(seed: int, n: int, kind: str) -> list[hotspots.Point]:
    rng = random.Random(seed)
    points = []
    ids = rng.sample(range(1, 10 * n + 10), n)
    for i in ids:
        if kind == "grid":
            x, y = float(rng.randrange(0, 16)), float(rng.randrange(0, 16))
        elif kind == "sweref":
            x, y = 650_000 + rng.gauss(0, 4), 6_600_000 + rng.gauss(0, 4)
        else:
            x, y = rng.uniform(0, 25), rng.uniform(0, 25)
        points.append(hotspots.Point(i, x, y, rng.choice([0, 1, 1, 2, 3])))
    # Some on the very same spot as another.
    for i in rng.sample(range(len(points)), len(points) // 6):
        p = points[i]
        points.append(hotspots.Point(max(ids) + i + 1, p.x, p.y, p.weight))
    return points


@given(
    seed=st.integers(0, 10**6),
    n=st.integers(0, 70),
    kind=st.sampled_from(["grid", "sweref", "uniform"]),
    min_count=st.integers(1, 5),
)
@settings(max_examples=300, deadline=None)
def test_the_clustering_equals_the_reference(seed: int, n: int, kind: str, min_count: int) -> None:
    points = layout(seed, n, kind)
    assert clustered(points, 5.0, min_count) == reference(points, 5.0, min_count)


@pytest.mark.parametrize("radius", [2.5, 5.0, 125.0])
def test_points_exactly_on_the_circle_count(radius: float) -> None:
    # A plus sign and 3-4-5 triangles around the origin: all at exactly the radius (the
    # scales are powers of two times whole numbers, so nothing is rounded).
    scale = radius / 5
    spots = [(0, 0), (5, 0), (-5, 0), (0, 5), (0, -5), (3, 4), (-4, -3), (4, -3)]
    points = [hotspots.Point(i, x * scale, y * scale, 1) for i, (x, y) in enumerate(spots, 1)]
    result = clustered(points, radius, 3)
    assert result == reference(points, radius, 3)
    assert result[0] == (1, tuple(range(1, 9)))


def test_a_realistic_month_equals_the_reference() -> None:
    generated = [
        g
        for g in incidents(900, seed=7, start=dt.date(2026, 6, 1), days=30)
        if g.lat is not None and g.lon is not None
    ]
    xy = geo.project([g.lat for g in generated], [g.lon for g in generated])  # type: ignore[misc]
    weights = {"high": 3, "medium": 2, "low": 1}
    points = [
        hotspots.Point(i, x, y, weights[g.assessment])
        for i, (g, (x, y)) in enumerate(zip(generated, xy, strict=True), start=1)
    ]
    result = clustered(points, hotspots.RADIUS_M, hotspots.MIN_COUNT)
    assert len(result) > 10
    assert result == reference(points, hotspots.RADIUS_M, hotspots.MIN_COUNT)


# A hot spot's figures and trend -----------------------------------------------------------------

BRO = (647_000.0, 6_603_000.0)  # SWEREF 99 TM, near Bro centrum


def rows(xy: list[tuple[float, float]], first_id: int) -> list[figures.Row]:
    at = dt.datetime(2026, 6, 10, 20, tzinfo=dt.UTC)
    made = []
    for i, (x, y) in enumerate(xy, start=first_id):
        lat, lon = geo.unproject(BRO[0] + x, BRO[1] + y)
        made.append(
            figures.Row(i, "skadegorelse.klotter", "skadegorelse", 1, None, 1, at, at, lat, lon,
                        "medium", "unknown")
        )  # fmt: skip
    return made


def projected(rs: list[figures.Row]) -> list[hotspots.Point]:
    xy = geo.project([r.lat for r in rs], [r.lon for r in rs])  # type: ignore[misc]
    return [hotspots.Point(r.id, x, y, 2) for r, (x, y) in zip(rs, xy, strict=True)]


@given(
    seed=st.integers(0, 10**6),
    now=st.integers(0, 40),
    before=st.integers(0, 40),
    same=st.booleans(),
)
@settings(max_examples=150, deadline=None)
def test_a_hot_spots_trend_follows_from_the_two_figures_it_shows(
    seed: int, now: int, before: int, same: bool
) -> None:
    """Clusters a little over a radius apart, so that hot spots overlap and the larger take
    points from the smaller, in both periods."""
    rng = random.Random(seed)
    centres = [(rng.uniform(0, 300), rng.uniform(0, 300)) for _ in range(rng.randint(1, 4))]

    def near_one() -> tuple[float, float]:
        x, y = rng.choice(centres)
        return x + rng.gauss(0, 50), y + rng.gauss(0, 50)

    here = [near_one() for _ in range(now)]
    cur = rows(here, 1)
    prev = rows(here if same else [near_one() for _ in range(before)], 1000)
    spots = figures._hot_spots(cur, prev, {}, {}, {})

    # The previous period gathered around the same incidents, in the order the hot spots
    # were found, each incident once.
    r2 = hotspots.RADIUS_M**2
    free = projected(prev)
    expected = {}
    for cluster in hotspots.clusters(projected(cur)):
        seed_point = cluster.seed
        gathered = [q for q in free if (q.x - seed_point.x) ** 2 + (q.y - seed_point.y) ** 2 <= r2]
        free = [q for q in free if q not in gathered]
        expected[frozenset(p.id for p in cluster.members)] = len(gathered)

    assert len(spots) == len(expected)
    for spot in spots:
        assert spot.count == len(spot.incident_ids)
        assert spot.previous == expected[frozenset(spot.incident_ids)]
        assert spot.trend == stated_trend(spot.count, spot.previous)
        if same:
            assert (spot.previous, spot.trend) == (spot.count, "steady")
    assert sum(spot.previous for spot in spots) <= len(prev)

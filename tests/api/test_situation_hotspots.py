"""The hot spot clustering against a reference written here as the module's docstring states
the method, point by point with no index: take the free point with the most free points
within the radius (then the most weight, then the smallest id); those form a hot spot when
there are at least ``min_count`` of them; repeat with the rest.

The layouts are chosen to tie: points on a whole-metre grid with a radius of 5 (so that
3-4-5 triangles put points exactly on the circle), points on the same spot, weights that
tie, and points at the coordinates of Upplands-Bro in SWEREF 99 TM.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.situation import hotspots
from api.synthetic import incidents

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
    xy = hotspots.project([g.lat for g in generated], [g.lon for g in generated])  # type: ignore[misc]
    weights = {"high": 3, "medium": 2, "low": 1}
    points = [
        hotspots.Point(i, x, y, weights[g.assessment])
        for i, (g, (x, y)) in enumerate(zip(generated, xy, strict=True), start=1)
    ]
    result = clustered(points, hotspots.RADIUS_M, hotspots.MIN_COUNT)
    assert len(result) > 10
    assert result == reference(points, hotspots.RADIUS_M, hotspots.MIN_COUNT)

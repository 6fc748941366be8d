"""The analysis's methods on planted data, against independent implementations: Gi* against
PySAL's ``esda.G_Local``, the Mann-Kendall test against ``pymannkendall``; a field without
hot spots calls one in no more than the level's share of fields, a planted hot spot is
found, and every emerging class follows ArcGIS's definition."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import esda
import numpy as np
import pymannkendall
import pytest
from libpysal.weights import W
from scipy import stats

from api.analysis import emerging, gistar
from api.analysis.service import steps

CELL = 100.0
WEIGHTS = gistar.kernel(CELL, 1.5 * CELL)


def _area(rows: int, cols: int) -> gistar.Bools:
    """An irregular study area: two corners cut away, as a municipality's outline would."""
    inside = np.ones((rows, cols), dtype=np.bool_)
    inside[:4, :5] = False
    inside[rows - 5 :, cols - 4 :] = False
    return inside


def test_the_neighbourhood_is_the_cell_and_its_eight_neighbours() -> None:
    assert WEIGHTS.shape == (3, 3) and WEIGHTS.sum() == 9
    # A wider band reaches further, in a disc.
    assert gistar.kernel(CELL, 250.0).sum() == 21


@pytest.mark.parametrize("mean", [0.3, 4.0])
def test_gi_star_equals_pysal(mean: float) -> None:
    rng = np.random.default_rng(7)
    inside = _area(15, 20)
    counts = rng.poisson(mean, inside.shape).astype(np.float64)
    ours = gistar.gi_star(counts, inside, WEIGHTS)

    cells = [(int(r), int(c)) for r, c in zip(*np.nonzero(inside), strict=True)]
    index = {cell: i for i, cell in enumerate(cells)}
    neighbours = {
        i: [
            index[(r + dr, c + dc)]
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            if (dr or dc) and (r + dr, c + dc) in index
        ]
        for (r, c), i in index.items()
    }
    pysal = esda.G_Local(
        np.array([counts[cell] for cell in cells]),
        W(neighbours),
        star=True,
        transform="B",
        permutations=0,
    )
    assert ours.n == len(cells)
    np.testing.assert_allclose([ours.z[cell] for cell in cells], pysal.Zs, rtol=1e-9, atol=1e-9)
    # Outside the study area nothing is tested.
    assert np.isnan(ours.z[~inside]).all() and np.isnan(ours.p[~inside]).all()


def _called(counts: gistar.Floats, inside: gistar.Bools, *, exact: bool) -> bool:
    result = gistar.gi_star(counts, inside, WEIGHTS)
    p = result.p if exact else 2 * stats.norm.sf(np.abs(result.z))
    q = gistar.q_values(np.where(inside, p, np.nan))
    return bool(((q < 0.05) & (result.z > 0)).any())


def test_a_field_without_hot_spots_calls_one_at_most_at_the_level() -> None:
    # Incidents scattered at random: 300 over 1,600 cells, as sparse as a real month. Under
    # this null every called cell is a false discovery, so the share of fields with any is
    # the false discovery rate, which must not exceed the level (with the binomial margin of
    # 400 fields).
    rng = np.random.default_rng(2023)
    grid = gistar.Grid(0.0, 0.0, CELL, 40, 40)
    inside = np.ones((40, 40), dtype=np.bool_)
    fields = 400
    exact = normal = 0
    for _ in range(fields):
        xs, ys = rng.uniform(0, 4000, 300), rng.uniform(0, 4000, 300)
        counts = grid.counts(xs, ys)
        exact += _called(counts, inside, exact=True)
        normal += _called(counts, inside, exact=False)
    margin = 2 * math.sqrt(0.05 * 0.95 / fields)
    assert exact / fields <= 0.05 + margin, exact
    # Why p is exact: the normal distribution's p, as ArcGIS and PySAL read it, calls a hot
    # spot in far more of these fields than the level promises.
    assert normal / fields > 0.05 + margin, normal


def test_a_planted_hot_spot_is_found_and_nothing_far_from_it() -> None:
    rng = np.random.default_rng(11)
    grid = gistar.Grid(0.0, 0.0, CELL, 40, 40)
    inside = np.ones((40, 40), dtype=np.bool_)
    xs, ys = rng.uniform(0, 4000, 300), rng.uniform(0, 4000, 300)
    # Twelve incidents within 60 m of a corner of four cells.
    angle = rng.uniform(0, 2 * math.pi, 12)
    reach = rng.uniform(0, 60, 12)
    px, py = 2500 + reach * np.cos(angle), 1500 + reach * np.sin(angle)
    counts = grid.counts(np.concatenate([xs, px]), np.concatenate([ys, py]))
    result = gistar.gi_star(counts, inside, WEIGHTS)
    q = gistar.q_values(result.p)
    rows, cols = np.nonzero((q < 0.05) & (result.z > 0))
    assert len(rows), "the planted hot spot was not found"
    centres = np.column_stack([(cols + 0.5) * CELL, (rows + 0.5) * CELL])
    far = np.hypot(centres[:, 0] - 2500, centres[:, 1] - 1500)
    assert far.max() <= 250, far.max()


@pytest.mark.parametrize("seed", range(8))
def test_mann_kendall_equals_pymannkendall(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Rounded, so that ties occur and their correction is tested too.
    series = np.round(rng.normal(0, 1, 12) + np.arange(12) * rng.uniform(-0.3, 0.3), 1)
    ours = emerging.mann_kendall(series.tolist())
    theirs = pymannkendall.original_test(series)
    assert ours.s == theirs.s
    assert ours.z == pytest.approx(theirs.z, abs=1e-12)
    assert ours.p == pytest.approx(theirs.p, abs=1e-12)
    assert ours.tau == pytest.approx(theirs.Tau, abs=1e-12)


def _pattern(text: str) -> tuple[list[bool], list[bool]]:
    """'H' hot, 'C' cold, '.' neither, oldest first."""
    return [ch == "H" for ch in text], [ch == "C" for ch in text]


RISING = emerging.Trend(s=40, z=3.0, p=0.003, tau=0.6)
FALLING = emerging.Trend(s=-40, z=-3.0, p=0.003, tau=-0.6)
FLAT = emerging.Trend(s=4, z=0.3, p=0.7, tau=0.06)


@pytest.mark.parametrize(
    ("pattern", "trend", "kind"),
    [
        ("...........H", FLAT, "new"),
        ("........HHHH", FLAT, "consecutive"),
        ("HHHHHHHHHHHH", RISING, "intensifying"),
        (".HHHHHHHHHHH", FLAT, "persistent"),
        ("HHHHHHHHHHHH", FALLING, "diminishing"),
        ("..H..H...H.H", FLAT, "sporadic"),
        ("CC..H....HHH", FLAT, "oscillating"),
        ("HHHHHHHHHHH.", FLAT, "historical"),
        ("HHH.........", FLAT, None),
        ("............", FLAT, None),
    ],
)
def test_every_emerging_class_follows_its_definition(
    pattern: str, trend: emerging.Trend, kind: str | None
) -> None:
    hot, cold = _pattern(pattern)
    assert emerging.classify(hot, cold, trend) == kind


def test_the_cube_steps_cover_the_period_or_reach_back_from_it() -> None:
    year = steps(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert len(year) == emerging.STEPS
    assert year[0][0] == dt.date(2025, 1, 1) and year[-1][1] == dt.date(2025, 12, 31)
    for (_, end), (start, _) in itertools.pairwise(year):
        assert start == end + dt.timedelta(days=1)
    fortnight = steps(dt.date(2025, 3, 3), dt.date(2025, 3, 16))
    assert fortnight[-1] == (dt.date(2025, 3, 3), dt.date(2025, 3, 16))
    assert all((b - a).days == 13 for a, b in fortnight)
    assert fortnight[0][0] == dt.date(2025, 3, 3) - dt.timedelta(days=14 * 11)

"""The effect's numbers on planted counts: Fisher's test from ``scipy.stats`` gives what the
hypergeometric sum gives, the Weighted Displacement Difference and Quotient follow their
papers' definitions, and a WDD of pure chance is significant at about the stated rate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from api.interventions.effect import fisher, weighted_displacement
from api.interventions.schemas import BeforeAfter


def _pair(before: int, after: int) -> BeforeAfter:
    return BeforeAfter(before=before, after=after, change=None)


def _summed(zone: tuple[int, int], comparison: tuple[int, int]) -> tuple[float, float]:
    """The one-sided p-values as the hypergeometric probabilities of the zone's after count,
    summed term by term in exact integers."""
    (zb, za), (cb, ca) = zone, comparison
    n, after, total = zb + za, za + ca, zb + za + cb + ca
    xs = range(max(0, n - (total - after)), min(n, after) + 1)

    def p(x: int) -> float:
        return math.comb(after, x) * math.comb(total - after, n - x) / math.comb(total, n)

    return sum(p(x) for x in xs if x <= za), sum(p(x) for x in xs if x >= za)


def test_fisher_from_scipy_equals_the_hypergeometric_sum() -> None:
    rng = np.random.default_rng(8)
    tables = [((0, 0), (5, 5)), ((10, 0), (0, 10)), ((3, 9), (40, 38)), ((200, 150), (900, 1000))]
    tables += [((int(a), int(b)), (int(c), int(d))) for a, b, c, d in rng.integers(0, 60, (40, 4))]
    for zone, comparison in tables:
        ours = fisher(_pair(*zone), _pair(*comparison))
        assert ours == pytest.approx(_summed(zone, comparison), rel=1e-9, abs=1e-12), zone


def test_the_weighted_displacement_difference_and_quotient() -> None:
    # The zone fell from 40 to 20, the comparison from 50 to 45, the ring rose 30 to 35.
    zone, comparison, ring = _pair(40, 20), _pair(50, 45), _pair(30, 35)
    got = weighted_displacement(zone, comparison, ring)
    assert (got.local, got.displaced, got.wdd) == (-15, 5, -10)
    assert got.se == pytest.approx(math.sqrt(40 + 20 + 50 + 45 + 30 + 35), abs=1e-4)
    assert got.z == pytest.approx(-10 / math.sqrt(220), abs=1e-4)
    # WDQ = (35/45 − 30/50) / (20/45 − 40/50): the ring rose while the zone fell.
    assert got.wdq == pytest.approx((35 / 45 - 30 / 50) / (20 / 45 - 40 / 50), abs=1e-4)
    assert got.reading == "displacement"
    # The ring fell too: diffusion of benefit.
    assert weighted_displacement(zone, comparison, _pair(30, 20)).reading == "diffusion"
    # More moved to the ring than the zone gained.
    assert weighted_displacement(zone, comparison, _pair(30, 60)).reading == "more_displaced"
    # The zone did not fall relative to the comparison: the quotient says nothing.
    assert weighted_displacement(_pair(20, 40), comparison, ring).reading == "no_success"
    # Without a ring: four counts, no quotient.
    alone = weighted_displacement(zone, comparison, None)
    assert (alone.wdd, alone.displaced, alone.wdq) == (-15, None, None)
    assert alone.se == pytest.approx(math.sqrt(155), abs=1e-4)
    # A comparison with nothing after: no quotient, not a division by zero.
    assert weighted_displacement(zone, _pair(5, 0), ring).wdq is None


def test_the_wdd_of_chance_is_significant_at_about_the_level() -> None:
    # Every count Poisson with the same mean before and after: no effect anywhere.
    rng = np.random.default_rng(2018)
    runs = 4000
    counts = rng.poisson(30, (runs, 6))
    called = sum(
        weighted_displacement(_pair(a, b), _pair(c, d), _pair(e, f)).p < 0.05
        for a, b, c, d, e, f in counts.tolist()
    )
    assert abs(called / runs - 0.05) < 3 * math.sqrt(0.05 * 0.95 / runs), called

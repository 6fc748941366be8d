"""Emerging hot spots: how each place's hot spot has behaved over the last time steps.

- **Space-time cube**: the analysis is cut into ``STEPS`` time steps (see ``steps``); every
  step gets its own Gi* on the same grid and study area (``gistar``), and a cell is a hot
  spot in a step when its z is positive and its q-value below ``CUBE_LEVEL`` (90 percent
  confidence after the false discovery rate, as ArcGIS's Emerging Hot Spot Analysis), a
  cold spot when negative and as significant.
- **Trend**: the Mann–Kendall test (Mann 1945, Kendall 1975) on each cell's Gi* z-scores
  over the steps: whether they rise or fall more consistently than chance would make them,
  without assuming a straight line. Ties are corrected for, and the p-value is two-sided
  with continuity correction, as in ``pymannkendall.original_test`` (the tests' oracle).
- **Classes** (ArcGIS's definitions, in this order, for a cell hot in at least one step):
  historical — not hot in the last step but in at least 90 % of them; new — hot in the last
  step only; consecutive — hot in an unbroken run of at least two steps at the end, never
  before it, and in less than 90 % of the steps; intensifying, persistent, diminishing —
  hot in at least 90 % of the steps including the last, the z-scores rising significantly,
  without a significant trend, or falling significantly; oscillating — hot in the last
  step, a cold spot in some earlier step; sporadic — hot in the last step, on and off
  before, never cold. A cell hot only in earlier steps and in less than 90 % of them has no
  class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, get_args

import numpy as np
import numpy.typing as npt
from scipy import stats

from api.analysis.schemas import EmergingClass

STEPS = 12
CUBE_LEVEL = 0.10
TREND_LEVEL = 0.05
MOSTLY = 0.9


@dataclass(frozen=True)
class Trend:
    s: int
    z: float
    p: float
    tau: float

    @property
    def direction(self) -> int:
        """+1 rising, -1 falling, 0 no significant trend."""
        if self.p >= TREND_LEVEL or self.s == 0:
            return 0
        return 1 if self.s > 0 else -1


def mann_kendall(values: Sequence[float]) -> Trend:
    """The Mann–Kendall trend test of a series (its S, z, two-sided p and Kendall's tau)."""
    s, z, p, tau = mann_kendall_rows(np.asarray([values], dtype=np.float64))
    return Trend(int(s[0]), float(z[0]), float(p[0]), float(tau[0]))


def mann_kendall_rows(x: npt.NDArray[np.float64]) -> tuple[npt.NDArray[Any], ...]:
    """The test of every row of ``x`` at once: S, z, p and tau, each an array."""
    m, n = x.shape
    if n < 3:
        zero = np.zeros(m)
        return zero.astype(np.int64), zero, np.ones(m), zero
    i, j = np.triu_indices(n, 1)
    s = np.sign(x[:, j] - x[:, i]).sum(axis=1).astype(np.int64)
    # Ties: the length t of each run of equal values in the sorted row.
    ordered = np.sort(x, axis=1)
    run = np.concatenate(
        [np.zeros((m, 1), dtype=np.intp), np.cumsum(np.diff(ordered, axis=1) != 0, axis=1)],
        axis=1,
    )
    t = np.bincount((np.arange(m)[:, None] * n + run).ravel(), minlength=m * n).reshape(m, n)
    variance = (n * (n - 1) * (2 * n + 5) - (t * (t - 1) * (2 * t + 5)).sum(axis=1)) / 18
    root = np.sqrt(np.where(variance > 0, variance, 1.0))
    z = np.where(variance > 0, (s - np.sign(s)) / root, 0.0)
    p = 2 * stats.norm.sf(np.abs(z))
    return s, z, p, s / (n * (n - 1) / 2)


CLASSES: tuple[EmergingClass, ...] = get_args(EmergingClass)


def classify(hot: Sequence[bool], cold: Sequence[bool], trend: Trend) -> EmergingClass | None:
    """A cell's class from whether it was hot and cold in each step (oldest first) and the
    trend of its z-scores; None when it has none."""
    steps = len(hot)
    hot_steps = sum(hot)
    if not hot_steps:
        return None
    mostly = hot_steps >= MOSTLY * steps
    if not hot[-1]:
        return "historical" if mostly else None
    if mostly:
        if trend.direction > 0:
            return "intensifying"
        return "diminishing" if trend.direction < 0 else "persistent"
    run = 0
    while run < steps and hot[steps - 1 - run]:
        run += 1
    if run == hot_steps:
        return "new" if run == 1 else "consecutive"
    return "oscillating" if any(cold[: steps - run]) else "sporadic"

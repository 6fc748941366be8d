"""Significant hot spots: Getis-Ord Gi* on a square grid in SWEREF 99 TM.

- **Grid**: square cells ``cell_m`` metres wide (100 m by default), aligned to multiples of
  the cell size in SWEREF 99 TM, so that the same place falls in the same cell whatever the
  period or the reader.
- **Study area**: the cells whose centre lies inside the scope's areas, the places where an
  incident can happen, as ArcGIS's "bounding polygons" are. Where an area has no boundary,
  the cells within ``band_m`` of the incidents of the whole analysis stand in for it.
  Cells outside the study area are not counted: neither as neighbours nor in the mean.
- **Neighbours**: every cell whose centre lies within ``band_m`` of the cell's centre, the
  cell itself included (the star in Gi*), each with weight one. With 100 m cells and a
  150 m band these are the cell and its eight neighbours.
- **Statistic** (Getis & Ord 1992; Ord & Getis 1995): for cell i with neighbours j, count
  x and weights w, over the n cells of the study area with mean X and standard deviation S:

      z_i = (Σ_j w_ij x_j − X Σ_j w_ij) / (S √((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))

  A z-score: how many standard deviations more incidents the neighbourhood has than a
  neighbourhood of its size would have if the incidents were scattered at random over the
  study area.
- **p**: ArcGIS and PySAL read p from the normal distribution, which holds where cells hold
  many incidents. Here most cells hold none or one, and a neighbourhood of two incidents
  would then pass for a hot spot far more often than the level promises. So p is exact:
  with the period's N incidents scattered at random over the n cells, a neighbourhood of
  W cells gets Binomial(N, W/n) of them; p is twice the smaller tail of the count it has
  (at most one). For a given neighbourhood this orders cells as z does; the tests show a
  field without hot spots calls a hot cell in no more than the level's share of fields.
- **Many cells, many tests**: tens of thousands of cells are tested at once, so some would
  pass p < 0.05 by chance alone. The p-values are corrected by the Benjamini–Hochberg false
  discovery rate (``scipy.stats.false_discovery_control``): a cell is significant when its
  q-value is below the level, and of the cells so called, at most that share are expected to
  be chance.

Checked against PySAL's ``esda.G_Local(star=True)`` on the same grid and weights
(tests/api/test_analysis_methods.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy import ndimage, stats
from shapely.geometry.base import BaseGeometry

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class Grid:
    """Cells ``size`` metres wide; cell (row, col) spans x from ``x0 + col * size`` and y from
    ``y0 + row * size``."""

    x0: float
    y0: float
    size: float
    rows: int
    cols: int

    @classmethod
    def covering(cls, west: float, south: float, east: float, north: float, size: float) -> Grid:
        x0 = math.floor(west / size) * size
        y0 = math.floor(south / size) * size
        cols = max(1, math.floor((east - x0) / size) + 1)
        rows = max(1, math.floor((north - y0) / size) + 1)
        return cls(x0, y0, size, rows, cols)

    def centres(self) -> tuple[Floats, Floats]:
        """x and y of every cell's centre, each shaped (rows, cols)."""
        xs = self.x0 + (np.arange(self.cols) + 0.5) * self.size
        ys = self.y0 + (np.arange(self.rows) + 0.5) * self.size
        gx, gy = np.meshgrid(xs, ys)
        return gx, gy

    def index(self, xs: Floats, ys: Floats) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """The (rows, cols) of points; a point outside the grid gets -1 in both."""
        col = np.floor((xs - self.x0) / self.size).astype(np.intp)
        row = np.floor((ys - self.y0) / self.size).astype(np.intp)
        outside = (col < 0) | (col >= self.cols) | (row < 0) | (row >= self.rows)
        col[outside] = -1
        row[outside] = -1
        return row, col

    def counts(self, xs: Floats, ys: Floats) -> Floats:
        """How many of the points lie in each cell (points outside the grid are left out)."""
        row, col = self.index(xs, ys)
        kept = row >= 0
        flat = np.bincount(row[kept] * self.cols + col[kept], minlength=self.rows * self.cols)
        return flat.reshape(self.rows, self.cols).astype(np.float64)


def kernel(size: float, band: float) -> Floats:
    """The neighbourhood: ones where a cell's centre lies within ``band`` of the middle one."""
    reach = int(band // size)
    offsets = np.arange(-reach, reach + 1) * size
    dx, dy = np.meshgrid(offsets, offsets)
    ones: Floats = (dx * dx + dy * dy <= band * band + 1e-9).astype(np.float64)
    return ones


@dataclass(frozen=True)
class Result:
    z: Floats  # NaN outside the study area
    p: Floats  # exact, two-sided
    n: int  # cells in the study area


def gi_star(counts: Floats, inside: Bools, weights: Floats) -> Result:
    """Gi* z-scores of every cell of the study area ``inside``, and exact two-sided p-values
    of its neighbourhood's count (see the module's note on ``p``)."""
    n = int(inside.sum())
    z = np.full(counts.shape, np.nan)
    p = np.full(counts.shape, np.nan)
    if n < 2:
        return Result(z, p, n)
    x = np.where(inside, counts, 0.0)
    mean = x[inside].mean()
    spread = math.sqrt(max((x[inside] ** 2).mean() - mean * mean, 0.0))
    local = ndimage.correlate(x, weights, mode="constant", cval=0.0)
    area = inside.astype(np.float64)
    w_sum = ndimage.correlate(area, weights, mode="constant", cval=0.0)
    w_squares = ndimage.correlate(area, weights * weights, mode="constant", cval=0.0)
    variance = (n * w_squares - w_sum * w_sum) / (n - 1)
    # No spread (every cell the same) or a neighbourhood that is the whole area: nothing
    # stands out, z = 0.
    valid = inside & (variance > 1e-12) & (spread > 0)
    z[inside] = 0.0
    z[valid] = (local[valid] - mean * w_sum[valid]) / (spread * np.sqrt(variance[valid]))
    total = round(float(x[inside].sum()))
    share = np.clip(w_sum[inside] / n, 0.0, 1.0)
    seen = np.rint(local[inside])
    tails = np.ones(seen.shape)
    # Most neighbourhoods hold nothing: their p is twice the chance of none, (1 − share)^N
    # (the other tail is one); only the others need the distribution's tails.
    empty = seen == 0
    tails[empty] = np.exp(total * np.log1p(-np.minimum(share[empty], 1 - 1e-15)))
    some = ~empty
    tails[some] = np.minimum(
        stats.binom.sf(seen[some] - 1, total, share[some]),
        stats.binom.cdf(seen[some], total, share[some]),
    )
    p[inside] = np.minimum(1.0, 2.0 * tails)
    return Result(z, p, n)


def neighbourhood(counts: Floats, inside: Bools, weights: Floats) -> Floats:
    """Each cell's neighbourhood's count (the study area's cells only)."""
    summed: Floats = ndimage.correlate(np.where(inside, counts, 0.0), weights, mode="constant")
    return summed


def q_values(p: Floats) -> Floats:
    """Benjamini–Hochberg q-values of the finite p-values (NaN stays NaN)."""
    q = np.full(p.shape, np.nan)
    finite = np.isfinite(p)
    if finite.any():
        q[finite] = stats.false_discovery_control(p[finite], method="bh")
    return q


def inside_shape(grid: Grid, shape: BaseGeometry) -> Bools:
    """The cells whose centre lies inside a Shapely geometry in SWEREF 99 TM metres."""
    gx, gy = grid.centres()
    return np.asarray(shapely.intersects_xy(shape, gx, gy), dtype=np.bool_)


def near_points(grid: Grid, xs: Floats, ys: Floats, weights: Floats) -> Bools:
    """The cells within the neighbourhood of a cell holding one of the points: the study
    area where no boundary says where incidents can happen."""
    occupied = grid.counts(xs, ys) > 0
    near: Bools = ndimage.correlate(occupied.astype(np.float64), weights, mode="constant") > 0
    return near

"""Near-repeat: does an incident raise the risk of another of its kind close by for some
days? The Knox test with Monte Carlo, as in Ratcliffe's Near Repeat Calculator (Ratcliffe &
Rengert 2008; Johnson et al. 2007), for the kinds where the literature finds it: burglary,
vandalism and fires.

- **Events**: the kind's incidents with a position over the analysis's time steps (the
  space-time cube's span, long enough for pairs a fortnight apart to be many).
- **Pairs**: every two events; each is put in a cell of distance apart (``SPACE_BANDS``:
  0–100, 100–200, 200–400 m) × days apart (``TIME_BANDS``: 0–7, 8–14 days). Pairs
  close in space are found with a k-d tree (``scipy.spatial.cKDTree``), so the cost follows
  the close pairs, not all pairs.
- **Expected**: were time and place unrelated, the same places with the times shuffled among
  them would give as many close pairs. The times are permuted ``PERMUTATIONS`` times (a
  fixed seed, so the same data give the same answer); a cell's expected count is the mean
  over the permutations, its ratio observed / expected (the Knox ratio), and its p the share
  of permutations with at least as many pairs, (1 + k) / (1 + permutations). Where the close
  pairs are so many that ``PERMUTATIONS`` would take long (``BUDGET`` pair look-ups), fewer
  are made, never fewer than ``MIN_PERMUTATIONS`` (p then no smaller than 0.01).
- **Days apart**: the difference of the incidents' day numbers (whole days since the
  first), as the Near Repeat Calculator counts dates.
- **Significant**: p below ``LEVEL`` and more pairs than expected. The risk "reaches" as far
  and as long as the cells from the nearest and soonest are significant without a gap: "an
  incident raises the risk within 200 m for 7 days".
- Fewer than ``MIN_EVENTS`` events: not tested.
- **Many events**: the cost follows the events (each permutation shuffles all their times)
  and the close pairs (each permutation looks every one up), and a year of a dense
  municipality has hundreds of thousands of events and tens of millions of close pairs
  (48,000 events with 15 million took 23 s and 1.1 GB). So where a kind has more than
  ``MAX_EVENTS`` events, or they have more than ``MAX_PAIRS`` close pairs, a random sample
  of them is tested: the first events of a seeded shuffle (of the events in a fixed order,
  so the same data give the same sample), as many as keep both within their bounds. The
  Knox test stays exact on it (the sample is drawn without looking at the times, and the
  times are then permuted among the sample's places), the ratios are unbiased (each close
  pair is in the sample with the same chance), and the answer says it was sampled
  (``sampled_from``). What is lost is power, which follows the close pairs: ``MAX_PAIRS``
  of them leave the nearest, soonest cell some 400 expected pairs in a dense year, enough
  to call a ratio of 1.3 at 6 standard errors (``tests/api/test_analysis_signals.py``
  plants one in 48,000 events: under a second). The bounds: ``MAX_PAIRS`` is ``BUDGET`` /
  200, so at least 200 permutations are made (p down to 0.005) and the look-ups stay within
  ``BUDGET``; ``MAX_EVENTS`` × ``PERMUTATIONS`` shuffled times take about a tenth of a
  second, and more events add power only where the pairs are few. Finding the sample
  counts pairs (a k-d tree's ``count_neighbors``, never listing them) for a dozen sizes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.analysis.gistar import Floats
from api.analysis.schemas import KnoxCell, NearRepeatKind
from api.categories.models import Category
from api.incidents import geo
from api.incidents.models import Incident
from api.situation import figures as calc

SPACE_BANDS = (100, 200, 400)  # upper bounds in metres, each band from the one before
TIME_BANDS = (7, 14)  # upper bounds in whole days, each band from the one before (+1)
PERMUTATIONS = 999
LEVEL = 0.05
MIN_EVENTS = 10
SEED = 23
# A category or a whole family: (code, is a family).
KINDS = (("ordning.inbrott", False), ("skadegorelse", True), ("skadegorelse.brand", False))
# The pairs × permutations held at once, and looked up in all: where the close pairs are
# very many, fewer permutations (never fewer than MIN_PERMUTATIONS).
CHUNK = 4_000_000
BUDGET = 30_000_000
MIN_PERMUTATIONS = 99
# Where a kind has more events, or these more close pairs, a random sample is tested.
MAX_EVENTS = 10_000
MAX_PAIRS = BUDGET // 200


@dataclass(frozen=True)
class Knox:
    observed: np.ndarray  # (space bands, time bands)
    expected: Floats
    p: Floats
    pairs: int  # pairs within the largest distance
    permutations: int


def knox(
    xs: Floats,
    ys: Floats,
    days: Floats,
    *,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> Knox:
    """The Knox table of events at (xs, ys) metres and ``days`` (fractional days), with its
    Monte Carlo expectation and p-values."""
    spaces, times = len(SPACE_BANDS), len(TIME_BANDS)
    if len(xs) < 2:
        zero = np.zeros((spaces, times))
        return Knox(zero.astype(np.int64), zero, np.ones((spaces, times)), 0, 0)
    tree = cKDTree(np.column_stack([xs, ys]))
    pairs = tree.query_pairs(r=SPACE_BANDS[-1], output_type="ndarray")
    first, second = pairs[:, 0], pairs[:, 1]
    apart = np.hypot(xs[first] - xs[second], ys[first] - ys[second])
    space = np.searchsorted(np.asarray(SPACE_BANDS, dtype=np.float64), apart, side="left")
    # The pairs by distance band, each band's a slice; whole days apart are the difference
    # of the days' numbers (int32: a permutation's look-ups move half the bytes of int64).
    by_band = np.argsort(space, kind="stable")
    first, second = first[by_band], second[by_band]
    edges = np.searchsorted(space[by_band], np.arange(spaces + 1)).tolist()
    day = np.floor(days).astype(np.int64)
    day = (day - day.min()).astype(np.int32)

    def table(when: np.ndarray) -> np.ndarray:
        """(rows of whole days) → counts (rows, spaces, times): each band's pairs at most so
        many days apart, less those of the time bands before."""
        gap = when[:, first]
        gap -= when[:, second]
        np.abs(gap, out=gap)
        counts = np.empty((when.shape[0], spaces, times), dtype=np.int64)
        for s in range(spaces):
            band = gap[:, edges[s] : edges[s + 1]]
            before = np.zeros(when.shape[0], dtype=np.int64)
            for t, last_day in enumerate(TIME_BANDS):
                within = np.count_nonzero(band <= last_day, axis=1)
                counts[:, s, t] = within - before
                before = within
        return counts

    observed = table(day[None, :])[0]
    # As many permutations as the budget of pair look-ups allows, within the bounds.
    permutations = int(np.clip(BUDGET // max(1, len(first)), MIN_PERMUTATIONS, permutations))
    rng = np.random.default_rng(seed)
    at_least = np.zeros((spaces, times))
    total = np.zeros((spaces, times))
    # Each chunk's shuffled times and pair look-ups within CHUNK.
    step = max(1, CHUNK // max(1, len(first), len(day)))
    done = 0
    while done < permutations:
        rows = min(step, permutations - done)
        shuffled = rng.permuted(np.broadcast_to(day, (rows, len(day))), axis=1)
        counts = table(shuffled)
        at_least += (counts >= observed[None]).sum(axis=0)
        total += counts.sum(axis=0)
        done += rows
    return Knox(
        observed,
        total / permutations,
        (1 + at_least) / (1 + permutations),
        len(first),
        permutations,
    )


def sample(xs: Floats, ys: Floats, days: Floats) -> npt.NDArray[np.intp] | None:
    """The events to test, as indices in time order, or None for all: the first of a seeded
    shuffle of the events (in a fixed order, whatever order they came in), at most
    ``MAX_EVENTS`` and as many as have at most ``MAX_PAIRS`` close pairs."""
    order = np.lexsort((ys, xs, days))
    order = order[np.random.default_rng(SEED).permutation(len(order))]
    points = np.column_stack([xs, ys])

    def pairs(k: int) -> int:
        tree = cKDTree(points[order[:k]])
        # Counted, not listed: the pairs of a dense sample are many, their count is cheap.
        return (int(tree.count_neighbors(tree, float(SPACE_BANDS[-1]))) - k) // 2

    size = min(len(order), MAX_EVENTS)
    if pairs(size) > MAX_PAIRS:
        # The most events with at most MAX_PAIRS close pairs (more events, more pairs).
        fits, over = 2, size
        while over - fits > 1:
            middle = (fits + over) // 2
            fits, over = (middle, over) if pairs(middle) <= MAX_PAIRS else (fits, middle)
        size = fits
    if size == len(order):
        return None
    chosen = order[:size]
    return chosen[np.argsort(days[chosen], kind="stable")]


def _kinds(session: Session) -> list[tuple[str, bool, str]]:
    stmt = select(Category.code, Category.label_sv).where(
        Category.code.in_([code for code, _ in KINDS])
    )
    labels = {r[0]: r[1] for r in session.execute(stmt)}
    return [(code, family, labels[code]) for code, family in KINDS if code in labels]


def find(
    session: Session, scope: calc.Scope, start: dt.datetime, end: dt.datetime
) -> list[NearRepeatKind]:
    """Each kind's Knox test over [start, end), as the scope's reader may count."""
    kinds = _kinds(session)
    families = [code for code, family, _ in kinds if family]
    categories = [code for code, family, _ in kinds if not family]
    stmt = select(
        Incident.occurred_from, Incident.lat, Incident.lon, Incident.category_code,
        Incident.family_code,
    ).where(
        *calc.counted_conditions(scope),
        Incident.occurred_from >= start,
        Incident.occurred_from < end,
        Incident.lat.is_not(None),
        Incident.lon.is_not(None),
        or_(Incident.family_code.in_(families), Incident.category_code.in_(categories)),
    )  # fmt: skip
    found = session.execute(stmt).all()
    origin = start.timestamp()
    when = np.asarray([r[0].timestamp() for r in found], dtype=np.float64)
    days = (when - origin) / 86400.0
    xs, ys = geo.project_arrays(
        np.asarray([r[1] for r in found], dtype=np.float64),
        np.asarray([r[2] for r in found], dtype=np.float64),
    )
    category = np.asarray([r[3] for r in found], dtype=object)
    family = np.asarray([r[4] for r in found], dtype=object)
    out = []
    for code, is_family, label in kinds:
        chosen = (family == code) if is_family else (category == code)
        out.append(_kind(code, label, xs[chosen], ys[chosen], days[chosen]))
    return out


def _kind(code: str, label: str, xs: Floats, ys: Floats, days: Floats) -> NearRepeatKind:
    events = len(xs)
    if events < MIN_EVENTS:
        return NearRepeatKind(
            code=code, label=label, events=events, pairs=0, tested=False, cells=[]
        )
    chosen = sample(xs, ys, days)
    sampled_from = None
    if chosen is not None:
        xs, ys, days, sampled_from = xs[chosen], ys[chosen], days[chosen], events
        events = len(chosen)
    result = knox(xs, ys, days)
    significant = (result.p < LEVEL) & (result.observed > result.expected)
    cells = []
    for s, upper in enumerate(SPACE_BANDS):
        for t, last_day in enumerate(TIME_BANDS):
            expected = float(result.expected[s, t])
            cells.append(
                KnoxCell(
                    metres_from=0 if s == 0 else SPACE_BANDS[s - 1],
                    metres_to=upper,
                    days_from=0 if t == 0 else TIME_BANDS[t - 1] + 1,
                    days_to=last_day,
                    observed=int(result.observed[s, t]),
                    expected=round(expected, 2),
                    ratio=round(float(result.observed[s, t]) / expected, 2) if expected else None,
                    p=float(result.p[s, t]),
                    significant=bool(significant[s, t]),
                )
            )
    reach_m = reach_days = None
    ratio = None
    if significant[0, 0]:
        s = 0
        while s + 1 < len(SPACE_BANDS) and significant[s + 1, 0]:
            s += 1
        t = 0
        while t + 1 < len(TIME_BANDS) and significant[0, t + 1]:
            t += 1
        reach_m, reach_days = SPACE_BANDS[s], TIME_BANDS[t]
        ratio = cells[0].ratio
    return NearRepeatKind(
        code=code,
        label=label,
        events=events,
        sampled_from=sampled_from,
        pairs=result.pairs,
        permutations=result.permutations,
        tested=True,
        cells=cells,
        reach_m=reach_m,
        reach_days=reach_days,
        ratio=ratio,
    )

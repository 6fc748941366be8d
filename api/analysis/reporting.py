"""Reporting intensity: how many incidents each organisation files per week, and whether a
rise or fall in the counts follows a change in who reports rather than in what happens.

- **Weeks**: the complete weeks (Monday to Sunday, local) up to the period's end, from
  ``WEEKS_BEFORE`` weeks before the period's first week.
- **Change week**: for each organisation and each week k that leaves at least ``MIN_SIDE``
  weeks on either side, its count before (a, over n₁ weeks) and from k on (b, over n₂) are
  two Poisson rates. Equal rates would make b, given a + b, binomial with the share
  n₂ / (n₁ + n₂) (the conditional test of two Poisson rates, ``scipy.stats.binom``; two
  sided, the smaller tail doubled). The best week is the one with the smallest p; as the
  best of many weeks and organisations is chosen, p is multiplied by their number
  (Bonferroni) before it is compared with ``LEVEL``.
- **Explains the overall change**: at the same week, all reports together changed the same
  way (the same test, p below ``LEVEL``) and the organisation's change in weekly rate is at
  least ``EXPLAINS`` of the total's: "fler rapporter från X sedan vecka 40".
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from scipy import stats
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import localtime
from api.analysis import weeks
from api.analysis.schemas import Reporter, Reporting
from api.incidents.models import Incident
from api.situation import figures as calc
from api.structure.models import Organisation

WEEKS_BEFORE = 12
MIN_SIDE = 3
LEVEL = 0.05
EXPLAINS = 0.5


def two_rates(
    before: np.ndarray, after: np.ndarray, n_before: np.ndarray, n_after: np.ndarray
) -> np.ndarray:
    """Two-sided p of equal Poisson rates: ``after`` given ``before + after`` is binomial
    with the share of the weeks after."""
    total = before + after
    share = n_after / (n_before + n_after)
    low = stats.binom.cdf(after, total, share)
    high = stats.binom.sf(after - 1, total, share)
    p: np.ndarray = np.where(total > 0, np.minimum(1.0, 2 * np.minimum(low, high)), 1.0)
    return p


def change_week(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For series (m, W): each one's best change week (index k, the first week after) and
    its p, of the splits leaving ``MIN_SIDE`` weeks either side."""
    m, w = counts.shape
    splits = np.arange(MIN_SIDE, w - MIN_SIDE + 1)
    if not len(splits):
        return np.zeros(m, dtype=np.intp), np.ones(m)
    cumulative = np.cumsum(counts, axis=1)
    before = cumulative[:, splits - 1]
    after = cumulative[:, -1:] - before
    p = two_rates(before, after, splits[None, :].astype(float), (w - splits)[None, :].astype(float))
    best = np.argmin(p, axis=1)
    return splits[best], p[np.arange(m), best]


def _rates(series: np.ndarray, k: int) -> tuple[float, float]:
    return float(series[:k].mean()), float(series[k:].mean())


def find(session: Session, scope: calc.Scope, first: dt.date, last: dt.date) -> Reporting:
    tz = localtime.zone(scope.timezone)
    end = weeks.monday(last + dt.timedelta(days=1))  # the Monday after the last whole week
    start = weeks.monday(first) - dt.timedelta(weeks=WEEKS_BEFORE)
    mondays = [start + dt.timedelta(weeks=k) for k in range(max(0, (end - start).days // 7))]
    result = Reporting(
        weeks=mondays, totals=[], reporters=[], level=LEVEL, min_side=MIN_SIDE, tests=0
    )
    if not mondays:
        return result
    bounds = weeks.edges(mondays, tz)
    week = weeks.bucket(bounds).label("week")
    stmt = (
        select(Incident.organisation_id, week, func.count())
        .where(
            *calc.counted_conditions(scope),
            Incident.occurred_from >= bounds[0],
            Incident.occurred_from < bounds[-1],
        )
        .group_by(Incident.organisation_id, week)
    )
    found = session.execute(stmt).all()
    ids = sorted({r[0] for r in found})
    row = {ident: i for i, ident in enumerate(ids)}
    counts = np.zeros((len(ids), len(mondays)), dtype=np.float64)
    for ident, k, n in found:
        counts[row[ident], int(k)] = n
    totals = counts.sum(axis=0)
    result.totals = [int(v) for v in totals]
    if not ids:
        return result
    stmt_names = select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    names = {r[0]: r[1] for r in session.execute(stmt_names)}
    split, p = change_week(counts)
    tests = len(ids) * max(0, len(mondays) - 2 * MIN_SIDE + 1)
    adjusted = np.minimum(1.0, p * max(tests, 1))
    reporters = []
    for i, ident in enumerate(ids):
        k = int(split[i])
        series = counts[i]
        flagged, direction, share = False, None, None
        if adjusted[i] < LEVEL:
            before, after = _rates(series, k)
            all_before, all_after = _rates(totals, k)
            direction = "more" if after > before else "fewer"
            overall = two_rates(
                np.asarray([totals[:k].sum()]),
                np.asarray([totals[k:].sum()]),
                np.asarray([float(k)]),
                np.asarray([float(len(mondays) - k)]),
            )[0]
            change, all_change = after - before, all_after - all_before
            if all_change and np.sign(change) == np.sign(all_change):
                share = round(change / all_change, 2)
                flagged = bool(overall < LEVEL and share >= EXPLAINS)
        changed = adjusted[i] < LEVEL
        rate_before, rate_after = _rates(series, k) if changed else (None, None)
        reporters.append(
            Reporter(
                name=names.get(ident, "Okänd organisation"),
                counts=[int(v) for v in series],
                total=int(series.sum()),
                change_monday=mondays[k] if changed else None,
                change_week=weeks.iso_week(mondays[k]) if changed else None,
                rate_before=round(rate_before, 2) if rate_before is not None else None,
                rate_after=round(rate_after, 2) if rate_after is not None else None,
                p=float(adjusted[i]),
                direction=direction,
                share_of_change=share,
                explains=flagged,
            )
        )
    reporters.sort(key=lambda r: (not r.explains, r.change_week is None, -r.total, r.name))
    result.reporters = reporters
    result.tests = tests
    return result

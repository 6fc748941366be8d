"""Unusual weeks: per area and category family, is this week's count more than the same
weeks of earlier years make likely? In the manner of Farrington et al. (1996) as improved by
Noufaily et al. (2013), the method of public health's outbreak detection.

- **Weeks tested**: the complete weeks (Monday to Sunday, local) of the period, the last
  ``TESTED_WEEKS`` of them at most: this week's surveillance, not a year's search.
- **Baseline**: for each earlier year up to ``YEARS`` back, the week of the same date and
  ``HALF_WINDOW`` weeks either side of it (seven weeks a year, up to 35), as far as the
  history reaches (weeks before the reader's first incident ever are not zeros but unknown,
  so they are left out). Fewer than ``MIN_BASELINE`` weeks: not judged.
- **Model**: the baseline's mean μ and, as in a quasi-Poisson model, its overdispersion
  φ = max(1, Σ(y − μ)² / μ / (n − 1)). A new week's count is predicted with variance
  V = φμ(1 + 1/n) (the week's own variation and the mean's uncertainty): a negative
  binomial distribution with that mean and variance (Noufaily et al.'s choice over
  Farrington's power transformation), ``scipy.stats.nbinom``.
- **Unusual** ("ovanligt många"): more than its ``LEVEL`` quantile and at least
  ``MIN_COUNT``. Its p is the chance of at least as many. Where the baseline is all zeros,
  ``MIN_COUNT`` or more is unusual.
- **Usual**: the baseline's lower and upper quartile, as "brukar vara 2–4": half the
  comparison weeks had that many.
- Not modelled (said on the page): a trend over the years (Farrington fits one when it is
  significant) and the down-weighting of past outbreaks in the baseline.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
from scipy import stats
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import localtime
from api.analysis import weeks
from api.analysis.schemas import TestedWeek, UnusualWeek, UnusualWeeks
from api.categories.models import Category
from api.incidents.models import Incident
from api.situation import figures as calc
from api.structure.models import Area

LEVEL = 0.99
YEARS = 5
HALF_WINDOW = 3
MIN_COUNT = 3
MIN_BASELINE = 7
TESTED_WEEKS = 4
# The unusual counts a meeting agenda's note names; it says "visar 5 av 7" when there are more.
AGENDA_SHOWN = 5


def tested_weeks(first: dt.date, last: dt.date) -> list[dt.date]:
    """The Mondays of the period's complete weeks, the last ``TESTED_WEEKS`` of them."""
    start = weeks.monday(first + dt.timedelta(days=6))
    end = weeks.monday(last + dt.timedelta(days=1)) - dt.timedelta(days=7)
    found: list[dt.date] = []
    day = end
    while day >= start and len(found) < TESTED_WEEKS:
        found.append(day)
        day -= dt.timedelta(days=7)
    return found[::-1]


def same_week(day: dt.date, years: int) -> dt.date:
    """The Monday of the week holding the same date ``years`` earlier (29 February: the
    28th)."""
    earlier = day
    for _ in range(years):
        earlier = calc.year_earlier(earlier)
    return weeks.monday(earlier)


def judge(
    counts: np.ndarray, baseline: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For counts (m,) against baselines (m, k) with NaN where unknown: (mean, threshold,
    p, judged, unusual), each (m,). See the module's note."""
    n = np.sum(~np.isnan(baseline), axis=1)
    judged = n >= MIN_BASELINE
    safe_n = np.maximum(n, 2)
    mean = np.where(n > 0, np.nansum(baseline, axis=1) / np.maximum(n, 1), 0.0)
    squares = np.nansum((baseline - mean[:, None]) ** 2, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(mean > 0, squares / mean / (safe_n - 1), 1.0)
    phi = np.maximum(phi, 1.0)
    variance = phi * mean * (1 + 1 / safe_n)
    positive = mean > 0
    r = np.where(positive, mean**2 / np.where(positive, variance - mean, 1.0), 1.0)
    p_success = np.where(positive, mean / np.where(positive, variance, 1.0), 0.5)
    threshold = np.where(positive, stats.nbinom.ppf(LEVEL, r, p_success), 0.0)
    p = np.where(
        positive,
        stats.nbinom.sf(counts - 1, r, p_success),
        np.where(counts > 0, 0.0, 1.0),
    )
    unusual = judged & (counts > threshold) & (counts >= MIN_COUNT)
    return mean, threshold, np.minimum(p, 1.0), judged, unusual


def find(session: Session, scope: calc.Scope, first: dt.date, last: dt.date) -> UnusualWeeks:
    """The period's unusual weeks of the scope, as its reader may count them."""
    tz = localtime.zone(scope.timezone)
    tested = tested_weeks(first, last)
    since = session.scalar(
        select(func.min(Incident.occurred_from)).where(*calc.counted_conditions(scope))
    )
    history = weeks.monday(since.astimezone(tz).date()) if since is not None else None
    result = UnusualWeeks(
        level=LEVEL,
        years=YEARS,
        half_window=HALF_WINDOW,
        min_count=MIN_COUNT,
        min_baseline=MIN_BASELINE,
        history_from=history,
        weeks=[],
        unusual=[],
    )
    if not tested or history is None:
        return result
    # Every Monday counted: the tested weeks and each earlier year's window around them.
    windows = [tested]
    for years in range(1, YEARS + 1):
        start = same_week(tested[0], years) - dt.timedelta(weeks=HALF_WINDOW)
        end = same_week(tested[-1], years) + dt.timedelta(weeks=HALF_WINDOW)
        windows.append([start + dt.timedelta(weeks=k) for k in range((end - start).days // 7 + 1)])
    # The tested weeks always; the earlier ones as far as the history reaches.
    mondays = sorted({*tested, *(d for window in windows[1:] for d in window if d >= history)})
    # Bounds of every week and of the gaps between the years' windows.
    bounds = weeks.edges([mondays[0]], tz)[:1]
    index: dict[dt.date, int] = {}
    for day in mondays:
        start, end = weeks.edges([day], tz)
        if start != bounds[-1]:
            bounds.append(start)
        index[day] = len(bounds) - 1
        bounds.append(end)
    spans = [(bounds[index[d]], bounds[index[d] + 1]) for d in mondays]
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for a, b in spans:
        if merged and merged[-1][1] == a:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    week = weeks.bucket(bounds).label("week")
    stmt = (
        select(Incident.area_id, Incident.family_code, week, func.count())
        .where(*calc.counted_conditions(scope), weeks.within(merged))
        .group_by(Incident.area_id, Incident.family_code, week)
    )
    areas = _areas(session, scope)
    families = {
        c.code: c.label_sv
        for c in session.scalars(select(Category).where(Category.parent_code.is_(None)))
    }
    area_ids = list(areas)
    area_index = {a: i for i, a in enumerate(area_ids)}
    family_codes = list(families)
    family_index = {f: i for i, f in enumerate(family_codes)}
    counts = np.zeros((len(areas), len(family_codes), len(bounds)), dtype=np.float64)
    for area_id, family, k, n in session.execute(stmt):
        if area_id in area_index and family in family_index:
            counts[area_index[area_id], family_index[family], int(k)] = n

    cells = len(areas) * len(family_codes)
    observed = np.stack([counts[:, :, index[d]].reshape(cells) for d in tested], axis=1)
    baseline = np.full((cells, len(tested), YEARS * (2 * HALF_WINDOW + 1)), np.nan)
    for t, day in enumerate(tested):
        column = 0
        for years in range(1, YEARS + 1):
            centre = same_week(day, years)
            for shift in range(-HALF_WINDOW, HALF_WINDOW + 1):
                other = centre + dt.timedelta(weeks=shift)
                if other in index:
                    baseline[:, t, column] = counts[:, :, index[other]].reshape(cells)
                column += 1
    flat_observed = observed.reshape(-1)
    flat_baseline = baseline.reshape(-1, baseline.shape[-1])
    mean, threshold, p, judged, unusual = judge(flat_observed, flat_baseline)
    low = np.full(len(flat_observed), np.nan)
    high = np.full(len(flat_observed), np.nan)
    known = ~np.all(np.isnan(flat_baseline), axis=1)
    if known.any():
        low[known] = np.nanpercentile(flat_baseline[known], 25, axis=1, method="lower")
        high[known] = np.nanpercentile(flat_baseline[known], 75, axis=1, method="higher")
    shape = (cells, len(tested))
    judged_grid = judged.reshape(shape)
    found = []
    for cell, t in zip(*np.nonzero(unusual.reshape(shape)), strict=True):
        i = cell * len(tested) + t
        area_id = area_ids[cell // len(family_codes)]
        family = family_codes[cell % len(family_codes)]
        found.append(
            UnusualWeek(
                monday=tested[t],
                week=weeks.iso_week(tested[t]),
                area=areas[area_id],
                family=family,
                family_name=families[family],
                count=int(flat_observed[i]),
                expected=round(float(mean[i]), 2),
                threshold=int(threshold[i]),
                usual_low=int(low[i]),
                usual_high=int(high[i]),
                baseline_weeks=int(np.sum(~np.isnan(flat_baseline[i]))),
                p=float(p[i]),
            )
        )
    found.sort(key=lambda u: (-u.monday.toordinal(), u.p, u.area, u.family_name))
    result.weeks = [
        TestedWeek(
            monday=day,
            week=weeks.iso_week(day),
            incidents=int(counts[:, :, index[day]].sum()),
            judged=int(judged_grid[:, t].sum()),
            unusual=sum(1 for u in found if u.monday == day),
        )
        for t, day in enumerate(tested)
    ]
    result.unusual = found
    return result


def _areas(session: Session, scope: calc.Scope) -> dict[int, str]:
    stmt = select(Area.id, Area.name).where(Area.municipality_id == scope.municipality_id)
    if scope.area_id is not None:
        stmt = stmt.where(Area.id == scope.area_id)
    if scope.counted_areas is not None:
        stmt = stmt.where(Area.id.in_(scope.counted_areas))
    return {r[0]: r[1] for r in session.execute(stmt.order_by(Area.name))}


def agenda_text(found: UnusualWeeks, shown: int = AGENDA_SHOWN) -> tuple[str, str] | None:
    """A meeting agenda's item for the latest tested week's unusual counts, as (title,
    note): "Skadegörelse i Bro (9, brukar vara 2–4)"; None when there are none."""
    if not found.weeks:
        return None
    latest = [u for u in found.unusual if u.monday == found.weeks[-1].monday]
    if not latest:
        return None
    parts = [
        f"{u.family_name} i {u.area} ({u.count}, brukar vara {_usual(u)})"
        for u in itertools.islice(latest, shown)
    ]
    more = f" (visar {shown} av {len(latest)})" if len(latest) > shown else ""
    note = "; ".join(parts) + more + ". Jämfört med samma veckor tidigare år."
    return f"Ovanligt många vecka {found.weeks[-1].week}", note


def _usual(u: UnusualWeek) -> str:
    return str(u.usual_low) if u.usual_low == u.usual_high else f"{u.usual_low}–{u.usual_high}"

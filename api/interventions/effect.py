"""The effect of an intervention, measured honestly.

- **Zone**: the target: an area, or a circle around a place or a point (SWEREF 99 TM metres);
  a place without a position: the incidents filed at it.
- **Before / after**: the N whole weeks before the start, and the N weeks from it (equal
  length, local calendar days).
- **Comparison**: the rest of the area the target lies in (for an area target: the rest of
  the municipality), over the same weeks: what would have happened anyway (season, a general
  trend, a change in reporting).
- **Difference**: the zone's change minus the comparison's, in percentage points.
- **Displacement**: a ring from one to two radii around a circle, where the problem could
  have moved to.
- **Test**: given the zone's incidents in both windows, how surprising its share in the
  after window is if the zone had followed the comparison (a one-sided binomial test of the
  zone's after count against the comparison's after share). Fewer than ``MIN_INCIDENTS`` in
  the zone, or fewer than ``MIN_BEFORE`` before, is too few to judge: the page says so
  instead of printing a percentage.
- Only incidents of the intervention's categories count; withdrawn ones do not; and only
  those in the areas the reader reads (an area group's members: their area).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.incidents.models import Incident
from api.interventions.models import Intervention
from api.interventions.schemas import BeforeAfter, Effect, TargetKind, Verdict, Window
from api.situation import hotspots
from api.situation.figures import period

MIN_INCIDENTS = 10
MIN_BEFORE = 5
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class _Seen:
    area_id: int
    place_id: int | None
    xy: tuple[float, float] | None
    after: bool


def _change(before: int, after: int) -> float | None:
    return None if before == 0 else after / before - 1


def _counts(seen: list[_Seen]) -> BeforeAfter:
    before = sum(1 for s in seen if not s.after)
    after = len(seen) - before
    return BeforeAfter(before=before, after=after, change=_change(before, after))


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X ≤ k) for X ~ Bin(n, p), summed in logarithms so that large n do not overflow."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    if p <= 0:
        return 1.0
    if p >= 1:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p
        + (n - i) * log_q
        for i in range(k + 1)
    ]  # fmt: skip
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def measure(
    session: Session,
    intervention: Intervention,
    *,
    weeks: int,
    today: dt.date,
    timezone: str,
    areas: frozenset[int] | None = None,
) -> Effect:
    """``areas``: the areas whose incidents the reader reads (None: all)."""
    start = intervention.planned_start
    before = Window(first_day=start - dt.timedelta(weeks=weeks), last_day=start - dt.timedelta(1))
    after = Window(first_day=start, last_day=start + dt.timedelta(weeks=weeks) - dt.timedelta(1))
    complete = after.last_day < today
    tz = ZoneInfo(timezone)
    span = period(before.first_day, min(after.last_day, max(today, before.first_day)), tz)
    boundary = period(start, start, tz).start

    codes = list(intervention.categories)
    families = [c for c in codes if "." not in c]
    leaves = [c for c in codes if "." in c]
    stmt = select(
        Incident.area_id,
        Incident.place_id,
        Incident.lat,
        Incident.lon,
        Incident.occurred_from,
    ).where(
        Incident.municipality_id == intervention.area.municipality_id,
        Incident.withdrawn_at.is_(None),
        Incident.occurred_from >= span.start,
        Incident.occurred_from < span.end,
        or_(Incident.family_code.in_(families), Incident.category_code.in_(leaves)),
    )
    if areas is not None:
        stmt = stmt.where(Incident.area_id.in_(areas))
    found = list(session.execute(stmt))
    located = [i for i, r in enumerate(found) if r.lat is not None and r.lon is not None]
    xy = hotspots.project([found[i].lat for i in located], [found[i].lon for i in located])
    projected = dict(zip(located, xy, strict=True))
    seen = [
        _Seen(r.area_id, r.place_id, projected.get(i), r.occurred_from >= boundary)
        for i, r in enumerate(found)
    ]

    ring: BeforeAfter | None = None
    ring_m: tuple[int, int] | None = None
    centre = _centre(intervention)
    if intervention.target_kind == TargetKind.area:
        zone = [s for s in seen if s.area_id == intervention.area_id]
        comparison = [s for s in seen if s.area_id != intervention.area_id]
        label = "resten av kommunen" if areas is None else "övriga områden du ser"
    elif centre is None:
        # A place without a position: the incidents filed at it.
        zone = [s for s in seen if s.place_id == intervention.place_id]
        comparison = [
            s
            for s in seen
            if s.area_id == intervention.area_id and s.place_id != intervention.place_id
        ]
        label = f"resten av {intervention.area.name}"
    else:
        radius = float(intervention.radius_m or 0)
        ((cx, cy),) = hotspots.project([centre[0]], [centre[1]])

        def distance(s: _Seen) -> float | None:
            if s.xy is None:
                return None
            return math.hypot(s.xy[0] - cx, s.xy[1] - cy)

        def in_zone(s: _Seen) -> bool:
            d = distance(s)
            if d is None:
                # Without a point, an incident at the target's named place is in the zone.
                return intervention.place_id is not None and s.place_id == intervention.place_id
            return d <= radius

        def in_ring(s: _Seen) -> bool:
            d = distance(s)
            return d is not None and radius < d <= 2 * radius

        zone = [s for s in seen if in_zone(s)]
        rings = [s for s in seen if in_ring(s)]
        comparison = [
            s
            for s in seen
            if s.area_id == intervention.area_id and not in_zone(s) and not in_ring(s)
        ]
        ring = _counts(rings)
        ring_m = (int(radius), int(2 * radius))
        label = f"resten av {intervention.area.name}"

    zone_counts, comparison_counts = _counts(zone), _counts(comparison)
    difference = (
        None
        if zone_counts.change is None or comparison_counts.change is None
        else 100 * (zone_counts.change - comparison_counts.change)
    )
    n = zone_counts.before + zone_counts.after
    comparison_total = comparison_counts.before + comparison_counts.after
    expected_share = comparison_counts.after / comparison_total if comparison_total else 0.5
    p_fewer = binomial_cdf(zone_counts.after, n, expected_share) if n else None
    p_more = 1 - binomial_cdf(zone_counts.after - 1, n, expected_share) if n else None

    if not complete:
        verdict = Verdict.not_yet
    elif n < MIN_INCIDENTS or zone_counts.before < MIN_BEFORE:
        verdict = Verdict.too_few
    elif p_fewer is not None and p_fewer < SIGNIFICANCE:
        verdict = Verdict.reduction
    elif p_more is not None and p_more < SIGNIFICANCE:
        verdict = Verdict.increase
    else:
        verdict = Verdict.no_clear_change
    p_value = (
        p_fewer
        if verdict == Verdict.reduction
        else p_more
        if verdict == Verdict.increase
        else min(p_fewer or 1.0, p_more or 1.0)
        if n
        else None
    )
    return Effect(
        weeks=weeks,
        before=before,
        after=after,
        complete=complete,
        zone=zone_counts,
        comparison=comparison_counts,
        comparison_label=label,
        ring=ring,
        ring_m=ring_m,
        difference_pp=round(difference, 1) if difference is not None else None,
        p_value=round(p_value, 4) if p_value is not None else None,
        verdict=verdict,
        summary=_summary(verdict, zone_counts, comparison_counts, label, ring, weeks),
        min_incidents=MIN_INCIDENTS,
    )


def _centre(intervention: Intervention) -> tuple[float, float] | None:
    """The circle's centre: the point, or the place's position; None without one."""
    if intervention.target_kind == TargetKind.place:
        place = intervention.place
        if place is not None and place.lat is not None and place.lon is not None:
            return place.lat, place.lon
        return None
    if intervention.lat is None or intervention.lon is None:
        return None
    return intervention.lat, intervention.lon


def _percent(change: float | None) -> str:
    if change is None:
        return "–"
    value = round(100 * change)
    return f"{'+' if value > 0 else '−' if value < 0 else '±'}{abs(value)} %"


def _summary(
    verdict: Verdict,
    zone: BeforeAfter,
    comparison: BeforeAfter,
    label: str,
    ring: BeforeAfter | None,
    weeks: int,
) -> str:
    counts = (
        f"I zonen {zone.before} händelser de {weeks} veckorna före och {zone.after} de "
        f"{weeks} veckorna efter starten; i {label} {comparison.before} och {comparison.after}."
    )
    if verdict == Verdict.not_yet:
        return f"Veckorna efter starten har inte gått än. {counts}"
    if verdict == Verdict.too_few:
        return f"För få händelser för att dra slutsatser. {counts}"
    moved = ""
    if ring is not None and ring.change is not None and ring.change > 0.25 and ring.after > 3:
        moved = (
            f" Runt zonen ökade händelserna ({ring.before} till {ring.after}): problemet kan "
            "ha flyttat."
        )
    if verdict == Verdict.reduction:
        return (
            f"Färre händelser i zonen ({_percent(zone.change)}) än i {label} "
            f"({_percent(comparison.change)}). {counts}{moved}"
        )
    if verdict == Verdict.increase:
        return (
            f"Fler händelser i zonen ({_percent(zone.change)}) än i {label} "
            f"({_percent(comparison.change)}). {counts}{moved}"
        )
    return f"Ingen tydlig skillnad mot {label}. {counts}{moved}"

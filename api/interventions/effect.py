"""The effect of an intervention, measured honestly.

- **Zone**: the target: an area, or a circle around a place or a point (SWEREF 99 TM metres);
  a place without a position: the incidents filed at it.
- **Before / after**: the N whole weeks before the start, and the N weeks from it (equal
  length, local calendar days).
- **Comparison**: the rest of the area the target lies in (for an area target: the rest of
  the municipality), over the same weeks: what would have happened anyway (season, a general
  trend, a change in reporting).
- **Scope**: a count is a read. The zone, the ring and the comparison count only incidents
  of the areas the reader reads (``api.access.policy.figure_areas``), so a circle over an
  area's border counts the reader's side of it, and an area group's member, who reads no
  other area, has no comparison for an area target (too few to judge; the comparison is
  then called "de andra områden du läser").
- **Difference**: the zone's change minus the comparison's, in percentage points.
- **Displacement**: a ring from one to two radii around a circle, where the problem could
  have moved to.
- **Test**: Fisher's exact test (``scipy.stats.fisher_exact``) of the two-by-two table
  zone/comparison × before/after, one-sided each way: how surprising the zone's after count
  is, given all four counts, if the zone had changed as the comparison did. It weighs the
  comparison's own chance variation too, so a comparison of three incidents cannot make a
  verdict. Fewer than ``MIN_INCIDENTS`` in the zone or in the comparison, or fewer than
  ``MIN_BEFORE`` before in either, is too few to judge: the page says so instead of
  printing a percentage.
- **Weighted Displacement Difference** (Wheeler & Ratcliffe 2018), beside the test: with
  ΔX = after − before, WDD = ΔZ − ΔC + ΔR (zone, comparison, ring; without a ring ΔR is
  left out). Negative is fewer incidents than the comparison's change predicts, the ring
  counted in, so that a problem moved next door does not pass for a success. Each count is
  taken as Poisson, so its variance is the sum of the counts (four, or six with a ring),
  SE = √Σ and z = WDD / SE with a two-sided p from the normal distribution. It counts
  incidents, not shares: it is fair where the comparison holds about as many incidents as
  the zone, and then is the easier number to read ("about 12 incidents fewer").
- **Weighted Displacement Quotient** (Bowers & Johnson 2003), for a circle with its ring:
  WDQ = (R_a/C_a − R_b/C_b) / (Z_a/C_a − Z_b/C_b), the ring's change over the zone's, each
  relative to the comparison. Where the zone fell (the denominator negative): above 0 the
  ring fell too (diffusion of benefit), below 0 the problem moved to the ring
  (displacement), below −1 more moved than the zone gained. Undefined where the comparison
  had nothing in a window or the zone did not change relative to it.
- **Not yet**: until the N weeks after the start have passed, both windows are the days
  that have passed since the start (and as many before it), so that what is shown so far is
  still of equal length; no percentage and no verdict.
- Only incidents of the intervention's categories count; withdrawn ones do not, and a police
  report matched to an observation is the same event, counted once (as in the lägesbild:
  ``api.situation.figures.counted_conditions``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import shapely
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api import localtime
from api.incidents import geo
from api.incidents.models import Incident
from api.incidents.schemas import InterventionStatus
from api.interventions.models import Intervention
from api.interventions.schemas import (
    BeforeAfter,
    DisplacementReading,
    Effect,
    TargetKind,
    Verdict,
    WeightedDisplacement,
    Window,
)
from api.situation.figures import Scope, counted_conditions, period

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


def _distances(centre: shapely.Point, seen: list[_Seen]) -> list[float | None]:
    """Each incident's distance from the centre in metres (SWEREF 99 TM), None without a
    point."""
    located = [s.xy for s in seen if s.xy is not None]
    far = iter(shapely.distance(centre, shapely.points(located)).tolist() if located else [])
    return [next(far) if s.xy is not None else None for s in seen]


def _counts(seen: list[_Seen]) -> BeforeAfter:
    before = sum(1 for s in seen if not s.after)
    after = len(seen) - before
    return BeforeAfter(before=before, after=after, change=_change(before, after))


def fisher(zone: BeforeAfter, comparison: BeforeAfter) -> tuple[float, float]:
    """One-sided p-values of Fisher's exact test: (fewer, more) after in the zone than the
    comparison's change predicts (``scipy.stats.fisher_exact`` on the table zone/comparison
    × after/before, whose first cell is the zone's after count)."""
    table = [[zone.after, zone.before], [comparison.after, comparison.before]]
    # SciPy is loaded where it is used: the server starts without its ~100 MB (#18's ceiling
    # on the server's peak memory) until an effect or an analysis is asked for.
    from scipy import stats

    fewer = float(stats.fisher_exact(table, alternative="less").pvalue)
    more = float(stats.fisher_exact(table, alternative="greater").pvalue)
    return min(1.0, fewer), min(1.0, more)


def weighted_displacement(
    zone: BeforeAfter, comparison: BeforeAfter, ring: BeforeAfter | None
) -> WeightedDisplacement:
    """The Weighted Displacement Difference (Wheeler & Ratcliffe 2018) and, with a ring, the
    Weighted Displacement Quotient (Bowers & Johnson 2003); see the module's note."""
    counts = [zone.before, zone.after, comparison.before, comparison.after]
    local = (zone.after - zone.before) - (comparison.after - comparison.before)
    displaced = 0
    if ring is not None:
        displaced = ring.after - ring.before
        counts += [ring.before, ring.after]
    wdd = local + displaced
    se = math.sqrt(sum(counts))
    z = wdd / se if se > 0 else 0.0
    wdq = _quotient(zone, comparison, ring) if ring is not None else None
    return WeightedDisplacement(
        wdd=wdd,
        local=local,
        displaced=displaced if ring is not None else None,
        se=round(se, 4),
        z=round(z, 4),
        p=_two_sided(z) if se > 0 else 1.0,
        wdq=wdq,
        reading=_reading(wdq, zone, comparison),
    )


def _reading(
    wdq: float | None, zone: BeforeAfter, comparison: BeforeAfter
) -> DisplacementReading | None:
    if wdq is None:
        return None
    if zone.after / comparison.after >= zone.before / comparison.before:
        return "no_success"
    if wdq > 0:
        return "diffusion"
    if wdq < -1:
        return "more_displaced"
    return "displacement" if wdq < 0 else "unchanged"


def _quotient(zone: BeforeAfter, comparison: BeforeAfter, ring: BeforeAfter) -> float | None:
    """WDQ = (R_a/C_a − R_b/C_b) / (Z_a/C_a − Z_b/C_b): the ring's change over the zone's,
    each relative to the comparison; None where a share is undefined or the zone did not
    change relative to the comparison."""
    if comparison.before == 0 or comparison.after == 0:
        return None
    success = zone.after / comparison.after - zone.before / comparison.before
    if abs(success) < 1e-12:
        return None
    buffer = ring.after / comparison.after - ring.before / comparison.before
    return round(buffer / success, 4)


def measure(
    session: Session,
    intervention: Intervention,
    *,
    weeks: int,
    today: dt.date,
    timezone: str,
    counted_areas: frozenset[int] | None,
) -> Effect:
    """The effect as the reader of ``counted_areas`` (policy.figure_areas) may count it."""
    start = intervention.planned_start
    # Until the weeks after the start have passed, the days that have (today is not over).
    days = min(7 * weeks, max(0, (today - start).days))
    # A proposal (#20) has not started, whatever its day says: no verdict until decided.
    if intervention.status == InterventionStatus.proposed:
        days = 0
    complete = days == 7 * weeks
    # Not started: the weeks before it so far, as a baseline.
    shown = days or 7 * weeks
    before = Window(first_day=start - dt.timedelta(days=shown), last_day=start - dt.timedelta(1))
    after = Window(first_day=start, last_day=start + dt.timedelta(days=shown - 1))
    tz = localtime.zone(timezone)
    span = period(before.first_day, max(after.last_day, before.first_day), tz)
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
        *counted_conditions(
            Scope(
                municipality_id=intervention.area.municipality_id,
                timezone=timezone,
                area_id=None,
                counted_areas=counted_areas,
            )
        ),
        Incident.occurred_from >= span.start,
        Incident.occurred_from < span.end,
        or_(Incident.family_code.in_(families), Incident.category_code.in_(leaves)),
    )
    found = list(session.execute(stmt))
    located = [i for i, r in enumerate(found) if r.lat is not None and r.lon is not None]
    xy = geo.project([found[i].lat for i in located], [found[i].lon for i in located])
    projected = dict(zip(located, xy, strict=True))
    seen = [
        _Seen(r.area_id, r.place_id, projected.get(i), r.occurred_from >= boundary)
        for i, r in enumerate(found)
    ]

    rings: list[_Seen] | None = None
    ring_m: tuple[int, int] | None = None
    centre = _centre(intervention)
    if intervention.target_kind == TargetKind.area:
        zone = [s for s in seen if s.area_id == intervention.area_id]
        comparison = [s for s in seen if s.area_id != intervention.area_id]
        # A reader of some areas compares with those of them the target is not in.
        label = "resten av kommunen" if counted_areas is None else "de andra områden du läser"
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
        ((cx, cy),) = geo.project([centre[0]], [centre[1]])
        # The zone, a disc of the radius, and the ring around it out to twice the radius, in
        # SWEREF 99 TM metres; tested by distance to the centre, so that the disc is a true
        # circle, not the polygon a buffer would draw.
        distance = _distances(shapely.Point(cx, cy), seen)

        def in_zone(i: int) -> bool:
            d = distance[i]
            if d is None:
                # Without a point, an incident at the target's named place is in the zone.
                return (
                    intervention.place_id is not None and seen[i].place_id == intervention.place_id
                )
            return d <= radius

        def in_ring(i: int) -> bool:
            d = distance[i]
            return d is not None and radius < d <= 2 * radius

        zone = [s for i, s in enumerate(seen) if in_zone(i)]
        rings = [s for i, s in enumerate(seen) if in_ring(i)]
        comparison = [
            s
            for i, s in enumerate(seen)
            if s.area_id == intervention.area_id and not in_zone(i) and not in_ring(i)
        ]
        ring_m = (int(radius), int(2 * radius))
        label = f"resten av {intervention.area.name}"

    zone_counts, comparison_counts = _counts(zone), _counts(comparison)
    ring_counts = _counts(rings) if rings is not None else None
    if not complete:
        verdict = Verdict.not_yet
    elif _too_few(zone_counts) or _too_few(comparison_counts):
        verdict = Verdict.too_few
    else:
        verdict = Verdict.no_clear_change
    p_value: float | None = None
    difference: float | None = None
    weighted: WeightedDisplacement | None = None
    if verdict != Verdict.not_yet and verdict != Verdict.too_few:
        weighted = weighted_displacement(zone_counts, comparison_counts, ring_counts)
        fewer, more = fisher(zone_counts, comparison_counts)
        if fewer < SIGNIFICANCE:
            verdict, p_value = Verdict.reduction, fewer
        elif more < SIGNIFICANCE:
            verdict, p_value = Verdict.increase, more
        else:
            p_value = min(fewer, more)
        if zone_counts.change is not None and comparison_counts.change is not None:
            difference = 100 * (zone_counts.change - comparison_counts.change)
    else:
        # Nothing to judge: no percentage either, however the counts fell.
        zone_counts, comparison_counts = _unjudged(zone_counts), _unjudged(comparison_counts)
        ring_counts = _unjudged(ring_counts) if ring_counts is not None else None
    return Effect(
        weeks=weeks,
        before=before,
        after=after,
        complete=complete,
        zone=zone_counts,
        comparison=comparison_counts,
        comparison_label=label,
        ring=ring_counts,
        ring_m=ring_m,
        difference_pp=round(difference, 1) if difference is not None else None,
        p_value=round(p_value, 4) if p_value is not None else None,
        weighted=weighted,
        verdict=verdict,
        summary=_summary(verdict, zone_counts, comparison_counts, label, ring_counts, weeks, days),
        min_incidents=MIN_INCIDENTS,
    )


def _too_few(counts: BeforeAfter) -> bool:
    return counts.before + counts.after < MIN_INCIDENTS or counts.before < MIN_BEFORE


def _unjudged(counts: BeforeAfter) -> BeforeAfter:
    return BeforeAfter(before=counts.before, after=counts.after, change=None)


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
    days: int,
) -> str:
    if verdict == Verdict.not_yet:
        if days == 0:
            return (
                f"Insatsen har inte börjat än. I zonen {zone.before} händelser de {weeks} "
                f"veckorna före starten; i {label} {comparison.before}."
            )
        the = "dagen" if days == 1 else f"de {days} dagarna"
        return (
            f"Veckorna efter starten har inte gått än: {_days(days)} av {weeks * 7}. Hittills "
            f"i zonen {zone.before} händelser {the} före och {zone.after} {the} efter "
            f"starten; i {label} {comparison.before} och {comparison.after}."
        )
    counts = (
        f"I zonen {zone.before} händelser de {weeks} veckorna före och {zone.after} de "
        f"{weeks} veckorna efter starten; i {label} {comparison.before} och {comparison.after}."
    )
    if verdict == Verdict.too_few:
        which = f" i {label} att jämföra med" if not _too_few(zone) and _too_few(comparison) else ""
        return f"För få händelser för att dra slutsatser{which}. {counts}"
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


def _days(n: int) -> str:
    return "1 dag" if n == 1 else f"{n} dagar"


def _two_sided(z: float) -> float:
    from scipy import stats  # loaded where used (see fisher)

    return float(2 * stats.norm.sf(abs(z)))

"""Where and when to watch on an evening: the lägesbild's hot spots of the last weeks in the
evening's scope, and the hours of past evenings like it (the same weekday, the evening's
hours). Counted, like every figure, only in the areas the caller reads
(policy.figure_areas)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import localtime, swedish
from api.access import policy
from api.actor import Actor
from api.evenings import access
from api.evenings import schemas as s
from api.evenings.models import Evening
from api.situation import figures as calc
from api.structure import service as structure_service
from api.structure.models import Area, Place

# The hot spots a briefing is offered: of the last four weeks, at most this many.
HOT_SPOT_DAYS = 28
SUGGESTED_SPOTS = 8
# The hours of past evenings like this one: the same weekday over this many weeks.
PATTERN_WEEKS = 8
BUSIEST = 3


def _hours_of(evening: Evening, tz: Any) -> list[tuple[int, bool]]:
    """The local hours the evening covers, in order, each with whether it is past midnight."""
    start = evening.starts_at.astimezone(tz)
    end = evening.ends_at.astimezone(tz)
    hours: list[tuple[int, bool]] = []
    moment = start.replace(minute=0, second=0, microsecond=0)
    while moment < end and len(hours) < 24:
        hours.append((moment.hour, moment.date() > start.date()))
        moment = (moment.astimezone(dt.UTC) + dt.timedelta(hours=1)).astimezone(tz)
    return hours


def _hour_range(hour: int) -> str:
    return f"{hour:02d}–{(hour + 1) % 24:02d}"


def suggestions(
    session: Session, evening_id: int, *, actor: Actor, weeks: int = PATTERN_WEEKS
) -> s.EveningSuggestions:
    """The lägesbild's hot spots of the last four weeks in the evening's scope, and how the
    incidents of the same weekday's evening hours over the last ``weeks`` weeks fell by hour.
    Counted, like every figure, only in the areas the caller reads."""
    evening = access.evening_for(session, evening_id, actor)
    zone = structure_service.municipality_zone_name(session, evening.municipality_id)
    tz = localtime.zone(zone)
    scope = calc.Scope(
        municipality_id=evening.municipality_id,
        timezone=zone,
        area_id=evening.area_id,
        counted_areas=policy.figure_areas(actor, evening.area_id),
    )
    day = evening.starts_at.astimezone(tz).date()
    last = min(day, localtime.today(tz))
    first = last - dt.timedelta(days=HOT_SPOT_DAYS - 1)
    figures, _counted = calc.compute(session, scope, first, last)
    places = {
        (p.name, p.area.name): p.id
        for p in session.scalars(
            select(Place).join(Area).where(Area.municipality_id == evening.municipality_id)
        )
    }
    spots = [
        s.SuggestedPlace(
            label=spot.place or f"{spot.area}, het plats {spot.rank}",
            place_id=places.get((spot.place, spot.area)) if spot.place else None,
            lat=spot.lat,
            lon=spot.lon,
            area=spot.area,
            count=spot.count,
            trend=spot.trend.value,
            family=spot.family,
            reason=(
                f"Het plats: {spot.count} händelser {swedish.day_sv(first, year=False)}–"
                f"{swedish.day_sv(last, year=False)} ({swedish.TRENDS[spot.trend.value]}), "
                f"mest {spot.family.lower()}."
            ),
        )
        for spot in figures.hot_spots[:SUGGESTED_SPOTS]
    ]
    # The hours of past evenings like this one: the same weekday, the evening's hours.
    hours = _hours_of(evening, tz)
    weekday = day.weekday()
    pattern_last = min(day - dt.timedelta(days=1), localtime.today(tz))
    span = calc.period(pattern_last - dt.timedelta(days=7 * weeks - 1), pattern_last, tz)
    counts: Counter[tuple[int, int]] = Counter()
    for row in calc.rows(session, scope, span):
        if row.end - row.start > dt.timedelta(hours=calc.EXACT_WINDOW_HOURS):
            continue  # "some time that day": no hour to count it at
        middle = (row.start + (row.end - row.start) / 2).astimezone(tz)
        counts[middle.weekday(), middle.hour] += 1
    by_hour = [
        s.HourCount(hour=hour, count=counts[(weekday + 1) % 7 if late else weekday, hour])
        for hour, late in hours
    ]
    busiest = [
        h.hour for h in sorted((h for h in by_hour if h.count), key=lambda h: -h.count)[:BUSIEST]
    ]
    total = sum(h.count for h in by_hour)
    evenings_of = f"{swedish.WEEKDAYS_LONG[weekday]}ar"
    if total:
        ranges = ", ".join(
            f"kl. {_hour_range(h)}" for h in sorted(busiest, key=_evening_order(hours))
        )
        advice = (
            f"{evenings_of.capitalize()} de senaste {weeks} veckorna: {total} händelser under "
            f"kvällens timmar, flest {ranges}."
        )
    else:
        advice = (
            f"Inga händelser under kvällens timmar på {evenings_of} de senaste {weeks} veckorna."
        )
    return s.EveningSuggestions(
        first_day=first,
        last_day=last,
        hot_spots=spots,
        weeks=weeks,
        weekday=weekday,
        hours=by_hour,
        busiest=busiest,
        advice=advice,
    )


def _evening_order(hours: list[tuple[int, bool]]) -> Any:
    order = {hour: index for index, (hour, _late) in enumerate(hours)}
    return lambda hour: order.get(hour, 0)

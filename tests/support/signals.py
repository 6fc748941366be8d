"""Signals planted for the analysis's unusual weeks, near-repeat and reporting intensity
(tests/api/test_analysis.py, tests/web/test_analysis_pages.py)."""

from __future__ import annotations

import datetime as dt
import random

from api.analysis import unusual
from tests.support.planted import TZ, Spec, World, insert, offset
from tests.support.servers import Server


def at(rng: random.Random, first: dt.date, days: int) -> dt.datetime:
    day = first + dt.timedelta(days=rng.randrange(days))
    return dt.datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=TZ)


BURGLARY = "ordning.inbrott"
RISING, STEADY = "Hembla", "Rapid Säkerhet"


def plant_signals(server: Server, world: World, first: dt.date, last: dt.date) -> None:
    """Five years of graffiti in Bro around mid-June, two to four a week, and eleven in the
    period's last week; burglaries in Kungsängen, each followed by two within 60 m and four
    days; a housing company filing one a week until three weeks before the period's end,
    eight a week since; a security company filing four a week throughout."""
    rng = random.Random(1996)
    history = []
    for years in range(1, 6):
        centre = unusual.same_week(last - dt.timedelta(days=6), years)
        for shift in range(-4, 5):
            monday = centre + dt.timedelta(weeks=shift)
            history += [Spec(at(rng, monday, 7)) for _ in range(rng.randint(2, 4))]
    history += [Spec(at(rng, last - dt.timedelta(days=6), 7)) for _ in range(11)]
    history += [Spec(at(rng, first, 7)) for _ in range(3)]
    cube_first = first - dt.timedelta(days=14 * 11)
    for _ in range(20):
        seed = offset(world.centres["Kungsängen"], rng.uniform(0, 3000), rng.uniform(0, 360))
        when = at(rng, cube_first, 14 * 12 - 5)
        history.append(Spec(when, seed, area="Kungsängen", category=BURGLARY))
        for _ in range(2):
            near = offset(seed, rng.uniform(0, 60), rng.uniform(0, 360))
            later = when + dt.timedelta(hours=rng.uniform(1, 96))
            history.append(Spec(later, near, area="Kungsängen", category=BURGLARY))
    insert(server, world, history)
    weeks_first = first - dt.timedelta(weeks=12)
    rising = [
        Spec(at(rng, weeks_first + dt.timedelta(weeks=k), 7), area="Brunna")
        for k in range(14)
        for _ in range(1 if k < 11 else 8)
    ]
    steady = [
        Spec(at(rng, weeks_first + dt.timedelta(weeks=k), 7), area="Brunna")
        for k in range(14)
        for _ in range(4)
    ]
    insert(server, world, rising, organisation=RISING)
    insert(server, world, steady, organisation=STEADY)

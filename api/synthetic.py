"""Realistic synthetic incidents for a demo municipality (Upplands-Bro unless another
``Town`` is given), seeded and reproducible.

What makes them realistic enough for the lägesbild and the benchmarks: most incidents fall
in a few hot spots around named places (a bus stop, a school yard, a centre) with a spread of
tens of metres; the week peaks on Friday and Saturday nights and the day in the evening;
summer has more than winter; each organisation reports what it sees (guards: damage and
gatherings; the housing company: damage and litter; the police: disorder and traffic).
The demo data (``est seed --demo``) and the benchmarks in bench/ use ``incidents()``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from shapely.geometry.base import BaseGeometry

from api import localtime
from api.demo_boundaries import UPPLANDS_BRO, demo_boundaries, demo_structure
from api.incidents import geo
from api.localtime import STOCKHOLM


@dataclass(frozen=True)
class HotSpot:
    area: str
    place: str | None
    lat: float
    lon: float
    weight: float  # share of the incidents, relative
    spread_m: float = 60.0


# Around the demo places (approximate positions; the generator only needs them plausible).
HOT_SPOTS = (
    HotSpot("Bro", "Bro centrum", 59.5117, 17.6364, 5),
    HotSpot("Bro", "Råby", 59.5165, 17.6282, 4),
    HotSpot("Bro", "Finnsta", 59.5071, 17.6440, 3),
    HotSpot("Bro", "Råbyskolan", 59.5148, 17.6255, 2, 40),
    HotSpot("Kungsängen", "Kungsängen centrum", 59.4786, 17.7506, 4),
    HotSpot("Kungsängen", "Kungsängens station", 59.4779, 17.7533, 3, 40),
    HotSpot("Kungsängen", "Trappans fritidsgård", 59.4810, 17.7460, 2, 40),
    HotSpot("Brunna", "Brunna centrum", 59.4990, 17.7790, 2),
    HotSpot("Brunna", "Brunna industriområde", 59.5030, 17.7900, 1, 150),
)
# A share of incidents away from any hot spot, anywhere in an area.
BACKGROUND = 0.2
AREA_CENTRES = {
    "Bro": (59.5117, 17.6364),
    "Brunna": (59.4990, 17.7790),
    "Kungsängen": (59.4786, 17.7506),
}
# What each kind of reporter sees most, with weights.
SEEN_BY = {
    "Rapid Säkerhet": {
        "skadegorelse.klotter": 4, "skadegorelse.glaskross": 2, "samling.utomhus": 4,
        "samling.centrum": 3, "ordning.brak": 1, "plats.nedskrapning": 1,
    },
    "Upplands-Brohus": {
        "skadegorelse.klotter": 3, "skadegorelse.brand": 1, "plats.nedskrapning": 3,
        "plats.belysning": 2, "samling.inomhus": 3,
    },
    "Polisen, lokalpolisområde": {
        "ordning.brak": 3, "ordning.narkotika": 2, "ordning.hot_vald": 1,
        "trafik.olovlig_korning": 4, "ordning.ran": 1,
    },
    "Fältgruppen": {"samling.utomhus": 4, "samling.centrum": 3, "ordning.langning": 1},
}  # fmt: skip
# Monday = 0. Friday and Saturday nights are the busiest.
WEEKDAY = (0.8, 0.8, 0.9, 1.0, 1.5, 1.7, 1.0)
# Hour of day, local time: quiet mornings, an evening peak, late nights.
HOURS = (
    0.6, 0.4, 0.3, 0.2, 0.1, 0.1, 0.2, 0.3, 0.4, 0.4, 0.5, 0.5,
    0.6, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 2.4, 2.6, 2.4, 1.8, 1.1,
)  # fmt: skip


@dataclass(frozen=True)
class Town:
    """Where a demo municipality's incidents fall and who sees what there: its hot spots,
    its areas' centres, what each of its organisations reports, its demo file (boundaries)."""

    hot_spots: tuple[HotSpot, ...]
    area_centres: dict[str, tuple[float, float]]
    seen_by: Mapping[str, Mapping[str, float]]
    source: str = UPPLANDS_BRO


UPPLANDS_BRO_TOWN = Town(HOT_SPOTS, AREA_CENTRES, SEEN_BY)


@cache
def demo_town(source: str) -> Town:
    """The town of a demo municipality's file (``synthetic``: hot spots and who sees what)."""
    if source == UPPLANDS_BRO:
        return UPPLANDS_BRO_TOWN
    structure = demo_structure(source)
    data = structure["synthetic"]
    return Town(
        hot_spots=tuple(HotSpot(**spot) for spot in data["hot_spots"]),
        area_centres={a["name"]: tuple(a["approx_center"]) for a in structure["areas"]},
        seen_by=data["seen_by"],
        source=source,
    )


@dataclass(frozen=True)
class Generated:
    organisation: str
    category: str
    occurred_from: dt.datetime  # aware, UTC
    occurred_to: dt.datetime
    precision: str
    area: str
    place: str | None
    lat: float | None
    lon: float | None
    assessment: str
    certainty: str
    police_reported: str


def _season(day: dt.date) -> float:
    # Summer (July) about twice winter (January).
    return 1.0 + 0.5 * math.sin((day.timetuple().tm_yday - 105) / 365 * 2 * math.pi)


def _offset(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    north = rng.gauss(0, metres)
    east = rng.gauss(0, metres)
    return lat + north / 111_320, lon + east / (111_320 * math.cos(math.radians(lat)))


@cache
def _shape(source: str, area: str) -> BaseGeometry | None:
    boundary = demo_boundaries(source).get(area)
    return geo.boundary_shape(boundary) if boundary else None


def _inside(town: Town, area: str, lat: float, lon: float) -> tuple[float, float]:
    """The point, or where it moves when drawn towards its area's centre until the area's
    demo boundary (api.demo_boundaries) holds it: a point spread over the border would
    otherwise lie in another area than it is filed in. No draw from the random generator,
    so the other incidents stay as they were."""
    shape = _shape(town.source, area)
    if shape is None:
        return lat, lon
    c_lat, c_lon = town.area_centres[area]
    for _ in range(20):
        if geo.holds(shape, lat, lon):
            break
        lat, lon = c_lat + (lat - c_lat) * 0.8, c_lon + (lon - c_lon) * 0.8
    return (lat, lon) if geo.holds(shape, lat, lon) else (c_lat, c_lon)


def incidents(
    count: int,
    *,
    seed: int = 1,
    start: dt.date = dt.date(2025, 1, 1),
    days: int = 365,
    town: Town = UPPLANDS_BRO_TOWN,
) -> Iterator[Generated]:
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    dates = [start + dt.timedelta(days=d) for d in range(days)]
    day_weights = [_season(d) * WEEKDAY[d.weekday()] for d in dates]
    spots = list(town.hot_spots)
    organisations = list(town.seen_by)
    for _ in range(count):
        day = rng.choices(dates, day_weights)[0]
        hour = rng.choices(range(24), HOURS)[0]
        local = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=STOCKHOLM)
        organisation = rng.choice(organisations)
        seen = town.seen_by[organisation]
        category = rng.choices(list(seen), list(seen.values()))[0]
        if rng.random() < BACKGROUND:
            area = rng.choice(list(town.area_centres))
            lat, lon = _offset(rng, *town.area_centres[area], 700)
            place = None
        else:
            spot = rng.choices(spots, [s.weight for s in spots])[0]
            area, place = spot.area, spot.place
            lat, lon = _offset(rng, spot.lat, spot.lon, spot.spread_m)
        lat, lon = _inside(town, area, lat, lon)
        precision = rng.choices(["exact", "part_of_day", "day"], [6, 3, 1])[0]
        if precision == "day":
            begin = localtime.midnight(day)
            end = begin + dt.timedelta(days=1)
        elif precision == "part_of_day":
            begin, end = local, local + dt.timedelta(hours=rng.choice([2, 3, 4, 6]))
        else:
            begin = end = local
        has_point = rng.random() < 0.85
        yield Generated(
            organisation=organisation,
            category=category,
            occurred_from=begin.astimezone(dt.UTC),
            occurred_to=end.astimezone(dt.UTC),
            precision=precision,
            area=area,
            place=place,
            lat=lat if has_point else None,
            lon=lon if has_point else None,
            assessment=rng.choices(["low", "medium", "high"], [3, 5, 2])[0],
            certainty=rng.choices(["observed", "suspected"], [4, 1])[0],
            police_reported=rng.choices(["yes", "no", "unknown"], [2, 5, 3])[0],
        )

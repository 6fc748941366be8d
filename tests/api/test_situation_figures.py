"""The figures of a lägesbild, checked against counts made here, in plain Python, from the
incidents the test generated: every figure for the whole municipality and for an area group,
planted hot spots (and no others), and the days the clocks change.

Nothing here calls ``api.situation``: the expectations follow the rules as the docstring of
``api/situation/figures.py`` states them, and the days the clocks change are written out by
hand in UTC.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from api.incidents.models import Incident, Report
from api.incidents.schemas import Assessment, PoliceReported, Precision, WithdrawReason
from tests.support.figures import stated_trend
from tests.support.people import ADMIN_EMAIL, Demo, People
from tests.support.servers import Server

V1 = "/api/v1"
TZ = ZoneInfo("Europe/Stockholm")
UTC = dt.UTC
COORDINATION = "EST samordningsgrupp"
BRO_GROUP = "EST områdesgrupp Bro"
NO_PLACE = "Ingen plats angiven"
RADIUS_M = 125.0
CATEGORIES_CSV = Path(__file__).resolve().parents[2] / "api" / "seed_data" / "categories.csv"


def _labels() -> dict[str, str]:
    with CATEGORIES_CSV.open(encoding="utf-8") as f:
        return {row["code"]: row["label_sv"] for row in csv.DictReader(f)}


LABELS = _labels()
# Every category an incident is filed under: the leaves, and "ovrigt", a family of its own.
CODES = [*sorted(c for c in LABELS if "." in c), "ovrigt"]


# Incidents written straight into the database -----------------------------------------------


@dataclass
class Spec:
    """An incident to insert; ``id`` is filled in once it is."""

    start: dt.datetime  # aware
    end: dt.datetime | None = None  # None: the same instant
    category: str = "skadegorelse.klotter"
    precision: str = "exact"
    area: str = "Bro"
    place: str | None = None
    organisation: str = "Polisen, lokalpolisområde"
    lat: float | None = None
    lon: float | None = None
    police: str = "unknown"
    assessment: str | None = "medium"
    withdrawn: bool = False
    id: int = 0

    @property
    def until(self) -> dt.datetime:
        return self.end if self.end is not None else self.start

    @property
    def family(self) -> str:
        return self.category.split(".")[0]


@dataclass
class World:
    """The demo structure's ids by name."""

    municipality_id: int
    areas: dict[str, int]
    area_names: dict[int, str]
    places: dict[str, tuple[int, str]]  # name: (id, area name)
    places_by_area: dict[str, list[str]]
    organisations: dict[str, int]
    organisation_names: dict[int, str]
    groups: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, server: Server, demo: Demo) -> World:
        areas = {name: int(a["id"]) for name, a in demo["areas"].items()}
        area_names = {i: n for n, i in areas.items()}
        with server.client(server.token_for(ADMIN_EMAIL)) as admin:
            listed = admin.get(f"{V1}/places", params={"limit": 200}).json()["items"]
        places = {p["name"]: (int(p["id"]), area_names[p["area_id"]]) for p in listed}
        by_area: dict[str, list[str]] = {}
        for name, (_pid, area) in sorted(places.items()):
            by_area.setdefault(area, []).append(name)
        organisations = {name: int(o["id"]) for name, o in demo["organisations"].items()}
        return cls(
            municipality_id=int(demo["municipality"]["id"]),
            areas=areas,
            area_names=area_names,
            places=places,
            places_by_area=by_area,
            organisations=organisations,
            organisation_names={i: n for n, i in organisations.items()},
            groups=demo["groups"],
        )

    def group_id(self, name: str) -> int:
        return int(self.groups[name]["id"])

    def participants(self, name: str) -> list[str]:
        return [o["name"] for o in self.groups[name]["organisations"]]


def insert(server: Server, world: World, specs: Sequence[Spec]) -> None:
    """Write the incidents with the ORM, one report per organisation, and note their ids."""
    with server.database.session(write=True) as session:
        reports: dict[int, Report] = {}
        made = []
        for s in specs:
            organisation_id = world.organisations[s.organisation]
            report = reports.get(organisation_id)
            if report is None:
                report = reports[organisation_id] = Report(
                    organisation_id=organisation_id, reporter_id=None, source="test"
                )
                session.add(report)
            incident = Incident(
                report=report,
                municipality_id=world.municipality_id,
                organisation_id=organisation_id,
                category_code=s.category,
                family_code=s.family,
                occurred_from=s.start,
                occurred_to=s.until,
                precision=Precision(s.precision),
                area_id=world.areas[s.area],
                place_id=world.places[s.place][0] if s.place else None,
                lat=s.lat,
                lon=s.lon,
                assessment=Assessment(s.assessment) if s.assessment else None,
                police_reported=PoliceReported(s.police),
                source="test",
                withdrawn_at=dt.datetime(2026, 1, 2, 12, tzinfo=UTC) if s.withdrawn else None,
                withdrawn_reason=WithdrawReason.mistake if s.withdrawn else None,
            )
            session.add(incident)
            made.append(incident)
        session.flush()
        for s, incident in zip(specs, made, strict=True):
            s.id = incident.id


# Geometry, independently: metres on a local plane --------------------------------------------

LatLon = tuple[float, float]


def metres(a: LatLon, b: LatLon) -> float:
    lat0 = math.radians((a[0] + b[0]) / 2)
    dy = (a[0] - b[0]) * 111_320
    dx = (a[1] - b[1]) * 111_320 * math.cos(lat0)
    return math.hypot(dx, dy)


def offset(centre: LatLon, distance: float, angle: float) -> LatLon:
    lat = centre[0] + distance * math.sin(angle) / 111_320
    lon = centre[1] + distance * math.cos(angle) / (111_320 * math.cos(math.radians(centre[0])))
    return lat, lon


# Expectations, counted here -------------------------------------------------------------------


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=TZ).astimezone(UTC)


def span(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return local_midnight(first), local_midnight(last + dt.timedelta(days=1))


def in_scope(specs: Iterable[Spec], area: str | None) -> list[Spec]:
    return [s for s in specs if not s.withdrawn and (area is None or s.area == area)]


def between(specs: Iterable[Spec], start: dt.datetime, end: dt.datetime) -> list[Spec]:
    return [s for s in specs if start <= s.start < end]


@dataclass
class Periods:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def previous(self) -> tuple[dt.date, dt.date]:
        return (
            self.first - dt.timedelta(days=self.days),
            self.first - dt.timedelta(days=1),
        )

    @property
    def last_year(self) -> tuple[dt.date, dt.date]:
        return self.first.replace(year=self.first.year - 1), self.last.replace(
            year=self.last.year - 1
        )

    def three(self, specs: Sequence[Spec]) -> tuple[list[Spec], list[Spec], list[Spec]]:
        return (
            between(specs, *span(self.first, self.last)),
            between(specs, *span(*self.previous)),
            between(specs, *span(*self.last_year)),
        )


def counts_by(
    three: tuple[list[Spec], list[Spec], list[Spec]], key: Any
) -> dict[Any, tuple[int, int, int]]:
    out: dict[Any, list[int]] = {}
    for index, rows in enumerate(three):
        for s in rows:
            out.setdefault(key(s), [0, 0, 0])[index] += 1
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def triple(row: dict[str, Any]) -> tuple[int, int, int]:
    return row["current"], row["previous"], row["last_year"]


def when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def matrix(rows: Iterable[Spec]) -> tuple[list[list[int]], list[int]]:
    """Weekday × hour at the window's midpoint (real elapsed time), or "time unknown" by the
    midpoint's weekday when the window is longer than six hours."""
    cells = [[0] * 24 for _ in range(7)]
    unknown = [0] * 7
    for s in rows:
        window = s.until - s.start
        middle = (s.start.astimezone(UTC) + window / 2).astimezone(TZ)
        if window <= dt.timedelta(hours=6):
            cells[middle.weekday()][middle.hour] += 1
        else:
            unknown[middle.weekday()] += 1
    return cells, unknown


def expected_weeks(scoped: Sequence[Spec], last: dt.date) -> list[tuple[str, int, int, int]]:
    """12 local weeks up to the period's end; the last one stops at the period's end (and the
    same days 52 weeks earlier)."""
    monday = last - dt.timedelta(days=last.weekday())
    out = []
    for k in range(11, -1, -1):
        m = monday - dt.timedelta(weeks=k)
        earlier = m - dt.timedelta(weeks=52)
        stop = min(m + dt.timedelta(days=7), last + dt.timedelta(days=1))
        now = len(between(scoped, local_midnight(m), local_midnight(stop)))
        then = len(
            between(
                scoped,
                local_midnight(earlier),
                local_midnight(stop - dt.timedelta(weeks=52)),
            )
        )
        out.append((m.isoformat(), m.isocalendar().week, now, then))
    return out


def figures(client: httpx.Client, group_id: int, first: dt.date, last: dt.date) -> dict[str, Any]:
    response = client.get(
        f"{V1}/groups/{group_id}/situation",
        params={"first_day": first.isoformat(), "last_day": last.isoformat()},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def non_increasing(values: Sequence[int]) -> bool:
    return all(a >= b for a, b in itertools.pairwise(values))


def check_figures(
    got: dict[str, Any],
    specs: Sequence[Spec],
    world: World,
    periods: Periods,
    *,
    area: str | None,
    group: str,
) -> None:
    """Every figure but the hot spots, against the counts made here."""
    scoped = in_scope(specs, area)
    cur, prev, past = three = periods.three(scoped)

    # The periods, as local days and as the instants of their local midnights.
    for key, (first, last) in {
        "period": (periods.first, periods.last),
        "previous": periods.previous,
        "last_year": periods.last_year,
    }.items():
        start, end = span(first, last)
        assert got[key]["first_day"] == first.isoformat(), key
        assert got[key]["last_day"] == last.isoformat(), key
        assert got[key]["days"] == (last - first).days + 1, key
        assert when(got[key]["start"]) == start, key
        assert when(got[key]["end"]) == end, key
    assert got["area"] == (None if area is None else {"id": world.areas[area], "name": area})
    trend_rule = got["rules"]["hot_spot_trend"]
    assert got["rules"] == {
        "hot_spot_radius_m": RADIUS_M,
        "hot_spot_min_count": 3,
        "exact_window_hours": 6,
        "timezone": "Europe/Stockholm",
        "hot_spot_trend": trend_rule,
    }
    assert "125 meter" in trend_rule and "Förra" in trend_rule

    assert triple(got["total"]) == (len(cur), len(prev), len(past))

    # Families and their categories: every one seen in any of the three periods.
    families = counts_by(three, lambda s: s.family)
    categories = counts_by(three, lambda s: s.category)
    assert {f["code"]: triple(f) for f in got["families"]} == families
    for row in got["families"]:
        assert row["name"] == LABELS[row["code"]]
        assert {c["code"]: triple(c) for c in row["categories"]} == {
            c: n for c, n in categories.items() if c.split(".")[0] == row["code"]
        }
        assert all(c["name"] == LABELS[c["code"]] for c in row["categories"])
        assert non_increasing([c["current"] for c in row["categories"]])
    assert non_increasing([f["current"] for f in got["families"]])

    # Areas: the group's own, or every (active) area of the municipality, even without any.
    by_area = counts_by(three, lambda s: s.area)
    shown = [area] if area is not None else list(world.areas)
    assert {a["name"]: triple(a) for a in got["areas"]} == {
        name: by_area.get(name, (0, 0, 0)) for name in shown
    }
    assert all(world.areas[a["name"]] == a["id"] for a in got["areas"])
    assert non_increasing([a["current"] for a in got["areas"]])

    # Places with incidents in any of the three periods; those without a named place last.
    by_place = counts_by(three, lambda s: s.place or NO_PLACE)
    assert {p["name"]: triple(p) for p in got["places"]} == by_place
    for p in got["places"]:
        if p["name"] == NO_PLACE:
            assert p["id"] is None and p["area"] == ""
        else:
            assert (p["id"], p["area"]) == world.places[p["name"]]
    named = [p for p in got["places"] if p["id"] is not None]
    assert got["places"][: len(named)] == named
    assert non_increasing([p["current"] for p in named])

    # Police, reporters and the participating organisations that were silent.
    police = Counter(s.police for s in cur)
    assert got["police"] == {
        "yes": police["yes"],
        "no": police["no"],
        "unknown": police["unknown"],
        "share": pytest.approx(police["yes"] / len(cur)) if cur else None,
    }
    reporters = Counter(s.organisation for s in cur)
    assert {r["name"]: r["count"] for r in got["reporters"]} == dict(reporters)
    assert all(world.organisations[r["name"]] == r["id"] for r in got["reporters"])
    assert non_increasing([r["count"] for r in got["reporters"]])
    silent = sorted(o for o in world.participants(group) if reporters[o] == 0)
    assert [s["name"] for s in got["silent"]] == silent
    assert all(world.organisations[s["name"]] == s["id"] for s in got["silent"])

    # The rhythm of the week, local time.
    cells, unknown = matrix(cur)
    assert got["weekday_hour"] == cells
    assert got["unknown_hour"] == unknown
    assert sum(map(sum, cells)) + sum(unknown) == len(cur)

    # Twelve local ISO weeks up to the last day, and the same weeks 52 weeks earlier.
    assert [
        (w["monday"], w["week"], w["current"], w["last_year"]) for w in got["weeks"]
    ] == expected_weeks(scoped, periods.last)


# Planted hot spots and thin background -------------------------------------------------------


@dataclass
class Planted:
    name: str
    area: str
    centre: LatLon
    current: int  # incidents in the period
    previous: int  # and in the period before
    category: str
    place: str | None
    trend: str
    specs: list[Spec] = field(default_factory=list)


MAIN = Periods(dt.date(2025, 5, 7), dt.date(2025, 5, 20))  # Wednesday to Tuesday, summer time
# Four weeks over the change to summer time (30 March), whose previous period is in winter
# time and whose last year's holds 2024's change (31 March).
SPRING = Periods(dt.date(2025, 3, 24), dt.date(2025, 4, 20))


def planted_clusters() -> list[Planted]:
    return [
        Planted("växande", "Bro", (59.5117, 17.6364), 9, 4, "skadegorelse.klotter",
                "Bro centrum", "growing"),
        Planted("ny", "Bro", (59.5030, 17.6600), 7, 0, "ordning.narkotika", None, "new"),
        Planted("oförändrad", "Kungsängen", (59.4786, 17.7506), 6, 6, "samling.utomhus",
                "Kungsängen centrum", "steady"),
        Planted("minskande", "Brunna", (59.4990, 17.7790), 4, 10, "trafik.olovlig_korning",
                "Brunna centrum", "shrinking"),
    ]  # fmt: skip


def random_instant(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    seconds = int((end - start).total_seconds())
    return start + dt.timedelta(seconds=rng.randrange(seconds))


def generate(rng: random.Random, world: World) -> tuple[list[Spec], list[Planted]]:
    planted = planted_clusters()
    centres = [p.centre for p in planted]
    # Background positions on a grid of about 400 m, each used once, none within 400 m of a
    # planted centre: no three of them can ever fall within 125 m of one another.
    grid = [
        (round(59.44 + i * 0.0036, 6), round(17.50 + j * 0.0072, 6))
        for i in range(45)
        for j in range(60)
    ]
    grid = [g for g in grid if all(metres(g, c) > 400 for c in centres)]
    rng.shuffle(grid)
    reporting = [o for o in world.organisations if o != "Upplands-Brohus"]
    specs: list[Spec] = []

    def background(n: int, start: dt.datetime, end: dt.datetime) -> None:
        for _ in range(n):
            at = random_instant(rng, start, end).replace(second=0)
            kind = rng.random()
            if kind < 0.5:
                precision, until = "exact", None
            elif kind < 0.8:
                precision = "part_of_day"
                at = at.replace(minute=rng.choice([0, 30]))
                hours = rng.choice([1, 2, 3, 4.5, 6, 6 + 1 / 60, 8, 12])
                until = at + dt.timedelta(hours=hours)
            else:
                precision = "day"
                day = at.astimezone(TZ).date()
                at, until = local_midnight(day), local_midnight(day + dt.timedelta(days=1))
            area = rng.choice(sorted(world.areas))
            place = rng.choice([None, *world.places_by_area[area]])
            position = grid.pop() if rng.random() < 0.65 else (None, None)
            specs.append(
                Spec(
                    start=at,
                    end=until,
                    category=rng.choice(CODES),
                    precision=precision,
                    area=area,
                    place=place,
                    organisation=rng.choice(reporting),
                    lat=position[0],
                    lon=position[1],
                    police=rng.choices(["yes", "no", "unknown"], [3, 4, 2])[0],
                    assessment=rng.choice(["high", "medium", "low", None]),
                    withdrawn=rng.random() < 0.07,
                )
            )

    # This year: six or seven busy weeks around the main period, and thinner from before the
    # spring period's previous one to after the main period; last year: the weeks of the
    # chart and the periods a year back.
    background(250, dt.datetime(2025, 4, 9, tzinfo=UTC), dt.datetime(2025, 5, 27, tzinfo=UTC))
    background(130, dt.datetime(2025, 2, 10, tzinfo=UTC), dt.datetime(2025, 6, 1, tzinfo=UTC))
    background(90, dt.datetime(2024, 2, 20, tzinfo=UTC), dt.datetime(2024, 6, 1, tzinfo=UTC))

    # The hot spots: incidents within 38 m of their centre, in the main period and the one
    # before it.
    now_start, now_end = span(MAIN.first, MAIN.last)
    before_start, before_end = span(*MAIN.previous)
    for cluster in planted:
        for n, (start, end) in (
            (cluster.current, (now_start, now_end)),
            (cluster.previous, (before_start, before_end)),
        ):
            for _ in range(n):
                lat, lon = offset(cluster.centre, rng.uniform(0, 38), rng.uniform(0, 2 * math.pi))
                spec = Spec(
                    start=random_instant(rng, start, end),
                    category=cluster.category,
                    area=cluster.area,
                    place=cluster.place,
                    organisation=rng.choice(reporting),
                    lat=lat,
                    lon=lon,
                    police=rng.choice(["yes", "no", "unknown"]),
                    assessment=rng.choice(["high", "medium", "low"]),
                )
                cluster.specs.append(spec)
                specs.append(spec)
    # A withdrawn incident at a planted centre, and one without a position at its place:
    # neither is part of the hot spot.
    new = planted[1]
    specs.append(
        Spec(
            start=now_start + dt.timedelta(days=2),
            area=new.area,
            withdrawn=True,
            lat=new.centre[0],
            lon=new.centre[1],
            category=new.category,
        )
    )
    specs.append(
        Spec(
            start=now_start + dt.timedelta(days=3),
            area="Kungsängen",
            place="Kungsängen centrum",
            category="samling.utomhus",
        )
    )

    # The edges of the periods: the first and last instants in, the ones just outside.
    second = dt.timedelta(seconds=1)
    for periods in (MAIN, SPRING):
        for first, last in ((periods.first, periods.last), periods.previous, periods.last_year):
            start, end = span(first, last)
            for at in (start - second, start, end - second, end):
                specs.append(
                    Spec(
                        start=at,
                        area=rng.choice(sorted(world.areas)),
                        organisation=rng.choice(reporting),
                        police="yes",
                    )
                )
    # Windows of exactly six hours (in the matrix) and a minute more (time unknown).
    specs.append(
        Spec(
            start=now_start + dt.timedelta(hours=40),
            precision="part_of_day",
            end=now_start + dt.timedelta(hours=46),
            area="Bro",
        )
    )
    specs.append(
        Spec(
            start=now_start + dt.timedelta(hours=64),
            precision="part_of_day",
            end=now_start + dt.timedelta(hours=70, minutes=1),
            area="Bro",
        )
    )
    return specs, planted


def check_spacing(specs: Sequence[Spec], planted: Sequence[Planted]) -> None:
    """The test's own premise: the background is thin, the planted clusters are tight."""

    def where(s: Spec) -> LatLon:
        assert s.lat is not None and s.lon is not None
        return s.lat, s.lon

    members = {id(s) for p in planted for s in p.specs}
    # Withdrawn incidents are left out: one lies at a planted centre on purpose.
    loose = [
        where(s) for s in specs if s.lat is not None and id(s) not in members and not s.withdrawn
    ]
    centres = [p.centre for p in planted]
    for p in planted:
        assert all(metres(where(s), p.centre) <= 40 for s in p.specs)
    for a, b in itertools.combinations(centres, 2):
        assert metres(a, b) >= 1500
    for i, a in enumerate(loose):
        assert all(metres(a, c) > 300 for c in centres)
        # Background points are at least 300 m apart, so no three gather within 125 m.
        assert all(metres(a, b) > 300 for b in loose[i + 1 :])


def check_hot_spots(
    got: dict[str, Any],
    planted: Sequence[Planted],
    periods: Periods,
    *,
    area: str | None,
    trends: bool,
) -> None:
    now = span(periods.first, periods.last)
    before = span(*periods.previous)
    expected = []
    for p in planted:
        members = between(in_scope(p.specs, area), *now)
        if len(members) >= 3:
            expected.append((p, members, len(between(in_scope(p.specs, area), *before))))
    spots = got["hot_spots"]
    # No phantoms: exactly one hot spot for each planted cluster in the scope and period.
    assert len(spots) == len(expected), [s["incident_ids"] for s in spots]
    by_ids = {frozenset(s["incident_ids"]): s for s in spots}
    for p, members, previous in expected:
        ids = frozenset(s.id for s in members)
        assert ids in by_ids, (p.name, sorted(ids), [s["incident_ids"] for s in spots])
        spot = by_ids[ids]
        assert spot["count"] == len(members) == len(spot["incident_ids"])
        assert spot["previous"] == previous, p.name
        mean = (
            sum(s.lat or 0.0 for s in members) / len(members),
            sum(s.lon or 0.0 for s in members) / len(members),
        )
        assert metres((spot["lat"], spot["lon"]), mean) < 2, p.name
        assert metres((spot["lat"], spot["lon"]), p.centre) < 30, p.name
        assessed = Counter(s.assessment for s in members)
        assert (spot["high"], spot["medium"], spot["low"]) == (
            assessed["high"],
            assessed["medium"],
            assessed["low"],
        )
        assert spot["area"] == p.area
        assert spot["place"] == p.place
        assert spot["family"] == LABELS[p.category.split(".")[0]]
        assert spot["radius_m"] == RADIUS_M
        if trends:
            assert spot["trend"] == p.trend, (p.name, spot["count"], spot["previous"])
        assert spot["trend"] == stated_trend(spot["count"], spot["previous"]), p.name
    assert [s["rank"] for s in spots] == list(range(1, len(spots) + 1))
    assert non_increasing([s["count"] for s in spots])


# The tests ------------------------------------------------------------------------------------


def test_every_figure_equals_a_count_made_here(server: Server, people: People) -> None:
    world = World.of(server, people)
    specs, planted = generate(random.Random(20250507), world)
    check_spacing(specs, planted)
    insert(server, world, specs)
    assert 500 <= len(specs) <= 650

    with server.client(people["tokens"]["coordination"]) as convener:
        for group, area in ((COORDINATION, None), (BRO_GROUP, "Bro")):
            got = figures(convener, world.group_id(group), MAIN.first, MAIN.last)
            check_figures(got, specs, world, MAIN, area=area, group=group)
            check_hot_spots(got, planted, MAIN, area=area, trends=True)
            assert got["total"]["current"] > (90 if area is None else 25)

        # The main period's instants, written out: summer time, UTC+2.
        got = figures(convener, world.group_id(COORDINATION), MAIN.first, MAIN.last)
        assert got["period"]["start"].startswith("2025-05-06T22:00:00")
        assert got["period"]["end"].startswith("2025-05-20T22:00:00")
        # The trends of the planted hot spots, by name, as the test meant them.
        trends = {s["count"]: s["trend"] for s in got["hot_spots"]}
        assert trends == {9: "growing", 7: "new", 6: "steady", 4: "shrinking"}

        # Four weeks over the change to summer time: no planted incidents, no hot spots.
        for group, area in ((COORDINATION, None), (BRO_GROUP, "Bro")):
            got = figures(convener, world.group_id(group), SPRING.first, SPRING.last)
            check_figures(got, specs, world, SPRING, area=area, group=group)
            check_hot_spots(got, planted, SPRING, area=area, trends=False)
            assert got["hot_spots"] == []
        assert got["period"]["start"].startswith("2025-03-23T23:00:00")  # CET, UTC+1
        assert got["period"]["end"].startswith("2025-04-20T22:00:00")  # CEST, UTC+2


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_the_nights_the_clocks_change(server: Server, people: People) -> None:
    """Everything written out in UTC by hand: 30 March 2025 has 23 hours (02:00 CET becomes
    03:00 CEST), 26 October 2025 has 25 (03:00 CEST becomes 02:00 CET, 02:xx comes twice)."""
    world = World.of(server, people)
    spring = [
        Spec(utc(2025, 3, 29, 23, 0, 0)),  # 00:00 CET, Sunday 30 March: the first instant
        Spec(utc(2025, 3, 29, 22, 59, 59)),  # 23:59:59 Saturday: the period before
        Spec(utc(2025, 3, 30, 0, 30)),  # 01:30 CET
        Spec(utc(2025, 3, 30, 1, 30)),  # 03:30 CEST: an hour later, not two
        # 01:00 CET to 04:00 CEST is two hours; the midpoint is 03:00 CEST (not "02:30").
        Spec(utc(2025, 3, 30, 0, 0), utc(2025, 3, 30, 2, 0), precision="part_of_day"),
        # 00:30 CET to 07:00 CEST is 5½ hours (6½ on the clock): in the matrix at 04:15.
        Spec(utc(2025, 3, 29, 23, 30), utc(2025, 3, 30, 5, 0), precision="part_of_day"),
        # The whole day: 23 hours, time unknown, Sunday.
        Spec(utc(2025, 3, 29, 23), utc(2025, 3, 30, 22), precision="day"),
        Spec(utc(2025, 4, 5, 21, 59, 59)),  # 23:59:59 CEST Saturday 5 April: the last instant
        Spec(utc(2025, 4, 5, 22, 0, 0)),  # midnight: the next period
        Spec(utc(2025, 3, 22, 23, 0, 0)),  # the previous period's first instant (CET)
        Spec(utc(2025, 3, 22, 22, 59, 59)),  # before it
        Spec(utc(2024, 3, 29, 23, 0, 0)),  # 00:00 CET, 30 March 2024: last year's first
        Spec(utc(2024, 3, 29, 22, 59, 59)),
        Spec(utc(2024, 4, 5, 21, 59, 59)),  # 23:59:59 CEST, 5 April 2024 (changed 31 March)
        Spec(utc(2024, 4, 5, 22, 0, 0)),
    ]
    autumn = [
        Spec(utc(2025, 10, 19, 22, 0, 0), area="Kungsängen"),  # 00:00 CEST Monday 20 October
        Spec(utc(2025, 10, 19, 21, 59, 59), area="Kungsängen"),  # Sunday 19: the week before
        Spec(utc(2025, 10, 25, 23, 30), area="Kungsängen"),  # 01:30 CEST Sunday 26
        Spec(utc(2025, 10, 26, 0, 30), area="Kungsängen"),  # 02:30 CEST, the first
        Spec(utc(2025, 10, 26, 1, 30), area="Kungsängen"),  # 02:30 CET, the second
        Spec(utc(2025, 10, 26, 2, 30), area="Kungsängen"),  # 03:30 CET
        # 00:00 CEST to 05:30 CET is 6½ hours (5½ on the clock): time unknown.
        Spec(utc(2025, 10, 25, 22), utc(2025, 10, 26, 4, 30), "ordning.brak", "part_of_day",
             area="Kungsängen"),
        # 01:00 CEST to 06:00 CET is exactly 6 hours: in the matrix at 03:00 CET.
        Spec(utc(2025, 10, 25, 23), utc(2025, 10, 26, 5), "ordning.brak", "part_of_day",
             area="Kungsängen"),
        # The whole Sunday: 25 hours.
        Spec(utc(2025, 10, 25, 22), utc(2025, 10, 26, 23), "ordning.brak", "day",
             area="Kungsängen"),
        Spec(utc(2025, 10, 26, 22, 30), area="Kungsängen"),  # 23:30 CET Sunday: still in
        Spec(utc(2025, 10, 26, 22, 59, 59), area="Kungsängen"),  # the last instant
        Spec(utc(2025, 10, 26, 23, 0, 0), area="Kungsängen"),  # Monday 27: out
        Spec(utc(2024, 10, 26, 21, 59, 59), area="Kungsängen"),  # last year's last instant
        Spec(utc(2024, 10, 26, 22, 30), area="Kungsängen"),  # 00:30 CEST 27 Oct 2024: out
        # Elsewhere in the municipality: not in the Kungsängen group's figures.
        Spec(utc(2025, 10, 26, 1, 30), area="Bro"),
    ]  # fmt: skip
    insert(server, world, [*spring, *autumn])
    kungsangen = world.group_id("EST områdesgrupp Kungsängen")
    with server.client(people["tokens"]["coordination"]) as convener:
        got = figures(
            convener, world.group_id(COORDINATION), dt.date(2025, 3, 30), dt.date(2025, 4, 5)
        )
        assert (when(got["period"]["start"]), when(got["period"]["end"])) == (
            utc(2025, 3, 29, 23),
            utc(2025, 4, 5, 22),
        )
        assert (when(got["previous"]["start"]), when(got["previous"]["end"])) == (
            utc(2025, 3, 22, 23),
            utc(2025, 3, 29, 23),
        )
        assert (when(got["last_year"]["start"]), when(got["last_year"]["end"])) == (
            utc(2024, 3, 29, 23),
            utc(2024, 4, 5, 22),
        )
        assert triple(got["total"]) == (7, 2, 2)
        sunday, saturday = 6, 5
        cells = [[0] * 24 for _ in range(7)]
        cells[sunday][0] = 1
        cells[sunday][1] = 1
        cells[sunday][3] = 2
        cells[sunday][4] = 1
        cells[saturday][23] = 1
        assert got["weekday_hour"] == cells
        assert got["unknown_hour"] == [0, 0, 0, 0, 0, 0, 1]

        # One day only: the 23-hour day.
        got = figures(
            convener, world.group_id(COORDINATION), dt.date(2025, 3, 30), dt.date(2025, 3, 30)
        )
        assert (when(got["period"]["start"]), when(got["period"]["end"])) == (
            utc(2025, 3, 29, 23),
            utc(2025, 3, 30, 22),
        )
        assert (when(got["previous"]["start"]), when(got["previous"]["end"])) == (
            utc(2025, 3, 28, 23),
            utc(2025, 3, 29, 23),
        )
        assert triple(got["total"]) == (6, 1, 1)

        # The week ending on the 25-hour day, for the Kungsängen group.
        got = figures(convener, kungsangen, dt.date(2025, 10, 20), dt.date(2025, 10, 26))
        assert (when(got["period"]["start"]), when(got["period"]["end"])) == (
            utc(2025, 10, 19, 22),
            utc(2025, 10, 26, 23),
        )
        assert (when(got["last_year"]["start"]), when(got["last_year"]["end"])) == (
            utc(2024, 10, 19, 22),
            utc(2024, 10, 26, 22),  # 27 October 2024 began in summer time
        )
        assert triple(got["total"]) == (10, 1, 1)
        monday = 0
        cells = [[0] * 24 for _ in range(7)]
        cells[monday][0] = 1
        cells[sunday][1] = 1
        cells[sunday][2] = 2  # 02:30 twice
        cells[sunday][3] = 2  # 03:30 CET and the six-hour window's midpoint
        cells[sunday][23] = 2
        assert got["weekday_hour"] == cells
        assert got["unknown_hour"] == [0, 0, 0, 0, 0, 0, 2]
        # The chart's last week is Monday 20 to Sunday 26 October, 25 hours on Sunday; the
        # same week 52 weeks earlier is 21 to 27 October 2024, which also ends on a long day.
        *_, before, last = got["weeks"]
        assert (last["monday"], last["week"], last["current"]) == ("2025-10-20", 43, 10)
        assert last["last_year"] == 2
        assert (before["monday"], before["current"], before["last_year"]) == ("2025-10-13", 1, 0)

        # The same day as a period of its own: 25 hours.
        got = figures(convener, kungsangen, dt.date(2025, 10, 26), dt.date(2025, 10, 26))
        assert (when(got["period"]["start"]), when(got["period"]["end"])) == (
            utc(2025, 10, 25, 22),
            utc(2025, 10, 26, 23),
        )
        assert got["total"]["current"] == 9


def test_withdrawn_and_earlier_begun_incidents_are_not_counted(
    server: Server, people: People
) -> None:
    world = World.of(server, people)
    inside = Spec(utc(2025, 6, 4, 10))
    specs = [
        inside,
        Spec(utc(2025, 6, 5, 10), withdrawn=True),
        Spec(utc(2025, 6, 6, 10), withdrawn=True, lat=59.5117, lon=17.6364),
        # Begun the evening before the period, ended inside it: the previous period's.
        Spec(utc(2025, 6, 1, 20), utc(2025, 6, 2, 1), precision="part_of_day"),
        # All of Sunday 1 June; it ends at the period's first instant.
        Spec(utc(2025, 5, 31, 22), utc(2025, 6, 1, 22), precision="day"),
    ]
    insert(server, world, specs)
    group = world.group_id(COORDINATION)
    with server.client(people["tokens"]["coordination"]) as convener:
        got = figures(convener, group, dt.date(2025, 6, 2), dt.date(2025, 6, 8))
        assert triple(got["total"]) == (1, 2, 0)
        assert sum(map(sum, got["weekday_hour"])) + sum(got["unknown_hour"]) == 1
        assert got["weekday_hour"][2][12] == 1  # Wednesday 12:00 CEST
        assert [w["current"] for w in got["weeks"][-2:]] == [2, 1]
        assert got["hot_spots"] == []
        draft = convener.post(
            f"{V1}/groups/{group}/situation-reports",
            json={"first_day": "2025-06-02", "last_day": "2025-06-08"},
        )
        assert draft.status_code == 201, draft.text
        listed = convener.get(f"{V1}/situation-reports/{draft.json()['id']}/incidents").json()
        assert [i["id"] for i in listed] == [inside.id]


def test_the_last_week_of_the_chart_stops_where_the_period_does(
    server: Server, people: People
) -> None:
    world = World.of(server, people)
    # The period ends on Wednesday 25 March 2026; Friday to Sunday of that week come after.
    insert(
        server,
        world,
        [
            Spec(utc(2026, 3, 23, 12)),
            Spec(utc(2026, 3, 27, 12)),
            Spec(utc(2026, 3, 28, 12)),
            Spec(utc(2025, 3, 24, 12)),  # 52 weeks earlier, Monday: in last year's bar
            Spec(utc(2025, 3, 28, 12)),  # 52 weeks earlier, Friday: after the period's days
        ],
    )
    with server.client(people["tokens"]["coordination"]) as convener:
        got = figures(
            convener, world.group_id(COORDINATION), dt.date(2026, 3, 23), dt.date(2026, 3, 25)
        )
    assert triple(got["total"])[0] == 1
    assert (got["weeks"][-1]["current"], got["weeks"][-1]["last_year"]) == (1, 1)


def test_a_hot_spot_measured_the_same_in_both_periods_is_steady(
    server: Server, people: People
) -> None:
    """A lopsided cluster (one incident west of the centre, two further west, three east):
    the same six points in both periods. Both periods are counted in the same circle, so
    the hot spot is neither new nor growing."""
    world = World.of(server, people)
    centre = (59.5117, 17.6364)
    offsets = [0.0, -124.0, -124.0, 124.0, 124.0, 124.0]
    specs = []
    for start in (utc(2025, 6, 3, 20), utc(2025, 6, 10, 20)):
        for east in offsets:
            lat, lon = offset(centre, abs(east), 0.0 if east >= 0 else math.pi)
            specs.append(Spec(start, lat=lat, lon=lon))
    insert(server, world, specs)
    with server.client(people["tokens"]["coordination"]) as convener:
        got = figures(
            convener, world.group_id(COORDINATION), dt.date(2025, 6, 9), dt.date(2025, 6, 15)
        )
    spots = got["hot_spots"]
    assert spots, got
    assert all(spot["trend"] == "steady" for spot in spots), spots


def test_a_place_without_incidents_now_is_listed_with_those_before(
    server: Server, people: People
) -> None:
    world = World.of(server, people)
    specs = [
        *(Spec(utc(2025, 6, 4, 12), place="Råby") for _ in range(10)),  # the previous week
        *(Spec(utc(2024, 6, 11, 12), place="Finnsta") for _ in range(3)),  # a year ago
        Spec(utc(2025, 6, 11, 12), place="Bro centrum"),  # this week
    ]
    insert(server, world, specs)
    with server.client(people["tokens"]["coordination"]) as convener:
        got = figures(
            convener, world.group_id(BRO_GROUP), dt.date(2025, 6, 9), dt.date(2025, 6, 15)
        )
    assert [(p["name"], triple(p)) for p in got["places"]] == [
        ("Bro centrum", (1, 0, 0)),
        ("Finnsta", (0, 0, 3)),
        ("Råby", (0, 10, 0)),
    ]


def east_north(centre: LatLon, east: float, north: float) -> LatLon:
    return offset(centre, math.hypot(east, north), math.atan2(north, east))


def test_a_hot_spots_trend_follows_from_the_figures_it_shows(
    server: Server, people: People
) -> None:
    """Ten incidents in Bro, six on one day and four a week before. A is the incident the hot
    spot gathers around (with B, C and D; A's circle weighs more than D's); E and F are
    beyond A's radius but within the radius of the four's middle. Metres east and north;
    every distance that decides anything is at least 3 m from 125."""
    world = World.of(server, people)
    centre = (59.5117, 17.6364)
    now, before = utc(2025, 6, 12, 18), utc(2025, 6, 5, 18)
    layout = {
        "A": (0, 0, "medium"), "B": (-15, 5, "high"), "C": (-10, -15, "high"),
        "D": (118, 0, "medium"), "E": (135, 15, "medium"), "F": (135, -15, "medium"),
    }  # fmt: skip
    current = {
        name: Spec(now, lat=lat, lon=lon, assessment=assessment)
        for name, (east, north, assessment) in layout.items()
        for lat, lon in [east_north(centre, east, north)]
    }
    earlier = [
        Spec(before, lat=lat, lon=lon)
        for east, north in ((10, 0), (20, 5), (30, -5), (40, 0))
        for lat, lon in [east_north(centre, east, north)]
    ]
    insert(server, world, [*current.values(), *earlier])
    with server.client(people["tokens"]["coordination"]) as convener:
        got = figures(
            convener, world.group_id(BRO_GROUP), dt.date(2025, 6, 9), dt.date(2025, 6, 15)
        )
    [spot] = got["hot_spots"]
    assert sorted(spot["incident_ids"]) == sorted(current[n].id for n in "ABCD")
    assert (spot["count"], spot["previous"], spot["trend"]) == (4, 4, "steady")


def test_overlapping_hot_spots_of_the_same_incidents_twice_are_steady(
    server: Server, people: People
) -> None:
    """Three clusters about a radius apart, so that the hot spots overlap and the larger take
    incidents from the smaller; the same positions a week apart. Each hot spot then shows
    the same number for both periods, and is steady."""
    world = World.of(server, people)
    rng = random.Random(5)
    centre = (59.5117, 17.6364)
    places = [
        east_north(centre, rng.gauss(east, 35), rng.gauss(north, 35))
        for east, north, n in ((0, 0, 9), (140, 0, 6), (60, 110, 5))
        for _ in range(n)
    ]
    specs = [
        Spec(at, lat=lat, lon=lon, assessment=rng.choice(["high", "medium", "low"]))
        for at in (utc(2025, 6, 5, 18), utc(2025, 6, 12, 18))
        for lat, lon in places
    ]
    insert(server, world, specs)
    with server.client(people["tokens"]["coordination"]) as convener:
        got = figures(
            convener, world.group_id(COORDINATION), dt.date(2025, 6, 9), dt.date(2025, 6, 15)
        )
    spots = got["hot_spots"]
    assert len(spots) >= 2, spots
    assert sum(s["count"] for s in spots) == sum(s["previous"] for s in spots)
    for spot in spots:
        assert spot["previous"] == spot["count"] == len(spot["incident_ids"]), spots
        assert spot["trend"] == stated_trend(spot["count"], spot["previous"]) == "steady"


def test_a_deactivated_organisation_is_not_called_silent(
    server: Server, people: People, api: httpx.Client
) -> None:
    world = World.of(server, people)
    group = world.group_id(COORDINATION)
    with server.client(people["tokens"]["coordination"]) as convener:
        before = figures(convener, group, dt.date(2025, 6, 2), dt.date(2025, 6, 8))
        silent = sorted(o["name"] for o in before["silent"])
        assert silent == sorted(world.participants(COORDINATION))
        gone = silent[0]
        deactivated = api.post(f"{V1}/organisations/{world.organisations[gone]}/deactivate")
        assert deactivated.status_code == 200, deactivated.text
        after = figures(convener, group, dt.date(2025, 6, 2), dt.date(2025, 6, 8))
    assert sorted(o["name"] for o in after["silent"]) == silent[1:]

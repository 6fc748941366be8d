"""Figures obey scope (issue #17): a count is a read. For each demo role and each endpoint that
answers figures counted from the incidents (a group's live figures and hot spots, a draft and
a published lägesbild with its roll-up, incidents and comparison, a new meeting's agenda, an
intervention's effect and displacement, the steering group's indicators, the OGC API's
``numberMatched``), the figures equal a count made here, in plain Python, over the incidents
that same role lists through ``GET /incidents``; or the endpoint refuses (403/404).

The incidents are planted at random (a fixed seed) in all three demo areas, near the borders
too, over the periods the figures cover, by an organisation none of the demo roles files for:
so what a role lists is exactly what it reads. Counting here follows the rules as the
docstrings of ``api/situation/figures.py`` and ``api/interventions/effect.py`` state them;
nothing here calls them.

Also here: a point target is refused outside its area, whether or not the areas have
boundaries (the finding: the demo areas had none, so Kungsängen's group could measure Bro;
they now ship approximate ones, taken away where a test is about a municipality without).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.people import PEOPLE, People, as_
from tests.support.planted import (
    BRO_GROUP,
    COORDINATION,
    KLOTTER,
    KUNGSANGEN,
    POLICE,
    STEERING,
    TZ,
    LatLon,
    Spec,
    World,
    insert,
    metres,
    midnight,
    offset,
)
from tests.support.servers import Server

V1 = "/api/v1"
ROLES = list(PEOPLE)
BRUNNA_GROUP = "EST områdesgrupp Brunna"
# Published in this order: the area groups' first, so that the coordination group's roll-up
# holds them, and the steering group's the coordination group's.
GROUPS = [BRO_GROUP, BRUNNA_GROUP, KUNGSANGEN, COORDINATION, STEERING]
CATEGORIES = [KLOTTER, "skadegorelse.brand", "samling.utomhus", "trafik.ovrigt"]
# The intervention's start, a Monday: the two weeks either side of it are the effect's
# windows, and the lägesbild covers the two weeks from it.
START = dt.date(2025, 3, 3)
FIRST, LAST = START, START + dt.timedelta(days=13)
WEEKS = 2
# Seen as a refusal: the record is hidden (404) or the route is not the role's (403).
REFUSED = {403, 404}


# The incidents a role lists ---------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """An incident as ``GET /incidents`` shows it, in what the figures count by."""

    id: int
    area: str
    category: str
    family: str
    place: str | None
    at: dt.datetime  # occurred_from, aware
    where: LatLon | None
    organisation: str


def listed(client: httpx.Client) -> list[Seen]:
    """Every incident the client lists, page by page (withdrawn ones are not listed)."""
    found: list[Seen] = []
    params: dict[str, Any] = {"limit": 200}
    while True:
        response = client.get(f"{V1}/incidents", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        for item in page["items"]:
            found.append(
                Seen(
                    id=item["id"],
                    area=item["area"]["name"],
                    category=item["category"]["code"],
                    family=item["family"],
                    place=item["place"]["name"] if item["place"] else None,
                    at=dt.datetime.fromisoformat(item["occurred_from"]),
                    where=(item["lat"], item["lon"]) if item["lat"] is not None else None,
                    organisation=item["organisation"]["name"],
                )
            )
        if page["next"] is None:
            return found
        params["cursor"] = page["next"].split("cursor=")[-1]


def between(seen: Iterable[Seen], first: dt.date, last: dt.date) -> list[Seen]:
    """Those whose window begins in the local days ``first`` to ``last``."""
    start, end = midnight(first), midnight(last + dt.timedelta(days=1))
    return [s for s in seen if start <= s.at < end]


def within(seen: Iterable[Seen], area: str | None) -> list[Seen]:
    return [s for s in seen if area is None or s.area == area]


# Planting ---------------------------------------------------------------------------------


def field_errors(response: httpx.Response) -> dict[str, str]:
    """The field errors of a 422 problem, as field: code."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["code"] for e in response.json()["errors"]}


# The circles the interventions below draw: (centre, radius). Planted points keep clear of
# their edges, so that metres measured here and in SWEREF 99 TM cannot disagree.
def circles(world: World) -> list[tuple[LatLon, float]]:
    kungsangen, brunna, bro = (world.centres[n] for n in ("Kungsängen", "Brunna", "Bro"))
    return [(kungsangen, 3000), (toward(kungsangen, brunna, 0.35), 1500), (bro, 500)]


def toward(a: LatLon, b: LatLon, share: float) -> LatLon:
    return a[0] + share * (b[0] - a[0]), a[1] + share * (b[1] - a[1])


def clear_of_edges(world: World, point: LatLon) -> bool:
    return all(
        abs(metres(point, centre) - edge) > 0.02 * edge
        for centre, radius in circles(world)
        for edge in (radius, 2 * radius)
    )


def plant(world: World, rng: random.Random, count: int, days: tuple[dt.date, int]) -> list[Spec]:
    """``count`` incidents in each area, up to 3 km from its centre (a tenth without a
    point), some at a named place, a few withdrawn, over ``days`` (first day, how many)."""
    places = {"Bro": ["Finnsta", "Råby"], "Kungsängen": ["Kungsängen centrum"], "Brunna": []}
    first, span = days
    specs = []
    for area in ("Bro", "Brunna", "Kungsängen"):
        made = 0
        while made < count:
            where = offset(world.centres[area], rng.uniform(0, 3000), rng.uniform(0, 360))
            if not clear_of_edges(world, where):
                continue
            at = dt.datetime.combine(
                first + dt.timedelta(days=rng.randrange(span)),
                dt.time(rng.randrange(24), rng.randrange(60)),
                tzinfo=TZ,
            ).astimezone(dt.UTC)
            specs.append(
                Spec(
                    at,
                    None if rng.random() < 0.1 else where,
                    area=area,
                    category=rng.choice(CATEGORIES),
                    place=rng.choice(places[area]) if places[area] and rng.random() < 0.3 else None,
                    withdrawn=rng.random() < 0.05,
                )
            )
            made += 1
    return specs


# The figures, counted here ------------------------------------------------------------------


def check_figures(figures: dict[str, Any], seen: list[Seen], who: str) -> None:
    """A lägesbild's figures against the listed incidents of its area in its three periods:
    the totals, each area's and each family's row, the reporters, the weekly chart, and the
    hot spots' incidents."""
    mine = within(seen, figures["area"]["name"] if figures["area"] else None)
    for key, span in (
        ("current", figures["period"]),
        ("previous", figures["previous"]),
        ("last_year", figures["last_year"]),
    ):
        counted = between(
            mine, dt.date.fromisoformat(span["first_day"]), dt.date.fromisoformat(span["last_day"])
        )
        assert figures["total"][key] == len(counted), (who, key)
        by_area = Counter(s.area for s in counted)
        by_family = Counter(s.family for s in counted)
        assert {r["name"]: r[key] for r in figures["areas"] if r[key]} == dict(by_area), who
        assert {r["code"]: r[key] for r in figures["families"] if r[key]} == dict(by_family)
    current = between(mine, FIRST, LAST)
    assert sum(r["count"] for r in figures["reporters"]) == len(current), who
    last = dt.date.fromisoformat(figures["period"]["last_day"])
    for week in figures["weeks"]:
        monday = dt.date.fromisoformat(week["monday"])
        sunday = min(monday + dt.timedelta(days=6), last)
        assert week["current"] == len(between(mine, monday, sunday)), (who, week)
    ids = {s.id for s in current}
    spotted = [i for spot in figures["hot_spots"] for i in spot["incident_ids"]]
    assert set(spotted) <= ids and len(spotted) == len(set(spotted)), who
    for spot in figures["hot_spots"]:
        assert spot["count"] == len(spot["incident_ids"]), who


def expected_effect(intervention: dict[str, Any], seen: list[Seen]) -> dict[str, Any]:
    """The zone's, the ring's and the comparison's (before, after) counts of the listed
    incidents, by the rules of effect.py: the categories, the two whole weeks either side of
    the start; an area against the rest of the municipality, a place without a position by
    the incidents filed at it, a circle with its ring against the rest of its area."""
    start = dt.date.fromisoformat(intervention["planned_start"])
    first, boundary = midnight(start - dt.timedelta(weeks=WEEKS)), midnight(start)
    end = midnight(start + dt.timedelta(weeks=WEEKS))
    codes = intervention["categories"]
    wanted = [s for s in seen if (s.category in codes or s.family in codes) and first <= s.at < end]

    def pair(test: Callable[[Seen], bool]) -> dict[str, int]:
        chosen = [s for s in wanted if test(s)]
        after = sum(1 for s in chosen if s.at >= boundary)
        return {"before": len(chosen) - after, "after": after}

    target = intervention["target"]
    area = target["area"]["name"]
    if target["kind"] == "area":
        return {
            "zone": pair(lambda s: s.area == area),
            "comparison": pair(lambda s: s.area != area),
            "ring": None,
        }
    if target["lat"] is None:  # a place without a position (the demo's have none)
        place = target["place"]["name"]
        return {
            "zone": pair(lambda s: s.place == place),
            "comparison": pair(lambda s: s.area == area and s.place != place),
            "ring": None,
        }
    centre, radius = (target["lat"], target["lon"]), target["radius_m"]

    def zone(s: Seen) -> bool:
        return s.where is not None and metres(s.where, centre) <= radius

    def ring(s: Seen) -> bool:
        return s.where is not None and radius < metres(s.where, centre) <= 2 * radius

    return {
        "zone": pair(zone),
        "comparison": pair(lambda s: s.area == area and not zone(s) and not ring(s)),
        "ring": pair(ring),
    }


def counts_of(effect: dict[str, Any]) -> dict[str, Any]:
    return {
        part: None if effect[part] is None else {k: effect[part][k] for k in ("before", "after")}
        for part in ("zone", "comparison", "ring")
    }


def agenda_counts(meeting: dict[str, Any]) -> tuple[int, int]:
    """The new incidents and the period before's, as the agenda's first item says them."""
    item = meeting["agenda"][0]
    new = re.search(r"(\d+) nya? händelse", item["title"])
    before = re.search(r"Perioden innan: (\d+)", item["note"] or "")
    assert new is not None and before is not None, item
    return int(new.group(1)), int(before.group(1))


# Setting the scene ------------------------------------------------------------------------


def made(response: httpx.Response) -> Any:
    assert response.status_code in {200, 201}, response.text
    return response.json()


def intervention_body(world: World, group: str, target: dict[str, Any]) -> dict[str, Any]:
    return {
        "group_id": world.groups[group],
        "title": "Riktat uppsökande arbete",
        "type": "outreach",
        "owner_organisation_id": world.organisations[POLICE],
        "target": target,
        "categories": ["skadegorelse", "samling.utomhus"],
        "planned_start": START.isoformat(),
    }


def point(world: World, area: str, where: LatLon, radius: int) -> dict[str, Any]:
    return {
        "kind": "point",
        "area_id": world.areas[area],
        "lat": where[0],
        "lon": where[1],
        "radius_m": radius,
    }


def interventions(admin: httpx.Client, world: World) -> list[dict[str, Any]]:
    """Each kind of target, in the area groups and the coordination group; the circles
    reach over the areas' borders."""
    (kungsangen, wide), (border, near), (bro, small) = circles(world)
    area = {"kind": "area", "area_id": world.areas["Kungsängen"]}
    targets = [
        (KUNGSANGEN, area),
        (KUNGSANGEN, point(world, "Kungsängen", kungsangen, int(wide))),
        (KUNGSANGEN, point(world, "Kungsängen", border, int(near))),
        (BRO_GROUP, {"kind": "area", "area_id": world.areas["Bro"]}),
        (COORDINATION, point(world, "Bro", bro, int(small))),
        (COORDINATION, {"kind": "place", "place_id": world.place_id("Finnsta")}),
    ]
    return [
        made(admin.post(f"{V1}/interventions", json=intervention_body(world, group, target)))
        for group, target in targets
    ]


def indicators(admin: httpx.Client, world: World) -> list[dict[str, Any]]:
    goal = made(
        admin.post(
            f"{V1}/goals",
            json={
                "group_id": world.groups[STEERING],
                "theme": "Skadegörelse",
                "title": "Mindre skadegörelse",
            },
        )
    )
    return [
        made(
            admin.post(
                f"{V1}/goals/{goal['id']}/indicators",
                json={
                    "name": f"Skadegörelse {n}",
                    "kind": "computed",
                    "category": "skadegorelse",
                    "area_id": area,
                },
            )
        )
        for n, area in (("i kommunen", None), ("i Kungsängen", world.areas["Kungsängen"]))
    ]


def check_analysis(client: httpx.Client, group: int, seen: list[Seen], who: str) -> None:
    """The analysis counts what the lägesbild counts: in the period, every incident once,
    placed or not; in its cube of time steps, every placed one (the demo's areas have no
    boundaries here, so the study area is the incidents' surroundings and holds them all)."""
    period = {"from": FIRST.isoformat(), "to": LAST.isoformat()}
    analysis = made(client.get(f"{V1}/groups/{group}/analysis", params=period))
    significant = analysis["significant"]
    assert significant["area_from_incidents"], who
    in_period = between(seen, FIRST, LAST)
    assert significant["incidents"] + significant["unplaced"] == len(in_period), who
    assert significant["unplaced"] == len([s for s in in_period if s.where is None]), who
    steps = analysis["emerging"]["steps"]
    cube = between(seen, dt.date.fromisoformat(steps[0]["first_day"]), LAST)
    counted = sum(step["incidents"] for step in steps)
    assert counted == len([s for s in cube if s.where is not None]), who
    check_signals(analysis, seen, who)


def week_of(seen: list[Seen], monday: str) -> list[Seen]:
    first = dt.date.fromisoformat(monday)
    return between(seen, first, first + dt.timedelta(days=6))


def check_signals(analysis: dict[str, Any], seen: list[Seen], who: str) -> None:
    """Unusual weeks, near-repeat and reporting count the listed incidents: each tested
    week's, each unusual area's family's, each near-repeat kind's placed ones, each
    organisation's per week."""
    unusual = analysis["unusual_weeks"]
    assert [w["monday"] for w in unusual["weeks"]] == [FIRST.isoformat(), "2025-03-10"], who
    for week in unusual["weeks"]:
        assert week["incidents"] == len(week_of(seen, week["monday"])) > 0, (who, week)
    for found in unusual["unusual"]:
        mine = [s for s in week_of(seen, found["monday"]) if s.area == found["area"]]
        assert found["count"] == len([s for s in mine if s.family == found["family"]]), who
    near = analysis["near_repeat"]
    span = between(
        seen, dt.date.fromisoformat(near["first_day"]), dt.date.fromisoformat(near["last_day"])
    )
    for kind in near["kinds"]:
        code = kind["code"]
        of_kind = [s for s in span if s.where is not None and code in (s.category, s.family)]
        assert kind["events"] == len(of_kind), (who, code)
    assert any(kind["events"] for kind in near["kinds"]), who
    reporting = analysis["reporting"]
    by_week = [len(week_of(seen, monday)) for monday in reporting["weeks"]]
    assert reporting["totals"] == by_week and sum(by_week) > 0, who
    assert [r["name"] for r in reporting["reporters"]] == [POLICE], who
    assert reporting["reporters"][0]["counts"] == by_week, who


# The property -----------------------------------------------------------------------------


def test_every_figure_counts_only_what_its_reader_lists(server: Server, people: People) -> None:
    world = World.of(server, people).without_geometry(server)
    rng = random.Random(17)
    first = START - dt.timedelta(weeks=WEEKS)
    year_before = (FIRST.replace(year=FIRST.year - 1), 14)
    insert(server, world, plant(world, rng, 60, (first, 4 * 7)) + plant(world, rng, 8, year_before))
    groups = {name: world.groups[name] for name in GROUPS}
    period = {"first_day": FIRST.isoformat(), "last_day": LAST.isoformat()}

    with as_(server, people, "admin") as admin:
        published = {
            name: made(admin.post(f"{V1}/groups/{gid}/situation-reports", json=period))
            for name, gid in groups.items()
        }
        for name, report in published.items():
            published[name] = made(admin.post(f"{V1}/situation-reports/{report['id']}/publish"))
        measured = interventions(admin, world)
        counted = indicators(admin, world)
    seen_then = {}
    for who in ROLES:
        with as_(server, people, who) as client:
            seen_then[who] = listed(client)

    # More incidents after publishing: the drafts of new versions count them, the
    # published versions do not.
    insert(server, world, plant(world, rng, 6, (FIRST, 14)))
    with as_(server, people, "admin") as admin:
        drafts = {
            name: made(admin.post(f"{V1}/situation-reports/{report['id']}/versions"))
            for name, report in published.items()
        }
        meetings = {
            name: made(
                admin.post(
                    f"{V1}/groups/{gid}/meetings", json={"starts_at": f"{LAST.isoformat()}T18:00"}
                )
            )
            for name, gid in groups.items()
        }
    # The area an area group's figures are of; the others': the municipality.
    extent = {
        name: group["area"]["name"] if group["area"] else None
        for name, group in people["groups"].items()
    }

    answered: Counter[str] = Counter()
    for who in ROLES:
        with as_(server, people, who) as client:
            seen = listed(client)
            then = [s for s in seen if s.id in {t.id for t in seen_then[who]}]
            assert {s.organisation for s in seen} <= {POLICE}, "a demo role filed these"

            matched = client.get(f"{V1}/features/collections/incidents/items", params={"limit": 1})
            assert made(matched)["numberMatched"] == len(seen), who

            for name, gid in groups.items():
                live = client.get(f"{V1}/groups/{gid}/situation", params=period)
                if live.status_code in REFUSED:
                    continue
                answered["live"] += 1
                check_figures(made(live), seen, who)
                check_analysis(client, gid, within(seen, extent[name]), who)

                draft = client.get(f"{V1}/situation-reports/{drafts[name]['id']}")
                check_figures(made(draft)["figures"], seen, who)
                frozen = made(client.get(f"{V1}/situation-reports/{published[name]['id']}"))
                check_figures(frozen["figures"], then, who)
                for entry in [*frozen["rollup"], *made(draft)["rollup"]]:
                    answered["rollup"] += 1
                    rolled = within(then, extent[entry["group"]["name"]])
                    assert entry["total"]["current"] == len(between(rolled, FIRST, LAST)), who

                area = extent[name]
                now_ids = {s.id for s in between(within(seen, area), FIRST, LAST)}
                then_ids = {s.id for s in between(within(then, area), FIRST, LAST)}
                behind = client.get(f"{V1}/situation-reports/{drafts[name]['id']}/incidents")
                assert {i["id"] for i in made(behind)} == now_ids, who
                compared = made(
                    client.get(
                        f"{V1}/situation-reports/{published[name]['id']}/comparison/"
                        f"{drafts[name]['id']}"
                    )
                )
                assert set(compared["incidents_added"]) == now_ids - then_ids, who
                assert compared["incidents_removed"] == [], who
                changed = {c["label"]: (c["before"], c["after"]) for c in compared["counts"]}
                unchanged = (len(now_ids), len(now_ids))
                assert changed.get("Totalt", unchanged) == (len(then_ids), len(now_ids)), who

                meeting = client.get(f"{V1}/meetings/{meetings[name]['id']}")
                in_area = within(seen, area)
                assert agenda_counts(made(meeting)) == (
                    len(between(in_area, FIRST, LAST)),
                    len(between(in_area, FIRST - dt.timedelta(days=14), FIRST - dt.timedelta(1))),
                ), who

            for intervention in measured:
                effect = client.get(
                    f"{V1}/interventions/{intervention['id']}/effect", params={"weeks": WEEKS}
                )
                if effect.status_code in REFUSED:
                    continue
                answered[f"effect {intervention['id']}"] += 1
                expected = expected_effect(intervention, seen)
                assert counts_of(made(effect)) == expected, (who, intervention["target"])

            for indicator in counted:
                read = client.get(f"{V1}/indicators/{indicator['id']}", params={"quarters": 12})
                if read.status_code in REFUSED:
                    continue
                answered["indicator"] += 1
                area = indicator["area"]["name"] if indicator["area"] else None
                for p in made(read)["series"]:
                    days = (
                        dt.date.fromisoformat(p["first_day"]),
                        dt.date.fromisoformat(p["last_day"]),
                    )
                    count = len(
                        [
                            s
                            for s in between(within(seen, area), *days)
                            if s.family == "skadegorelse"
                        ]
                    )
                    assert p["value"] in (None, count), (who, p)

    # Not vacuous: Kungsängen's member measured each of its group's interventions, and
    # the lägesbild was read by more than the administrator.
    assert all(answered[f"effect {i['id']}"] >= 4 for i in measured[:3]), answered
    assert answered["live"] > len(GROUPS) and answered["indicator"] > 2, answered
    assert answered["rollup"] > 0, answered


def check_year(report: dict[str, Any], seen: list[Seen], who: str) -> None:
    """A yearly lägesbild's figures and months against the listed incidents of its year and
    the year before (the municipality-wide groups' scope: every area the reader reads)."""
    year = int(report["first_day"][:4])
    figures, survey = report["figures"], report["yearly"]
    for key, which in (("current", year), ("last_year", year - 1)):
        counted = between(seen, dt.date(which, 1, 1), dt.date(which, 12, 31))
        assert figures["total"][key] == len(counted), (who, key)
        by_area = Counter(s.area for s in counted)
        assert {r["name"]: r[key] for r in figures["areas"] if r[key]} == dict(by_area), who
        by_family = Counter(s.family for s in counted)
        assert {r["code"]: r[key] for r in figures["families"] if r[key]} == dict(by_family)
    for row in survey["months"]:
        first = dt.date.fromisoformat(row["first_day"])
        after = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = after - dt.timedelta(days=1)
        assert row["current"] == len(between(seen, first, last)), (who, row)
        earlier = (first.replace(year=first.year - 1), last.replace(year=last.year - 1))
        assert row["last_year"] == len(between(seen, *earlier)), (who, row)


def test_the_yearly_lagesbild_counts_only_what_its_reader_lists(
    server: Server, people: People
) -> None:
    """Lag (2023:196): the municipality's yearly lägesbild, a draft and a published one, read
    by each role: its year by area, category and month equals what the role lists."""
    world = World.of(server, people)
    rng = random.Random(23)
    insert(
        server,
        world,
        plant(world, rng, 12, (dt.date(2025, 1, 1), 365))
        + plant(world, rng, 6, (dt.date(2024, 1, 1), 366)),
    )
    yearly = {"kind": "year", "year": 2025}
    with as_(server, people, "admin") as admin:
        reports = {
            name: made(
                admin.post(f"{V1}/groups/{world.groups[name]}/situation-reports", json=yearly)
            )
            for name in (COORDINATION, STEERING)
        }
        made(admin.post(f"{V1}/situation-reports/{reports[COORDINATION]['id']}/publish"))
    answered: Counter[str] = Counter()
    for who in ROLES:
        with as_(server, people, who) as client:
            seen = listed(client)
            for report in reports.values():
                read = client.get(f"{V1}/situation-reports/{report['id']}")
                if read.status_code in REFUSED:
                    continue
                answered[who] += 1
                check_year(made(read), seen, who)
    # Not vacuous, and no more than those who read the whole municipality read it.
    assert set(answered) == {"admin", "coordination", "steering", "viewer"}, answered


# A target where the group works -----------------------------------------------------------


@pytest.mark.parametrize("who", ["kungsangen", "coordination"])
def test_a_point_target_in_another_area_is_refused_without_boundaries(
    server: Server, people: People, who: str
) -> None:
    """The finding: the demo areas have no boundaries, so a point in Bro given as
    Kungsängen's was taken. Without boundaries a point belongs to the area whose reference
    point (its centre, its places' positions) is nearest."""
    world = World.of(server, people)
    group = KUNGSANGEN if who == "kungsangen" else COORDINATION
    in_bro = point(world, "Kungsängen", (59.5141, 17.6243), 25)
    with as_(server, people, who) as client:
        response = client.post(f"{V1}/interventions", json=intervention_body(world, group, in_bro))
        assert field_errors(response) == {"target": "outside_area"}
        message = response.json()["errors"][0]["message"]
        assert "Bro" in message and "Kungsängen" in message, message
        at_home = point(world, "Kungsängen", world.centres["Kungsängen"], 25)
        made(client.post(f"{V1}/interventions", json=intervention_body(world, group, at_home)))


def test_boundaries_decide_where_areas_have_them(
    server: Server, people: People, api: httpx.Client
) -> None:
    """A boundary holds exactly what is inside it; a point in no boundary belongs to the
    nearest of the areas without one."""
    world = World.of(server, people).without_geometry(server)
    lat, lon = world.centres["Bro"]
    square = [
        [lon - 0.004, lat - 0.002],
        [lon + 0.004, lat - 0.002],
        [lon + 0.004, lat + 0.002],
        [lon - 0.004, lat + 0.002],
        [lon - 0.004, lat - 0.002],
    ]
    made(
        api.patch(
            f"{V1}/areas/{world.areas['Bro']}",
            json={"boundary": {"type": "Polygon", "coordinates": [square]}},
        )
    )
    near_bro = (59.5141, 17.6243)  # outside Bro's square, nearer Kungsängen than Brunna
    with as_(server, people, "coordination") as convener:
        inside = point(world, "Kungsängen", world.centres["Bro"], 25)
        response = convener.post(
            f"{V1}/interventions", json=intervention_body(world, COORDINATION, inside)
        )
        assert field_errors(response) == {"target": "outside_area"}
        response = convener.post(
            f"{V1}/interventions",
            json=intervention_body(world, COORDINATION, point(world, "Bro", near_bro, 25)),
        )
        assert field_errors(response) == {"target": "outside_area"}
        made(
            convener.post(
                f"{V1}/interventions",
                json=intervention_body(
                    world, COORDINATION, point(world, "Kungsängen", near_bro, 25)
                ),
            )
        )


def test_a_published_lagesbild_is_shown_only_to_those_who_read_all_it_counted(
    server: Server, people: People, api: httpx.Client
) -> None:
    """Published figures are frozen for all their readers and cannot be narrowed to one:
    when an area group moves to another area, its members no longer see the lägesbild it
    published over the old one (nor its incidents, nor a comparison with it)."""
    world = World.of(server, people)
    group = world.groups[KUNGSANGEN]
    insert(server, world, plant(world, random.Random(3), 5, (FIRST, 14)))
    period = {"first_day": FIRST.isoformat(), "last_day": LAST.isoformat()}
    report = made(api.post(f"{V1}/groups/{group}/situation-reports", json=period))
    made(api.post(f"{V1}/situation-reports/{report['id']}/publish"))
    paths = [
        f"{V1}/situation-reports/{report['id']}",
        f"{V1}/situation-reports/{report['id']}/incidents",
    ]
    with as_(server, people, "kungsangen") as member:
        assert [member.get(p).status_code for p in paths] == [200, 200]
        made(api.patch(f"{V1}/groups/{group}", json={"area_id": world.areas["Brunna"]}))
        assert [member.get(p).status_code for p in paths] == [404, 404]
        # Their group's live figures are now Brunna's, which they read.
        live = made(member.get(f"{V1}/groups/{group}/situation", params=period))
        check_figures(live, listed(member), "kungsangen")
        assert {s.area for s in listed(member)} == {"Brunna"}
    with as_(server, people, "coordination") as convener:
        assert [convener.get(p).status_code for p in paths] == [200, 200]

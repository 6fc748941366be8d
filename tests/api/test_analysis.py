"""A group's analysis over HTTP (#23): significant hot spots (Gi*) where incidents were
planted, an emerging hot spot classed as new, under the lägesbild's scope, and honest 422s.
The methods themselves are checked in test_analysis_methods.py."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import httpx
from sqlalchemy import func, select

from api.incidents.models import Incident
from tests.support.people import People, as_
from tests.support.planted import (
    BRO_GROUP,
    COORDINATION,
    KUNGSANGEN,
    LatLon,
    Spec,
    World,
    insert,
    metres,
    midnight,
    offset,
)
from tests.support.servers import Server
from tests.support.signals import BURGLARY, RISING, STEADY, at, plant_signals

V1 = "/api/v1"
LAST = dt.date(2025, 6, 15)
FIRST = LAST - dt.timedelta(days=13)
PERIOD = {"from": FIRST.isoformat(), "to": LAST.isoformat()}


def _plant(server: Server, world: World) -> LatLon:
    """Background incidents all over Bro and Kungsängen for half a year, and in the period
    a cluster of fifteen within 40 m in Bro, where nothing happened before."""
    rng = random.Random(23)
    specs = []
    start = FIRST - dt.timedelta(days=14 * 11)
    for area in ("Bro", "Kungsängen"):
        for _ in range(60):
            where = offset(world.centres[area], rng.uniform(0, 1500), rng.uniform(0, 360))
            specs.append(Spec(at=at(rng, start, 14 * 12), where=where, area=area))
    hot = offset(world.centres["Bro"], 300, 45)
    for _ in range(15):
        where = offset(hot, rng.uniform(0, 40), rng.uniform(0, 360))
        specs.append(Spec(at=at(rng, FIRST, 14), where=where, area="Bro"))
    specs.append(Spec(at=at(rng, FIRST, 14), where=None, area="Bro"))
    insert(server, world, specs)
    return hot


def _analysis(client: httpx.Client, group: int, **params: Any) -> httpx.Response:
    return client.get(f"{V1}/groups/{group}/analysis", params={**PERIOD, **params})


def test_a_planted_hot_spot_is_significant_and_new(server: Server, people: People) -> None:
    world = World.of(server, people)
    hot = _plant(server, world)
    with as_(server, people, "coordination") as client:
        answer = _analysis(client, world.groups[COORDINATION])
        assert answer.status_code == 200, answer.text
        analysis = answer.json()
    significant = analysis["significant"]
    assert significant["cell_m"] == 100 and significant["band_m"] == 150
    assert significant["area_from_incidents"] is False  # the demo's areas have boundaries
    assert significant["hot"], "the planted cluster was not found"
    top = significant["hot"][0]
    assert metres((top["lat"], top["lon"]), hot) < 150, top
    assert all(cell["q"] < significant["level"] and cell["z"] > 0 for cell in significant["hot"])
    # The background gathers near the town's centre, which over a whole municipality of
    # fields and forest is a cluster too, of a few incidents; the planted one stands out.
    strong = [c for c in significant["hot"] if c["neighbourhood"] >= 6]
    assert all(metres((c["lat"], c["lon"]), hot) < 300 for c in strong), strong
    assert all(metres((c["lat"], c["lon"]), hot) < 150 for c in significant["hot"][:4])
    # Touching hot cells are one zone: the planted cluster is the first, named by its area.
    zone = significant["zones"][0]
    assert metres((zone["lat"], zone["lon"]), hot) < 150 and zone["area"] == "Bro", zone
    assert zone["count"] >= 15 and zone["cells"] >= 4
    assert sum(z["cells"] for z in significant["zones"]) == len(significant["hot"])
    # Everything of the period is counted once: placed in the area, or not placed.
    planted_in_period = 15 + 1 + _background_in_period(server, world)
    assert significant["incidents"] + significant["unplaced"] == planted_in_period

    cube = analysis["emerging"]
    assert len(cube["steps"]) == 12 and cube["steps"][-1]["last_day"] == LAST.isoformat()
    assert cube["steps"][-1]["first_day"] == FIRST.isoformat()
    new = [c for c in cube["cells"] if c["kind"] == "new"]
    assert new and metres((new[0]["lat"], new[0]["lon"]), hot) < 200, cube["cells"][:3]
    assert cube["kinds"]["new"] == len(new)
    assert len(new[0]["z"]) == 12
    # The new cells that touch are one new hot spot, named by its area.
    zone = next(z for z in cube["zones"] if z["kind"] == "new")
    assert metres((zone["lat"], zone["lon"]), hot) < 200 and zone["area"] == "Bro", zone
    assert zone["count"] >= 15 and zone["hot_steps"] == 1


def _background_in_period(server: Server, world: World) -> int:
    with server.database.session(write=False) as session:
        return (
            int(
                session.scalar(
                    select(func.count()).where(
                        Incident.municipality_id == world.municipality_id,
                        Incident.occurred_from >= midnight(FIRST),
                        Incident.occurred_from < midnight(LAST + dt.timedelta(days=1)),
                        Incident.area_id.in_([world.areas["Bro"], world.areas["Kungsängen"]]),
                    )
                )
                or 0
            )
            - 16
        )


def test_an_area_group_sees_its_own_area_only(server: Server, people: People) -> None:
    world = World.of(server, people)
    hot = _plant(server, world)
    with as_(server, people, "kungsangen") as client:
        # The Bro group's analysis is not theirs to read, as its lägesbild is not.
        refused = _analysis(client, world.groups[BRO_GROUP])
        assert refused.status_code in (403, 404), refused.text
        own = _analysis(client, world.groups[KUNGSANGEN])
        assert own.status_code == 200, own.text
    cells = own.json()["significant"]["hot"] + own.json()["emerging"]["cells"]
    assert all(metres((c["lat"], c["lon"]), hot) > 500 for c in cells)


def test_bad_requests_are_explained(server: Server, people: People) -> None:
    world = World.of(server, people)
    group = world.groups[COORDINATION]
    with as_(server, people, "coordination") as client:
        backwards = _analysis(client, group, **{"from": LAST.isoformat(), "to": FIRST.isoformat()})
        assert backwards.status_code == 422
        assert backwards.headers["content-type"].startswith("application/problem+json")
        assert "före" in backwards.text
        fine = _analysis(client, group, cell_m=25)
        assert fine.status_code == 422, fine.text
        assert "större rutor" in fine.json()["errors"][0]["message"]
        assert _analysis(client, group, cell_m=5).status_code == 422
        assert _analysis(client, 999_999).status_code == 404


def test_unusual_weeks_near_repeat_and_reporting_are_found(server: Server, people: People) -> None:
    world = World.of(server, people)
    plant_signals(server, world, FIRST, LAST)
    with as_(server, people, "coordination") as client:
        answer = _analysis(client, world.groups[COORDINATION])
        # The meeting's agenda says it too: the last whole week before the meeting.
        meeting = client.post(
            f"{V1}/groups/{world.groups[COORDINATION]}/meetings",
            json={"starts_at": f"{LAST.isoformat()}T18:00"},
        )
    assert answer.status_code == 200, answer.text
    analysis = answer.json()
    assert meeting.status_code == 201, meeting.text
    item = next(i for i in meeting.json()["agenda"] if i["kind"] == "unusual")
    assert item["title"] == "Ovanligt många vecka 24", item
    assert re.search(r"Skadegörelse i Bro \(11, brukar vara [234](–[34])?\)", item["note"]), item

    found = analysis["unusual_weeks"]
    assert [w["monday"] for w in found["weeks"]] == [FIRST.isoformat(), "2025-06-09"]
    # In Bro the last week's graffiti only; elsewhere what five years never saw (the
    # burglaries, the companies' reports) is unusual too.
    in_bro = [u for u in found["unusual"] if u["area"] == "Bro"]
    assert [(u["monday"], u["family"]) for u in in_bro] == [("2025-06-09", "skadegorelse")]
    graffiti = in_bro[0]
    assert graffiti["count"] == 11 and graffiti["week"] == 24
    assert 2 <= graffiti["usual_low"] <= graffiti["usual_high"] <= 4
    assert graffiti["baseline_weeks"] == 35 and graffiti["threshold"] < 11

    kinds = {k["code"]: k for k in analysis["near_repeat"]["kinds"]}
    burglary = kinds[BURGLARY]
    assert burglary["events"] == 60 and burglary["tested"]
    assert (burglary["reach_m"], burglary["reach_days"]) == (100, 7), burglary["cells"]
    assert burglary["ratio"] > 3
    assert not kinds["skadegorelse.brand"]["tested"]

    reporters = {r["name"]: r for r in analysis["reporting"]["reporters"]}
    rising = reporters[RISING]
    assert rising["explains"] and rising["direction"] == "more", rising
    assert rising["change_monday"] == "2025-05-26" and rising["change_week"] == 22
    assert rising["counts"] == [1] * 11 + [8] * 3
    assert reporters[STEADY]["change_week"] is None and not reporters[STEADY]["explains"]
    assert sum(analysis["reporting"]["totals"]) == sum(r["total"] for r in reporters.values())

"""A published lägesbild keeps its analysis (#23, point 10): what the group's analysis of the
period said when its convener published it, unchanged by what is filed after; a new version
gets its own; a draft has none (404); and it is read exactly as the lägesbild is."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import httpx
from sqlalchemy import update

from api.situation.models import SituationReport
from tests.support.people import People, as_
from tests.support.planted import (
    COORDINATION,
    KUNGSANGEN,
    LatLon,
    Spec,
    World,
    insert,
    offset,
)
from tests.support.servers import Server
from tests.support.signals import at

V1 = "/api/v1"
LAST = dt.date(2025, 6, 15)
FIRST = LAST - dt.timedelta(days=13)
DAYS = {"first_day": FIRST.isoformat(), "last_day": LAST.isoformat()}
PROBLEM = "application/problem+json"


def _plant(server: Server, world: World) -> LatLon:
    """Background incidents in Bro and Kungsängen over the cube's 168 days, and a cluster of
    twelve within 40 m in Bro in the period."""
    rng = random.Random(10)
    start = FIRST - dt.timedelta(days=14 * 11)
    specs = [
        Spec(
            at(rng, start, 14 * 12), offset(world.centres[area], rng.uniform(0, 1500), angle), area
        )
        for area in ("Bro", "Kungsängen")
        for angle in (rng.uniform(0, 360) for _ in range(30))
    ]
    hot = offset(world.centres["Bro"], 300, 45)
    specs += [
        Spec(at(rng, FIRST, 14), offset(hot, rng.uniform(0, 40), rng.uniform(0, 360)))
        for _ in range(12)
    ]
    insert(server, world, specs)
    return hot


def _live(client: httpx.Client, group: int) -> dict[str, Any]:
    answer = client.get(
        f"{V1}/groups/{group}/analysis", params={"from": FIRST.isoformat(), "to": LAST.isoformat()}
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _frozen(client: httpx.Client, report_id: int) -> httpx.Response:
    return client.get(f"{V1}/situation-reports/{report_id}/analysis")


def _publish(client: httpx.Client, report_id: int) -> None:
    published = client.post(f"{V1}/situation-reports/{report_id}/publish")
    assert published.status_code == 200, published.text


def test_a_published_lagesbild_keeps_the_analysis_it_was_published_with(
    server: Server, people: People
) -> None:
    world = World.of(server, people)
    hot = _plant(server, world)
    group = world.groups[COORDINATION]
    with as_(server, people, "coordination") as convener:
        made = convener.post(f"{V1}/groups/{group}/situation-reports", json=DAYS)
        assert made.status_code == 201, made.text
        draft = made.json()["id"]
        refused = _frozen(convener, draft)
        assert refused.status_code == 404 and refused.headers["content-type"] == PROBLEM
        assert refused.json()["code"] == "draft_has_no_frozen_analysis"
        assert refused.json()["detail"].startswith("Ett utkast har ingen fryst analys; se grupp")

        before = _live(convener, group)
        _publish(convener, draft)
        frozen = _frozen(convener, draft)
        assert frozen.status_code == 200, frozen.text
        assert frozen.json() == before
        assert before["significant"]["hot"] and before["significant"]["incidents"] >= 12

        # Filed since, in the period: the group's analysis counts it, the frozen one does not.
        insert(server, world, [Spec(dt.datetime(2025, 6, 10, 22, tzinfo=dt.UTC), hot)])
        after = _live(convener, group)
        assert after["significant"]["incidents"] == before["significant"]["incidents"] + 1
        assert _frozen(convener, draft).json() == before

        # A correction gets its own when it is published, and the first keeps its own.
        version = convener.post(f"{V1}/situation-reports/{draft}/versions")
        assert version.status_code == 201, version.text
        second = version.json()["id"]
        assert _frozen(convener, second).status_code == 404
        _publish(convener, second)
        assert _frozen(convener, second).json() == after
        assert _frozen(convener, draft).json() == before


def test_the_frozen_analysis_is_read_as_its_lagesbild_is(server: Server, people: People) -> None:
    world = World.of(server, people)
    reports = {}
    with as_(server, people, "admin") as admin:
        for name in (COORDINATION, KUNGSANGEN):
            made = admin.post(f"{V1}/groups/{world.groups[name]}/situation-reports", json=DAYS)
            assert made.status_code == 201, made.text
            reports[name] = made.json()["id"]
            _publish(admin, reports[name])
    for who in ("admin", "steering", "coordination", "viewer", "kungsangen", "reporter"):
        with as_(server, people, who) as client:
            for name, report in reports.items():
                read = client.get(f"{V1}/situation-reports/{report}")
                frozen = _frozen(client, report)
                assert frozen.status_code == read.status_code, (who, name, frozen.text)
                assert read.status_code == (404 if (who, name) in {
                    ("kungsangen", COORDINATION), ("reporter", COORDINATION),
                    ("reporter", KUNGSANGEN)} else 200), (who, name)  # fmt: skip
    with as_(server, people, "admin") as admin:
        token = admin.post(
            f"{V1}/service-tokens",
            json={
                "source": "embrace",
                "organisation_id": people["organisations"]["Rapid Säkerhet"]["id"],
            },
        ).json()["token"]
        assert _frozen(admin, 999_999).status_code == 404
    with server.client(token) as service:
        assert _frozen(service, reports[COORDINATION]).status_code == 403

    # Published before the analysis was kept with it: said so, in Swedish.
    with server.database.session(write=True) as session:
        session.execute(
            update(SituationReport)
            .where(SituationReport.id == reports[COORDINATION])
            .values(analysis_frozen=None)
        )
    with as_(server, people, "viewer") as viewer:
        old = _frozen(viewer, reports[COORDINATION])
    assert old.status_code == 404 and old.json()["code"] == "no_frozen_analysis"
    assert "publicerades innan analysen" in old.json()["detail"]

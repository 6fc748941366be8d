"""Interventions (insatser) over HTTP: creating one for each kind of target and reading it
back, listing, changing, refusing what names records that do not exist, who reads and
writes which group's interventions, follow-ups, and the measured effect.

The effect is checked against planted scenarios and against counts made here, in plain
Python, from the incidents the test wrote: the windows, the zone, the ring and the comparison
follow the rules as the docstring of ``api/interventions/effect.py`` states them, and
Fisher's exact test is computed here with ``math.comb``. Nothing here calls ``api.interventions``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.factories import act_in, file_report, make_municipality
from tests.support.people import People, as_
from tests.support.planted import (
    BRO_GROUP,
    COORDINATION,
    KLOTTER,
    KUNGSANGEN,
    POLICE,
    STEERING,
    TZ,
    UTC,
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
PROBLEM = "application/problem+json"
# A Monday well in the past: the eight weeks after it have long passed.
START = dt.date(2025, 3, 3)
# What the effect's docstring calls too few: MIN_INCIDENTS in the zone, MIN_BEFORE before.
MIN_INCIDENTS = 10
MIN_BEFORE = 5
SIGNIFICANCE = 0.05


# The demo, by name ------------------------------------------------------------------------


def place_at(api: httpx.Client, world: World, name: str, where: LatLon | None) -> None:
    """Give a demo place a position (other than its approximate one), or take it away."""
    point = None if where is None else {"type": "Point", "coordinates": [where[1], where[0]]}
    response = api.patch(f"{V1}/places/{world.place_id(name)}", json={"point": point})
    assert response.status_code == 200, response.text


# Geometry and time (more in tests/support/planted.py) ------------------------------------


def around(centre: LatLon, count: int, low: float, high: float, turn: float = 0.0) -> list[LatLon]:
    """``count`` points between ``low`` and ``high`` metres from ``centre``, spread around it."""
    return [
        offset(centre, low + (high - low) * (i + 0.5) / count, turn + i * 137.508)
        for i in range(count)
    ]


def spread(count: int, first: dt.date, days: int, hour: int = 12) -> list[dt.datetime]:
    """``count`` instants over ``days`` local days from ``first``, at about ``hour``."""
    return [
        dt.datetime.combine(
            first + dt.timedelta(days=i * days // count),
            dt.time(hour, (7 * i) % 60),
            tzinfo=TZ,
        ).astimezone(UTC)
        for i in range(count)
    ]


def before_window(start: dt.date = START, weeks: int = 8) -> list[dt.datetime]:
    return [midnight(start - dt.timedelta(weeks=weeks)), midnight(start)]


def today() -> dt.date:
    return dt.datetime.now(TZ).date()


# The effect, counted here -----------------------------------------------------------------


@dataclass(frozen=True)
class Circle:
    centre: LatLon
    radius: float
    area: str  # the area it lies in: the comparison is the rest of it
    place: str | None = None  # a place target: its incidents without a position are in it


@dataclass(frozen=True)
class AtPlace:
    """A place without a position: the incidents filed at it, against the rest of its area."""

    place: str
    area: str


@dataclass(frozen=True)
class Counted:
    zone: tuple[int, int]
    comparison: tuple[int, int]
    ring: tuple[int, int] | None


def counted(
    specs: Iterable[Spec],
    target: Circle | AtPlace | str,
    categories: Sequence[str],
    *,
    start: dt.date = START,
    weeks: int = 8,
) -> Counted:
    """Before and after counts of the zone, the comparison and the ring: the incidents of
    the categories (a family, or a category), not withdrawn, in the N whole local weeks
    before the start and the N weeks from it; until those have passed, the whole days since
    the start and as many before it; not started, the N weeks either side."""
    days = min(7 * weeks, max(0, (today() - start).days)) or 7 * weeks
    first = midnight(start - dt.timedelta(days=days))
    boundary = midnight(start)
    end = midnight(start + dt.timedelta(days=days))
    wanted = [
        s
        for s in specs
        if not s.withdrawn
        and (s.category in categories or s.family in categories)
        and first <= s.at < end
    ]

    def pair(items: Iterable[Spec]) -> tuple[int, int]:
        chosen = list(items)
        after = sum(1 for s in chosen if s.at >= boundary)
        return len(chosen) - after, after

    if isinstance(target, str):
        return Counted(
            zone=pair(s for s in wanted if s.area == target),
            comparison=pair(s for s in wanted if s.area != target),
            ring=None,
        )
    if isinstance(target, AtPlace):
        at = target
        return Counted(
            zone=pair(s for s in wanted if s.place == at.place),
            comparison=pair(s for s in wanted if s.area == at.area and s.place != at.place),
            ring=None,
        )
    circle = target

    def in_zone(s: Spec) -> bool:
        if s.where is None:
            return circle.place is not None and s.place == circle.place
        return metres(s.where, circle.centre) <= circle.radius

    def in_ring(s: Spec) -> bool:
        return (
            s.where is not None
            and circle.radius < metres(s.where, circle.centre) <= 2 * circle.radius
        )

    return Counted(
        zone=pair(s for s in wanted if in_zone(s)),
        comparison=pair(
            s for s in wanted if s.area == circle.area and not in_zone(s) and not in_ring(s)
        ),
        ring=pair(s for s in wanted if in_ring(s)),
    )


def fisher(zone: tuple[int, int], comparison: tuple[int, int]) -> tuple[float, float]:
    """One-sided p-values (fewer, more) of Fisher's exact test on the table zone/comparison
    × before/after, from the hypergeometric probabilities of the zone's after count."""
    (zb, za), (cb, ca) = zone, comparison
    n, after, total = zb + za, za + ca, zb + za + cb + ca

    def p(x: int) -> float:
        return math.comb(after, x) * math.comb(total - after, n - x) / math.comb(total, n)

    xs = range(max(0, n - (total - after)), min(n, after) + 1)
    return sum(p(x) for x in xs if x <= za), sum(p(x) for x in xs if x >= za)


def judged(got: Counted, *, complete: bool = True) -> tuple[str, float | None]:
    """The verdict and p-value the docstring describes: too few unless both the zone and
    the comparison have MIN_INCIDENTS, MIN_BEFORE of them before; then Fisher's test."""
    if not complete:
        return "not_yet", None
    if any(b + a < MIN_INCIDENTS or b < MIN_BEFORE for b, a in (got.zone, got.comparison)):
        return "too_few", None
    fewer, more = fisher(got.zone, got.comparison)
    if fewer < SIGNIFICANCE:
        return "reduction", fewer
    if more < SIGNIFICANCE:
        return "increase", more
    return "no_clear_change", min(fewer, more)


def pair_of(counts: dict[str, Any] | None) -> tuple[int, int] | None:
    return None if counts is None else (counts["before"], counts["after"])


def change(before: int, after: int) -> float | None:
    return None if before == 0 else after / before - 1


def check_effect(
    effect: dict[str, Any], expected: Counted, *, complete: bool = True
) -> dict[str, Any]:
    """The counts, changes, difference and test of ``effect`` against those counted here."""
    assert pair_of(effect["zone"]) == expected.zone, effect
    assert pair_of(effect["comparison"]) == expected.comparison, effect
    assert pair_of(effect["ring"]) == expected.ring, effect
    verdict, p_value = judged(expected, complete=complete)
    assert effect["verdict"] == verdict, effect
    # Nothing judged, no percentage at all.
    unjudged = verdict in ("too_few", "not_yet")
    for part in ("zone", "comparison", "ring"):
        if effect[part] is not None:
            wanted = None if unjudged else change(effect[part]["before"], effect[part]["after"])
            got = effect[part]["change"]
            assert got is None if wanted is None else got == pytest.approx(wanted), part
    zone, comparison = change(*expected.zone), change(*expected.comparison)
    if zone is None or comparison is None or unjudged:
        assert effect["difference_pp"] is None
    else:
        assert effect["difference_pp"] == pytest.approx(round(100 * (zone - comparison), 1))
    if unjudged:
        assert "%" not in effect["summary"], effect["summary"]
    assert effect["complete"] is complete
    assert effect["min_incidents"] == MIN_INCIDENTS
    if p_value is not None:
        assert effect["p_value"] == pytest.approx(p_value, abs=1e-4), effect
    check_weighted(effect["weighted"], expected, judged=not unjudged)
    return effect


def check_weighted(weighted: dict[str, Any] | None, expected: Counted, *, judged: bool) -> None:
    """The Weighted Displacement Difference and Quotient as the docstring defines them."""
    if not judged:
        assert weighted is None
        return
    assert weighted is not None
    (zb, za), (cb, ca) = expected.zone, expected.comparison
    rb, ra = expected.ring or (0, 0)
    wdd = (za - zb) - (ca - cb) + (ra - rb)
    se = math.sqrt(zb + za + cb + ca + rb + ra)
    assert weighted["wdd"] == wdd and weighted["se"] == pytest.approx(se, abs=1e-4)
    assert weighted["z"] == pytest.approx(wdd / se, abs=1e-4)
    if expected.ring is None or not (ca and cb) or za / ca == zb / cb:
        assert weighted["wdq"] is None
    else:
        wdq = (ra / ca - rb / cb) / (za / ca - zb / cb)
        assert weighted["wdq"] == pytest.approx(wdq, abs=1e-4)


# Requests -----------------------------------------------------------------------------------


def body(world: World, group: str = COORDINATION, **changes: Any) -> dict[str, Any]:
    return {
        "group_id": world.groups[group],
        "title": "Väktare vid Bro centrum helgkvällar",
        "type": "guards",
        "owner_organisation_id": world.organisations[POLICE],
        "responsible": "Kim Kvällsvakt",
        # An area group's interventions are in its area.
        "target": {
            "kind": "area",
            "area_id": world.areas["Kungsängen" if group == KUNGSANGEN else "Bro"],
        },
        "categories": [KLOTTER],
        "planned_start": START.isoformat(),
        **changes,
    }


def create(client: httpx.Client, payload: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{V1}/interventions", json=payload)
    assert response.status_code == 201, response.text
    intervention: dict[str, Any] = response.json()
    assert response.headers["location"] == f"{V1}/interventions/{intervention['id']}"
    return intervention


def url(intervention: dict[str, Any] | int) -> str:
    ident = intervention if isinstance(intervention, int) else intervention["id"]
    return f"{V1}/interventions/{ident}"


def effect_of(client: httpx.Client, intervention: dict[str, Any], **params: Any) -> dict[str, Any]:
    response = client.get(f"{url(intervention)}/effect", params=params)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def listed(client: httpx.Client, **params: Any) -> list[int]:
    response = client.get(f"{V1}/interventions", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    assert response.json()["next"] is None
    return [i["id"] for i in response.json()["items"]]


def is_problem(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = response.json()
    if code is not None:
        assert problem["code"] == code, problem
    return problem


def field_errors(response: httpx.Response) -> dict[str, str]:
    """The field errors of a 422, as field: code."""
    problem = is_problem(response, 422)
    return {e["field"]: e["code"] for e in problem["errors"]}


def ref(ident: int, name: str) -> dict[str, Any]:
    return {"id": ident, "name": name}


# Creating and reading back ------------------------------------------------------------------


def test_each_kind_of_target_is_created_and_read_back(
    server: Server, people: People, api: httpx.Client
) -> None:
    world = World.of(server, people)
    centre = world.centres["Bro"]
    place_at(api, world, "Bro centrum", centre)
    linked = insert(server, world, [Spec(midnight(START) - dt.timedelta(days=d)) for d in (3, 2)])
    bro = ref(world.areas["Bro"], "Bro")
    with as_(server, people, "coordination") as convener:
        area = create(
            convener,
            body(
                world,
                description="Två väktare fredag och lördag 20–02.",
                planned_end="2025-06-01",
                status="ongoing",
                categories=["skadegorelse", "ordning.brak"],
                incident_ids=[linked[1], linked[0], linked[1]],
            ),
        )
        place = create(
            convener,
            body(
                world,
                type="lighting",
                target={"kind": "place", "place_id": world.place_id("Bro centrum")},
            ),
        )
        wide = create(
            convener,
            body(
                world,
                target={
                    "kind": "place",
                    "place_id": world.place_id("Bro centrum"),
                    "radius_m": 400,
                },
            ),
        )
        point = create(
            convener,
            body(
                world,
                type="clearing",
                target={
                    "kind": "point",
                    "area_id": world.areas["Bro"],
                    "lat": centre[0] + 0.001,
                    "lon": centre[1],
                    "radius_m": 150,
                },
            ),
        )

        assert area["group"] == ref(world.groups[COORDINATION], COORDINATION)
        assert area["title"] == "Väktare vid Bro centrum helgkvällar"
        assert area["type"] == "guards"
        assert area["description"] == "Två väktare fredag och lördag 20–02."
        assert area["owner_organisation"] == ref(world.organisations[POLICE], POLICE)
        assert area["responsible"] == "Kim Kvällsvakt"
        assert area["target"] == {
            "kind": "area",
            "area": bro,
            "place": None,
            "lat": None,
            "lon": None,
            "radius_m": None,
        }
        assert area["categories"] == ["skadegorelse", "ordning.brak"]
        assert (area["planned_start"], area["planned_end"]) == ("2025-03-03", "2025-06-01")
        assert area["status"] == "ongoing"
        assert sorted(area["incident_ids"]) == sorted(linked)  # each once
        assert area["may_edit"] is True
        assert area["created_at"] and area["updated_at"]

        # A place: a circle of 250 m around it unless told, in the place's area.
        bro_centrum = ref(world.place_id("Bro centrum"), "Bro centrum")
        assert place["target"] == {
            "kind": "place",
            "area": bro,
            "place": bro_centrum,
            "lat": None,
            "lon": None,
            "radius_m": 250,
        }
        assert wide["target"]["radius_m"] == 400
        assert wide["target"]["place"] == bro_centrum
        # A point: in the area it was given in.
        assert point["target"] == {
            "kind": "point",
            "area": bro,
            "place": None,
            "lat": pytest.approx(centre[0] + 0.001),
            "lon": pytest.approx(centre[1]),
            "radius_m": 150,
        }
        # Defaults: planned, no end, no linked incidents, nothing described.
        assert place["status"] == "planned"
        assert place["planned_end"] is None
        assert place["incident_ids"] == []
        assert place["description"] is None

        for made in (area, place, wide, point):
            got = convener.get(url(made))
            assert got.status_code == 200, got.text
            read = got.json()
            assert sorted(read.pop("incident_ids")) == sorted(made.pop("incident_ids"))
            assert read == made
        # Linked incidents read back in the order of their ids.
        assert convener.get(url(area)).json()["incident_ids"] == sorted(linked)


def test_the_list_filters_by_group_and_status_and_pages_newest_first(
    server: Server, people: People
) -> None:
    world = World.of(server, people)
    with as_(server, people, "coordination") as convener:
        made = [
            create(convener, body(world, status=status))["id"]
            for status in ("planned", "ongoing", "done", "ongoing", "cancelled")
        ]
    with as_(server, people, "kungsangen") as member:
        theirs = create(member, body(world, KUNGSANGEN, status="ongoing"))["id"]
    with as_(server, people, "steering") as steering:
        assert listed(steering) == sorted([*made, theirs], reverse=True)
        assert listed(steering, group=world.groups[COORDINATION]) == made[::-1]
        assert listed(steering, group=world.groups[KUNGSANGEN]) == [theirs]
        assert listed(steering, group=world.groups[BRO_GROUP]) == []
        assert listed(steering, status="ongoing") == sorted(
            [made[1], made[3], theirs], reverse=True
        )
        assert listed(steering, status="ongoing", group=world.groups[COORDINATION]) == [
            made[3],
            made[1],
        ]
        assert listed(steering, status="done") == [made[2]]

        # Two at a time, following next, newest first.
        seen: list[int] = []
        pages = 0
        path: str | None = f"{V1}/interventions?limit=2"
        while path is not None:
            response = steering.get(path)
            assert response.status_code == 200, response.text
            page = response.json()
            assert len(page["items"]) <= 2
            seen += [i["id"] for i in page["items"]]
            path = page["next"]
            pages += 1
        assert seen == sorted([*made, theirs], reverse=True)
        assert pages == 3

        # A page of a filtered list keeps its filter.
        first = steering.get(f"{V1}/interventions", params={"limit": 1, "status": "ongoing"}).json()
        rest = steering.get(first["next"]).json()
        assert [i["id"] for i in first["items"] + rest["items"]] == [theirs, made[3]]

        is_problem(steering.get(f"{V1}/interventions", params={"status": "someday"}), 422)
        is_problem(steering.get(f"{V1}/interventions", params={"cursor": "nonsense"}), 422)


def test_a_patch_changes_the_status_and_the_linked_incidents(
    server: Server, people: People
) -> None:
    world = World.of(server, people)
    ids = insert(server, world, [Spec(midnight(START) - dt.timedelta(days=d)) for d in (1, 2, 3)])
    with as_(server, people, "coordination") as convener:
        made = create(convener, body(world, incident_ids=[ids[0]]))

        response = convener.patch(url(made), json={"status": "ongoing"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "ongoing"
        assert response.json()["incident_ids"] == [ids[0]]

        response = convener.patch(url(made), json={"incident_ids": [ids[2], ids[1]]})
        assert response.status_code == 200, response.text
        assert sorted(response.json()["incident_ids"]) == sorted(ids[1:])
        read = convener.get(url(made)).json()
        assert read["incident_ids"] == sorted(ids[1:])
        assert read["status"] == "ongoing"
        # What was not sent is as it was.
        assert (read["title"], read["categories"], read["target"]) == (
            made["title"],
            made["categories"],
            made["target"],
        )

        response = convener.patch(
            url(made), json={"status": "done", "planned_end": "2025-04-30", "incident_ids": []}
        )
        assert response.status_code == 200, response.text
        read = convener.get(url(made)).json()
        assert (read["status"], read["planned_end"], read["incident_ids"]) == (
            "done",
            "2025-04-30",
            [],
        )

        # The target changes whole: from an area to a point.
        point = {
            "kind": "point",
            "area_id": world.areas["Bro"],
            "lat": 59.51,
            "lon": 17.64,
            "radius_m": 300,
        }
        response = convener.patch(url(made), json={"target": point})
        assert response.status_code == 200, response.text
        assert convener.get(url(made)).json()["target"]["radius_m"] == 300

        # Null for what cannot be cleared, and fields that do not exist, are refused.
        assert "status" in field_errors(convener.patch(url(made), json={"status": None}))
        assert "colour" in field_errors(convener.patch(url(made), json={"colour": "red"}))
        is_problem(convener.patch(url(999_999), json={"status": "done"}), 404)
        assert convener.get(url(made)).json()["status"] == "done"


def test_a_period_that_ends_before_it_starts_is_refused_and_nothing_is_saved(
    server: Server, people: People
) -> None:
    world = World.of(server, people)
    with as_(server, people, "coordination") as convener:
        response = convener.post(
            f"{V1}/interventions",
            json=body(world, planned_start="2025-03-03", planned_end="2025-03-02"),
        )
        assert field_errors(response) == {"planned_end": "period_order"}
        assert listed(convener) == []

        # A one-day intervention is fine.
        made = create(convener, body(world, planned_end="2025-03-03"))
        for change_ in (
            {"planned_end": "2025-03-01"},
            {"planned_start": "2025-03-04"},
            {"planned_start": "2025-05-01", "planned_end": "2025-04-01", "status": "done"},
        ):
            response = convener.patch(url(made), json=change_)
            assert field_errors(response) == {"planned_end": "period_order"}, change_
        read = convener.get(url(made)).json()
        assert (read["planned_start"], read["planned_end"], read["status"]) == (
            "2025-03-03",
            "2025-03-03",
            "planned",
        )
        assert listed(convener) == [made["id"]]


def test_records_that_do_not_exist_are_named_beside_their_fields(
    server: Server, people: People, api: httpx.Client
) -> None:
    world = World.of(server, people)
    (incident,) = insert(server, world, [Spec(midnight(START))])
    # Another municipality's organisation, area and place are as unknown as made-up ids.
    # (Made by that municipality's administrator: one of Upplands-Bro's may not.)
    other = make_municipality(api, "Håbo kommun")["id"]
    act_in(api, other)
    other_org = api.post(
        f"{V1}/organisations",
        json={"municipality_id": other, "name": "Håbo polis", "kind": "police"},
    )
    assert other_org.status_code == 201, other_org.text
    other_area = api.post(f"{V1}/areas", json={"municipality_id": other, "name": "Bålsta"}).json()[
        "id"
    ]
    other_place = api.post(
        f"{V1}/places",
        json={
            "area_id": other_area,
            "name": "Bålsta centrum",
            "point": {"type": "Point", "coordinates": [17.53, 59.57]},
        },
    )
    assert other_place.status_code == 201, other_place.text
    act_in(api, people["municipality"]["id"])

    with as_(server, people, "coordination") as convener:
        # Every unknown record at once, each beside its own field.
        response = convener.post(
            f"{V1}/interventions",
            json=body(
                world,
                owner_organisation_id=999_999,
                target={"kind": "place", "place_id": 999_999},
                categories=[KLOTTER, "skadegorelse.tapeter"],
                incident_ids=[incident, 999_999],
            ),
        )
        assert field_errors(response) == {
            "owner_organisation_id": "unknown_id",
            "target.place_id": "unknown_id",
            "categories": "unknown_id",
            "incident_ids": "unknown_id",
        }
        problem = response.json()
        messages = {e["field"]: e["message"] for e in problem["errors"]}
        assert "skadegorelse.tapeter" in messages["categories"]
        assert KLOTTER not in messages["categories"]
        assert "999999" in messages["incident_ids"]
        assert str(incident) not in messages["incident_ids"]

        for wrong, field in (
            ({"owner_organisation_id": other_org.json()["id"]}, "owner_organisation_id"),
            ({"target": {"kind": "area", "area_id": 999_999}}, "target.area_id"),
            ({"target": {"kind": "area", "area_id": other_area}}, "target.area_id"),
            (
                {
                    "target": {
                        "kind": "point",
                        "area_id": 999_999,
                        "lat": 59.5,
                        "lon": 17.6,
                        "radius_m": 100,
                    }
                },
                "target.area_id",
            ),
            (
                {"target": {"kind": "place", "place_id": other_place.json()["id"]}},
                "target.place_id",
            ),
            ({"categories": ["nope"]}, "categories"),
            ({"incident_ids": [999_999]}, "incident_ids"),
        ):
            response = convener.post(f"{V1}/interventions", json=body(world, **wrong))
            assert field_errors(response) == {field: "unknown_id"}, wrong
        # An unknown group is not a field error: there is no such group to write in.
        is_problem(
            convener.post(f"{V1}/interventions", json=body(world) | {"group_id": 999_999}), 404
        )
        assert listed(convener) == []

        # The same in a PATCH: refused, and nothing changes.
        made = create(convener, body(world, incident_ids=[incident]))
        response = convener.patch(
            url(made),
            json={
                "title": "Ett nytt namn",
                "status": "ongoing",
                "owner_organisation_id": 999_999,
                "target": {"kind": "area", "area_id": 999_999},
                "categories": ["skadegorelse.tapeter"],
                "incident_ids": [999_999],
            },
        )
        assert field_errors(response) == {
            "owner_organisation_id": "unknown_id",
            "target.area_id": "unknown_id",
            "categories": "unknown_id",
            "incident_ids": "unknown_id",
        }
        read = convener.get(url(made)).json()
        assert read["updated_at"] == made["updated_at"]
        assert read == made


def test_a_target_missing_its_parts_is_refused(server: Server, people: People) -> None:
    world = World.of(server, people)
    bro = world.areas["Bro"]
    with as_(server, people, "coordination") as convener:
        for target, missing in (
            ({"kind": "point", "area_id": bro, "lat": 59.51, "lon": 17.63}, "radius_m"),
            ({"kind": "point", "lat": 59.51, "lon": 17.63, "radius_m": 150}, "area_id"),
            ({"kind": "point", "area_id": bro, "radius_m": 150}, "lat, lon"),
            ({"kind": "place", "area_id": bro}, "place_id"),
            ({"kind": "area", "place_id": world.place_id("Bro centrum")}, "area_id"),
        ):
            response = convener.post(f"{V1}/interventions", json=body(world, target=target))
            assert field_errors(response) == {"target": "target_incomplete"}, target
            message = response.json()["errors"][0]["message"]
            assert missing in message, message
        for target, field in (
            (
                {"kind": "point", "area_id": bro, "lat": 59.5, "lon": 17.6, "radius_m": 10},
                "radius_m",
            ),
            ({"kind": "point", "area_id": bro, "lat": 91, "lon": 17.6, "radius_m": 100}, "lat"),
            ({"kind": "place", "place_id": 1, "radius_m": 5000}, "radius_m"),
            ({"kind": "circle", "area_id": bro}, "kind"),
        ):
            response = convener.post(f"{V1}/interventions", json=body(world, target=target))
            assert f"target.{field}" in field_errors(response), target
        assert listed(convener) == []


def test_the_other_fields_are_checked(server: Server, people: People) -> None:
    world = World.of(server, people)
    with as_(server, people, "coordination") as convener:
        for wrong, field in (
            ({"categories": []}, "categories"),
            ({"categories": ["Klotter!"]}, "categories.0"),
            ({"type": "prayer"}, "type"),
            ({"status": "finished"}, "status"),
            ({"title": "   "}, "title"),
            ({"planned_start": "3 mars 2025"}, "planned_start"),
            ({"planned_start": None}, "planned_start"),
            ({"incident_ids": [0]}, "incident_ids.0"),
        ):
            response = convener.post(f"{V1}/interventions", json=body(world, **wrong))
            assert field in field_errors(response), wrong
        assert listed(convener) == []


# Who reads and writes -----------------------------------------------------------------------


def test_who_reads_and_writes_which_groups_interventions(server: Server, people: People) -> None:
    world = World.of(server, people)
    coordination, kungsangen = world.groups[COORDINATION], world.groups[KUNGSANGEN]
    follow_up = {"day": "2025-03-10", "done": "Väktarna gick första helgen."}

    with as_(server, people, "coordination") as convener:
        theirs = create(convener, body(world))
        assert theirs["may_edit"] is True
        response = convener.post(f"{url(theirs)}/follow-ups", json=follow_up)
        assert response.status_code == 201, response.text

    with as_(server, people, "viewer") as viewer:
        read = viewer.get(url(theirs))
        assert read.status_code == 200, read.text
        assert read.json()["may_edit"] is False
        assert listed(viewer) == [theirs["id"]]
        assert len(viewer.get(f"{url(theirs)}/follow-ups").json()) == 1
        effect_of(viewer, theirs)
        is_problem(viewer.post(f"{V1}/interventions", json=body(world)), 403, "forbidden")
        is_problem(viewer.patch(url(theirs), json={"status": "done"}), 403, "forbidden")
        is_problem(viewer.post(f"{url(theirs)}/follow-ups", json=follow_up), 403, "forbidden")

    with as_(server, people, "kungsangen") as member:
        own = create(
            member,
            body(world, KUNGSANGEN, target={"kind": "area", "area_id": world.areas["Kungsängen"]}),
        )
        assert own["may_edit"] is True
        assert listed(member) == [own["id"]]
        assert listed(member, group=coordination) == []
        for path in (url(theirs), f"{url(theirs)}/follow-ups", f"{url(theirs)}/effect"):
            is_problem(member.get(path), 404, "not_found")
        is_problem(member.patch(url(theirs), json={"status": "done"}), 404)
        is_problem(member.post(f"{url(theirs)}/follow-ups", json=follow_up), 404)
        # A group whose lägesbild they do not read is as if it did not exist.
        is_problem(member.post(f"{V1}/interventions", json=body(world)), 404)
        response = member.patch(url(own), json={"status": "ongoing"})
        assert response.status_code == 200, response.text

    with as_(server, people, "reporter") as reporter:
        assert listed(reporter) == []
        for made in (theirs, own):
            is_problem(reporter.get(url(made)), 404)
            is_problem(reporter.get(f"{url(made)}/effect"), 404)
        # A reporter in the Bro group does not decide its interventions.
        is_problem(reporter.post(f"{V1}/interventions", json=body(world, BRO_GROUP)), 404)

    with as_(server, people, "steering") as steering:
        assert listed(steering) == [own["id"], theirs["id"]]
        for made in (theirs, own):
            read = steering.get(url(made))
            assert read.status_code == 200, read.text
            assert read.json()["may_edit"] is False
            effect_of(steering, made)
        is_problem(steering.patch(url(own), json={"status": "done"}), 403)
        create(steering, body(world, STEERING))

    # The coordination group's convener reads the Kungsängen group's, but does not write it.
    with as_(server, people, "coordination") as convener:
        read = convener.get(url(own))
        assert read.status_code == 200, read.text
        assert read.json()["may_edit"] is False
        is_problem(convener.patch(url(own), json={"status": "done"}), 403)
        is_problem(convener.post(f"{V1}/interventions", json=body(world, KUNGSANGEN)), 403)
    with as_(server, people, "admin") as admin:
        assert listed(admin, group=kungsangen) == [own["id"]]


def test_incidents_are_linked_only_from_the_areas_one_reads(server: Server, people: People) -> None:
    world = World.of(server, people)
    in_bro, in_kungsangen = insert(
        server, world, [Spec(midnight(START)), Spec(midnight(START), area="Kungsängen")]
    )
    with as_(server, people, "kungsangen") as member:
        response = member.post(
            f"{V1}/interventions",
            json=body(world, KUNGSANGEN, incident_ids=[in_kungsangen, in_bro]),
        )
        assert field_errors(response) == {"incident_ids": "unknown_id"}
        assert str(in_bro) in response.json()["errors"][0]["message"]
        made = create(member, body(world, KUNGSANGEN, incident_ids=[in_kungsangen]))
        assert made["incident_ids"] == [in_kungsangen]


def test_an_area_groups_intervention_stays_in_its_area_whoever_creates_it(
    server: Server, people: People
) -> None:
    """The administrator reads everything, yet the Bro group's intervention is Bro's: its
    target, and the incidents linked to it, which its members would otherwise be shown."""
    world = World.of(server, people)
    in_bro, in_kungsangen = insert(
        server, world, [Spec(midnight(START)), Spec(midnight(START), area="Kungsängen")]
    )
    elsewhere = {"kind": "area", "area_id": world.areas["Kungsängen"]}
    with as_(server, people, "admin") as admin:
        response = admin.post(f"{V1}/interventions", json=body(world, BRO_GROUP, target=elsewhere))
        assert field_errors(response) == {"target": "target_out_of_scope"}
        response = admin.post(
            f"{V1}/interventions", json=body(world, BRO_GROUP, incident_ids=[in_kungsangen])
        )
        assert field_errors(response) == {"incident_ids": "unknown_id"}
        made = create(admin, body(world, BRO_GROUP, incident_ids=[in_bro]))
        assert made["incident_ids"] == [in_bro]
        # The coordination group works in the whole municipality.
        create(admin, body(world, target=elsewhere, incident_ids=[in_bro, in_kungsangen]))
        listed_before = listed(admin)
    assert len(listed_before) == 2


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (10.0, 17.6),  # far outside Sweden
        (59.33, 18.07),  # Stockholm: Sweden, not Upplands-Bro
        (17.64, 59.51),  # latitude and longitude swapped
    ],
)
def test_a_point_target_outside_the_municipality_is_refused(
    server: Server, people: People, lat: float, lon: float
) -> None:
    world = World.of(server, people)
    target = {"kind": "point", "area_id": world.areas["Bro"], "lat": lat, "lon": lon,
              "radius_m": 200}  # fmt: skip
    with as_(server, people, "coordination") as convener:
        response = convener.post(f"{V1}/interventions", json=body(world, target=target))
        assert field_errors(response) == {"target.lat": "outside_municipality"}
        assert "utanför Upplands-Bro" in response.json()["errors"][0]["message"]
        assert listed(convener) == []


# Follow-ups ---------------------------------------------------------------------------------


def test_follow_ups_are_listed_oldest_first(server: Server, people: People) -> None:
    world = World.of(server, people)
    with as_(server, people, "coordination") as convener:
        made = create(convener, body(world))
        assert convener.get(f"{url(made)}/follow-ups").json() == []
        later = convener.post(
            f"{url(made)}/follow-ups",
            json={
                "day": "2025-03-24",
                "done": "Tre helger med väktare.",
                "seen": "Mindre klotter på Brohuset.",
            },
        )
        assert later.status_code == 201, later.text
        earlier = convener.post(
            f"{url(made)}/follow-ups", json={"day": "2025-03-10", "done": "Första helgen."}
        )
        assert earlier.status_code == 201, earlier.text

        got = convener.get(f"{url(made)}/follow-ups")
        assert got.status_code == 200, got.text
        follow_ups = got.json()
        assert [f["id"] for f in follow_ups] == [earlier.json()["id"], later.json()["id"]]
        assert [f["day"] for f in follow_ups] == ["2025-03-10", "2025-03-24"]
        first, second = follow_ups
        assert (first["done"], first["seen"]) == ("Första helgen.", None)
        assert (second["done"], second["seen"]) == (
            "Tre helger med väktare.",
            "Mindre klotter på Brohuset.",
        )
        convener_ref = {
            "id": people["users"]["coordination"]["id"],
            "name": people["users"]["coordination"]["name"],
        }
        assert all(f["intervention_id"] == made["id"] for f in follow_ups)
        assert all(f["created_by"] == convener_ref for f in follow_ups)
        assert all(f["created_at"] for f in follow_ups)

        # A follow-up needs its day and what was done.
        for wrong, field in (
            ({"day": "2025-03-31"}, "done"),
            ({"done": "Något"}, "day"),
            ({"day": "31/3", "done": "Något"}, "day"),
        ):
            response = convener.post(f"{url(made)}/follow-ups", json=wrong)
            assert field in field_errors(response), wrong
        is_problem(
            convener.post(f"{url(999_999)}/follow-ups", json={"day": "2025-03-31", "done": "x"}),
            404,
        )
        is_problem(convener.get(f"{url(999_999)}/follow-ups"), 404)
        assert len(convener.get(f"{url(made)}/follow-ups").json()) == 2


def test_a_follow_up_before_the_intervention_started_is_refused(
    server: Server, people: People
) -> None:
    world = World.of(server, people)
    with as_(server, people, "coordination") as convener:
        made = create(convener, body(world))
        early = convener.post(
            f"{url(made)}/follow-ups",
            json={"day": (START - dt.timedelta(days=1)).isoformat(), "done": "Väktare."},
        )
        assert field_errors(early) == {"day": "before_start"}
        said = {e["field"]: e["message"] for e in early.json()["errors"]}
        assert said == {"day": "Uppföljningen kan inte vara före insatsens start 3 mars 2025."}
        # The start day itself is a day the work was under way.
        same_day = convener.post(
            f"{url(made)}/follow-ups", json={"day": START.isoformat(), "done": "Väktare."}
        )
        assert same_day.status_code == 201, same_day.text
        assert len(convener.get(f"{url(made)}/follow-ups").json()) == 1


def test_follow_ups_and_feedback_fall_between_the_start_and_today(
    server: Server, people: People
) -> None:
    """One rule set (api.interventions.dates) for every day recorded about the work."""
    world = World.of(server, people)
    now = today()
    with as_(server, people, "coordination") as convener:
        made = create(convener, body(world))
        feedback = {"channel": "email", "text": "Klart.", "to_reporters": False,
                    "organisation_ids": [world.organisations[POLICE]]}  # fmt: skip
        records = (
            ("follow-ups", "day", "Uppföljningen", {"done": "Väktare."}),
            ("feedback", "told_on", "Återkopplingen", feedback),
        )
        for path, field, what, rest in records:
            ahead = (now + dt.timedelta(days=15)).isoformat()
            future = convener.post(f"{url(made)}/{path}", json={field: ahead, **rest})
            assert field_errors(future) == {field: "in_future"}, path
            (error,) = future.json()["errors"]
            assert error["message"].startswith(f"{what} kan inte vara efter i dag"), error
            early = convener.post(
                f"{url(made)}/{path}",
                json={field: (START - dt.timedelta(days=1)).isoformat(), **rest},
            )
            assert field_errors(early) == {field: "before_start"}, path
            said = {e["field"]: e["message"] for e in early.json()["errors"]}
            assert said == {field: f"{what} kan inte vara före insatsens start 3 mars 2025."}
            # The start and today are both days the work was under way.
            for day in (START, now):
                ok = convener.post(f"{url(made)}/{path}", json={field: day.isoformat(), **rest})
                assert ok.status_code == 201, ok.text
        # Done before the start is no done: the status is refused, beside the field.
        later = create(
            convener, body(world, planned_start=(now + dt.timedelta(days=3)).isoformat())
        )
        done = convener.patch(f"{url(later)}", json={"status": "done"})
        assert field_errors(done) == {"status": "before_start"}, done.text
        assert convener.get(url(later)).json()["status"] != "done"


@pytest.mark.parametrize("done", ["", "   "])
def test_a_follow_up_without_what_was_done_is_refused(
    server: Server, people: People, done: str
) -> None:
    world = World.of(server, people)
    with as_(server, people, "coordination") as convener:
        made = create(convener, body(world))
        response = convener.post(
            f"{url(made)}/follow-ups", json={"day": "2025-03-10", "done": done}
        )
        saved = convener.get(f"{url(made)}/follow-ups").json()
    assert (response.status_code, saved) == (422, []), response.text
    assert "done" in field_errors(response)


# The effect -------------------------------------------------------------------------------


def planted(
    centre: LatLon,
    *,
    zone: tuple[int, int],
    comparison: tuple[int, int] = (15, 15),
    ring: tuple[int, int] = (0, 0),
    radius: float = 150,
    start: dt.date = START,
    weeks: int = 8,
) -> list[Spec]:
    """Klotter in Bro: ``zone`` within two thirds of ``radius`` of ``centre``, ``ring``
    between 1.3 and 1.8 radii, ``comparison`` 600 to 1400 m away; before and after the
    start, spread over the windows' days."""
    days = 7 * weeks
    after_first = start
    before_first = start - dt.timedelta(days=days)
    specs: list[Spec] = []
    for (before, after), low, high in (
        (zone, 0.0, radius * 2 / 3),
        (ring, radius * 1.3, radius * 1.8),
        (comparison, 600.0, 1400.0),
    ):
        points = around(centre, before + after, low, high, turn=low)
        times = spread(before, before_first, days) + spread(after, after_first, days)
        specs += [Spec(at, where) for at, where in zip(times, points, strict=True)]
    return specs


def point_target(world: World, centre: LatLon, radius: int = 150) -> dict[str, Any]:
    return {
        "kind": "point",
        "area_id": world.areas["Bro"],
        "lat": centre[0],
        "lon": centre[1],
        "radius_m": radius,
    }


def test_a_planted_reduction_at_a_hot_spot_is_found(server: Server, people: People) -> None:
    """Twenty incidents of klotter within 100 m of a point in Bro in the eight weeks before
    the start and four in the eight after; fifteen and fifteen in the rest of Bro. What
    must not count lies in the zone too: other categories, withdrawn incidents, incidents
    just outside the windows, and klotter in another area far away."""
    world = World.of(server, people)
    hot = offset(world.centres["Bro"], 300, 200)
    first, boundary = before_window()
    after_end = midnight(START + dt.timedelta(weeks=8))  # 2025-04-28 00:00 CEST
    assert (first, boundary, after_end) == (
        dt.datetime(2025, 1, 5, 23, tzinfo=UTC),
        dt.datetime(2025, 3, 2, 23, tzinfo=UTC),
        dt.datetime(2025, 4, 27, 22, tzinfo=UTC),
    )
    zone = around(hot, 8, 0, 100, turn=45)
    second = dt.timedelta(seconds=1)
    specs = [
        # Zone, before: eighteen spread, and the window's first and last instants.
        *[
            Spec(at, zone[i % 8])
            for i, at in enumerate(spread(18, START - dt.timedelta(weeks=8), 56))
        ],
        Spec(first, zone[0]),
        Spec(boundary - second, zone[1]),
        # Zone, after: two spread, and the window's first and last instants.
        *[Spec(at, zone[i + 2]) for i, at in enumerate(spread(2, START, 56))],
        Spec(boundary, zone[4]),
        Spec(after_end - second, zone[5]),
        # Not counted: just outside the windows, withdrawn, another category.
        Spec(first - second, zone[6]),
        Spec(after_end, zone[7]),
        Spec(boundary + dt.timedelta(days=3), zone[3], withdrawn=True),
        *[
            Spec(at, zone[i % 8], category="skadegorelse.glaskross")
            for i, at in enumerate(spread(6, START, 56))
        ],
        *[
            Spec(at, zone[i % 8], category="ordning.brak")
            for i, at in enumerate(spread(5, START - dt.timedelta(weeks=8), 56))
        ],
        # The rest of Bro: steady.
        *[
            Spec(at, where)
            for at, where in zip(
                spread(15, START - dt.timedelta(weeks=8), 56) + spread(15, START, 56),
                around(hot, 30, 600, 1400),
                strict=True,
            )
        ],
        # Another area: neither the zone nor the comparison.
        *[Spec(at, world.centres["Kungsängen"], area="Kungsängen") for at in spread(7, START, 56)],
    ]
    insert(server, world, specs)

    with as_(server, people, "coordination") as convener:
        made = create(convener, body(world, target=point_target(world, hot)))
        effect = effect_of(convener, made)
        assert effect == effect_of(convener, made, weeks=8)

        expected = counted(specs, Circle(hot, 150, "Bro"), [KLOTTER])
        assert expected == Counted(zone=(20, 4), comparison=(15, 15), ring=(0, 0))
        check_effect(effect, expected)
        assert effect["weeks"] == 8
        assert effect["before"] == {"first_day": "2025-01-06", "last_day": "2025-03-02"}
        assert effect["after"] == {"first_day": "2025-03-03", "last_day": "2025-04-27"}
        assert effect["complete"] is True
        assert effect["zone"] == {"before": 20, "after": 4, "change": pytest.approx(-0.8)}
        assert effect["comparison"] == {"before": 15, "after": 15, "change": 0.0}
        assert effect["comparison_label"] == "resten av Bro"
        assert effect["ring"] == {"before": 0, "after": 0, "change": None}
        assert effect["ring_m"] == [150, 300]
        assert effect["difference_pp"] == -80.0
        assert effect["p_value"] < 0.05
        # Fisher's test of (20, 4) against (15, 15), by hand: the zone's after count is
        # hypergeometric, 24 drawn from 54 of which 19 are after.
        assert effect["p_value"] == pytest.approx(
            sum(math.comb(19, x) * math.comb(35, 24 - x) for x in range(5)) / math.comb(54, 24),
            abs=1e-4,
        )
        assert effect["verdict"] == "reduction"
        assert effect["summary"].startswith("Färre händelser"), effect["summary"]
        assert "flyttat" not in effect["summary"]

        # Against the whole family, the glass broken in the zone after the start counts too.
        family = create(
            convener, body(world, target=point_target(world, hot), categories=["skadegorelse"])
        )
        expected = counted(specs, Circle(hot, 150, "Bro"), ["skadegorelse"])
        assert expected.zone == (20, 10)
        check_effect(effect_of(convener, family), expected)

        # Four weeks either side of the same start.
        short = effect_of(convener, made, weeks=4)
        assert short["before"] == {"first_day": "2025-02-03", "last_day": "2025-03-02"}
        assert short["after"] == {"first_day": "2025-03-03", "last_day": "2025-03-30"}
        check_effect(short, counted(specs, Circle(hot, 150, "Bro"), [KLOTTER], weeks=4))

        for weeks in (1, 27, "many"):
            is_problem(convener.get(f"{url(made)}/effect", params={"weeks": weeks}), 422)
        for weeks in (2, 26):
            assert effect_of(convener, made, weeks=weeks)["weeks"] == weeks
        is_problem(convener.get(f"{url(999_999)}/effect"), 404)


@pytest.mark.parametrize(
    ("zone", "verdict", "summary"),
    [
        ((3, 1), "too_few", "För få händelser för att dra slutsatser"),
        # Enough incidents, but too few before to speak of a change.
        ((4, 8), "too_few", "För få händelser för att dra slutsatser"),
        # Just enough, and no change.
        ((5, 5), "no_clear_change", "Ingen tydlig skillnad mot resten av Bro"),
        ((5, 20), "increase", "Fler händelser"),
        ((12, 10), "no_clear_change", "Ingen tydlig skillnad mot resten av Bro"),
    ],
)
def test_the_verdict_follows_the_counts(
    server: Server,
    people: People,
    zone: tuple[int, int],
    verdict: str,
    summary: str,
) -> None:
    world = World.of(server, people)
    hot = offset(world.centres["Bro"], 400, 30)
    specs = planted(hot, zone=zone)
    insert(server, world, specs)
    with as_(server, people, "coordination") as convener:
        made = create(convener, body(world, target=point_target(world, hot)))
        effect = effect_of(convener, made)
    expected = counted(specs, Circle(hot, 150, "Bro"), [KLOTTER])
    assert expected == Counted(zone=zone, comparison=(15, 15), ring=(0, 0))
    check_effect(effect, expected)
    assert effect["verdict"] == verdict
    assert effect["summary"].startswith(summary), effect["summary"]
    if verdict == "too_few":
        # No percentage where there is too little to judge.
        assert "%" not in effect["summary"]


@pytest.mark.parametrize(
    ("zone", "comparison"),
    [
        # A drop in the zone, but a comparison of three: nothing to measure it against.
        ((10, 2), (3, 0)),
        # A rise in the zone against a comparison that had nothing before.
        ((5, 8), (0, 3)),
        # Enough in all, but too few in the comparison before the start.
        ((20, 4), (4, 12)),
    ],
)
def test_a_comparison_with_too_few_incidents_is_not_judged(
    server: Server, people: People, zone: tuple[int, int], comparison: tuple[int, int]
) -> None:
    world = World.of(server, people)
    hot = offset(world.centres["Bro"], 400, 30)
    specs = planted(hot, zone=zone, comparison=comparison)
    insert(server, world, specs)
    with as_(server, people, "coordination") as convener:
        made = create(convener, body(world, target=point_target(world, hot)))
        effect = effect_of(convener, made)
    expected = counted(specs, Circle(hot, 150, "Bro"), [KLOTTER])
    assert expected == Counted(zone=zone, comparison=comparison, ring=(0, 0))
    check_effect(effect, expected)
    assert effect["verdict"] == "too_few"
    assert effect["p_value"] is None
    assert effect["summary"].startswith(
        "För få händelser för att dra slutsatser i resten av Bro att jämföra med."
    ), effect["summary"]


def test_a_problem_that_moved_round_the_corner_is_told(server: Server, people: People) -> None:
    """The zone drops, but the ring from one to two radii around it grows."""
    world = World.of(server, people)
    hot = offset(world.centres["Bro"], 200, 120)
    specs = planted(hot, zone=(20, 4), ring=(3, 12))
    insert(server, world, specs)
    with as_(server, people, "coordination") as convener:
        made = create(convener, body(world, target=point_target(world, hot)))
        effect = effect_of(convener, made)
    expected = counted(specs, Circle(hot, 150, "Bro"), [KLOTTER])
    assert expected == Counted(zone=(20, 4), comparison=(15, 15), ring=(3, 12))
    check_effect(effect, expected)
    assert effect["ring"] == {"before": 3, "after": 12, "change": pytest.approx(3.0)}
    assert effect["ring_m"] == [150, 300]
    assert effect["verdict"] == "reduction"
    assert effect["summary"].startswith("Färre händelser"), effect["summary"]
    assert "flyttat" in effect["summary"], effect["summary"]


def test_a_place_target_is_a_circle_around_the_place(
    server: Server, people: People, api: httpx.Client
) -> None:
    """As a point, and its incidents without a position count in the zone; those with a
    position count where the position is."""
    world = World.of(server, people)
    hot = offset(world.centres["Bro"], 250, 300)
    place_at(api, world, "Bro centrum", hot)
    specs = planted(hot, zone=(14, 3), ring=(2, 2), radius=200)
    specs += [
        Spec(at, None, place="Bro centrum") for at in spread(4, START - dt.timedelta(weeks=8), 56)
    ]
    # Said to be at the place, but a kilometre away: in the comparison.
    specs += [Spec(at, offset(hot, 1000, 0), place="Bro centrum") for at in spread(2, START, 56)]
    # Neither a position nor the place: the rest of Bro.
    specs += [Spec(at, None) for at in spread(3, START, 56)]
    insert(server, world, specs)
    with as_(server, people, "coordination") as convener:
        made = create(
            convener,
            body(
                world,
                target={
                    "kind": "place",
                    "place_id": world.place_id("Bro centrum"),
                    "radius_m": 200,
                },
            ),
        )
        effect = effect_of(convener, made)
    expected = counted(specs, Circle(hot, 200, "Bro", place="Bro centrum"), [KLOTTER])
    assert expected == Counted(zone=(18, 3), comparison=(15, 20), ring=(2, 2))
    check_effect(effect, expected)
    assert effect["ring_m"] == [200, 400]
    assert effect["comparison_label"] == "resten av Bro"


def test_an_intervention_that_has_not_started_is_not_judged_yet(
    server: Server, people: People
) -> None:
    world = World.of(server, people)
    hot = offset(world.centres["Bro"], 300, 0)
    start = today() + dt.timedelta(days=7)
    first = start - dt.timedelta(weeks=8)
    specs = [
        *[Spec(at, offset(hot, 50, 10 * i)) for i, at in enumerate(spread(12, first, 50))],
        *[Spec(at, offset(hot, 900, 10 * i)) for i, at in enumerate(spread(9, first, 50))],
    ]
    insert(server, world, specs)
    with as_(server, people, "coordination") as convener:
        made = create(
            convener, body(world, target=point_target(world, hot), planned_start=start.isoformat())
        )
        effect = effect_of(convener, made)
    assert effect["complete"] is False
    assert effect["verdict"] == "not_yet"
    assert effect["before"]["first_day"] == first.isoformat()
    assert effect["after"] == {
        "first_day": start.isoformat(),
        "last_day": (start + dt.timedelta(weeks=8, days=-1)).isoformat(),
    }
    expected = counted(specs, Circle(hot, 150, "Bro"), [KLOTTER], start=start)
    assert expected == Counted(zone=(12, 0), comparison=(9, 0), ring=(0, 0))
    check_effect(effect, expected, complete=False)
    assert effect["summary"].startswith("Insatsen har inte börjat än"), effect


def test_a_running_intervention_shows_equal_days_before_and_after_so_far(
    server: Server, people: People
) -> None:
    """Three weeks into an eight-week look: 21 days either side, no percentage, no verdict,
    whatever the counts (here a drop that would read as −80 %)."""
    world = World.of(server, people)
    hot = offset(world.centres["Bro"], 300, 0)
    start = today() - dt.timedelta(days=21)
    specs = [
        *planted(hot, zone=(20, 4), start=start, weeks=3),
        # Earlier in the eight weeks before: outside the 21 days, not counted yet.
        *[Spec(at, offset(hot, 30, 0)) for at in spread(9, start - dt.timedelta(weeks=8), 30)],
    ]
    insert(server, world, specs)
    with as_(server, people, "coordination") as convener:
        made = create(
            convener, body(world, target=point_target(world, hot), planned_start=start.isoformat())
        )
        effect = effect_of(convener, made, weeks=8)
    assert effect["before"] == {
        "first_day": (start - dt.timedelta(days=21)).isoformat(),
        "last_day": (start - dt.timedelta(days=1)).isoformat(),
    }
    assert effect["after"] == {
        "first_day": start.isoformat(),
        "last_day": (today() - dt.timedelta(days=1)).isoformat(),
    }
    expected = counted(specs, Circle(hot, 150, "Bro"), [KLOTTER], start=start)
    assert expected == Counted(zone=(20, 4), comparison=(15, 15), ring=(0, 0))
    check_effect(effect, expected, complete=False)
    assert effect["verdict"] == "not_yet"
    assert effect["summary"].startswith(
        "Veckorna efter starten har inte gått än: 21 dagar av 56."
    ), effect["summary"]


def test_the_effect_is_complete_once_the_after_weeks_have_passed(
    server: Server, people: People
) -> None:
    world = World.of(server, people)
    with as_(server, people, "coordination") as convener:
        done = create(
            convener,
            body(world, planned_start=(today() - dt.timedelta(weeks=2)).isoformat()),
        )
        running = create(
            convener,
            body(world, planned_start=(today() - dt.timedelta(weeks=2, days=-1)).isoformat()),
        )
        finished = effect_of(convener, done, weeks=2)
        assert finished["after"]["last_day"] == (today() - dt.timedelta(days=1)).isoformat()
        assert finished["complete"] is True
        # Nothing at all: too few, with nothing to compute.
        assert finished["verdict"] == "too_few"
        assert (finished["difference_pp"], finished["p_value"]) == (None, None)
        assert finished["zone"] == {"before": 0, "after": 0, "change": None}
        ongoing = effect_of(convener, running, weeks=2)
        # Thirteen whole days so far: today is not over.
        assert ongoing["after"]["last_day"] == (today() - dt.timedelta(days=1)).isoformat()
        assert ongoing["before"]["first_day"] == (today() - dt.timedelta(days=26)).isoformat()
        assert (ongoing["complete"], ongoing["verdict"]) == (False, "not_yet")


def test_an_area_target_is_compared_with_the_rest_of_the_municipality(
    server: Server, people: People
) -> None:
    world = World.of(server, people)
    bro, kungsangen, brunna = (world.centres[n] for n in ("Bro", "Kungsängen", "Brunna"))
    before = START - dt.timedelta(weeks=8)
    specs = [
        # Bro: positions anywhere, and none at all, are Bro's by their area.
        *[Spec(at, offset(bro, 100 * i, 40 * i)) for i, at in enumerate(spread(16, before, 56))],
        *[Spec(at, None) for at in spread(6, before, 56)],
        *[Spec(at, offset(bro, 2000, 90)) for at in spread(5, START, 56)],
        # The rest of the municipality, rising a little.
        *[Spec(at, kungsangen, area="Kungsängen") for at in spread(10, before, 56)],
        *[Spec(at, kungsangen, area="Kungsängen") for at in spread(12, START, 56)],
        *[
            Spec(at, brunna, area="Brunna", category="skadegorelse.brand")
            for at in spread(4, START, 56)
        ],
        *[
            Spec(at, brunna, area="Brunna", category="samling.utomhus")
            for at in spread(9, START, 56)
        ],
    ]
    insert(server, world, specs)
    with as_(server, people, "coordination") as convener:
        made = create(convener, body(world, categories=["skadegorelse"]))
        effect = effect_of(convener, made)
    expected = counted(specs, "Bro", ["skadegorelse"])
    assert expected == Counted(zone=(22, 5), comparison=(10, 16), ring=None)
    check_effect(effect, expected)
    assert effect["comparison_label"] == "resten av kommunen"
    assert effect["ring"] is None
    assert effect["ring_m"] is None
    assert effect["verdict"] == "reduction"
    assert effect["summary"].startswith("Färre händelser"), effect["summary"]
    assert "resten av kommunen" in effect["summary"]


def test_a_place_without_a_position_counts_the_incidents_filed_at_it(
    server: Server, people: People, api: httpx.Client
) -> None:
    """A place without a position: the zone is then the incidents filed at the place,
    wherever their own position says they were, and there is no ring. Given a position, the
    same place is measured as a circle around it."""
    world = World.of(server, people)
    # The demo's Finnsta has a position (api/seed_data): taken away here.
    place_at(api, world, "Finnsta", None)
    finnsta = offset(world.centres["Bro"], 900, 60)
    before = START - dt.timedelta(weeks=8)
    specs = [
        # Filed at Finnsta: with a position near it, far from it, and none.
        *[
            Spec(at, offset(finnsta, 40, 30 * i), place="Finnsta")
            for i, at in enumerate(spread(9, before, 56))
        ],
        *[Spec(at, None, place="Finnsta") for at in spread(4, before, 56)],
        *[Spec(at, offset(finnsta, 1200, 180), place="Finnsta") for at in spread(2, START, 56)],
        # Not filed at Finnsta, though near it: the rest of Bro when Finnsta has no position.
        *[Spec(at, offset(finnsta, 60, 200)) for at in spread(3, START, 56)],
        # The rest of Bro, and another place in it.
        *[Spec(at, offset(finnsta, 800, 10 * i)) for i, at in enumerate(spread(10, before, 56))],
        *[Spec(at, None, place="Råby") for at in spread(8, START, 56)],
        # Filed at Finnsta, but another category.
        *[Spec(at, None, place="Finnsta", category="trafik.ovrigt") for at in spread(5, START, 56)],
    ]
    insert(server, world, specs)
    target = {"kind": "place", "place_id": world.place_id("Finnsta")}
    with as_(server, people, "coordination") as convener:
        made = create(convener, body(world, target=target))
        assert made["target"]["place"] == ref(world.place_id("Finnsta"), "Finnsta")
        assert made["target"]["radius_m"] == 250

        effect = effect_of(convener, made)
        expected = counted(specs, AtPlace("Finnsta", "Bro"), [KLOTTER])
        assert expected == Counted(zone=(13, 2), comparison=(10, 11), ring=None)
        check_effect(effect, expected)
        assert (effect["ring"], effect["ring_m"]) == (None, None)
        assert effect["comparison_label"] == "resten av Bro"

        # Given a position, a circle of 250 m around it, with its ring.
        place_at(api, world, "Finnsta", finnsta)
        effect = effect_of(convener, made)
        expected = counted(specs, Circle(finnsta, 250, "Bro", place="Finnsta"), [KLOTTER])
        assert expected == Counted(zone=(13, 3), comparison=(10, 10), ring=(0, 0))
        check_effect(effect, expected)
        assert effect["ring_m"] == [250, 500]

        # And without it again, the incidents filed at it.
        place_at(api, world, "Finnsta", None)
        effect = effect_of(convener, made)
        check_effect(effect, counted(specs, AtPlace("Finnsta", "Bro"), [KLOTTER]))


def test_an_area_groups_effect_reveals_no_incidents_outside_its_area(
    server: Server, people: People
) -> None:
    world = World.of(server, people)
    hot = offset(world.centres["Bro"], 300, 200)
    insert(server, world, planted(hot, zone=(7, 2)))
    with as_(server, people, "kungsangen") as member:
        # They read no incident in Bro.
        assert member.get(f"{V1}/incidents").json()["items"] == []
        # A point in Bro given as Kungsängen's: the areas have no boundaries, and Bro's
        # centre is the nearest (tests/api/test_figure_scope.py tries the rest).
        in_bro = {**point_target(world, hot, 25), "area_id": world.areas["Kungsängen"]}
        response = member.post(f"{V1}/interventions", json=body(world, KUNGSANGEN, target=in_bro))
        assert field_errors(response) == {"target": "outside_area"}
        # Given as Bro's, it is not where their group works.
        response = member.post(
            f"{V1}/interventions", json=body(world, KUNGSANGEN, target=point_target(world, hot, 25))
        )
        assert field_errors(response) == {"target": "target_out_of_scope"}


def test_an_area_groups_member_counts_only_the_areas_they_read(
    server: Server, people: People
) -> None:
    """Kungsängen's group works on all of Kungsängen; the comparison is the rest of the
    municipality, which its members do not read. A count is a read (issue #17): they see
    the zone as the coordination group does, and no comparison, so no verdict."""
    world = World.of(server, people)
    kungsangen, bro = world.centres["Kungsängen"], world.centres["Bro"]
    before = START - dt.timedelta(weeks=8)
    specs = [
        *[Spec(at, kungsangen, area="Kungsängen") for at in spread(20, before, 56)],
        *[Spec(at, kungsangen, area="Kungsängen") for at in spread(4, START, 56)],
        *[Spec(at, offset(bro, 0, 10 * i)) for i, at in enumerate(spread(15, before, 56))],
        *[Spec(at, offset(bro, 0, 10 * i)) for i, at in enumerate(spread(15, START, 56))],
    ]
    insert(server, world, specs)
    with as_(server, people, "kungsangen") as member:
        made = create(member, body(world, KUNGSANGEN))
        theirs = effect_of(member, made)
        # Their own incident list still holds no incident in Bro.
        listed = member.get(f"{V1}/incidents", params={"limit": 100}).json()["items"]
        assert {i["area"]["name"] for i in listed} == {"Kungsängen"}
    with as_(server, people, "coordination") as convener:
        ours = effect_of(convener, made)
    expected = counted(specs, "Kungsängen", [KLOTTER])
    assert expected == Counted(zone=(20, 4), comparison=(15, 15), ring=None)
    check_effect(ours, expected)
    assert ours["verdict"] == "reduction"
    assert ours["comparison_label"] == "resten av kommunen"
    readable = [s for s in specs if s.area == "Kungsängen"]
    check_effect(theirs, counted(readable, "Kungsängen", [KLOTTER]))
    assert pair_of(theirs["comparison"]) == (0, 0)
    assert theirs["verdict"] == "too_few"
    assert theirs["comparison_label"] == "de andra områden du läser"
    assert "de andra områden du läser att jämföra med" in theirs["summary"]


def test_feedback_and_what_a_reporter_sees_of_it(server: Server, people: People) -> None:
    world = World.of(server, people)
    filed = file_report(
        server,
        people["tokens"]["reporter"],
        {"area_id": world.areas["Bro"], "occurred_from": "2025-09-03T21:30"},
    )
    incident = filed["incidents"][0]["id"]
    with as_(server, people, "coordination") as convener:
        made = create(convener, body(world, incident_ids=[incident]))
        nobody = convener.post(
            f"{url(made)}/feedback",
            json={"told_on": "2025-10-01", "channel": "email", "text": "Klart."},
        )
        assert nobody.status_code == 422, nobody.text
        assert nobody.json()["errors"][0]["code"] == "no_recipient"
        unknown = convener.post(
            f"{url(made)}/feedback",
            json={"told_on": "2025-10-01", "channel": "email", "text": "Klart.",
                  "organisation_ids": [999_999]},
        )  # fmt: skip
        assert unknown.status_code == 422
        to_police = convener.post(
            f"{url(made)}/feedback",
            json={"told_on": "2025-10-01", "channel": "meeting", "text": "Internt: väktare.",
                  "organisation_ids": [world.organisations[POLICE]]},
        )  # fmt: skip
        assert to_police.status_code == 201, to_police.text
        done = convener.patch(url(made), json={"status": "done"})
        assert done.status_code == 200 and done.json()["status"] == "done"
        told = convener.post(
            f"{url(made)}/feedback",
            json={"told_on": "2025-10-02", "channel": "email",
                  "text": "Slyet är röjt, tack för rapporten!", "to_reporters": True},
        )  # fmt: skip
        assert told.status_code == 201, told.text
        listed = convener.get(f"{url(made)}/feedback").json()
        assert [f["told_on"] for f in listed] == ["2025-10-01", "2025-10-02"]
    with as_(server, people, "viewer") as viewer:
        refused = viewer.post(
            f"{url(made)}/feedback",
            json={"told_on": "2025-10-03", "channel": "email", "text": "x", "to_reporters": True},
        )
        assert refused.status_code == 403
    with as_(server, people, "reporter") as reporter:
        # The reporter reads no intervention, but sees on their own report what came of it.
        assert reporter.get(url(made)).status_code == 404
        (outcome,) = reporter.get(f"{V1}/reports/{filed['id']}").json()["incidents"][0]["outcomes"]
        assert outcome["intervention"] == made["title"]
        assert outcome["status"] == "done"
        assert outcome["completed_on"] is not None
        # Only what was told to reporters, the latest.
        assert (outcome["feedback"], outcome["told_on"]) == (
            "Slyet är röjt, tack för rapporten!",
            "2025-10-02",
        )

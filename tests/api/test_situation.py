"""The lägesbild over HTTP: drafts and their default periods, saving with If-Match,
publishing (which freezes the figures and the incidents behind them), versions and their
comparison, the roll-up of the groups below, and who reads and writes which group's."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.support.factories import file_report
from tests.support.people import People, as_, gid
from tests.support.servers import Server

V1 = "/api/v1"
TZ = ZoneInfo("Europe/Stockholm")
STEERING = "EST styrgrupp"
COORDINATION = "EST samordningsgrupp"
BRO = "EST områdesgrupp Bro"
BRUNNA = "EST områdesgrupp Brunna"
KUNGSANGEN = "EST områdesgrupp Kungsängen"
GROUPS = (STEERING, COORDINATION, BRO, BRUNNA, KUNGSANGEN)
SEPTEMBER = {"first_day": "2025-09-01", "last_day": "2025-09-14"}
OCTOBER = {"first_day": "2025-10-01", "last_day": "2025-10-14"}
PROBLEM = "application/problem+json"


def create(client: httpx.Client, group_id: int, **period: str) -> httpx.Response:
    return client.post(f"{V1}/groups/{group_id}/situation-reports", json=period)


def created(client: httpx.Client, group_id: int, **period: str) -> dict[str, Any]:
    response = create(client, group_id, **period)
    assert response.status_code == 201, response.text
    report: dict[str, Any] = response.json()
    assert response.headers["location"] == f"{V1}/situation-reports/{report['id']}"
    assert response.headers["etag"]
    return report


def url(report: dict[str, Any] | int) -> str:
    ident = report if isinstance(report, int) else report["id"]
    return f"{V1}/situation-reports/{ident}"


def etag_of(client: httpx.Client, report: dict[str, Any]) -> str:
    response = client.get(url(report))
    assert response.status_code == 200, response.text
    return response.headers["etag"]


def save(client: httpx.Client, report: dict[str, Any], **changes: Any) -> httpx.Response:
    return client.patch(url(report), json=changes, headers={"If-Match": etag_of(client, report)})


def publish(client: httpx.Client, report: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{url(report)}/publish")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def file(server: Server, people: People, *incidents: dict[str, Any]) -> list[int]:
    """Incidents filed through the API by the demo administrator; the ids, in order."""
    report = file_report(server, people["tokens"]["admin"], *incidents)
    return [i["id"] for i in report["incidents"]]


def is_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == code, response.text


def today() -> dt.date:
    return dt.datetime.now(TZ).date()


# Drafts and their periods ---------------------------------------------------------------------


def test_a_draft_covers_the_last_fortnight_or_the_days_since_the_last_published(
    server: Server, people: People
) -> None:
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        before = today()
        draft = created(convener, coordination)
        after = today()
        last = dt.date.fromisoformat(draft["last_day"])
        assert last in {before, after}
        assert dt.date.fromisoformat(draft["first_day"]) == last - dt.timedelta(days=13)
        assert draft["status"] == "draft"
        assert (draft["version"], draft["previous_id"], draft["revision"]) == (1, None, 1)
        assert draft["may_edit"] is True and draft["may_publish"] is True
        assert draft["group"] == {"id": coordination, "name": COORDINATION}
        assert draft["group_kind"] == "coordination"
        assert draft["created_by"]["id"] == people["users"]["coordination"]["id"]
        assert draft["published_by"] is None and draft["published_at"] is None
        assert [v["id"] for v in draft["versions"]] == [draft["id"]]
        assert draft["figures"]["period"]["days"] == 14

        # A lägesbild published up to ten days ago: the next one starts the day after it.
        now = today()
        old = created(
            convener,
            coordination,
            first_day=(now - dt.timedelta(days=30)).isoformat(),
            last_day=(now - dt.timedelta(days=10)).isoformat(),
        )
        publish(convener, old)
        following = created(convener, coordination)
        assert following["first_day"] == (now - dt.timedelta(days=9)).isoformat()
        assert following["last_day"] == now.isoformat()
        # The live figures default to the same days.
        live = convener.get(f"{V1}/groups/{coordination}/situation")
        assert live.status_code == 200, live.text
        assert live.json()["period"]["first_day"] == (now - dt.timedelta(days=9)).isoformat()
        assert live.json()["period"]["last_day"] == now.isoformat()
        # A last day alone: the fortnight up to it.
        given = created(convener, coordination, last_day="2025-09-14")
        assert (given["first_day"], given["last_day"]) == ("2025-09-01", "2025-09-14")
        assert len(convener.get(f"{V1}/groups/{coordination}/situation-reports").json()) == 4

    # Another group's published lägesbild does not move this one's default.
    with as_(server, people, "admin") as admin:
        bro = created(admin, gid(people, BRO))
        assert bro["first_day"] == (today() - dt.timedelta(days=13)).isoformat()


def test_the_default_period_after_a_long_pause_is_still_a_valid_one(
    server: Server, people: People
) -> None:
    coordination = gid(people, COORDINATION)
    now = today()
    with as_(server, people, "coordination") as convener:
        old = created(
            convener,
            coordination,
            first_day=(now - dt.timedelta(days=420)).isoformat(),
            last_day=(now - dt.timedelta(days=400)).isoformat(),
        )
        publish(convener, old)
        live = convener.get(f"{V1}/groups/{coordination}/situation")
        assert live.status_code == 200, live.text
        draft = create(convener, coordination)
        assert draft.status_code == 201, draft.text
        assert draft.json()["last_day"] == now.isoformat()
        assert draft.json()["figures"]["period"]["days"] <= 366


def test_a_period_given_by_one_end_is_a_valid_one(server: Server, people: People) -> None:
    coordination = gid(people, COORDINATION)
    live = f"{V1}/groups/{coordination}/situation"
    with as_(server, people, "coordination") as convener:
        # The fortnight up to the first day there is stops at that day.
        earliest = convener.get(live, params={"last_day": "1900-01-05"})
        assert earliest.status_code == 200, earliest.text
        period = earliest.json()["period"]
        assert (period["first_day"], period["last_day"], period["days"]) == (
            "1900-01-01",
            "1900-01-05",
            5,
        )
        draft = created(convener, coordination, last_day="1900-01-01")
        assert (draft["first_day"], draft["last_day"]) == ("1900-01-01", "1900-01-01")

        # A first day after today without a last day: the last day would be today.
        later = (today() + dt.timedelta(days=2)).isoformat()
        for response in (
            convener.get(live, params={"first_day": later}),
            create(convener, coordination, first_day=later),
        ):
            is_problem(response, 422, "first_day_after_today")
            (error,) = response.json()["errors"]
            assert error["field"] == "first_day"
            assert "efter i dag" in error["message"] and "före" not in error["message"]
        # With a last day it is a period like any other.
        ahead = convener.get(live, params={"first_day": later, "last_day": later})
        assert ahead.status_code == 200, ahead.text


def test_reading_a_published_lagesbild_leaves_its_incidents_unread(
    server: Server, people: People
) -> None:
    """Its figures are stored whole; the frozen incident rows are read only when asked for
    (the server runs in this process, so its statements can be watched)."""
    file(
        server,
        people,
        {"area_id": people["areas"]["Bro"]["id"], "occurred_from": "2025-09-03T21:30"},
    )
    with as_(server, people, "coordination") as convener:
        published = publish(convener, created(convener, gid(people, COORDINATION), **SEPTEMBER))
        statements: list[str] = []

        def remember(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            statements.append(statement)

        event.listen(Engine, "before_cursor_execute", remember)
        try:
            read = convener.get(url(published))
            read_statements = list(statements)
            listed = convener.get(f"{url(published)}/incidents")
        finally:
            event.remove(Engine, "before_cursor_execute", remember)
    assert read.status_code == 200 and read.json()["figures"]["total"]["current"] == 1
    assert read_statements and not [s for s in read_statements if "situation_report_incidents" in s]
    assert len(listed.json()) == 1
    assert [s for s in statements if "situation_report_incidents" in s]


def test_saving_a_draft_needs_its_current_etag(server: Server, people: People) -> None:
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        response = create(convener, coordination, **SEPTEMBER)
        draft = response.json()
        first_tag = response.headers["etag"]

        missing = convener.patch(url(draft), json={"summary": "Lugnt."})
        is_problem(missing, 428, "if_match_required")

        saved = convener.patch(
            url(draft), json={"summary": "Lugnt i Bro."}, headers={"If-Match": first_tag}
        )
        assert saved.status_code == 200, saved.text
        second_tag = saved.headers["etag"]
        assert second_tag != first_tag
        assert saved.json()["summary"] == "Lugnt i Bro." and saved.json()["revision"] == 2

        # Someone who read the first version saves over it: refused, nothing changes.
        stale = convener.patch(
            url(draft), json={"summary": "Oroligt."}, headers={"If-Match": first_tag}
        )
        is_problem(stale, 412, "edited_by_someone_else")
        read = convener.get(url(draft))
        assert read.json()["summary"] == "Lugnt i Bro."
        assert read.headers["etag"] == second_tag

        # If-Match compares strongly (RFC 9110): the current tag made weak does not match.
        weak = convener.patch(
            url(draft), json={"analysis": "Svagt."}, headers={"If-Match": f"W/{second_tag}"}
        )
        is_problem(weak, 412, "edited_by_someone_else")
        # One of several matches.
        both = convener.patch(
            url(draft),
            json={"analysis": "Klotter vid stationen."},
            headers={"If-Match": f'"nope", W/{second_tag}, {second_tag}'},
        )
        assert both.status_code == 200, both.text
        third_tag = both.headers["etag"]

        # The period: in order, and at most 366 days; a refusal saves nothing.
        backwards = convener.patch(
            url(draft), json={"last_day": "2025-08-31"}, headers={"If-Match": third_tag}
        )
        is_problem(backwards, 422, "period_order")
        assert [(e["field"], e["code"]) for e in backwards.json()["errors"]] == [
            ("last_day", "period_order")
        ]
        too_long = convener.patch(
            url(draft), json={"first_day": "2024-09-13"}, headers={"If-Match": third_tag}
        )
        is_problem(too_long, 422, "period_too_long")
        read = convener.get(url(draft))
        assert (read.json()["first_day"], read.json()["last_day"]) == ("2025-09-01", "2025-09-14")
        assert read.headers["etag"] == third_tag
        a_year = convener.patch(
            url(draft), json={"first_day": "2024-09-14"}, headers={"If-Match": third_tag}
        )
        assert a_year.status_code == 200, a_year.text
        assert a_year.json()["figures"]["period"]["days"] == 366

        # The same rules when a draft is started, and for the live figures.
        is_problem(
            create(convener, coordination, first_day="2025-09-14", last_day="2025-09-01"),
            422,
            "period_order",
        )
        is_problem(
            create(convener, coordination, first_day="2024-09-13", last_day="2025-09-14"),
            422,
            "period_too_long",
        )
        listed = convener.get(f"{V1}/groups/{coordination}/situation-reports").json()
        assert [r["id"] for r in listed] == [draft["id"]]
        live = f"{V1}/groups/{coordination}/situation"
        backwards_live = convener.get(
            live, params={"first_day": "2025-09-14", "last_day": "2025-09-01"}
        )
        assert backwards_live.status_code == 422
        long_live = convener.get(live, params={"first_day": "2024-09-13", "last_day": "2025-09-14"})
        assert long_live.status_code == 422
        assert convener.get(live, params={"first_day": "2025-9-1"}).status_code == 422

    # Readers who do not write are refused; those who do not read are not told it exists.
    body = {"summary": "Mitt."}
    for who, status in (("viewer", 403), ("steering", 403), ("kungsangen", 404), ("reporter", 404)):
        with as_(server, people, who) as other:
            refused = other.patch(url(draft), json=body, headers={"If-Match": "*"})
            assert refused.status_code == status, (who, refused.text)


def test_a_group_has_one_lagesbild_of_the_same_days(server: Server, people: People) -> None:
    """A second lägesbild of the same days is refused and points to the first: a correction
    is a new version of it."""
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        draft = created(convener, coordination, **SEPTEMBER)
        again = create(convener, coordination, **SEPTEMBER)
        is_problem(again, 409, "same_period")
        assert f"lägesbild {draft['id']}, version 1, ett utkast" in again.json()["detail"]
        assert "2025-09-01 – 2025-09-14" in again.json()["detail"]
        # Another member of the group, and the default period once it is the same days.
        with as_(server, people, "admin") as admin:
            is_problem(create(admin, coordination, **SEPTEMBER), 409, "same_period")
        today_draft = created(convener, coordination)
        is_problem(create(convener, coordination), 409, "same_period")
        # Other days, and the same days for another group, are another lägesbild.
        assert create(convener, coordination, last_day="2025-09-13").status_code == 201
        with as_(server, people, "admin") as admin:
            assert create(admin, gid(people, BRO), **SEPTEMBER).status_code == 201

        publish(convener, draft)
        published = create(convener, coordination, **SEPTEMBER)
        is_problem(published, 409, "same_period")
        assert "publicerad. Skapa en ny version av den i stället." in published.json()["detail"]
        second = convener.post(f"{url(draft)}/versions")
        assert second.status_code == 201, second.text
        # Its latest version is what counts: still the same days.
        detail = create(convener, coordination, **SEPTEMBER).json()["detail"]
        assert f"lägesbild {second.json()['id']}, version 2, ett utkast" in detail

        # A draft's period is not moved onto another lägesbild's days either.
        moved = save(convener, today_draft, **SEPTEMBER)
        is_problem(moved, 409, "same_period")
        # Unless its own series moves away first: then the days are free.
        away = save(convener, second.json(), first_day="2025-08-31")
        assert away.status_code == 200, away.text
        assert save(convener, today_draft, **SEPTEMBER).status_code == 200
        listed = convener.get(f"{V1}/groups/{coordination}/situation-reports").json()
    assert sorted((r["first_day"], r["last_day"], r["version"]) for r in listed) == [
        ("2025-08-31", "2025-09-13", 1),
        ("2025-08-31", "2025-09-14", 2),
        ("2025-09-01", "2025-09-14", 1),
        ("2025-09-01", "2025-09-14", 1),
    ]


def test_two_people_starting_the_same_days_at_once_get_one_lagesbild(
    server: Server, people: People
) -> None:
    coordination = gid(people, COORDINATION)
    responses = at_once(
        server,
        people["tokens"]["coordination"],
        6,
        lambda client, _n: create(client, coordination, **SEPTEMBER),
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5, [
        r.text for r in responses
    ]


# Publishing -------------------------------------------------------------------------------------


def test_publishing_freezes_the_figures_and_the_incidents(server: Server, people: People) -> None:
    areas = people["areas"]
    klotter, brak, glas, samling = file(
        server,
        people,
        {"area_id": areas["Bro"]["id"], "occurred_from": "2025-09-03T21:30"},
        {"area_id": areas["Kungsängen"]["id"], "occurred_from": "2025-09-05T12:00",
         "category": "ordning.brak"},
        {"area_id": areas["Brunna"]["id"], "occurred_from": "2025-09-10T08:00",
         "category": "skadegorelse.glaskross"},
        {"area_id": areas["Bro"]["id"], "occurred_from": "2025-09-12T22:00",
         "category": "samling.utomhus"},
    )  # fmt: skip
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        draft = created(convener, coordination, **SEPTEMBER)
        assert draft["figures"]["total"]["current"] == 4

        # Only the group's convener publishes: not its viewer, nor a steering group member.
        for who, status in (("viewer", 403), ("steering", 403), ("kungsangen", 404)):
            with as_(server, people, who) as other:
                refused = other.post(f"{url(draft)}/publish")
                assert refused.status_code == status, (who, refused.text)
        tag = etag_of(convener, draft)
        stale = convener.post(f"{url(draft)}/publish", headers={"If-Match": '"0-0"'})
        is_problem(stale, 412, "edited_by_someone_else")

        response = convener.post(f"{url(draft)}/publish", headers={"If-Match": tag})
        assert response.status_code == 200, response.text
        published = response.json()
        assert response.headers["etag"] != tag
        assert published["status"] == "published"
        assert published["published_by"]["id"] == people["users"]["coordination"]["id"]
        assert published["published_at"] is not None
        assert published["may_edit"] is False and published["may_publish"] is False
        frozen = published["figures"]
        assert frozen["total"]["current"] == 4
        counted = convener.get(f"{url(draft)}/incidents").json()
        assert [i["id"] for i in counted] == [klotter, brak, glas, samling]

        # A new version (a draft of the same days), to see the changes that the published
        # one does not.
        twin = convener.post(f"{url(draft)}/versions").json()

        # Withdrawn, moved to another area and category, and moved out of the period.
        withdrawn = convener.post(f"{V1}/incidents/{klotter}/withdraw", json={"reason": "mistake"})
        assert withdrawn.status_code == 200, withdrawn.text
        moved = convener.patch(
            f"{V1}/incidents/{brak}",
            json={"area_id": areas["Bro"]["id"], "category": "skadegorelse.klotter"},
        )
        assert moved.status_code == 200, moved.text
        earlier = convener.patch(
            f"{V1}/incidents/{glas}", json={"occurred_from": "2025-08-20T08:00"}
        )
        assert earlier.status_code == 200, earlier.text

        again = convener.get(url(draft)).json()
        assert again["figures"] == frozen
        assert again["status"] == "published"
        # The same incidents, the withdrawn one too, in the order of the times they were
        # counted at: glas still on 10 September (see the next test for what each line says).
        assert [i["id"] for i in convener.get(f"{url(draft)}/incidents").json()] == [
            klotter,
            brak,
            glas,
            samling,
        ]

        live = convener.get(url(twin)).json()["figures"]
        assert live["total"]["current"] == 2
        assert {f["code"]: f["current"] for f in live["families"]} == {
            "skadegorelse": 1,
            "samling": 1,
        }  # no "ordning" now in any of the three periods
        assert {a["name"]: a["current"] for a in live["areas"]} == {
            "Bro": 2,
            "Brunna": 0,
            "Kungsängen": 0,
        }
        assert [i["id"] for i in convener.get(f"{url(twin)}/incidents").json()] == [
            brak,
            samling,
        ]

        # A published lägesbild is not edited, nor published again.
        edited = convener.patch(
            url(draft), json={"summary": "Rättat."}, headers={"If-Match": etag_of(convener, draft)}
        )
        is_problem(edited, 409, "published")
        is_problem(convener.post(f"{url(draft)}/publish"), 409, "published")


def test_the_incidents_of_a_published_lagesbild_are_listed_as_counted(
    server: Server, people: People
) -> None:
    areas = people["areas"]
    (brak,) = file(
        server,
        people,
        {"area_id": areas["Kungsängen"]["id"], "occurred_from": "2025-09-05T12:00",
         "category": "ordning.brak"},
    )  # fmt: skip
    with as_(server, people, "coordination") as convener:
        draft = created(convener, gid(people, COORDINATION), **SEPTEMBER)
        published = publish(convener, draft)
        assert published["figures"]["families"][0]["name"] == "Ordningsstörning och brott"
        listed = convener.get(f"{url(draft)}/incidents").json()
        moved = convener.patch(
            f"{V1}/incidents/{brak}",
            json={"area_id": areas["Bro"]["id"], "category": "skadegorelse.klotter"},
        )
        assert moved.status_code == 200, moved.text
        assert convener.get(url(draft)).json()["figures"] == published["figures"]
        assert convener.get(f"{url(draft)}/incidents").json() == listed


# Versions ---------------------------------------------------------------------------------------


def test_a_new_version_corrects_a_published_lagesbild(server: Server, people: People) -> None:
    areas = people["areas"]
    klotter, _brak = file(
        server,
        people,
        {"area_id": areas["Bro"]["id"], "occurred_from": "2025-09-03T21:30"},
        {"area_id": areas["Kungsängen"]["id"], "occurred_from": "2025-09-05T12:00",
         "category": "ordning.brak"},
    )  # fmt: skip
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        first = created(convener, coordination, **SEPTEMBER)
        saved = save(convener, first, summary="Lugnt i Bro.", proposals="Mer belysning.")
        assert saved.status_code == 200, saved.text
        publish(convener, first)

        response = convener.post(f"{url(first)}/versions")
        assert response.status_code == 201, response.text
        second = response.json()
        assert response.headers["location"] == url(second)
        assert (second["version"], second["previous_id"], second["status"]) == (
            2,
            first["id"],
            "draft",
        )
        assert (second["first_day"], second["last_day"]) == ("2025-09-01", "2025-09-14")
        assert (second["summary"], second["proposals"]) == ("Lugnt i Bro.", "Mer belysning.")
        assert [v["id"] for v in second["versions"]] == [first["id"], second["id"]]
        assert second["may_edit"] is True

        # One draft at a time, and a draft is edited, not versioned.
        is_problem(convener.post(f"{url(first)}/versions"), 409, "draft_exists")
        is_problem(convener.post(f"{url(second)}/versions"), 409, "still_draft")

        changed = save(convener, second, summary="Klottret var en dubblett.")
        assert changed.status_code == 200, changed.text
        gone = convener.post(f"{V1}/incidents/{klotter}/withdraw", json={"reason": "duplicate"})
        assert gone.status_code == 200, gone.text

        comparison = convener.get(f"{url(first)}/comparison/{second['id']}")
        assert comparison.status_code == 200, comparison.text
        diff = comparison.json()
        assert (diff["before"]["id"], diff["after"]["id"]) == (first["id"], second["id"])
        assert diff["texts"] == [
            {"field": "summary", "before": "Lugnt i Bro.", "after": "Klottret var en dubblett."}
        ]
        assert {(c["label"], c["before"], c["after"]) for c in diff["counts"]} == {
            ("Totalt", 2, 1),
            ("Kategori: Skadegörelse", 1, 0),
            ("Område: Bro", 1, 0),
        }
        assert (diff["incidents_added"], diff["incidents_removed"]) == ([], [klotter])
        # Either way round, the older is "before".
        assert convener.get(f"{url(second)}/comparison/{first['id']}").json() == diff

        publish(convener, second)
        third = convener.post(f"{url(second)}/versions")
        assert third.status_code == 201, third.text
        assert (third.json()["version"], third.json()["previous_id"]) == (3, second["id"])
        is_problem(convener.post(f"{url(first)}/versions"), 409, "draft_exists")
        assert [v["version"] for v in convener.get(url(first)).json()["versions"]] == [1, 2, 3]

        # Another lägesbild is not a version of this one.
        unrelated = created(convener, coordination, **OCTOBER)
        is_problem(convener.get(f"{url(first)}/comparison/{unrelated['id']}"), 404, "not_a_version")
    with as_(server, people, "viewer") as viewer:
        assert viewer.post(f"{url(second)}/versions").status_code == 403


def test_a_new_version_of_a_replaced_version_keeps_the_latest_corrections(
    server: Server, people: People
) -> None:
    with as_(server, people, "coordination") as convener:
        first = created(convener, gid(people, COORDINATION), **SEPTEMBER)
        assert save(convener, first, summary="Första.").status_code == 200
        publish(convener, first)
        second = convener.post(f"{url(first)}/versions").json()
        assert save(convener, second, summary="Rättad.").status_code == 200
        publish(convener, second)
        # Someone with the first version still open asks for a new version of it.
        third = convener.post(f"{url(first)}/versions")
        assert third.status_code in {201, 409}, third.text
        if third.status_code == 201:
            assert (third.json()["previous_id"], third.json()["summary"]) == (
                second["id"],
                "Rättad.",
            )


# The roll-up --------------------------------------------------------------------------------


def test_the_rollup_shows_the_latest_published_lagesbild_of_each_group_below(
    server: Server, people: People
) -> None:
    areas = people["areas"]
    file(
        server,
        people,
        {"area_id": areas["Bro"]["id"], "occurred_from": "2025-09-03T21:30"},
        {"area_id": areas["Bro"]["id"], "occurred_from": "2025-09-18T21:30"},
        {"area_id": areas["Bro"]["id"], "occurred_from": "2025-09-19T21:30"},
        {"area_id": areas["Kungsängen"]["id"], "occurred_from": "2025-09-05T12:00"},
    )
    with (
        as_(server, people, "admin") as admin,
        as_(server, people, "coordination") as convener,
        as_(server, people, "steering") as steering,
    ):
        bro_first = created(admin, gid(people, BRO), **SEPTEMBER)
        assert save(admin, bro_first, summary="Bro: lugnt.").status_code == 200
        bro_first = publish(admin, bro_first)
        assert bro_first["rollup"] == []  # an area group has nothing below it
        # A draft of Kungsängen's is not shown.
        with as_(server, people, "kungsangen") as member:
            kungsangen_draft = created(member, gid(people, KUNGSANGEN), **SEPTEMBER)

        coordination = created(convener, gid(people, COORDINATION), **SEPTEMBER)
        (entry,) = coordination["rollup"]
        assert entry["group"] == {"id": gid(people, BRO), "name": BRO}
        assert (entry["report_id"], entry["version"]) == (bro_first["id"], 1)
        assert (entry["first_day"], entry["last_day"]) == ("2025-09-01", "2025-09-14")
        assert entry["summary"] == "Bro: lugnt."
        assert entry["total"] == bro_first["figures"]["total"]
        assert entry["total"]["current"] == 1
        assert entry["families"] == bro_first["figures"]["families"]
        assert entry["published_at"] == bro_first["published_at"]
        published_coordination = publish(convener, coordination)
        assert [e["report_id"] for e in published_coordination["rollup"]] == [bro_first["id"]]

        # The steering group sees the coordination group's, and not the area groups'.
        steering_draft = created(steering, gid(people, STEERING), **SEPTEMBER)
        assert [(e["group"]["name"], e["report_id"]) for e in steering_draft["rollup"]] == [
            (COORDINATION, coordination["id"])
        ]

        # Newer area lägesbilder are published: Bro's next fortnight, and Kungsängen's.
        bro_next = created(admin, gid(people, BRO), first_day="2025-09-15", last_day="2025-09-28")
        bro_next = publish(admin, bro_next)
        publish(admin, kungsangen_draft)

        # The published coordination lägesbild still shows what was published before it.
        kept = convener.get(url(coordination)).json()
        assert [e["report_id"] for e in kept["rollup"]] == [bro_first["id"]]
        assert kept["rollup"] == published_coordination["rollup"]
        # A new draft shows the latest of each.
        fresh = created(
            convener, gid(people, COORDINATION), first_day="2025-09-15", last_day="2025-09-28"
        )
        assert [(e["group"]["name"], e["report_id"]) for e in fresh["rollup"]] == [
            (BRO, bro_next["id"]),
            (KUNGSANGEN, kungsangen_draft["id"]),
        ]
        assert fresh["rollup"][0]["total"]["current"] == 2
        # So does the steering group's draft, still the coordination group's published one.
        assert [e["report_id"] for e in steering.get(url(steering_draft)).json()["rollup"]] == [
            coordination["id"]
        ]


def test_the_rollup_shows_what_a_group_published_last(server: Server, people: People) -> None:
    """A correction of an older fortnight, published after the next fortnight's lägesbild,
    is what the group said last: the roll-up shows it, not the higher period or version."""
    bro = gid(people, BRO)
    with as_(server, people, "admin") as admin:
        first = publish(admin, created(admin, bro, **SEPTEMBER))
        following = publish(
            admin, created(admin, bro, first_day="2025-09-15", last_day="2025-09-28")
        )
        shown = created(admin, gid(people, COORDINATION), **OCTOBER)
        assert [e["report_id"] for e in shown["rollup"]] == [following["id"]]

        correction = admin.post(f"{url(first)}/versions").json()
        assert save(admin, correction, summary="Rättad.").status_code == 200
        correction = publish(admin, correction)
        rolled = admin.get(url(shown)).json()["rollup"]
        assert [(e["report_id"], e["version"], e["summary"]) for e in rolled] == [
            (correction["id"], 2, "Rättad.")
        ]


# Who reads and writes --------------------------------------------------------------------------


def test_who_reads_and_writes_which_groups_lagesbild(server: Server, people: People) -> None:
    with as_(server, people, "admin") as admin:
        drafts = {name: created(admin, gid(people, name), **SEPTEMBER) for name in GROUPS}

    readers = {
        "admin": set(GROUPS),
        "steering": set(GROUPS),
        "coordination": set(GROUPS),
        "viewer": set(GROUPS),
        "kungsangen": {KUNGSANGEN},
        "reporter": set(),
    }
    for who, readable in readers.items():
        with as_(server, people, who) as client:
            for name in GROUPS:
                expected = 200 if name in readable else 404
                group = gid(people, name)
                report = drafts[name]
                responses = {
                    "figures": client.get(f"{V1}/groups/{group}/situation", params=SEPTEMBER),
                    "list": client.get(f"{V1}/groups/{group}/situation-reports"),
                    "report": client.get(url(report)),
                    "incidents": client.get(f"{url(report)}/incidents"),
                    "comparison": client.get(f"{url(report)}/comparison/{report['id']}"),
                }
                for what, response in responses.items():
                    assert response.status_code == expected, (who, name, what, response.text)

    # Writing: conveners and members of the group, else 403 for those who read it.
    writes = {
        ("kungsangen", KUNGSANGEN): 201,
        ("kungsangen", BRO): 404,
        ("kungsangen", COORDINATION): 404,
        ("reporter", BRO): 404,
        ("steering", STEERING): 201,
        ("steering", COORDINATION): 403,
        ("viewer", COORDINATION): 403,
        ("coordination", COORDINATION): 201,
        ("coordination", BRO): 403,
    }
    made: dict[tuple[str, str], dict[str, Any]] = {}
    for (who, name), status in writes.items():
        with as_(server, people, who) as client:
            response = create(client, gid(people, name), **OCTOBER)
            assert response.status_code == status, (who, name, response.text)
            if status == 201:
                made[who, name] = response.json()

    # Publishing is the group's convener's (or an administrator's).
    kungsangen = made["kungsangen", KUNGSANGEN]
    assert kungsangen["may_edit"] is True and kungsangen["may_publish"] is False
    steering = made["steering", STEERING]
    assert steering["may_edit"] is True and steering["may_publish"] is False
    for who, report, status in (
        ("kungsangen", kungsangen, 403),
        ("coordination", kungsangen, 403),
        ("steering", steering, 403),
        ("viewer", made["coordination", COORDINATION], 403),
        ("reporter", kungsangen, 404),
    ):
        with as_(server, people, who) as client:
            assert client.post(f"{url(report)}/publish").status_code == status, (who, report)
    with as_(server, people, "viewer") as viewer:
        seen = viewer.get(url(made["coordination", COORDINATION])).json()
        assert seen["may_edit"] is False and seen["may_publish"] is False
    with as_(server, people, "admin") as admin:
        assert admin.post(f"{url(kungsangen)}/publish").status_code == 200
        assert admin.get(f"{V1}/groups/999999/situation").status_code == 404
        assert admin.get(url(999999)).status_code == 404


def test_a_service_token_reads_no_lagesbild(server: Server, people: People) -> None:
    with as_(server, people, "admin") as admin:
        draft = created(admin, gid(people, COORDINATION), **SEPTEMBER)
        token = admin.post(
            f"{V1}/service-tokens",
            json={
                "source": "embrace",
                "organisation_id": people["organisations"]["Rapid Säkerhet"]["id"],
            },
        )
        assert token.status_code == 201, token.text
    with server.client(token.json()["token"]) as service:
        group = gid(people, COORDINATION)
        assert service.get(f"{V1}/groups/{group}/situation").status_code == 403
        assert service.get(url(draft)).status_code == 403
        assert create(service, group, **SEPTEMBER).status_code == 403


@pytest.mark.parametrize("group", [COORDINATION, KUNGSANGEN])
def test_a_lagesbild_of_an_empty_period(server: Server, people: People, group: str) -> None:
    with as_(server, people, "admin") as admin:
        draft = created(admin, gid(people, group), **SEPTEMBER)
        figures = draft["figures"]
        assert figures["total"] == {"current": 0, "previous": 0, "last_year": 0}
        assert figures["police"]["share"] is None
        assert figures["hot_spots"] == [] and figures["reporters"] == []
        assert len(figures["silent"]) == len(people["groups"][group]["organisations"])
        published = publish(admin, draft)
        assert admin.get(f"{url(draft)}/incidents").json() == []
        assert published["figures"]["total"]["current"] == 0


# At the same moment -----------------------------------------------------------------------------

# On PostgreSQL the If-Match check reads the revision and the UPDATE then writes it without a
# lock or a condition on the revision (api/situation/service.py, _check_revision and
# update_report / publish), so requests that read the same revision all pass the check.


def at_once(server: Server, token: str, count: int, send: Any) -> list[httpx.Response]:
    def one(n: int) -> httpx.Response:
        with server.client(token) as client:
            response: httpx.Response = send(client, n)
            return response

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_saves_sent_at_once_with_the_same_etag_save_once(server: Server, people: People) -> None:
    """Eight people save the same draft at once, each with the ETag they read: one save
    wins, the others are told someone saved first (412), and no save is lost."""
    with as_(server, people, "coordination") as convener:
        draft = created(convener, gid(people, COORDINATION), **SEPTEMBER)
        tag = etag_of(convener, draft)
    responses = at_once(
        server,
        people["tokens"]["coordination"],
        8,
        lambda client, n: client.patch(
            url(draft), json={"summary": f"Text {n}"}, headers={"If-Match": tag}
        ),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * 7, [r.text for r in responses]
    (winner,) = [r.json()["summary"] for r in responses if r.status_code == 200]
    with as_(server, people, "coordination") as convener:
        stored = convener.get(url(draft)).json()
    assert (stored["summary"], stored["revision"]) == (winner, 2)


def test_a_draft_published_twice_at_once_is_published_once(server: Server, people: People) -> None:
    with as_(server, people, "coordination") as convener:
        # No incidents: nothing else (the incident rows' primary key) catches a second publish.
        draft = created(
            convener, gid(people, COORDINATION), first_day="2025-01-01", last_day="2025-01-05"
        )
        tag = etag_of(convener, draft)
    responses = at_once(
        server,
        people["tokens"]["coordination"],
        6,
        lambda client, _n: client.post(f"{url(draft)}/publish", headers={"If-Match": tag}),
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] == 200 and all(s in {409, 412} for s in statuses[1:]), statuses
    with as_(server, people, "coordination") as convener:
        stored = convener.get(url(draft)).json()
    assert stored["revision"] == 2
    (winner,) = [r.json() for r in responses if r.status_code == 200]
    assert stored["published_at"] == winner["published_at"]


def test_text_that_looks_like_it_names_someone_is_refused_until_confirmed(
    server: Server, people: People
) -> None:
    with as_(server, people, "coordination") as convener:
        draft = created(convener, gid(people, COORDINATION), **SEPTEMBER)
        text = "Ring grannen på 070-123 45 67 om bråket."
        refused = save(convener, draft, analysis=text, summary="Lugnt.")
        is_problem(refused, 422, "personal_data")
        (error,) = refused.json()["errors"]
        assert (error["field"], error["code"]) == ("analysis", "personal_data")
        assert "telefonnummer" in error["message"]
        # Nothing of the request was saved, not even the harmless summary.
        stored = convener.get(url(draft)).json()
        assert (stored["analysis"], stored["summary"], stored["revision"]) == ("", "", 1)
        confirmed = save(convener, draft, analysis=text, confirm_personal_data=True)
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["analysis"] == text


@pytest.mark.parametrize("day", ["2026-13-01", "2026-02-30", "igår", "0"])
def test_an_impossible_day_is_told_in_swedish(server: Server, people: People, day: str) -> None:
    with as_(server, people, "coordination") as convener:
        response = convener.get(
            f"{V1}/groups/{gid(people, COORDINATION)}/situation", params={"first_day": day}
        )
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["field"] == "first_day"
    assert error["message"] == "Ange en giltig dag som ÅÅÅÅ-MM-DD.", error

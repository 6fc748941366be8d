"""Evenings in the field over HTTP: planned with their briefing, shifts and places to watch,
listed upcoming first in the caller's scope, changed with If-Match, closed; the next weekend
from the latest weekend evenings (twice, nothing twice); the suggestions of hot spots and
busy hours; who reads and who plans; and what is refused, in Swedish."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select, update

from api.evenings.demo import load_demo_evenings
from api.evenings.models import LogPost
from api.evenings.service import coming_friday
from api.structure.models import Municipality
from tests.support.factories import file_report
from tests.support.people import People, as_, oid
from tests.support.servers import Server
from tests.support.walks import make_evening

V1 = "/api/v1"
TZ = ZoneInfo("Europe/Stockholm")
PROBLEM = "application/problem+json"
FIELD_GROUP = "Fältgruppen"
POLICE = "Polisen, lokalpolisområde"
GUARDS = "Rapid Säkerhet"


def today() -> dt.date:
    return dt.datetime.now(TZ).date()


def area(people: People, name: str) -> int:
    return int(people["areas"][name]["id"])


def local(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).astimezone(TZ)


def plan(client: httpx.Client, **body: Any) -> dict[str, Any]:
    response = client.post(f"{V1}/evenings", json=body)
    assert response.status_code == 201, response.text
    evening: dict[str, Any] = response.json()
    return evening


def test_an_evening_is_planned_read_changed_and_closed(server: Server, people: People) -> None:
    day = today() + dt.timedelta(days=3)
    with as_(server, people, "coordination") as planner:
        evening = plan(
            planner,
            day=day.isoformat(),
            area_id=area(people, "Bro"),
            briefing_at=f"{day}T17:30",
            briefing_place="Brohuset",
            notes="Fokus på stationen.",
            watch=[{"label": "Bro centrum", "reason": "Samlingar vid stationen."}],
            shifts=[
                {"organisation_id": oid(people, FIELD_GROUP), "people": 3},
                {
                    "organisation_id": oid(people, POLICE),
                    "starts_at": f"{day}T19:00",
                    "ends_at": f"{day + dt.timedelta(days=1)}T02:00",
                    "location": "Hela Bro",
                },
            ],
        )
        # 18:00–01:00 Swedish time by default; a shift without times has the evening's.
        assert (local(evening["starts_at"]).date(), local(evening["starts_at"]).hour) == (day, 18)
        assert local(evening["ends_at"]).date() == day + dt.timedelta(days=1)
        assert local(evening["ends_at"]).hour == 1
        assert evening["day"] == day.isoformat() and evening["area"]["name"] == "Bro"
        assert evening["kind"] == "weekend" and evening["watch"][0]["label"] == "Bro centrum"
        field, police = evening["shifts"]
        assert field["organisation"]["name"] == FIELD_GROUP and field["people"] == 3
        assert field["starts_at"] == evening["starts_at"]
        assert police["location"] == "Hela Bro" and local(police["ends_at"]).hour == 2
        # Three days ahead, the log is not open yet: it opens the afternoon of the evening.
        assert evening["may_plan"] and evening["may_post"] and not evening["log_open"]
        early = planner.post(f"{V1}/evenings/{evening['id']}/log", json={"text": "Test"})
        assert early.status_code == 409, early.text
        assert "loggen öppnar" in early.json()["detail"], early.text
        assert not evening["on_shift"]

        got = planner.get(f"{V1}/evenings/{evening['id']}")
        assert got.status_code == 200 and got.json()["id"] == evening["id"]
        etag = got.headers["ETag"]
        listed = planner.get(f"{V1}/evenings").json()["items"]
        assert [e["id"] for e in listed] == [evening["id"]]

        changed = planner.patch(
            f"{V1}/evenings/{evening['id']}",
            json={
                "kind": "halloween",
                "shifts": [{"organisation_id": oid(people, GUARDS), "people": 2}],
                "watch": [],
            },
            headers={"If-Match": etag},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["kind"] == "halloween" and changed.json()["watch"] == []
        assert [s["organisation"]["name"] for s in changed.json()["shifts"]] == [GUARDS]
        # The ETag read before the change is stale now.
        stale = planner.patch(
            f"{V1}/evenings/{evening['id']}", json={"title": "X"}, headers={"If-Match": etag}
        )
        assert stale.status_code == 412
        assert stale.headers["content-type"].startswith(PROBLEM)

        closed = planner.post(f"{V1}/evenings/{evening['id']}/close")
        assert closed.status_code == 200
        assert closed.json()["closed_at"] and not closed.json()["log_open"]


def test_lists_come_upcoming_first_past_latest_first_and_by_period(
    server: Server, people: People
) -> None:
    bro = area(people, "Bro")
    with as_(server, people, "coordination") as planner:
        days = [today() + dt.timedelta(days=n) for n in (9, 2, -5, -12)]
        made = {
            n: plan(planner, day=d.isoformat(), area_id=bro)["id"]
            for n, d in zip((9, 2, -5, -12), days, strict=True)
        }
        upcoming = planner.get(f"{V1}/evenings").json()["items"]
        assert [e["id"] for e in upcoming] == [made[2], made[9]]
        past = planner.get(f"{V1}/evenings", params={"when": "past"}).json()["items"]
        assert [e["id"] for e in past] == [made[-5], made[-12]]
        # A page at a time, the next link going on where the last page ended.
        first = planner.get(f"{V1}/evenings", params={"when": "all", "limit": 3}).json()
        assert [e["id"] for e in first["items"]] == [made[9], made[2], made[-5]]
        rest = planner.get(first["next"]).json()
        assert [e["id"] for e in rest["items"]] == [made[-12]] and rest["next"] is None
        period = planner.get(
            f"{V1}/evenings",
            params={"from": days[3].isoformat(), "to": days[1].isoformat(), "area": bro},
        ).json()["items"]
        assert [e["id"] for e in period] == [made[-12], made[-5], made[2]]
        other = planner.get(f"{V1}/evenings", params={"area": area(people, "Brunna")})
        assert other.json()["items"] == []


def test_the_scope_the_shift_and_who_plans(server: Server, people: People) -> None:
    day = (today() + dt.timedelta(days=1)).isoformat()
    with as_(server, people, "coordination") as planner:
        bro = plan(planner, day=day, area_id=area(people, "Bro"))
        kungsangen = plan(planner, day=day, area_id=area(people, "Kungsängen"))
        whole = plan(planner, day=day)
    # A member of Kungsängen's area group reads Kungsängen's evening, not Bro's nor the
    # whole municipality's, and plans in Kungsängen only.
    with as_(server, people, "kungsangen") as member:
        assert member.get(f"{V1}/evenings/{kungsangen['id']}").json()["may_plan"]
        assert member.get(f"{V1}/evenings/{bro['id']}").status_code == 404
        assert member.get(f"{V1}/evenings/{whole['id']}").status_code == 404
        assert [e["id"] for e in member.get(f"{V1}/evenings").json()["items"]] == [kungsangen["id"]]
        refused = member.post(f"{V1}/evenings", json={"day": day, "area_id": area(people, "Bro")})
        assert refused.status_code == 403
        assert "planerar kvällen" in refused.json()["detail"]
        assert member.post(f"{V1}/evenings/{bro['id']}/close").status_code == 404
    # The reporter (of the guard company, in Bro's group as a reporter) reads no area: no
    # evening, until their company has a shift on one.
    with as_(server, people, "reporter") as reporter:
        assert reporter.get(f"{V1}/evenings/{kungsangen['id']}").status_code == 404
        assert reporter.get(f"{V1}/evenings").json()["items"] == []
        assert reporter.post(f"{V1}/evenings", json={"day": day}).status_code == 403
    with as_(server, people, "coordination") as planner:
        shifted = planner.patch(
            f"{V1}/evenings/{kungsangen['id']}",
            json={"shifts": [{"organisation_id": oid(people, GUARDS), "people": 2}]},
        )
        assert shifted.status_code == 200, shifted.text
    with as_(server, people, "reporter") as reporter:
        seen = reporter.get(f"{V1}/evenings/{kungsangen['id']}")
        assert seen.status_code == 200
        assert seen.json()["on_shift"] and seen.json()["may_post"]
        assert not seen.json()["may_plan"]
        assert [e["id"] for e in reporter.get(f"{V1}/evenings").json()["items"]] == [
            kungsangen["id"]
        ]
        assert reporter.post(f"{V1}/evenings/{kungsangen['id']}/close").status_code == 403
    # Those who read the whole municipality read all three; a viewer plans none.
    with as_(server, people, "viewer") as viewer:
        assert len(viewer.get(f"{V1}/evenings").json()["items"]) == 3
        assert not viewer.get(f"{V1}/evenings/{whole['id']}").json()["may_plan"]
        assert viewer.post(f"{V1}/evenings", json={"day": day}).status_code == 403


def test_the_next_weekend_comes_from_the_latest_and_only_once(
    server: Server, people: People
) -> None:
    bro = area(people, "Bro")
    friday = coming_friday(today())
    last_friday = friday - dt.timedelta(days=7)
    with as_(server, people, "coordination") as planner:
        template = plan(
            planner,
            starts_at=f"{last_friday}T19:00",
            ends_at=f"{last_friday + dt.timedelta(days=1)}T02:00",
            area_id=bro,
            briefing_at=f"{last_friday}T18:30",
            briefing_place="Brohuset",
            watch=[{"label": "Råby"}],
            shifts=[
                {
                    "organisation_id": oid(people, FIELD_GROUP),
                    "starts_at": f"{last_friday}T19:30",
                    "ends_at": f"{last_friday + dt.timedelta(days=1)}T01:30",
                    "people": 3,
                }
            ],
        )
        first = planner.post(f"{V1}/evenings/next-weekend", json={"area_id": bro})
        assert first.status_code == 201, first.text
        created = first.json()["created"]
        assert [e["day"] for e in created] == [
            friday.isoformat(),
            (friday + dt.timedelta(days=1)).isoformat(),
        ]
        new_friday, saturday = created
        # Friday from last Friday: its hours, briefing, places and shifts, a week on.
        assert local(new_friday["starts_at"]).hour == 19 and local(new_friday["ends_at"]).hour == 2
        assert local(new_friday["briefing_at"]).hour == 18
        assert new_friday["briefing_place"] == "Brohuset"
        assert new_friday["watch"] == template["watch"]
        [shift] = new_friday["shifts"]
        assert shift["people"] == 3
        assert local(shift["starts_at"]) == dt.datetime.combine(friday, dt.time(19, 30), TZ)
        # Saturday had no template: the defaults.
        assert local(saturday["starts_at"]).hour == 18 and saturday["shifts"] == []
        again = planner.post(f"{V1}/evenings/next-weekend", json={"area_id": bro})
        assert again.status_code == 200
        assert again.json()["created"] == []
        assert [e["id"] for e in again.json()["existing"]] == [e["id"] for e in created]
        everything = planner.get(f"{V1}/evenings", params={"when": "all"}).json()["items"]
        assert len(everything) == 3
    with as_(server, people, "viewer") as viewer:
        refused = viewer.post(f"{V1}/evenings/next-weekend", json={"area_id": bro})
        assert refused.status_code == 403


def test_suggestions_name_the_hot_spots_and_the_busy_hours(server: Server, people: People) -> None:
    bro = area(people, "Bro")
    # Four observations at one spot in Bro a week ago, on the evening's weekday at 21:30.
    day = today() + dt.timedelta(days=7)
    seen = dt.datetime.combine(today() - dt.timedelta(days=7), dt.time(21, 30), tzinfo=TZ)
    file_report(
        server,
        people["tokens"]["coordination"],
        *(
            {
                "area_id": bro,
                "position": {"lat": 59.5117 + n * 0.0001, "lon": 17.6364},
                "occurred_from": seen.isoformat(),
            }
            for n in range(4)
        ),
    )
    with as_(server, people, "coordination") as planner:
        evening = plan(planner, day=day.isoformat(), area_id=bro)
        answer = planner.get(f"{V1}/evenings/{evening['id']}/suggestions")
        assert answer.status_code == 200, answer.text
        found = answer.json()
        [spot] = found["hot_spots"]
        assert spot["count"] == 4 and spot["area"] == "Bro" and "Het plats" in spot["reason"]
        hours = {h["hour"]: h["count"] for h in found["hours"]}
        assert list(hours)[:3] == [18, 19, 20] and 0 in hours
        assert hours[21] == 4 and found["busiest"] == [21]
        assert "kl. 21–22" in found["advice"]
    # Kungsängen's member reads no Bro evening, nor its suggestions.
    with as_(server, people, "kungsangen") as member:
        assert member.get(f"{V1}/evenings/{evening['id']}/suggestions").status_code == 404


def test_personal_data_and_bad_input_are_refused_in_swedish(server: Server, people: People) -> None:
    day = (today() + dt.timedelta(days=2)).isoformat()
    with as_(server, people, "coordination") as planner:
        named = planner.post(
            f"{V1}/evenings", json={"day": day, "notes": "Ring Kim på 070-123 45 67."}
        )
        assert named.status_code == 422
        assert named.headers["content-type"].startswith(PROBLEM)
        [error] = named.json()["errors"]
        assert error["field"].endswith("notes") and "telefonnummer" in error["message"]
        in_shift = planner.post(
            f"{V1}/evenings",
            json={
                "day": day,
                "shifts": [{"organisation_id": oid(people, POLICE), "location": "19850312-1231"}],
            },
        )
        assert in_shift.status_code == 422
        nothing = planner.post(f"{V1}/evenings", json={})
        assert nothing.status_code == 422
        assert nothing.json()["errors"][0]["field"] == "day"
        assert "Ange kvällens dag" in nothing.json()["errors"][0]["message"]
        backwards = planner.post(
            f"{V1}/evenings", json={"starts_at": f"{day}T22:00", "ends_at": f"{day}T20:00"}
        )
        assert backwards.status_code == 422
        assert backwards.json()["errors"][0]["message"] == "Kvällen slutar innan den börjar."
        unknown = planner.post(f"{V1}/evenings", json={"day": day, "kind": "midsommar"})
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"].endswith("kind")
        no_org = planner.post(
            f"{V1}/evenings", json={"day": day, "shifts": [{"organisation_id": 987654}]}
        )
        assert no_org.status_code == 422
        assert no_org.json()["errors"][0] == {
            "field": "shifts.0.organisation_id",
            "location": "body",
            "message": "Det finns ingen sådan organisation.",
            "code": "unknown_id",
        }
        bad_filter = planner.get(f"{V1}/evenings", params={"from": "igår"})
        assert bad_filter.status_code == 422
        assert planner.get(f"{V1}/evenings/987654").status_code == 404


def test_the_list_is_a_logged_read(server: Server, people: People, api: httpx.Client) -> None:
    with as_(server, people, "coordination") as planner:
        plan(planner, day=(today() + dt.timedelta(days=1)).isoformat())
        assert planner.get(f"{V1}/evenings").status_code == 200
    events = api.get(
        f"{V1}/audit-events", params={"action": "export", "object_type": "evenings"}
    ).json()["items"]
    assert events and events[0]["rows"] == 1 and events[0]["detail"] == "list"


def test_the_demo_has_last_weekends_evenings_with_a_log_and_the_next_planned(
    server: Server, people: People
) -> None:
    with server.database.session(write=True) as session:
        assert load_demo_evenings(session, today=today()) == 4
    with server.database.session(write=True) as session:
        assert load_demo_evenings(session, today=today()) == 0  # once
        posts = session.scalar(select(func.count()).select_from(LogPost))
    assert posts == 8
    friday = coming_friday(today())
    with as_(server, people, "coordination") as planner:
        evenings = planner.get(f"{V1}/evenings", params={"when": "all"}).json()["items"]
    days = [e["day"] for e in evenings]
    assert days == [(friday + dt.timedelta(days=n)).isoformat() for n in (1, 0, -6, -7)]
    last_friday = evenings[-1]
    assert {s["organisation"]["name"] for s in last_friday["shifts"]} == {
        FIELD_GROUP,
        POLICE,
        GUARDS,
        "Nattvandrare (föreningar)",
    }
    assert last_friday["briefing_place"] and len(last_friday["watch"]) == 2
    assert last_friday["closed_at"] is not None
    # The coming weekend planned from last weekend's: the same shifts, a week on.
    assert len(evenings[1]["shifts"]) == 4 and evenings[1]["closed_at"] is None


def test_a_periods_days_are_the_acting_municipalitys(server: Server, people: People) -> None:
    # A municipality keeping another zone (#21): its lists' days begin at its midnight. An
    # evening at 18:00 Swedish time is past 01:00 the next day in Tokyo.
    day = dt.date(2026, 6, 5)
    evening = make_evening(server, people, day)
    town = people["municipality"]["id"]

    def listed(on: dt.date) -> list[int]:
        with as_(server, people, "admin") as admin:
            answer = admin.get(
                f"{V1}/evenings", params={"from": on.isoformat(), "to": on.isoformat()}
            )
            assert answer.status_code == 200, answer.text
            return [e["id"] for e in answer.json()["items"]]

    assert listed(day) == [evening]
    with server.database.session(write=True) as session:
        session.execute(
            update(Municipality).where(Municipality.id == town).values(timezone="Asia/Tokyo")
        )
    assert listed(day) == []
    assert listed(day + dt.timedelta(days=1)) == [evening]

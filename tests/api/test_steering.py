"""Steering over HTTP: goals and their indicators (counted from the observations per
quarter, or entered by hand with year and source), assignments from the steering group on
the receiving group's agendas until answered, action plans with activities and their yearly
follow-up, and the thread from a goal to what serves it. On SQLite and PostgreSQL.

Expected values are worked out here from what the test planted."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.support.factories import file_report
from tests.support.people import People, as_, gid
from tests.support.servers import Server

V1 = "/api/v1"
TZ = ZoneInfo("Europe/Stockholm")
STEERING = "EST styrgrupp"
COORDINATION = "EST samordningsgrupp"
KUNGSANGEN = "EST områdesgrupp Kungsängen"
BRO_GROUP = "EST områdesgrupp Bro"
POLICE = "Polisen, lokalpolisområde"
HOUSING = "Upplands-Brohus"


def today() -> dt.date:
    return dt.datetime.now(TZ).date()


def quarter_start(day: dt.date, back: int = 0) -> dt.date:
    """The first day of the quarter ``back`` quarters before ``day``'s."""
    index = day.year * 4 + (day.month - 1) // 3 - back
    return dt.date(index // 4, index % 4 * 3 + 1, 1)


def label(first: dt.date) -> str:
    return f"{first.year} kv. {(first.month - 1) // 3 + 1}"


def problem_fields(response: httpx.Response) -> set[str]:
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"] for e in response.json()["errors"]}


def new_goal(client: httpx.Client, people: People, **extra: Any) -> dict[str, Any]:
    response = client.post(
        f"{V1}/goals",
        json={
            "group_id": gid(people, STEERING),
            "theme": "Olovlig körning",
            "title": "Minska olovlig körning med moped och EPA i Kungsängen",
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"/api/v1/goals/{response.json()['id']}"
    return dict(response.json())


def intervention_body(people: People, **extra: Any) -> dict[str, Any]:
    return {
        "title": "Trafikkontroller vid Kungsängens centrum",
        "type": "outreach",
        "owner_organisation_id": people["organisations"][HOUSING]["id"],
        "target": {"kind": "area", "area_id": people["areas"]["Kungsängen"]["id"]},
        "categories": ["skadegorelse"],
        "planned_start": today().isoformat(),
        **extra,
    }


# Goals and indicators ----------------------------------------------------------------------


def test_a_counted_indicator_follows_the_observations_per_quarter(
    server: Server, people: People
) -> None:
    last_q, before_q = quarter_start(today(), 1), quarter_start(today(), 2)
    at = {"area_id": people["areas"]["Kungsängen"]["id"]}
    # Two in the last complete quarter, one the quarter before; one of another family and
    # one withdrawn, neither counted.
    report = file_report(
        server,
        people["tokens"]["kungsangen"],
        {**at, "occurred_from": f"{last_q + dt.timedelta(days=10)}T21:30"},
        {**at, "occurred_from": f"{last_q + dt.timedelta(days=40)}T08:15"},
        {**at, "occurred_from": f"{before_q + dt.timedelta(days=5)}T12:00"},
        {**at, "occurred_from": f"{last_q + dt.timedelta(days=3)}T12:00", "category": "samling"},
        {**at, "occurred_from": f"{last_q + dt.timedelta(days=20)}T12:00"},
    )
    with as_(server, people, "admin") as admin:
        withdrawn = admin.post(
            f"{V1}/incidents/{report['incidents'][-1]['id']}/withdraw",
            json={"reason": "duplicate"},
        )
        assert withdrawn.status_code == 200, withdrawn.text
    with as_(server, people, "steering") as steering:
        goal = new_goal(steering, people)
        created = steering.post(
            f"{V1}/goals/{goal['id']}/indicators",
            json={
                "name": "Skadegörelse i Kungsängen per kvartal",
                "kind": "computed",
                "category": "skadegorelse",
                "area_id": people["areas"]["Kungsängen"]["id"],
            },
        )
        assert created.status_code == 201, created.text
        indicator = created.json()
        series = {p["label"]: p for p in indicator["series"]}
        assert len(indicator["series"]) == 8
        assert series[label(last_q)]["value"] == 2
        assert series[label(before_q)]["value"] == 1
        assert series[label(last_q)]["partial"] is False
        # Before the first observation there is no figure: not a zero that looks like a fall.
        assert series[label(quarter_start(today(), 3))]["value"] is None
        assert indicator["series"][-1]["partial"] is True  # the quarter under way
        assert indicator["summary"] == f"{label(before_q)}: 1 → {label(last_q)}: 2 (sämre)."
        assert indicator["category_label"] == "Skadegörelse"

        longer = steering.get(f"{V1}/indicators/{indicator['id']}", params={"quarters": 12})
        assert len(longer.json()["series"]) == 12
        # The whole municipality: the same here, as everything was filed in Kungsängen.
        everywhere = steering.post(
            f"{V1}/goals/{goal['id']}/indicators",
            json={
                "name": "Skadegörelse i kommunen",
                "kind": "computed",
                "category": "skadegorelse",
            },
        ).json()
        assert {p["label"]: p["value"] for p in everywhere["series"]}[label(last_q)] == 2

        # Values are entered only in indicators kept by hand.
        refused = steering.put(
            f"{V1}/indicators/{indicator['id']}/values/2024",
            json={"value": 3, "source": "Stockholmsenkäten 2024"},
        )
        assert refused.status_code == 422
        assert problem_fields(refused) == {"value"}


def test_a_survey_figure_is_entered_by_hand_with_its_year_and_source(
    server: Server, people: People
) -> None:
    with as_(server, people, "steering") as steering:
        goal = new_goal(steering, people, theme="ANDT", title="Färre unga som röker")
        indicator = steering.post(
            f"{V1}/goals/{goal['id']}/indicators",
            json={
                "name": "Andel elever i åk 9 som röker",
                "kind": "manual",
                "unit": "procent",
                "source": "Stockholmsenkäten",
            },
        ).json()
        for year, value in ((2022, 12.5), (2024, 9.0)):
            put = steering.put(
                f"{V1}/indicators/{indicator['id']}/values/{year}",
                json={"value": value, "source": f"Stockholmsenkäten {year}"},
            )
            assert put.status_code == 200, put.text
        shown = put.json()
        assert [(p["label"], p["value"], p["source"]) for p in shown["series"]] == [
            ("2022", 12.5, "Stockholmsenkäten 2022"),
            ("2024", 9.0, "Stockholmsenkäten 2024"),
        ]
        assert shown["summary"] == "2022: 12,5 → 2024: 9 (bättre)."
        # Corrected, not doubled.
        steering.put(
            f"{V1}/indicators/{indicator['id']}/values/2024",
            json={"value": 10, "source": "Stockholmsenkäten 2024", "note": "Rättat"},
        )
        again = steering.get(f"{V1}/indicators/{indicator['id']}").json()
        assert [p["value"] for p in again["series"]] == [12.5, 10.0]
        # A figure needs its source; a year out of range and a huge number are refused.
        assert problem_fields(
            steering.put(f"{V1}/indicators/{indicator['id']}/values/2023", json={"value": 1})
        ) == {"source"}
        assert (
            steering.put(
                f"{V1}/indicators/{indicator['id']}/values/1800",
                json={"value": 1, "source": "x"},
            ).status_code
            == 422
        )
        assert problem_fields(
            steering.put(
                f"{V1}/indicators/{indicator['id']}/values/2023",
                json={"value": 1e300, "source": "x"},
            )
        ) == {"value"}
        # A manual indicator counts no category.
        mixed = steering.post(
            f"{V1}/goals/{goal['id']}/indicators",
            json={"name": "x", "kind": "manual", "category": "skadegorelse"},
        )
        assert mixed.status_code == 422
        deleted = steering.delete(f"{V1}/indicators/{indicator['id']}/values/2022")
        assert [p["label"] for p in deleted.json()["series"]] == ["2024"]


def test_who_reads_and_writes_the_steering_groups_goals(server: Server, people: People) -> None:
    with as_(server, people, "steering") as steering:
        goal = new_goal(steering, people)
    with as_(server, people, "coordination") as coordination:
        assert coordination.get(f"{V1}/goals/{goal['id']}").status_code == 200
        assert coordination.get(f"{V1}/goals").json()["items"][0]["may_edit"] is False
        # Reading is not writing: the goals are the steering group's.
        refused = coordination.patch(f"{V1}/goals/{goal['id']}", json={"title": "Annat"})
        assert refused.status_code == 403
        assert refused.json()["detail"].startswith("Bara styrgruppens")
    for who in ("kungsangen", "reporter"):
        with as_(server, people, who) as client:
            assert client.get(f"{V1}/goals").status_code == 403
            assert client.get(f"{V1}/goals/{goal['id']}").status_code == 403
    with as_(server, people, "steering") as steering:
        # A goal belongs to the steering group, not to another group.
        not_steering = steering.post(
            f"{V1}/goals",
            json={"group_id": gid(people, COORDINATION), "theme": "x", "title": "y"},
        )
        assert not_steering.status_code == 422
        assert problem_fields(not_steering) == {"group_id"}
        backwards = steering.post(
            f"{V1}/goals",
            json={
                "group_id": gid(people, STEERING),
                "theme": "x",
                "title": "y",
                "period_start": "2027-01-01",
                "period_end": "2026-01-01",
            },
        )
        assert problem_fields(backwards) == {"period_end"}
        closed = steering.patch(f"{V1}/goals/{goal['id']}", json={"active": False})
        assert closed.json()["active"] is False
        assert steering.get(f"{V1}/goals").json()["items"] == []
        assert len(steering.get(f"{V1}/goals", params={"active": "false"}).json()["items"]) == 1


# Assignments and the agenda ----------------------------------------------------------------


def agenda_kinds(meeting: dict[str, Any]) -> list[str]:
    return [item["kind"] for item in meeting["agenda"]]


def test_an_assignment_is_on_the_groups_agendas_until_answered(
    server: Server, people: People
) -> None:
    kungsangen = gid(people, KUNGSANGEN)
    next_week = dt.datetime.combine(today() + dt.timedelta(days=7), dt.time(13))
    with as_(server, people, "kungsangen") as member:
        # Planned before the assignment was given: it shows up there too.
        planned = member.post(
            f"{V1}/groups/{kungsangen}/meetings", json={"starts_at": next_week.isoformat()}
        ).json()
        assert "assignment" not in agenda_kinds(planned)
    with as_(server, people, "steering") as steering:
        goal = new_goal(steering, people)
        given = steering.post(
            f"{V1}/assignments",
            json={
                "goal_id": goal["id"],
                "to_group_id": kungsangen,
                "title": "Kartlägg var mopederna körs och föreslå insatser",
                "due": (today() + dt.timedelta(days=30)).isoformat(),
            },
        )
        assert given.status_code == 201, given.text
        assignment = given.json()
        assert assignment["status"] == "open"
        assert assignment["from_group"]["name"] == STEERING
        assert assignment["may_answer"] is False
        assert steering.get(f"{V1}/goals/{goal['id']}").json()["open_assignments"] == 1
    with as_(server, people, "kungsangen") as member:
        meeting = member.get(f"{V1}/meetings/{planned['id']}").json()
        kinds = agenda_kinds(meeting)
        # Before other business, which stays last.
        assert kinds[-2:] == ["assignment", "other"]
        item = meeting["agenda"][-2]
        assert item["ref_id"] == assignment["id"]
        assert item["title"] == (
            f"Uppdrag från {STEERING}: Kartlägg var mopederna körs och föreslå insatser"
        )
        assert item["note"].startswith(f"Mål: {goal['title']}. Återrapportera senast ")
        # The group sees its own assignment, and only its own.
        mine = member.get(f"{V1}/assignments").json()["items"]
        assert [a["id"] for a in mine] == [assignment["id"]]
        assert mine[0]["may_answer"] is True and mine[0]["may_edit"] is False
        # Saving the agenda as read does not store the assignment twice.
        etag = member.get(f"{V1}/meetings/{planned['id']}").headers["ETag"]
        saved = member.patch(
            f"{V1}/meetings/{planned['id']}",
            json={"agenda": meeting["agenda"]},
            headers={"If-Match": etag},
        )
        assert saved.status_code == 200, saved.text
        assert agenda_kinds(saved.json()).count("assignment") == 1
        # A meeting created now has it too; it is answered at that meeting with an
        # intervention decided there.
        soon = dt.datetime.now(TZ).replace(tzinfo=None) + dt.timedelta(minutes=2)
        held = member.post(
            f"{V1}/groups/{kungsangen}/meetings",
            json={"starts_at": soon.isoformat(timespec="minutes")},
        ).json()
        assert "assignment" in agenda_kinds(held)
        decided = member.post(
            f"{V1}/meetings/{held['id']}/decisions",
            json={
                "text": "Vi har kartlagt platserna och startar trafikkontroller.",
                "intervention": intervention_body(people),
                "answers_assignment": assignment["id"],
            },
        )
        assert decided.status_code == 201, decided.text
        intervention_id = decided.json()["intervention_id"]
        assert decided.json()["answers_assignment"] == assignment["id"]
        answered = member.get(f"{V1}/assignments/{assignment['id']}").json()
        assert answered["status"] == "answered"
        assert answered["report"] == "Vi har kartlagt platserna och startar trafikkontroller."
        assert answered["reported_by"]["name"] == "Kalle Kungsängen"
        assert answered["interventions"] == [
            {"id": intervention_id, "name": "Trafikkontroller vid Kungsängens centrum"}
        ]
        # The intervention says which goal it serves and which assignment it answers.
        intervention = member.get(f"{V1}/interventions/{intervention_id}").json()
        assert intervention["goal"] == {"id": goal["id"], "name": goal["title"]}
        assert intervention["assignment"]["id"] == assignment["id"]
        # Off the agenda of the meeting still to come; still on the one that answered it.
        assert "assignment" not in agenda_kinds(member.get(f"{V1}/meetings/{planned['id']}").json())
        assert "assignment" in agenda_kinds(member.get(f"{V1}/meetings/{held['id']}").json())
    with as_(server, people, "steering") as steering:
        thread = steering.get(f"{V1}/goals/{goal['id']}/thread").json()
        assert [a["status"] for a in thread["assignments"]] == ["answered"]
        assert [i["id"] for i in thread["interventions"]] == [intervention_id]
        assert thread["interventions"][0]["assignment_id"] == assignment["id"]
        assert thread["interventions"][0]["verdict"] in {"not_yet", "too_few"}
        # The steering group closes it: it takes no more report-backs.
        closed = steering.patch(f"{V1}/assignments/{assignment['id']}", json={"status": "closed"})
        assert closed.json()["status"] == "closed"
    with as_(server, people, "kungsangen") as member:
        late = member.post(
            f"{V1}/assignments/{assignment['id']}/answer", json={"text": "Mer att säga"}
        )
        assert late.status_code == 422
        assert problem_fields(late) == {"text"}


def test_assignments_go_to_the_coordination_or_an_area_group_and_stay_in_it(
    server: Server, people: People
) -> None:
    due = (today() + dt.timedelta(days=14)).isoformat()
    with as_(server, people, "steering") as steering:
        goal = new_goal(steering, people)
        to_self = steering.post(
            f"{V1}/assignments",
            json={
                "goal_id": goal["id"],
                "to_group_id": gid(people, STEERING),
                "title": "x",
                "due": due,
            },
        )
        assert to_self.status_code == 422
        assert problem_fields(to_self) == {"to_group_id"}
        bro = steering.post(
            f"{V1}/assignments",
            json={
                "goal_id": goal["id"],
                "to_group_id": gid(people, BRO_GROUP),
                "title": "Nattvandring i Bro",
                "due": due,
            },
        ).json()
    with as_(server, people, "kungsangen") as member:
        # Another group's assignment does not exist for Kungsängen.
        assert member.get(f"{V1}/assignments/{bro['id']}").status_code == 404
        assert member.get(f"{V1}/assignments").json()["items"] == []
        assert (
            member.post(f"{V1}/assignments/{bro['id']}/answer", json={"text": "x"}).status_code
            == 404
        )
        # Nor can an intervention of Kungsängen claim it.
        claimed = member.post(
            f"{V1}/interventions",
            json={
                **intervention_body(people),
                "group_id": gid(people, KUNGSANGEN),
                "assignment_id": bro["id"],
            },
        )
        assert claimed.status_code == 422
        assert problem_fields(claimed) == {"assignment_id"}
    with as_(server, people, "viewer") as viewer:
        # The coordination group's viewer reads all assignments but answers none.
        seen = viewer.get(f"{V1}/assignments/{bro['id']}").json()
        assert seen["may_answer"] is False
        assert (
            viewer.post(f"{V1}/assignments/{bro['id']}/answer", json={"text": "x"}).status_code
            == 403
        )
    with as_(server, people, "steering") as steering:
        # Answered only by report-back, not by the steering group setting the status.
        assert (
            steering.patch(f"{V1}/assignments/{bro['id']}", json={"status": "answered"}).status_code
            == 422
        )
        withdrawn = steering.patch(
            f"{V1}/assignments/{bro['id']}", json={"status": "withdrawn"}
        ).json()
        assert withdrawn["status"] == "withdrawn"


# Plans -------------------------------------------------------------------------------------


def test_a_plan_with_activities_and_its_yearly_follow_up(server: Server, people: People) -> None:
    police = people["organisations"][POLICE]["id"]
    with as_(server, people, "steering") as steering:
        goal = new_goal(
            steering, people, theme="Våld i nära relation", title="Färre utsatta för våld"
        )
        indicator = steering.post(
            f"{V1}/goals/{goal['id']}/indicators",
            json={"name": "Anmälda fall", "kind": "manual", "source": "Polisen"},
        ).json()
        steering.put(
            f"{V1}/indicators/{indicator['id']}/values/2025",
            json={"value": 41, "source": "Polisens statistik 2025"},
        )
        created = steering.post(
            f"{V1}/plans",
            json={
                "group_id": gid(people, STEERING),
                "title": "Handlingsplan mot våld i nära relationer 2025–2027",
                "goal_id": goal["id"],
                "period_start": "2025-01-01",
                "period_end": "2027-12-31",
                "adopted_by": "Kommunfullmäktige",
                "adopted_on": "2024-12-12",
            },
        )
        assert created.status_code == 201, created.text
        plan = created.json()
        activity = {
            "title": "Utbilda personal i att ställa frågan om våld",
            "responsible_office": "Socialkontoret",
            "partner_ids": [police],
            "partners_other": "Kvinnojouren, Region Stockholm",
            "period_start": "2025-03-01",
            "indicator_id": indicator["id"],
        }
        # Every activity says what it means for children.
        missing = steering.post(f"{V1}/plans/{plan['id']}/activities", json=activity)
        assert missing.status_code == 422
        assert problem_fields(missing) == {"child_perspective"}
        added = steering.post(
            f"{V1}/plans/{plan['id']}/activities",
            json={
                **activity,
                "child_perspective": "Barn som bevittnar våld är brottsoffer; frågan ställs "
                "också om barnen i hemmet.",
            },
        )
        assert added.status_code == 201, added.text
        assert added.json()["partners"][0]["id"] == police
        steering.post(
            f"{V1}/plans/{plan['id']}/activities",
            json={
                "title": "Informationskampanj",
                "responsible_office": "Kommunledningskontoret",
                "period_start": "2025-09-01",
                "child_perspective": "Material på lätt svenska för unga.",
            },
        )
        reviewed = steering.put(
            f"{V1}/activities/{added.json()['id']}/reviews/2025",
            json={"status": "ongoing", "done": "120 anställda utbildade."},
        )
        assert reviewed.status_code == 200, reviewed.text
        assert reviewed.json()["status"] == "ongoing"
        year = steering.put(
            f"{V1}/plans/{plan['id']}/reviews/2025",
            json={"summary": "Planen följer tidplanen, med ett undantag."},
        )
        assert year.status_code == 200, year.text
        shown = year.json()
        assert shown["summary"] == "Planen följer tidplanen, med ett undantag."
        assert shown["missing"] == 1  # the campaign has no follow-up for 2025
        assert shown["activities"][0]["review"]["done"] == "120 anställda utbildade."
        assert shown["activities"][0]["indicator"]["series"][0]["value"] == 41
        assert shown["activities"][1]["review"] is None
        # A year outside the plan's period is refused beside the year.
        outside = steering.put(f"{V1}/plans/{plan['id']}/reviews/2030", json={"summary": "x"})
        assert problem_fields(outside) == {"year"}
        thread = steering.get(f"{V1}/goals/{goal['id']}/thread").json()
        assert [p["title"] for p in thread["plans"]] == [plan["title"]]
        assert thread["plans"][0]["activities"][0]["latest_review"]["year"] == 2025
    with as_(server, people, "coordination") as coordination:
        assert coordination.get(f"{V1}/plans/{plan['id']}/reviews/2025").status_code == 200
        assert (
            coordination.put(
                f"{V1}/plans/{plan['id']}/reviews/2025", json={"summary": "x"}
            ).status_code
            == 403
        )


def give(client: httpx.Client, people: People, goal: dict[str, Any], **extra: Any) -> Any:
    response = client.post(
        f"{V1}/assignments",
        json={
            "goal_id": goal["id"],
            "to_group_id": gid(people, KUNGSANGEN),
            "title": "Kartlägg mopedkörningen",
            "due": (today() + dt.timedelta(days=30)).isoformat(),
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_past_meeting_keeps_the_agenda_it_had_whatever_came_after(
    server: Server, people: People
) -> None:
    kungsangen = gid(people, KUNGSANGEN)
    with as_(server, people, "steering") as steering:
        goal = new_goal(steering, people)
        assignment = give(steering, people, goal)
    with as_(server, people, "kungsangen") as member:
        answered = member.post(
            f"{V1}/assignments/{assignment['id']}/answer", json={"text": "Klart."}
        )
        assert answered.status_code == 200
    with server.database.session(write=True) as session:
        # A meeting held a week ago, while the assignment was open, and one held an hour
        # ago, after it was answered (told by the events' times, moved back here).
        from api.steering.models import AssignmentEvent

        events = session.query(AssignmentEvent).order_by(AssignmentEvent.id).all()
        events[0].at -= dt.timedelta(days=10)
        events[1].at -= dt.timedelta(hours=2)
    with as_(server, people, "kungsangen") as member:
        week_ago = dt.datetime.combine(today() - dt.timedelta(days=7), dt.time(13))
        held = member.post(
            f"{V1}/groups/{kungsangen}/meetings", json={"starts_at": week_ago.isoformat()}
        ).json()
        assert "assignment" in agenda_kinds(member.get(f"{V1}/meetings/{held['id']}").json())
    with as_(server, people, "steering") as steering:
        # Reopened: on the agendas to come again, and the week-old meeting is unchanged.
        reopened = steering.patch(f"{V1}/assignments/{assignment['id']}", json={"status": "open"})
        assert reopened.json()["status"] == "open"
        # Only the group's report-back makes it answered.
        again = steering.patch(f"{V1}/assignments/{assignment['id']}", json={"status": "answered"})
        assert again.status_code == 422
    with as_(server, people, "kungsangen") as member:
        coming = member.post(
            f"{V1}/groups/{kungsangen}/meetings",
            json={"starts_at": (week_ago + dt.timedelta(days=14)).isoformat()},
        ).json()
        assert "assignment" in agenda_kinds(coming)
        assert "assignment" in agenda_kinds(member.get(f"{V1}/meetings/{held['id']}").json())


def test_a_new_report_back_says_which_interventions_answer_it(
    server: Server, people: People
) -> None:
    with as_(server, people, "steering") as steering:
        goal = new_goal(steering, people)
        assignment = give(steering, people, goal)
    with as_(server, people, "kungsangen") as member:
        made = member.post(
            f"{V1}/interventions",
            json={**intervention_body(people), "group_id": gid(people, KUNGSANGEN)},
        ).json()
        url = f"{V1}/assignments/{assignment['id']}/answer"
        first = member.post(url, json={"text": "Med insats", "intervention_ids": [made["id"]]})
        assert [i["id"] for i in first.json()["interventions"]] == [made["id"]]
        second = member.post(url, json={"text": "Utan insats", "intervention_ids": []})
        assert second.json()["interventions"] == []
        unlinked = member.get(f"{V1}/interventions/{made['id']}").json()
        assert unlinked["assignment"] is None and unlinked["goal"] is None
        # An area group links its work to a goal through an assignment, not directly.
        direct = member.patch(f"{V1}/interventions/{made['id']}", json={"goal_id": goal["id"]})
        assert direct.status_code == 403


def test_agendas_stay_whole_with_many_items_and_long_assignment_titles(
    server: Server, people: People
) -> None:
    kungsangen = gid(people, KUNGSANGEN)
    with as_(server, people, "steering") as steering:
        goal = new_goal(steering, people)
        # A title that is valid on its own, whose agenda line would not be.
        give(steering, people, goal, title="\ufdfa" * 22)
        give(steering, people, goal)
    with as_(server, people, "kungsangen") as member:
        items = [{"kind": "other", "title": f"Punkt {n}"} for n in range(40)]
        made = member.post(
            f"{V1}/groups/{kungsangen}/meetings",
            json={
                "starts_at": dt.datetime.combine(
                    today() + dt.timedelta(days=3), dt.time(9)
                ).isoformat(),
                "agenda": items,
            },
        )
        assert made.status_code == 201, made.text
        url = f"{V1}/meetings/{made.json()['id']}"
        read = member.get(url)
        assert read.status_code == 200, read.text
        agenda = read.json()["agenda"]
        assert len(agenda) == 42 and agenda_kinds(read.json()).count("assignment") == 2
        saved = member.patch(
            url, json={"agenda": agenda}, headers={"If-Match": read.headers["ETag"]}
        )
        assert saved.status_code == 200, saved.text
        too_many = member.patch(
            url,
            json={"agenda": [*agenda, {"kind": "other", "title": "En till"}]},
            headers={"If-Match": saved.headers["ETag"]},
        )
        assert too_many.status_code == 422
        assert problem_fields(too_many) == {"agenda"}


def test_a_years_follow_up_shows_the_indicator_as_it_stood_then(
    server: Server, people: People
) -> None:
    with as_(server, people, "steering") as steering:
        goal = new_goal(steering, people)
        counted = steering.post(
            f"{V1}/goals/{goal['id']}/indicators",
            json={"name": "Skadegörelse", "kind": "computed", "category": "skadegorelse"},
        ).json()
        plan = steering.post(
            f"{V1}/plans",
            json={
                "group_id": gid(people, STEERING),
                "title": "Plan",
                "goal_id": goal["id"],
                "period_start": "2024-01-01",
                "period_end": "2026-12-31",
            },
        ).json()
        for title, start in (("Tidig", "2024-02-01"), ("Sen", "2026-01-01")):
            added = steering.post(
                f"{V1}/plans/{plan['id']}/activities",
                json={
                    "title": title,
                    "responsible_office": "Socialkontoret",
                    "period_start": start,
                    "indicator_id": counted["id"],
                    "child_perspective": "Barnen tillfrågas.",
                },
            )
            assert added.status_code == 201, added.text
        year = steering.get(f"{V1}/plans/{plan['id']}/reviews/2024").json()
        series = year["activities"][0]["indicator"]["series"]
        assert [p["label"] for p in series][-1] == "2024 kv. 4"
        # The activity starting in 2026 is not due for a follow-up in 2024.
        assert [a["running"] for a in year["activities"]] == [True, False]
        assert year["missing"] == 1

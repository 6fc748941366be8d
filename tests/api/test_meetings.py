"""Meetings over HTTP: the agenda built for a new meeting (the lägesbild since the group's
last meeting, its hot spots, the interventions due for follow-up, other business), saving
with If-Match, decisions and the interventions they create in the same transaction, the
meeting the group's cadence suggests next (across a change of the clocks), the iCalendar
feed, and who reads and writes which group's meetings.

Expected values are worked out here from what the test planted, in plain Python."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from api.incidents.models import Incident, Report
from api.incidents.schemas import Assessment, PoliceReported, Precision, WithdrawReason
from api.swedish import day_sv
from tests.support.people import People, as_, gid, oid
from tests.support.servers import Server

V1 = "/api/v1"
TZ = ZoneInfo("Europe/Stockholm")
UTC = dt.UTC
PROBLEM = "application/problem+json"
STEERING = "EST styrgrupp"
COORDINATION = "EST samordningsgrupp"
KUNGSANGEN = "EST områdesgrupp Kungsängen"
BRO_GROUP = "EST områdesgrupp Bro"
POLICE = "Polisen, lokalpolisområde"
HOUSING = "Upplands-Brohus"
KLOTTER = "skadegorelse.klotter"
TUESDAY = 1
UNKNOWN_ID = 987_654

LatLon = tuple[float, float]


# Helpers ------------------------------------------------------------------------------------


def uid(people: People, who: str) -> int:
    return int(people["users"][who]["id"])


def centre(people: People, area: str) -> LatLon:
    lon, lat = people["areas"][area]["center"]["coordinates"]
    return float(lat), float(lon)


# An agenda item that counted no period (all but the lägesbild and its hot spots).
NO_PERIOD: dict[str, Any] = {"first_day": None, "last_day": None}


def today() -> dt.date:
    return dt.datetime.now(TZ).date()


def local(day: dt.date, hour: int = 13, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def instant(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert moment.tzinfo is not None, value
    return moment


def meetings_url(group_id: int) -> str:
    return f"{V1}/groups/{group_id}/meetings"


def url(meeting: dict[str, Any] | int) -> str:
    ident = meeting if isinstance(meeting, int) else meeting["id"]
    return f"{V1}/meetings/{ident}"


def create(
    client: httpx.Client, group_id: int, starts_at: dt.datetime, **fields: Any
) -> dict[str, Any]:
    response = client.post(
        meetings_url(group_id), json={"starts_at": starts_at.isoformat(), **fields}
    )
    assert response.status_code == 201, response.text
    meeting: dict[str, Any] = response.json()
    assert response.headers["location"] == url(meeting)
    assert response.headers["etag"] == f'"{meeting["id"]}-1"'
    return meeting


def read(client: httpx.Client, meeting: dict[str, Any] | int) -> tuple[dict[str, Any], str]:
    response = client.get(url(meeting))
    assert response.status_code == 200, response.text
    return response.json(), response.headers["etag"]


def listed(client: httpx.Client, group_id: int, **params: Any) -> list[int]:
    response = client.get(meetings_url(group_id), params=params)
    assert response.status_code == 200, response.text
    return [m["id"] for m in response.json()]


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


def intervention(people: People, **changes: Any) -> dict[str, Any]:
    """An intervention's fields, without its group (a decision's is the meeting's)."""
    return {
        "title": "Väktare vid Bro centrum helgkvällar",
        "type": "guards",
        "owner_organisation_id": oid(people, POLICE),
        "target": {"kind": "area", "area_id": people["areas"]["Bro"]["id"]},
        "categories": [KLOTTER],
        "planned_start": (today() - dt.timedelta(days=7)).isoformat(),
        **changes,
    }


def make_intervention(client: httpx.Client, group_id: int, **fields: Any) -> dict[str, Any]:
    response = client.post(f"{V1}/interventions", json={"group_id": group_id, **fields})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def intervention_ids(client: httpx.Client) -> list[int]:
    response = client.get(f"{V1}/interventions", params={"limit": 200})
    assert response.status_code == 200, response.text
    return sorted(i["id"] for i in response.json()["items"])


@dataclass
class Spec:
    at: dt.datetime  # aware
    area: str
    where: LatLon | None = None
    withdrawn: bool = False


def insert(server: Server, people: People, specs: Sequence[Spec]) -> list[int]:
    """Incidents written with the ORM, in one report of the police."""
    organisation_id = oid(people, POLICE)
    with server.database.session(write=True) as session:
        report = Report(organisation_id=organisation_id, reporter_id=None, source="test")
        session.add(report)
        made = []
        for s in specs:
            incident = Incident(
                report=report,
                municipality_id=int(people["municipality"]["id"]),
                organisation_id=organisation_id,
                category_code=KLOTTER,
                family_code="skadegorelse",
                occurred_from=s.at,
                occurred_to=s.at,
                precision=Precision.exact,
                area_id=int(people["areas"][s.area]["id"]),
                place_id=None,
                lat=s.where[0] if s.where else None,
                lon=s.where[1] if s.where else None,
                assessment=Assessment.medium,
                police_reported=PoliceReported.unknown,
                source="test",
                withdrawn_at=s.at + dt.timedelta(hours=1) if s.withdrawn else None,
                withdrawn_reason=WithdrawReason.mistake if s.withdrawn else None,
            )
            session.add(incident)
            made.append(incident)
        session.flush()
        return [i.id for i in made]


def nudge(point: LatLon, north_m: float, east_m: float) -> LatLon:
    """A point some metres north and east (good enough over tens of metres)."""
    lat = point[0] + north_m / 111_320
    lon = point[1] + east_m / (111_320 * 0.5)  # cos(59.6°) ≈ 0.506: a little under 1 m
    return lat, lon


def kinds(agenda: list[dict[str, Any]]) -> list[str]:
    return [item["kind"] for item in agenda]


# The agenda built for a new meeting -----------------------------------------------------------


def test_the_agenda_counts_the_incidents_since_the_last_meeting_and_its_hot_spots(
    server: Server, people: People, api: httpx.Client
) -> None:
    coordination = gid(people, COORDINATION)
    kungsangen = gid(people, KUNGSANGEN)
    now = today()
    last_meeting_day = now - dt.timedelta(days=10)
    bro = centre(people, "Bro")
    kva = centre(people, "Kungsängen")

    with as_(server, people, "coordination") as convener:
        # The group's last meeting, ten days ago; another group met more recently.
        create(convener, coordination, local(last_meeting_day), agenda=[])
        create(api, gid(people, BRO_GROUP), local(now - dt.timedelta(days=3)), agenda=[])

        insert(
            server,
            people,
            [
                # Before the last meeting: not new.
                Spec(local(now - dt.timedelta(days=12), 12), "Bro"),
                Spec(local(now - dt.timedelta(days=11), 20), "Bro", where=bro),
                # Since: three in Bro within some 20 m of each other (a hot spot) ...
                Spec(local(now - dt.timedelta(days=8), 21), "Bro", where=bro),
                Spec(local(now - dt.timedelta(days=6), 22), "Bro", where=nudge(bro, 12, 0)),
                Spec(local(now - dt.timedelta(days=4), 23), "Bro", where=nudge(bro, 0, 15)),
                # ... two in Kungsängen close together (too few for a hot spot) ...
                Spec(local(now - dt.timedelta(days=5), 12), "Kungsängen", where=kva),
                Spec(local(now - dt.timedelta(days=1), 12), "Kungsängen", where=nudge(kva, 8, 8)),
                # ... and a withdrawn one, which is not counted.
                Spec(local(now - dt.timedelta(days=2), 12), "Bro", where=bro, withdrawn=True),
            ],
        )

        meeting = create(convener, coordination, local(now + dt.timedelta(days=2)))
        agenda = meeting["agenda"]
        assert kinds(agenda) == ["situation", "hot_spots", "other"], agenda
        situation = agenda[0]
        since = day_sv(last_meeting_day, year=False)
        assert situation["title"] == f"Lägesbild: 5 nya händelser sedan förra mötet {since}"
        assert situation["note"] == "Perioden innan: 2. Mest: skadegörelse 5."
        assert situation["ref_id"] is None
        # The days it counted, both included: for the page to show the same period's figures.
        counted = (last_meeting_day.isoformat(), now.isoformat())
        assert (situation["first_day"], situation["last_day"]) == counted
        assert agenda[1]["title"] == "Heta platser (1)", agenda[1]
        assert (agenda[1]["first_day"], agenda[1]["last_day"]) == counted
        assert agenda[-1] == {
            "kind": "other",
            "title": "Övriga frågor",
            "note": None,
            "ref_id": None,
            **NO_PERIOD,
        }
        # It is saved as built.
        assert read(convener, meeting)[0]["agenda"] == agenda

    # An area group counts its own area; with no meeting before, the last fortnight.
    first = create(api, kungsangen, local(now + dt.timedelta(days=1)))
    fortnight = now - dt.timedelta(days=13)
    assert kinds(first["agenda"]) == ["situation", "other"], first["agenda"]
    assert first["agenda"][0]["title"] == "Lägesbild: 2 nya händelser de senaste 14 dagarna"
    assert first["agenda"][0]["first_day"] == fortnight.isoformat()
    assert fortnight < now


def test_the_agenda_lists_the_interventions_due_for_follow_up(
    server: Server, people: People, api: httpx.Client
) -> None:
    coordination = gid(people, COORDINATION)
    now = today()

    def ago(days: int) -> str:
        return (now - dt.timedelta(days=days)).isoformat()

    def follow_up(made: dict[str, Any], day: str) -> None:
        response = convener.post(
            f"{V1}/interventions/{made['id']}/follow-ups", json={"day": day, "done": "Besök."}
        )
        assert response.status_code == 201, response.text

    with as_(server, people, "coordination") as convener:

        def made(title: str, start: str, status: str) -> dict[str, Any]:
            fields = intervention(people, title=title, planned_start=start, status=status)
            return make_intervention(convener, coordination, **fields)

        recent = made("Följd upp nyss", ago(30), "planned")
        follow_up(recent, ago(5))
        never = made("Aldrig följd upp", ago(40), "ongoing")
        long_ago = made("Följd upp för länge sedan", ago(25), "planned")
        follow_up(long_ago, ago(25))
        made("Genomförd", ago(30), "done")
        made("Avbruten", ago(30), "cancelled")
        made("Börjar senare", (now + dt.timedelta(days=30)).isoformat(), "planned")
    # Another group's intervention under way is not on this group's agenda.
    make_intervention(
        api, gid(people, BRO_GROUP), **intervention(people, title="Bros", planned_start=ago(30))
    )

    with as_(server, people, "coordination") as convener:
        meeting = create(convener, coordination, local(now + dt.timedelta(days=1)))
    agenda = meeting["agenda"]
    assert agenda[0]["kind"] == "situation"
    assert agenda[-1]["title"] == "Övriga frågor"
    follow_ups = [item for item in agenda if item["kind"] == "follow_up"]
    assert follow_ups == [
        {
            "kind": "follow_up",
            "title": "Uppföljning: Aldrig följd upp",
            "note": None,
            "ref_id": never["id"],
            **NO_PERIOD,
        },
        {
            "kind": "follow_up",
            "title": "Uppföljning: Följd upp för länge sedan",
            "note": None,
            "ref_id": long_ago["id"],
            **NO_PERIOD,
        },
    ]
    assert recent["id"] not in {item["ref_id"] for item in agenda}


def test_a_meeting_planned_after_another_planned_one_counts_the_incidents_so_far(
    server: Server, people: People, api: httpx.Client
) -> None:
    coordination = gid(people, COORDINATION)
    now = today()
    insert(server, people, [Spec(local(now - dt.timedelta(days=d), 12), "Bro") for d in (1, 2, 3)])
    create(api, coordination, local(now + dt.timedelta(days=7)), agenda=[])
    meeting = create(api, coordination, local(now + dt.timedelta(days=21)))
    situation = meeting["agenda"][0]
    assert situation["kind"] == "situation"
    # No meeting has been held: the three of the last days are new.
    assert situation["title"] == "Lägesbild: 3 nya händelser de senaste 14 dagarna", situation


def test_other_business_stays_last_on_a_long_agenda(
    server: Server, people: People, api: httpx.Client
) -> None:
    coordination = gid(people, COORDINATION)
    for n in range(39):
        make_intervention(api, coordination, **intervention(people, title=f"Insats {n}"))
    meeting = create(api, coordination, local(today() + dt.timedelta(days=1)))
    agenda = meeting["agenda"]
    assert len(agenda) <= 40
    assert agenda[0]["kind"] == "situation"
    assert agenda[-1] == {
        "kind": "other",
        "title": "Övriga frågor",
        "note": None,
        "ref_id": None,
        **NO_PERIOD,
    }


def test_a_given_agenda_is_kept_and_bad_times_are_refused(server: Server, people: People) -> None:
    coordination = gid(people, COORDINATION)
    start = local(today() + dt.timedelta(days=3))
    with as_(server, people, "coordination") as convener:
        given: list[dict[str, Any]] = [
            {"kind": "follow_up", "title": "Bro centrum", "note": "Väktarna", "ref_id": 5},
            {"title": "Fika"},
        ]
        meeting = create(
            convener,
            coordination,
            start,
            ends_at=(start + dt.timedelta(hours=2)).isoformat(),
            location="Kommunhuset, sal 3",
            agenda=given,
        )
        assert meeting["agenda"] == [
            {**given[0], **NO_PERIOD},
            {"kind": "other", "title": "Fika", "note": None, "ref_id": None, **NO_PERIOD},
        ]
        assert meeting["group"] == {"id": coordination, "name": COORDINATION}
        assert instant(meeting["starts_at"]) == start
        assert instant(meeting["ends_at"]) == start + dt.timedelta(hours=2)
        assert meeting["location"] == "Kommunhuset, sal 3"
        assert (meeting["minutes"], meeting["attendees"], meeting["organisations"]) == ("", [], [])
        assert (meeting["decisions"], meeting["revision"], meeting["may_edit"]) == ([], 1, True)
        # An empty agenda is an agenda too.
        empty = create(convener, coordination, start + dt.timedelta(days=14), agenda=[])
        assert empty["agenda"] == []
        before = listed(convener, coordination)

        for ends in (start - dt.timedelta(minutes=1), start):
            refused = convener.post(
                meetings_url(coordination),
                json={"starts_at": start.isoformat(), "ends_at": ends.isoformat()},
            )
            assert field_errors(refused) == {"ends_at": "period_order"}
        # A time the change to summer time skips, and what is no time at all.
        for body, field, code in (
            ({"starts_at": "2027-03-28T02:30"}, "starts_at", "nonexistent_time"),
            ({"starts_at": "13:00"}, "starts_at", "invalid_time"),
            ({"starts_at": "2026-02-30T13:00"}, "starts_at", "invalid_time"),
            ({"starts_at": start.isoformat(), "ends_at": "i morgon"}, "ends_at", "invalid_time"),
        ):
            refused = convener.post(meetings_url(coordination), json=body)
            assert field_errors(refused) == {field: code}, refused.text
        assert listed(convener, coordination) == before
        # Without an offset, a time is Swedish local time, winter and summer alike.
        winter = create(convener, coordination, dt.datetime(2027, 1, 12, 13), agenda=[])
        summer = create(convener, coordination, dt.datetime(2027, 6, 15, 13), agenda=[])
        assert (winter["starts_at"], summer["starts_at"]) == (
            "2027-01-12T12:00:00Z",
            "2027-06-15T11:00:00Z",
        )


# Saving with If-Match ---------------------------------------------------------------------------


def test_saving_a_meeting_needs_its_current_etag(server: Server, people: People) -> None:
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        meeting = create(convener, coordination, local(today() + dt.timedelta(days=1)), agenda=[])
        _, first_tag = read(convener, meeting)
        assert first_tag == f'"{meeting["id"]}-1"'

        missing = convener.patch(url(meeting), json={"minutes": "Inget."})
        is_problem(missing, 428, "if_match_required")

        agenda = [{"kind": "other", "title": "Övriga frågor"}]
        attendees = [uid(people, "viewer"), uid(people, "coordination"), uid(people, "viewer")]
        saved = convener.patch(
            url(meeting),
            json={
                "agenda": agenda,
                "minutes": "Klotter vid stationen.\nPolisen följer upp.",
                "attendee_ids": attendees,
                "organisation_ids": [oid(people, POLICE), oid(people, HOUSING)],
            },
            headers={"If-Match": first_tag},
        )
        assert saved.status_code == 200, saved.text
        second_tag = saved.headers["etag"]
        assert second_tag != first_tag
        body = saved.json()
        assert body["revision"] == 2
        assert body["agenda"] == [{**agenda[0], "note": None, "ref_id": None, **NO_PERIOD}]
        assert body["minutes"] == "Klotter vid stationen.\nPolisen följer upp."
        # Each once; read back by name.
        after, tag = read(convener, meeting)
        assert tag == second_tag
        assert after["attendees"] == [
            {"id": uid(people, who), "name": people["users"][who]["name"]}
            for who in ("viewer", "coordination")  # Lo Läsare, Sam Samordnare
        ]
        assert after["organisations"] == [
            {"id": oid(people, name), "name": name} for name in (POLICE, HOUSING)
        ]
        # The answer to the PATCH holds the same (its order: see the test after this one).
        assert {**body, "attendees": None, "organisations": None} == {
            **after,
            "attendees": None,
            "organisations": None,
        }
        assert sorted(body["attendees"], key=lambda r: r["id"]) == sorted(
            after["attendees"], key=lambda r: r["id"]
        )
        assert sorted(body["organisations"], key=lambda r: r["id"]) == sorted(
            after["organisations"], key=lambda r: r["id"]
        )

        # Someone who read the first version saves over it: refused, nothing changes.
        stale = convener.patch(
            url(meeting),
            json={"minutes": "Skrivet över.", "attendee_ids": []},
            headers={"If-Match": first_tag},
        )
        is_problem(stale, 412, "edited_by_someone_else")
        assert read(convener, meeting) == (after, second_tag)

        # Ids of nobody: refused beside the field, and nothing is saved.
        for changes, fields in (
            ({"attendee_ids": [uid(people, "steering"), UNKNOWN_ID]}, {"attendee_ids"}),
            ({"organisation_ids": [UNKNOWN_ID]}, {"organisation_ids"}),
            (
                {"attendee_ids": [UNKNOWN_ID], "organisation_ids": [UNKNOWN_ID], "minutes": "X"},
                {"attendee_ids", "organisation_ids"},
            ),
        ):
            refused = convener.patch(
                url(meeting), json={"minutes": "Ändrat.", **changes}, headers={"If-Match": tag}
            )
            errors = field_errors(refused)
            assert set(errors) == fields, refused.text
            assert set(errors.values()) == {"unknown_id"}
            assert read(convener, meeting) == (after, second_tag)

        # Ending before it starts: refused too.
        refused = convener.patch(
            url(meeting),
            json={"ends_at": (instant(after["starts_at"]) - dt.timedelta(hours=1)).isoformat()},
            headers={"If-Match": tag},
        )
        assert field_errors(refused) == {"ends_at": "period_order"}
        assert read(convener, meeting) == (after, second_tag)

        # The current tag saves again; clearing the attendance is a change like any other.
        cleared = convener.patch(
            url(meeting),
            json={"attendee_ids": [], "organisation_ids": []},
            headers={"If-Match": second_tag},
        )
        assert cleared.status_code == 200, cleared.text
        assert cleared.json()["revision"] == 3
        assert (cleared.json()["attendees"], cleared.json()["organisations"]) == ([], [])
        assert cleared.json()["minutes"] == after["minutes"]
        assert cleared.headers["etag"] not in {first_tag, second_tag}


def test_the_answer_to_a_patch_lists_attendees_as_a_get_does(
    server: Server, people: People
) -> None:
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        meeting = create(convener, coordination, local(today() + dt.timedelta(days=1)), agenda=[])
        _, tag = read(convener, meeting)
        # Sam Samordnare was created before Lo Läsare: the lower id, the later name.
        assert uid(people, "coordination") < uid(people, "viewer")
        saved = convener.patch(
            url(meeting),
            json={"attendee_ids": [uid(people, "coordination"), uid(people, "viewer")]},
            headers={"If-Match": tag},
        )
        assert saved.status_code == 200, saved.text
        got, _ = read(convener, meeting)
        assert [a["name"] for a in got["attendees"]] == ["Lo Läsare", "Sam Samordnare"]
        assert saved.json()["attendees"] == got["attendees"]


# Decisions ---------------------------------------------------------------------------------------


def test_decisions_and_the_interventions_they_create(server: Server, people: People) -> None:
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        meeting = create(convener, coordination, local(today() - dt.timedelta(days=1)), agenda=[])
        decisions = f"{url(meeting)}/decisions"

        plain = convener.post(decisions, json={"text": "Polisen återkommer om Bro centrum."})
        assert plain.status_code == 201, plain.text
        assert plain.json()["intervention_id"] is None
        assert plain.json()["meeting_id"] == meeting["id"]
        assert plain.json()["text"] == "Polisen återkommer om Bro centrum."

        with_one = convener.post(
            decisions, json={"text": "Väktare helgkvällar.", "intervention": intervention(people)}
        )
        assert with_one.status_code == 201, with_one.text
        intervention_id = with_one.json()["intervention_id"]
        assert intervention_id is not None
        got = convener.get(f"{V1}/interventions/{intervention_id}")
        assert got.status_code == 200, got.text
        assert got.json()["group"] == {"id": coordination, "name": COORDINATION}
        assert got.json()["title"] == "Väktare vid Bro centrum helgkvällar"
        assert got.json()["categories"] == [KLOTTER]
        # The intervention knows the meeting that decided it.
        assert got.json()["decided_at"]["meeting_id"] == meeting["id"]
        assert got.json()["decided_at"]["decision"] == with_one.json()["text"]

        saved, _ = read(convener, meeting)
        assert [(d["id"], d["intervention_id"]) for d in saved["decisions"]] == [
            (plain.json()["id"], None),
            (with_one.json()["id"], intervention_id),
        ]
        interventions = intervention_ids(convener)
        assert interventions == [intervention_id]

        # An intervention that cannot be created: neither it nor the decision is saved.
        for bad in (
            intervention(people, categories=["skadegorelse.finns_inte"]),
            intervention(people, owner_organisation_id=UNKNOWN_ID),
            intervention(people, planned_end=(today() - dt.timedelta(days=30)).isoformat()),
            intervention(people, type="trolleri"),
            intervention(people, target={"kind": "point", "area_id": 1}),
        ):
            refused = convener.post(decisions, json={"text": "Gör något.", "intervention": bad})
            is_problem(refused, 422)
            assert read(convener, meeting)[0]["decisions"] == saved["decisions"]
            assert intervention_ids(convener) == interventions

        # A decision says something.
        for text in ("", "   "):
            refused = convener.post(decisions, json={"text": text})
            assert "text" in field_errors(refused), refused.text
        assert read(convener, meeting)[0]["decisions"] == saved["decisions"]

    # An area group's member decides interventions in their own area only.
    with as_(server, people, "kungsangen") as member:
        own = create(member, gid(people, KUNGSANGEN), local(today()), agenda=[])
        refused = member.post(
            f"{url(own)}/decisions", json={"text": "I Bro.", "intervention": intervention(people)}
        )
        assert field_errors(refused) == {"intervention.target": "target_out_of_scope"}
        assert read(member, own)[0]["decisions"] == []
    with as_(server, people, "admin") as admin:
        assert intervention_ids(admin) == interventions


def test_a_refused_intervention_of_a_decision_is_named_where_the_body_has_it(
    server: Server, people: People
) -> None:
    with as_(server, people, "coordination") as convener:
        meeting = create(convener, gid(people, COORDINATION), local(today()), agenda=[])
        refused = convener.post(
            f"{url(meeting)}/decisions",
            json={
                "text": "Gör något.",
                "intervention": intervention(people, categories=["skadegorelse.finns_inte"]),
            },
        )
        assert field_errors(refused) == {"intervention.categories": "unknown_id"}


# The next meeting --------------------------------------------------------------------------------


def suggested(anchor: dt.datetime, weeks: int, now: dt.datetime) -> dt.datetime:
    """The first day on the anchor's weekday, a whole number of cadences after it, whose
    local hour (the anchor's) is after ``now``."""
    day = anchor.astimezone(TZ).date()
    hour = anchor.astimezone(TZ).time()
    while (moment := dt.datetime.combine(day, hour, tzinfo=TZ)) <= now:
        day += dt.timedelta(weeks=weeks)
    return moment


def next_meeting(client: httpx.Client, group_id: int) -> tuple[dt.datetime, dict[str, Any]]:
    before = dt.datetime.now(UTC)
    response = client.get(f"{meetings_url(group_id)}/next")
    assert response.status_code == 200, response.text
    return before, response.json()


def test_the_next_meeting_keeps_the_weekday_and_local_hour_every_second_week(
    server: Server, people: People
) -> None:
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        # No meeting yet: a Tuesday at 13:00, in the coming week.
        before, answer = next_meeting(convener, coordination)
        assert answer["cadence_weeks"] == 2
        first = instant(answer["starts_at"]).astimezone(TZ)
        assert first.weekday() == TUESDAY and first.time() == dt.time(13), first
        assert before < first <= before + dt.timedelta(days=8)

        # A meeting on a Tuesday in winter time (CET), one in summer time (CEST): the
        # suggestions keep 13:00 local on that weekday whichever time the clocks show.
        for anchor in (
            dt.datetime(2026, 3, 17, 13, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            dt.datetime(2026, 9, 15, 13, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ):
            assert anchor.astimezone(TZ).utcoffset() == anchor.utcoffset()  # as labelled
            create(convener, coordination, anchor, agenda=[])
            before, answer = next_meeting(convener, coordination)
            after = dt.datetime.now(UTC)
            got = instant(answer["starts_at"])
            assert got in {suggested(anchor, 2, before), suggested(anchor, 2, after)}, answer
            shown = got.astimezone(TZ)
            assert shown.weekday() == TUESDAY and shown.time() == dt.time(13), shown
            assert got.utcoffset() == shown.utcoffset()  # given in local time
            assert (shown.date() - anchor.date()).days % 14 == 0
            assert got - dt.timedelta(weeks=2) <= after < got + dt.timedelta(hours=1)

    # Another group's meetings do not move this one's; a group without a cadence: 2 weeks.
    with as_(server, people, "admin") as admin:
        bro = gid(people, BRO_GROUP)
        before, answer = next_meeting(admin, bro)
        shown = instant(answer["starts_at"]).astimezone(TZ)
        assert shown.weekday() == TUESDAY and shown.time() == dt.time(13)
        assert shown > before


def test_the_next_meeting_after_a_planned_one_is_a_cadence_later(
    server: Server, people: People
) -> None:
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        planned = local(today() + dt.timedelta(days=(TUESDAY - today().weekday()) % 7 + 7))
        create(convener, coordination, planned, agenda=[])
        _, answer = next_meeting(convener, coordination)
    got = instant(answer["starts_at"])
    assert got == local(planned.date() + dt.timedelta(weeks=2)), answer


# iCalendar ---------------------------------------------------------------------------------------


def unfold(physical: list[str]) -> list[str]:
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def events(lines: list[str]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found


def utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def test_the_upcoming_meetings_as_icalendar(server: Server, people: People) -> None:
    coordination = gid(people, COORDINATION)
    now = today()
    location = (
        "Kommunhuset, sal 3; ingång från Torget, Kungsängen. Ring på porttelefonen; "
        "fråga efter Sam i receptionen, våning två"
    )
    assert len(f"LOCATION:{location}".encode()) > 75
    with as_(server, people, "coordination") as convener:
        soon_start = local(now + dt.timedelta(days=3), 18, 30)
        soon = create(
            convener,
            coordination,
            soon_start,
            ends_at=(soon_start + dt.timedelta(minutes=90)).isoformat(),
            location=location,
            agenda=[],
        )
        later_start = local(now + dt.timedelta(days=17), 9)
        later = create(convener, coordination, later_start, agenda=[])
        past = create(convener, coordination, local(now - dt.timedelta(days=5)), agenda=[])
    with as_(server, people, "admin") as admin:
        create(admin, gid(people, BRO_GROUP), local(now + dt.timedelta(days=4)), agenda=[])

    with as_(server, people, "viewer") as viewer:
        # The list: upcoming first in time; all, newest first.
        assert listed(viewer, coordination, upcoming="true") == [soon["id"], later["id"]]
        assert listed(viewer, coordination) == [later["id"], soon["id"], past["id"]]

        response = viewer.get(f"{meetings_url(coordination)}.ics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    raw = response.content
    assert raw.endswith(b"\r\n")
    physical = raw.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in physical)
    assert all(len(line) <= 75 for line in physical), [len(p) for p in physical]
    text = [line.decode() for line in physical]
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 2

    first, second = events(lines)
    escaped = location.replace(";", "\\;").replace(",", "\\,")
    assert first["LOCATION"] == escaped
    # The long line was folded: continued on lines that begin with a space.
    assert any(line.startswith(" ") for line in text)
    assert not any(line.startswith("LOCATION:") and len(line) > 75 for line in text)
    assert first["DTSTART"] == utc_stamp(soon_start)
    assert first["DTEND"] == utc_stamp(soon_start + dt.timedelta(minutes=90))
    assert second["DTSTART"] == utc_stamp(later_start)
    assert dt.datetime.strptime(second["DTEND"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) > (
        later_start
    )
    assert "LOCATION" not in second
    assert first["UID"] != second["UID"]
    assert str(soon["id"]) in first["UID"] and str(later["id"]) in second["UID"]
    for event in (first, second):
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"]), event
        assert event["SUMMARY"] == COORDINATION


# Who reads and writes -------------------------------------------------------------------------


def test_who_reads_and_writes_a_groups_meetings(server: Server, people: People) -> None:
    coordination = gid(people, COORDINATION)
    start = local(today() + dt.timedelta(days=5))
    with as_(server, people, "coordination") as convener:
        meeting = create(convener, coordination, start, agenda=[])
        _, tag = read(convener, meeting)
    group_paths = (
        meetings_url(coordination),
        f"{meetings_url(coordination)}/next",
        f"{meetings_url(coordination)}.ics",
    )

    def writes(client: httpx.Client) -> list[httpx.Response]:
        return [
            client.post(meetings_url(coordination), json={"starts_at": start.isoformat()}),
            client.patch(url(meeting), json={"minutes": "Mitt."}, headers={"If-Match": tag}),
            client.post(f"{url(meeting)}/decisions", json={"text": "Beslut."}),
        ]

    for who in ("viewer", "steering"):
        with as_(server, people, who) as reader:
            for path in group_paths:
                response = reader.get(path)
                assert response.status_code == 200, (who, path, response.text)
            assert listed(reader, coordination) == [meeting["id"]]
            got, _ = read(reader, meeting)
            assert got["may_edit"] is False
            for response in writes(reader):
                is_problem(response, 403, "forbidden")

    for who in ("kungsangen", "reporter"):
        with as_(server, people, who) as outsider:
            for path in (*group_paths, url(meeting)):
                is_problem(outsider.get(path), 404)
            for response in writes(outsider):
                is_problem(response, 404)

    # The Kungsängen member plans their own group's meetings, which the coordination group
    # reads; the reporter reads not even their own group's.
    with as_(server, people, "kungsangen") as member:
        own = create(member, gid(people, KUNGSANGEN), start, agenda=[])
        assert own["may_edit"] is True
    with as_(server, people, "coordination") as convener:
        got, _ = read(convener, own)
        assert got["may_edit"] is False
    with as_(server, people, "reporter") as reporter:
        is_problem(reporter.get(meetings_url(gid(people, BRO_GROUP))), 404)
        is_problem(reporter.get(url(own)), 404)

    # Nothing was written by those refused.
    with as_(server, people, "coordination") as convener:
        assert listed(convener, coordination) == [meeting["id"]]
        unchanged, current = read(convener, meeting)
        assert (unchanged["minutes"], unchanged["decisions"], current) == ("", [], tag)
    with server.client() as anonymous:
        is_problem(anonymous.get(meetings_url(coordination)), 401)


def test_a_feedback_task_stays_on_the_agenda_until_feedback_is_given(
    server: Server, people: People
) -> None:
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        done = make_intervention(convener, coordination, **intervention(people, status="done"))
        first = create(convener, coordination, starts_at=local(today() - dt.timedelta(days=7)))
        unknown = convener.post(
            f"{url(first)}/decisions", json={"text": "Återkoppla.", "feedback_for": 999_999}
        )
        assert field_errors(unknown) == {"feedback_for": "unknown_id"}
        # Feedback decided at a meeting is not due before the meeting's own day.
        held = today() - dt.timedelta(days=7)
        early = convener.post(
            f"{url(first)}/decisions",
            json={"text": "Återkoppla.", "feedback_for": done["id"],
                  "feedback_due": (held - dt.timedelta(days=1)).isoformat()},
        )  # fmt: skip
        assert field_errors(early) == {"feedback_due": "before_start"}, early.text
        assert early.json()["errors"][0]["message"] == (
            f"Återkopplingen kan inte vara före mötet {day_sv(held)}."
        )
        asked = convener.post(
            f"{url(first)}/decisions",
            json={
                "text": "Berätta för rapportörerna vad som gjordes.",
                "feedback_for": done["id"],
                "feedback_due": today().isoformat(),
            },
        )
        assert asked.status_code == 201, asked.text
        assert (asked.json()["feedback_for"], asked.json()["feedback_due"]) == (
            done["id"],
            today().isoformat(),
        )
        second = create(convener, coordination, starts_at=local(today() + dt.timedelta(days=7)))
        tasks = [i for i in second["agenda"] if i["kind"] == "feedback"]
        assert [(t["ref_id"], t["note"]) for t in tasks] == [
            (done["id"], "Berätta för rapportörerna vad som gjordes.")
        ]
        assert tasks[0]["title"].startswith(f"Återkoppling: {done['title']}")
        told = convener.post(
            f"{V1}/interventions/{done['id']}/feedback",
            json={"told_on": today().isoformat(), "channel": "email", "text": "Klart.",
                  "to_reporters": True},
        )  # fmt: skip
        assert told.status_code == 201, told.text
        third = create(convener, coordination, starts_at=local(today() + dt.timedelta(days=21)))
        assert "feedback" not in kinds(third["agenda"])


def test_a_start_given_as_a_number_is_refused(server: Server, people: People) -> None:
    with as_(server, people, "coordination") as convener:
        response = convener.post(meetings_url(gid(people, COORDINATION)), json={"starts_at": 0})
    assert field_errors(response) == {"starts_at": "invalid_time"}
    with as_(server, people, "coordination") as convener:
        assert listed(convener, gid(people, COORDINATION)) == []


def patch(client: httpx.Client, meeting: dict[str, Any], **changes: Any) -> dict[str, Any]:
    _, tag = read(client, meeting)
    response = client.patch(url(meeting), json=changes, headers={"If-Match": tag})
    assert response.status_code == 200, response.text
    saved: dict[str, Any] = response.json()
    return saved


def test_attendees_are_the_groups_members(server: Server, people: People) -> None:
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        meeting = create(convener, coordination, local(today() + dt.timedelta(days=1)), agenda=[])
        _, tag = read(convener, meeting)
        # Kungsängen's member is not in the coordination group: a guest is noted by their
        # organisation instead.
        outsider = convener.patch(
            url(meeting),
            json={"attendee_ids": [uid(people, "coordination"), uid(people, "kungsangen")]},
            headers={"If-Match": tag},
        )
        assert field_errors(outsider) == {"attendee_ids": "unknown_id"}
        assert "organisation" in outsider.json()["errors"][0]["message"]
        saved = patch(convener, meeting, attendee_ids=[uid(people, "coordination")])
    assert [a["id"] for a in saved["attendees"]] == [uid(people, "coordination")]
    assert saved["revision"] == 2


def test_the_agenda_is_rebuilt_on_request_keeping_what_was_added_by_hand(
    server: Server, people: People, api: httpx.Client
) -> None:
    """Planned a fortnight ahead, an agenda is already old when the meeting comes: rebuilt,
    it counts the incidents filed since, and keeps the points people added."""
    coordination = gid(people, COORDINATION)
    now = today()
    with as_(server, people, "coordination") as convener:
        meeting = create(convener, coordination, local(now + dt.timedelta(days=3)))
        assert meeting["agenda"][0]["title"] == "Lägesbild: 0 nya händelser de senaste 14 dagarna"
        added = {"kind": "other", "title": "Skolavslutningen", "note": "Rektorn bjuds in.",
                 "ref_id": None}  # fmt: skip
        patch(convener, meeting, agenda=[*meeting["agenda"], added])
        insert(server, people, [Spec(local(now - dt.timedelta(days=d), 21), "Bro") for d in (1, 2)])
        rebuilt = patch(convener, meeting, rebuild_agenda=True)
    assert kinds(rebuilt["agenda"]) == ["situation", "other", "other"], rebuilt["agenda"]
    assert rebuilt["agenda"][0]["title"] == "Lägesbild: 2 nya händelser de senaste 14 dagarna"
    assert rebuilt["agenda"][1:] == [
        {"kind": "other", "title": "Övriga frågor", "note": None, "ref_id": None, **NO_PERIOD},
        {**added, **NO_PERIOD},
    ]
    assert rebuilt["revision"] == 3


def test_a_cancelled_meeting_is_marked_and_leaves_the_calendar(
    server: Server, people: People
) -> None:
    coordination = gid(people, COORDINATION)
    now = today()
    with as_(server, people, "coordination") as convener:
        held = create(convener, coordination, local(now - dt.timedelta(days=14)), agenda=[])
        off = create(convener, coordination, local(now + dt.timedelta(days=2)), agenda=[])
        cancelled = patch(convener, off, cancelled=True)
        assert cancelled["cancelled"] is True
        # Still listed, so that people see it is off.
        assert listed(convener, coordination, upcoming="true") == [off["id"]]
        calendar = unfold(
            convener.get(f"{meetings_url(coordination)}.ics").content.decode().split("\r\n")[:-1]
        )
        (event,) = events(calendar)
        assert event["STATUS"] == "CANCELLED"
        assert int(event["SEQUENCE"]) == cancelled["revision"]
        # The next meeting follows the one held, not the one called off.
        asked, answer = next_meeting(convener, coordination)
        assert instant(answer["starts_at"]) == suggested(instant(held["starts_at"]), 2, asked)
        # A meeting planned after it counts from the one held.
        later = create(convener, coordination, local(now + dt.timedelta(days=3)))
        assert "sedan förra mötet" in later["agenda"][0]["title"]
        assert day_sv((now - dt.timedelta(days=14)), year=False) in later["agenda"][0]["title"]
        # And it can be put back on.
        assert patch(convener, off, cancelled=False)["cancelled"] is False


def test_the_calendars_event_ids_do_not_depend_on_the_address_asked(
    server: Server, people: People
) -> None:
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        create(convener, coordination, local(today() + dt.timedelta(days=2)), agenda=[])
        uids = set()
        for host in ("localhost", "est.example.se"):
            text = convener.get(f"{meetings_url(coordination)}.ics", headers={"Host": host}).text
            uids |= {line for line in text.split("\r\n") if line.startswith("UID:")}
    assert len(uids) == 1, uids


def test_the_messages_for_bad_times_and_choices_are_swedish(server: Server, people: People) -> None:
    coordination = gid(people, COORDINATION)
    with as_(server, people, "coordination") as convener:
        missing = convener.post(meetings_url(coordination), json={"starts_at": None})
        (error,) = is_problem(missing, 422)["errors"]
        assert error["field"] == "starts_at" and "Ange tiden" in error["message"], error
        naive = convener.get(f"{V1}/incidents", params={"since": "2026-01-01T12:00"})
        (error,) = is_problem(naive, 422)["errors"]
        assert error["message"].startswith("Ange tidszonen"), error
        meeting = create(convener, coordination, local(today() + dt.timedelta(days=1)), agenda=[])
        _, tag = read(convener, meeting)
        wrong = convener.patch(
            url(meeting), json={"agenda": [{"kind": "fika", "title": "Fika"}]},
            headers={"If-Match": tag},
        )  # fmt: skip
        (error,) = is_problem(wrong, 422)["errors"]
        assert " eller 'other'" in error["message"] and " or " not in error["message"], error

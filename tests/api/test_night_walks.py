"""Night walks over HTTP: the hosts register (associations only, read by those who manage
the association's walks), booking with at least three walkers of whom one is a trained
host, who books and who reads, the report after the walk filing its observations once, and
the grant report per term (its sums, its CSV inert in a spreadsheet).

Expected values are worked out here from what the test planted."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import httpx

from api.incidents.models import Incident
from api.nightwalks.demo import load_demo_walks
from api.nightwalks.schemas import term_of
from tests.support.people import People, as_, oid
from tests.support.servers import Server
from tests.support.walks import (
    SISTERS,
    V1,
    WALKERS,
    add_host,
    association_token,
    book,
    make_evening,
    past_friday,
    stamp,
    walk_body,
)

PROBLEM = "application/problem+json"
TRAINED = dt.date(2020, 1, 18)


def _fields(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_a_walk_needs_three_walkers_and_a_trained_host(
    server: Server, api: httpx.Client, people: People
) -> None:
    day = past_friday()
    evening = make_evening(server, people, day)
    walkers = oid(people, WALKERS)
    host = add_host(api, walkers, "Vera Värd", TRAINED)
    late = add_host(api, walkers, "Lars Sen", day + dt.timedelta(days=1))
    resting = add_host(api, walkers, "Ines Inaktiv", TRAINED)
    assert (
        api.patch(
            f"{V1}/associations/{walkers}/hosts/{resting['id']}", json={"active": False}
        ).json()["active"]
        is False
    )

    two = api.post(
        f"{V1}/night-walks", json=walk_body(evening, walkers, day, [host["id"]], walkers=2)
    )
    assert _fields(two)["walkers"] == "En nattvandring behöver minst tre vandrare."

    for hosts in ([], [late["id"]], [resting["id"]]):
        refused = api.post(f"{V1}/night-walks", json=walk_body(evening, walkers, day, hosts))
        assert _fields(refused)["host_ids"].startswith(
            "Minst en av dem ska vara utbildad vandravärd"
        ), hosts

    # Trained on the walk's very day counts; hosts count among the walkers.
    same_day = add_host(api, walkers, "Dag Samma", day)
    walk = book(api, walk_body(evening, walkers, day, [same_day["id"], late["id"]], walkers=3))
    assert walk["host_count"] == 2 and walk["walkers"] == 3
    assert walk["hours"] == 4.0 and walk["person_hours"] == 12.0
    too_many = api.post(
        f"{V1}/night-walks",
        json=walk_body(
            evening, walkers, day, [host["id"], late["id"], same_day["id"], resting["id"]],
            walkers=3,
        ),
    )  # fmt: skip
    assert "host_ids" in _fields(too_many)

    # Another association's host does not count, nor does a walk far from the evening.
    sisters = oid(people, SISTERS)
    theirs = add_host(api, sisters, "Siri Syster", TRAINED)
    foreign = api.post(f"{V1}/night-walks", json=walk_body(evening, walkers, day, [theirs["id"]]))
    assert "host_ids" in _fields(foreign)
    far = api.post(
        f"{V1}/night-walks",
        json=walk_body(evening, walkers, day, [host["id"]], start=8, end=10),
    )
    assert "starts_at" in _fields(far)

    # A change is held to the same rules; cancelling is not.
    fewer = api.patch(f"{V1}/night-walks/{walk['id']}", json={"walkers": 2})
    assert "walkers" in _fields(fewer)
    cancelled = api.patch(f"{V1}/night-walks/{walk['id']}", json={"cancelled": True})
    assert cancelled.status_code == 200 and cancelled.json()["cancelled"] is True


def test_hosts_belong_to_associations_and_are_read_by_those_who_manage_walks(
    server: Server, api: httpx.Client, people: People
) -> None:
    walkers = oid(people, WALKERS)
    police = oid(people, "Polisen, lokalpolisområde")
    not_one = api.get(f"{V1}/associations/{police}/hosts")
    assert not_one.status_code == 422 and "ingen förening" in not_one.json()["detail"]
    assert api.get(f"{V1}/associations/2147483647/hosts").status_code == 404
    refused = api.post(
        f"{V1}/associations/{walkers}/hosts",
        json={"name": "Anna 811218-9876", "trained_on": "2020-01-18"},
    )
    # The name is a person's by nature; a personnummer in it is not.
    assert "name" in _fields(refused)
    add_host(api, walkers, "Vera Värd", TRAINED)

    own = association_token(server, api, people, WALKERS, "vandrare@est.test")
    with server.client(own) as client:
        listed = client.get(f"{V1}/associations/{walkers}/hosts")
        assert [h["name"] for h in listed.json()["items"]] == ["Vera Värd"]
        assert client.get(f"{V1}/associations/{oid(people, SISTERS)}/hosts").status_code == 403
    for who in ("reporter", "kungsangen", "steering", "viewer"):
        with as_(server, people, who) as client:
            assert client.get(f"{V1}/associations/{walkers}/hosts").status_code == 403, who
    with as_(server, people, "coordination") as client:
        assert client.get(f"{V1}/associations/{walkers}/hosts").status_code == 200


def test_an_association_books_its_own_walks_and_reads_them(
    server: Server, api: httpx.Client, people: People
) -> None:
    day = past_friday()
    evening = make_evening(server, people, day, area="Bro")
    walkers = oid(people, WALKERS)
    host = add_host(api, walkers, "Vera Värd", TRAINED)
    own = association_token(server, api, people, WALKERS, "vandrare@est.test")
    other = association_token(server, api, people, SISTERS, "syster@est.test")
    with server.client(own) as client:
        offered = client.get(f"{V1}/night-walks/booking").json()
        assert [e["id"] for e in offered["evenings"]] == [evening]
        assert [a["id"] for a in offered["associations"]] == [walkers]
        assert [h["name"] for h in offered["associations"][0]["hosts"]] == ["Vera Värd"]
        walk = book(client, walk_body(evening, walkers, day, [host["id"]], route="Bro centrum"))
        assert [h["name"] for h in walk["hosts"]] == ["Vera Värd"] and walk["may_manage"]
    with server.client(other) as client:
        refused = client.post(
            f"{V1}/night-walks", json=walk_body(evening, walkers, day, [host["id"]])
        )
        assert refused.status_code == 403, refused.text
        assert client.get(f"{V1}/night-walks/{walk['id']}").status_code == 404
        assert client.get(f"{V1}/night-walks").json()["items"] == []
        changed = client.patch(f"{V1}/night-walks/{walk['id']}", json={"walkers": 9})
        assert changed.status_code == 404
    # Those who read the evening's area read the walk, without the hosts' names.
    with as_(server, people, "viewer") as client:
        read = client.get(f"{V1}/night-walks/{walk['id']}").json()
        assert read["host_count"] == 1 and read["hosts"] == [] and not read["may_manage"]
        listed = client.get(f"{V1}/night-walks", params={"evening": evening}).json()["items"]
        assert [w["id"] for w in listed] == [walk["id"]]
        assert client.post(f"{V1}/night-walks/{walk['id']}/report", json={
            "started_at": stamp(day, 19), "ended_at": stamp(day, 23), "walkers": 4,
        }).status_code == 403  # fmt: skip
    with as_(server, people, "kungsangen") as client:
        assert client.get(f"{V1}/night-walks/{walk['id']}").status_code == 404


def test_the_report_files_its_observations_once(
    server: Server, api: httpx.Client, people: People
) -> None:
    day = past_friday()
    evening = make_evening(server, people, day)
    walkers = oid(people, WALKERS)
    host = add_host(api, walkers, "Vera Värd", TRAINED)
    own = association_token(server, api, people, WALKERS, "vandrare@est.test")
    bro = int(people["areas"]["Bro"]["id"])
    with server.client(own) as client:
        walk = book(client, walk_body(evening, walkers, day, [host["id"]], walkers=5))
        body: dict[str, Any] = {
            "started_at": stamp(day, 19, 30),
            "ended_at": stamp(day, 23, 30),
            "walkers": 6,
            "seen": "Lugnt vid stationen, grupp ungdomar vid skolan.",
            "observations": [
                {"category": "skadegorelse.klotter", "at": stamp(day, 20), "area_id": bro,
                 "text": "Ny klotter på tunneln."},
                {"category": "skadegorelse.klotter", "at": stamp(day, 21), "area_id": bro,
                 "assessment": "high"},
            ],
        }  # fmt: skip
        phone = dict(body, seen="Ring 070-123 45 67")
        guarded = client.post(f"{V1}/night-walks/{walk['id']}/report", json=phone)
        assert "seen" in _fields(guarded)
        wrong = dict(body, observations=[dict(body["observations"][0], area_id=None)])
        assert any(f.startswith("observations.0.") for f in _fields(
            client.post(f"{V1}/night-walks/{walk['id']}/report", json=wrong)
        ))  # fmt: skip
        first = client.post(f"{V1}/night-walks/{walk['id']}/report", json=body)
        assert first.status_code == 200, first.text
        reported = first.json()
        assert reported["reported"] and reported["observations"] == 2
        assert reported["hours"] == 4.0 and reported["person_hours"] == 24.0
        again = client.post(
            f"{V1}/night-walks/{walk['id']}/report", json=dict(body, seen="Lugnt hela kvällen.")
        )
        assert again.status_code == 200, again.text
        assert again.json()["report"] == "Lugnt hela kvällen."
        assert again.json()["report_id"] == reported["report_id"]
        filed = client.get(f"{V1}/reports/{reported['report_id']}").json()
        assert filed["organisation"]["id"] == walkers
    with server.database.session(write=False) as session:
        count = session.query(Incident).filter(Incident.report_id == reported["report_id"]).count()
    assert count == 2


def _report(
    client: httpx.Client, walk: dict[str, Any], day: dt.date, walkers: int, end: int
) -> None:
    answer = client.post(
        f"{V1}/night-walks/{walk['id']}/report",
        json={"started_at": stamp(day, 19), "ended_at": stamp(day, end), "walkers": walkers},
    )
    assert answer.status_code == 200, answer.text


def test_the_grant_report_sums_reported_walks_per_association(
    server: Server, api: httpx.Client, people: People
) -> None:
    first, second = past_friday(1), past_friday(2)
    if term_of(first) != term_of(second):
        second = first  # the turn of a term: both walks on the same evening
    evenings = {d: make_evening(server, people, d) for d in {first, second}}
    walkers, sisters = oid(people, WALKERS), oid(people, SISTERS)
    hosts = {o: add_host(api, o, "Vera Värd", TRAINED)["id"] for o in (walkers, sisters)}
    # Nattvandrare: 4 h × 5 and 3 h × 3 reported; Systerskap: 2 h × 4 reported, one not.
    for day, walkers_n, end in ((first, 5, 23), (second, 3, 22)):
        walk = book(api, walk_body(evenings[day], walkers, day, [hosts[walkers]], walkers=3))
        _report(api, walk, day, walkers_n, end)
    walk = book(api, walk_body(evenings[first], sisters, first, [hosts[sisters]], walkers=4))
    _report(api, walk, first, 4, 21)
    missing = book(api, walk_body(evenings[first], sisters, first, [hosts[sisters]], start=20))
    cancelled = book(api, walk_body(evenings[first], sisters, first, [hosts[sisters]]))
    api.patch(f"{V1}/night-walks/{cancelled['id']}", json={"cancelled": True})

    term = term_of(first)
    report = api.get(f"{V1}/night-walks/grants", params={"term": term})
    assert report.status_code == 200, report.text
    got = report.json()
    assert got["term"] == term
    rows = {r["organisation"]["name"]: r for r in got["associations"]}
    assert rows[WALKERS] | {"organisation": None} == {
        "organisation": None, "walks": 2, "hours": 7.0, "person_hours": 29.0,
    }  # fmt: skip
    assert (rows[SISTERS]["walks"], rows[SISTERS]["hours"], rows[SISTERS]["person_hours"]) == (
        1, 2.0, 8.0,
    )  # fmt: skip
    assert (got["total"]["walks"], got["total"]["person_hours"]) == (3, 37.0)
    assert [w["id"] for w in got["unreported"]] == [missing["id"]]
    other_term = f"{int(term[:4]) - 1}{term[4:]}"
    assert (
        api.get(f"{V1}/night-walks/grants", params={"term": other_term}).json()["associations"]
        == []
    )
    bad = api.get(f"{V1}/night-walks/grants", params={"term": "2026-XX"})
    assert bad.status_code == 422

    # An association's own people read their own row; the whole municipality's readers all.
    own = association_token(server, api, people, SISTERS, "syster@est.test")
    with server.client(own) as client:
        theirs = client.get(f"{V1}/night-walks/grants", params={"term": term}).json()
        assert [r["organisation"]["id"] for r in theirs["associations"]] == [sisters]
    with as_(server, people, "viewer") as client:
        assert len(client.get(f"{V1}/night-walks/grants", params={"term": term}).json()[
            "associations"
        ]) == 2  # fmt: skip


def test_the_grant_csv_is_inert_in_a_spreadsheet(
    server: Server, api: httpx.Client, people: People
) -> None:
    day = past_friday()
    evening = make_evening(server, people, day)
    made = api.post(
        f"{V1}/organisations",
        json={
            "name": '=HYPERLINK("http://evil.example","Klicka")',
            "kind": "association",
            "municipality_id": people["municipality"]["id"],
        },
    )
    assert made.status_code == 201, made.text
    evil = int(made.json()["id"])
    host = add_host(api, evil, "Vera Värd", TRAINED)
    walk = book(api, walk_body(evening, evil, day, [host["id"]], walkers=3))
    _report(api, walk, day, 3, 22)
    answer = api.get(f"{V1}/night-walks/grants.csv", params={"term": term_of(day)})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Förening", "Rapporterade vandringar", "Timmar", "Persontimmar"]
    assert rows[1] == ['\'=HYPERLINK("http://evil.example","Klicka")', "1", "3,00", "9,00"]
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_the_demo_has_hosts_and_last_fridays_reported_walk(
    server: Server, api: httpx.Client, people: People
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    with server.database.session(write=True) as session:
        assert load_demo_walks(session, today=today) == 1
    with server.database.session(write=True) as session:
        assert load_demo_walks(session, today=today) == 0  # once
    walks = api.get(f"{V1}/night-walks").json()["items"]
    assert len(walks) == 1 and walks[0]["reported"] and walks[0]["observations"] == 2
    assert walks[0]["organisation"]["name"] == WALKERS and walks[0]["walkers"] >= 3
    friday = dt.date.fromisoformat(walks[0]["starts_at"][:10])
    assert friday.weekday() == 4 and friday < today
    hosts = api.get(f"{V1}/associations/{oid(people, SISTERS)}/hosts").json()["items"]
    assert [h["trained_on"][:7] for h in hosts] == ["2020-01"]

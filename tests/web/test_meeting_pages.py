"""A meeting through the pages without JavaScript: plan it from the suggested date, read
the agenda built for it, write the minutes, record a decision that creates an intervention,
and download the calendar."""

from __future__ import annotations

import html
import re

import httpx

from tests.support.factories import file_report
from tests.support.pages import browser_for, csrf_of, found
from tests.support.people import People
from tests.support.servers import Server

COORDINATION = "EST samordningsgrupp"


def test_a_meeting_from_plan_to_decision(server: Server, people: People) -> None:
    group = people["groups"][COORDINATION]["id"]
    with browser_for(server, people, "coordination") as convener:
        listing = convener.get(f"/grupper/{group}/moten")
        assert listing.status_code == 200
        day = re.search(r'id="dag" name="dag" type="date" value="([^"]+)"', listing.text)
        assert day, "no suggested day"
        csrf = csrf_of(listing.text)
        planned = convener.post(
            f"/grupper/{group}/moten",
            data={"csrf_token": csrf, "dag": day[1], "tid": "13:00", "plats": "Kommunhuset"},
            follow_redirects=False,
        )
        assert planned.status_code == 303
        url = planned.headers["location"]
        page = convener.get(url).text
        assert (
            "Lägesbild: 0 nya händelser de senaste 14 dagarna" in page and "Övriga frågor" in page
        )
        etag = html.unescape(found(r'name="etag" value="([^"]+)"', page))
        saved = convener.post(
            url,
            data={"csrf_token": csrf, "etag": etag, "protokoll": "Vi gick igenom läget."},
            follow_redirects=False,
        )
        assert saved.status_code == 303
        # The same form again, with the ETag it was loaded with: someone saved since.
        stale = convener.post(
            url, data={"csrf_token": csrf, "etag": etag, "protokoll": "Något annat."}
        )
        assert stale.status_code == 409
        assert "Något annat." in stale.text  # kept in the form
        assert 'id="conflict"' in stale.text and "<ins>Något annat.</ins>" in stale.text
        decided = convener.post(
            f"{url}/beslut",
            data={
                "csrf_token": csrf,
                "beslut": "Slyröjning vid Fasanstigen före jul.",
                "insats": "ja",
                "titel": "Slyröjning vid Fasanstigen",
                "typ": "clearing",
                "kategorier": "skadegorelse",
                "omrade": str(people["areas"]["Bro"]["id"]),
                "agare": str(people["organisations"]["Upplands-Brohus"]["id"]),
                "start": day[1],
                "mal": "area",
                "status": "planned",
                **dict.fromkeys(
                    ["plats", "lat", "lon", "radie", "slut", "beskrivning", "ansvarig"], ""
                ),
            },
            follow_redirects=False,
        )
        assert decided.status_code == 303, decided.text[:500]
        # Back at the decision, which says it is saved.
        back = decided.headers["location"]
        number = found(r"#beslut-(\d+)$", back)
        assert back == f"{url}?sparat=beslut-{number}#beslut-{number}"
        assert re.search(
            rf'<li [^>]*id="beslut-{number}"[^>]*><p class="notice" role="status">Beslutet är '
            r"sparat\. Insatsen är skapad\.</p>",
            convener.get(back).text,
        )
        shown = convener.get(url).text
        assert 'role="status"' not in shown  # said once, after the save
        assert "Vi gick igenom läget." in shown
        link = re.search(
            r'Slyröjning vid Fasanstigen före jul\. – <a href="(/insatser/\d+)"', shown
        )
        assert link, "the decision does not link its intervention"
        assert convener.get(link[1]).status_code == 200
        refused = convener.post(f"{url}/beslut", data={"csrf_token": csrf, "beslut": " "})
        assert refused.status_code == 422
        assert 'id="beslut-error"' in refused.text
        calendar = convener.get(f"/grupper/{group}/moten.ics")
        assert calendar.headers["content-type"].startswith("text/calendar")
        assert calendar.text.count("BEGIN:VEVENT") == 1
        assert "LOCATION:Kommunhuset\r\n" in calendar.text
    with browser_for(server, people, "viewer") as viewer:
        page = viewer.get(url).text
        assert "Vi gick igenom läget." in page and "Spara protokollet" not in page
    with browser_for(server, people, "kungsangen") as member:
        assert member.get(url).status_code == 404


def test_the_agenda_is_changed_before_the_meeting(server: Server, people: People) -> None:
    group = people["groups"][COORDINATION]["id"]
    with browser_for(server, people, "coordination") as convener:
        listing = convener.get(f"/grupper/{group}/moten")
        csrf = csrf_of(listing.text)
        url = convener.post(
            f"/grupper/{group}/moten",
            data={"csrf_token": csrf, "dag": "2030-01-15", "tid": "13:00", "plats": ""},
            follow_redirects=False,
        ).headers["location"]
        page = convener.get(url).text
        etag = html.unescape(found(r'name="etag" value="([^"]+)"', page))
        titles = [html.unescape(t) for t in re.findall(r'name="punkt" value="([^"]*)"', page)]
        assert titles[-1] == "Övriga frågor"
        form = {
            "csrf_token": csrf,
            "etag": etag,
            # The built items as shown, "Övriga frågor" struck, and one new item.
            "typ": ["situation", "other", "other"],
            "ref": ["", "", ""],
            "punkt": [titles[0], "Övriga frågor", "Nattvandring i Råby"],
            "not": ["", "", "Föreningarna frågar om stöd."],
            "stryk": ["1"],
        }
        saved = convener.post(f"{url}/dagordning", data=form, follow_redirects=False)
        assert saved.status_code == 303, saved.text[:300]
        agenda = found(r'<ol class="agenda">(.*?)</ol>', convener.get(url).text, re.S)
        assert "Nattvandring i Råby" in agenda and "Föreningarna frågar om stöd." in agenda
        assert "Övriga frågor" not in agenda
        # The same form again, with the ETag it was loaded with: refused, nothing lost.
        stale = convener.post(f"{url}/dagordning", data=form)
        assert stale.status_code == 409


def plan(client: httpx.Client, group: int, **values: str) -> httpx.Response:
    csrf = csrf_of(client.get(f"/grupper/{group}/moten").text)
    return client.post(
        f"/grupper/{group}/moten",
        data={"csrf_token": csrf, "dag": "2030-01-15", "tid": "13:00", "plats": "", **values},
        follow_redirects=False,
    )


def field_errors(page: str) -> dict[str, str]:
    return {
        k: html.unescape(v)
        for k, v in re.findall(r'<p class="field-error" id="([^"]+)-error"[^>]*>([^<]+)</p>', page)
    }


def test_a_meeting_that_cannot_be_planned_is_told_beside_its_fields(
    server: Server, people: People
) -> None:
    group = people["groups"][COORDINATION]["id"]
    with browser_for(server, people, "coordination") as convener:
        for values, field, says in (
            ({"dag": "2026-13-01"}, "dag", "ÅÅÅÅ-MM-DD"),
            ({"tid": "25:00"}, "tid", "TT:MM"),
            # The hour the clocks skip on the last Sunday of March.
            ({"dag": "2027-03-28", "tid": "02:30"}, "tid", "sommartid"),
        ):
            refused = plan(convener, group, plats="Kommunhuset", **values)
            assert refused.status_code == 422, refused.text[:300]
            errors = field_errors(refused.text)
            assert says in errors.get(field, ""), (values, errors)
            # What was typed is still there.
            assert 'value="Kommunhuset"' in refused.text
        assert "Inget möte planerat." in convener.get(f"/grupper/{group}/moten").text


def test_a_refused_decision_keeps_what_was_typed(server: Server, people: People) -> None:
    group = people["groups"][COORDINATION]["id"]
    with browser_for(server, people, "coordination") as convener:
        url = plan(convener, group).headers["location"]
        csrf = csrf_of(convener.get(url).text)
        refused = convener.post(
            f"{url}/beslut",
            data={
                "csrf_token": csrf,
                "beslut": " ",
                "aterkoppla": "",
                "titel": "Nattvandring i Råby",
                "insats": "",
            },
        )
        assert refused.status_code == 422
        page = refused.text
        assert "beslut" in field_errors(page)
        assert 'value="Nattvandring i Råby"' in page
        # Not asked for an intervention: its box is not ticked for the next try.
        assert 'name="insats" value="ja" checked' not in page
        refused = convener.post(
            f"{url}/beslut",
            data={
                "csrf_token": csrf,
                "beslut": "Väktare vid stationen.",
                "insats": "ja",
                "titel": "Väktare vid stationen",
                "typ": "guards",
                "kategorier": "skadegorelse",
                "omrade": str(people["areas"]["Brunna"]["id"]),
                "agare": "",
                "start": "2030-01-16",
                "mal": "area",
                "status": "planned",
                **dict.fromkeys(
                    ["plats", "lat", "lon", "radie", "slut", "beskrivning", "ansvarig"], ""
                ),
            },
        )
        assert refused.status_code == 422
        page = refused.text
        assert "agare" in field_errors(page)
        assert 'name="insats" value="ja" checked' in page
        assert 'value="Väktare vid stationen"' in page
        assert f'value="{people["areas"]["Brunna"]["id"]}" selected' in page
        assert 'value="guards" selected' in page
        assert 'value="2030-01-16"' in page
        assert "Inga beslut än." in convener.get(url).text


def test_attendance_of_people_and_cancelling(server: Server, people: People) -> None:
    group = people["groups"][COORDINATION]["id"]
    convener_id = people["users"]["coordination"]["id"]
    with browser_for(server, people, "coordination") as convener:
        url = plan(convener, group).headers["location"]
        page = convener.get(url).text
        csrf = csrf_of(page)
        etag = html.unescape(found(r'name="etag" value="([^"]+)"', page))
        assert f'name="narvarande" value="{convener_id}"' in page
        saved = convener.post(
            url,
            data={"csrf_token": csrf, "etag": etag, "protokoll": "", "narvarande": [convener_id]},
            follow_redirects=False,
        )
        assert saved.status_code == 303, saved.text[:300]
        page = convener.get(url).text
        assert f'name="narvarande" value="{convener_id}" checked' in page
        etag = html.unescape(found(r'name="etag" value="([^"]+)"', page))
        off = convener.post(
            f"{url}/installt",
            data={"csrf_token": csrf, "etag": etag, "installt": "ja"},
            follow_redirects=False,
        )
        assert off.status_code == 303
        assert "Inställt" in convener.get(url).text
        assert "Inställt" in convener.get(f"/grupper/{group}/moten").text
        assert "STATUS:CANCELLED" in convener.get(f"/grupper/{group}/moten.ics").text


def test_a_decision_links_a_hot_spot_and_filtered_observations_without_javascript(
    server: Server, people: People
) -> None:
    group = people["groups"][COORDINATION]["id"]
    bro = people["areas"]["Bro"]["id"]
    with browser_for(server, people, "coordination") as convener:
        listing = convener.get(f"/grupper/{group}/moten").text
        csrf = csrf_of(listing)
        day = found(r'id="dag" name="dag" type="date" value="([^"]+)"', listing)
        url = convener.post(
            f"/grupper/{group}/moten",
            data={"csrf_token": csrf, "dag": day, "tid": "13:00", "plats": ""},
            follow_redirects=False,
        ).headers["location"]
        # The filter starts at the first of the days the agenda counted.
        first_day = found(r'name="fran" type="date" value="([^"]+)"', convener.get(url).text)
    # Filed after the meeting was planned: the page counts them now, in the agenda's days.
    when = f"{first_day}T21:30"
    spot = {"area_id": bro, "occurred_from": when, "position": {"lat": 59.5117, "lon": 17.6364}}
    report = file_report(
        server,
        people["tokens"]["reporter"],
        {**spot, "description": "Klotter vid torget"},
        {**spot, "description": "Klotter vid torget"},
        {**spot, "description": "Klotter vid torget"},
        {"area_id": bro, "occurred_from": when, "description": "Mopeder på gångvägen"},
    )
    *hot, moped = (i["id"] for i in report["incidents"])
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(url).text
        box = found(r'<input type="checkbox" form="beslut-form" name="het" value="([^"]+)"', page)
        assert sorted(map(int, box.split(","))) == sorted(hot)
        # The filter is a GET of the page (no JavaScript), the list with htmx alone.
        filtered = convener.get(url, params={"q": "Mopeder"}).text
        assert re.findall(r'name="handelse" value="(\d+)"', filtered) == [str(moped)]
        alone = convener.get(
            url, params={"q": "Mopeder"}, headers={"HX-Request": "true", "HX-Target": "valbara"}
        )
        assert alone.text.lstrip().startswith('<div id="valbara"'), alone.text[:200]
        assert "<h1" not in alone.text
        decided = convener.post(
            f"{url}/beslut",
            data={
                "csrf_token": csrf_of(page),
                "beslut": "Sanera klottret och prata med mopedisterna.",
                "insats": "ja",
                "titel": "Klottersanering vid torget",
                "typ": "clearing",
                "kategorier": "skadegorelse",
                "omrade": str(bro),
                "agare": str(people["organisations"]["Upplands-Brohus"]["id"]),
                "start": day,
                "mal": "area",
                "status": "planned",
                "het": box,
                "handelse": [str(moped), str(hot[0])],
                **dict.fromkeys(
                    ["plats", "lat", "lon", "radie", "slut", "beskrivning", "ansvarig"], ""
                ),
            },
            follow_redirects=False,
        )
        assert decided.status_code == 303, decided.text[:500]
        shown = convener.get(decided.headers["location"]).text
        intervention = found(r'– <a href="/insatser/(\d+)">insatsen</a>', shown)
    with server.client(people["tokens"]["coordination"]) as api:
        made = api.get(f"/api/v1/interventions/{intervention}").json()
    assert sorted(made["incident_ids"]) == sorted([*hot, moped])
    # Ticked without an intervention to link them to: said beside the list.
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(url).text
        refused = convener.post(
            f"{url}/beslut",
            data={"csrf_token": csrf_of(page), "beslut": "Bara ett beslut.", "het": box},
        )
    assert refused.status_code == 422
    assert "Händelser kopplas till en insats" in html.unescape(refused.text)
    assert f'value="{box}" checked' in refused.text  # the tick kept

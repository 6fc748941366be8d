"""A meeting through the pages without JavaScript: plan it from the suggested date, read
the agenda built for it, write the minutes, record a decision that creates an intervention,
and download the calendar."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from tests.conftest import Server
from tests.web.test_sign_in_pages import csrf_of

COORDINATION = "EST samordningsgrupp"


def browser_for(server: Server, people: dict[str, Any], who: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, timeout=30, cookies={"est_session": people["tokens"][who]}
    )


def test_a_meeting_from_plan_to_decision(server: Server, people: dict[str, Any]) -> None:
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
        assert "Lägesbild: 0 nya händelser" in page and "Övriga frågor" in page
        etag = html.unescape(re.search(r'name="etag" value="([^"]+)"', page)[1])
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
        shown = convener.get(url).text
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


def test_the_agenda_is_changed_before_the_meeting(server: Server, people: dict[str, Any]) -> None:
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
        etag = html.unescape(re.search(r'name="etag" value="([^"]+)"', page)[1])
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
        agenda = re.search(r'<ol class="agenda">(.*?)</ol>', convener.get(url).text, re.S)[1]
        assert "Nattvandring i Råby" in agenda and "Föreningarna frågar om stöd." in agenda
        assert "Övriga frågor" not in agenda
        # The same form again, with the ETag it was loaded with: refused, nothing lost.
        stale = convener.post(f"{url}/dagordning", data=form)
        assert stale.status_code == 409

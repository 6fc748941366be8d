"""Evenings through the pages without JavaScript: plan the next weekend from the list, plan an
evening with its shifts, read its briefing, add a suggested place to watch and take it away,
change it (a stale form refused), close it; refusals beside their fields; and what a
reporter and an area group's member see."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.pages import browser_for, csrf_of, found
from tests.support.people import People
from tests.support.servers import Server

TZ = ZoneInfo("Europe/Stockholm")


def new_evening(page: str, people: People, **values: Any) -> dict[str, Any]:
    """The new-evening form filled in: Bro, the day after tomorrow, the field group's
    shift, unless ``values`` says otherwise."""
    day = dt.datetime.now(TZ).date() + dt.timedelta(days=2)
    return {
        "csrf_token": csrf_of(page),
        "dag": day.isoformat(),
        "start": "18:00",
        "slut": "01:00",
        "omrade": str(people["areas"]["Bro"]["id"]),
        "typ": "weekend",
        "titel": "",
        "samling": "17:30",
        "samlingsplats": "Brohuset",
        "anteckningar": "Fokus på stationen.",
        "pass_org": [str(people["organisations"]["Fältgruppen"]["id"]), "", ""],
        "pass_plats": ["Bro centrum", "", ""],
        "pass_start": ["19:00", "", ""],
        "pass_slut": ["00:30", "", ""],
        "pass_antal": ["3", "", ""],
        "pass_person": ["", "", ""],
        "pass_omrade": ["", "", ""],
        **values,
    }


def test_an_evening_from_plan_to_close(server: Server, people: People) -> None:
    with browser_for(server, people, "coordination") as planner:
        listing = planner.get("/kvallar")
        assert listing.status_code == 200
        assert 'href="/kvallar"' in listing.text and "Planera nästa helg" in listing.text
        assert "Ingen kväll planerad." in listing.text
        csrf = csrf_of(listing.text)
        weekend = planner.post(
            "/kvallar/nasta-helg",
            data={"csrf_token": csrf, "omrade": str(people["areas"]["Bro"]["id"])},
            follow_redirects=False,
        )
        assert weekend.status_code == 303 and weekend.headers["location"] == "/kvallar?planerat=2"
        planned = planner.get(weekend.headers["location"]).text
        assert "2 kvällar planerade för nästa helg." in planned
        assert planned.count('class="card evening-card"') == 2
        assert "Fredag" in planned and "Lördag" in planned

        form = planner.get("/kvallar/ny").text
        made = planner.post("/kvallar/ny", data=new_evening(form, people), follow_redirects=False)
        assert made.status_code == 303, made.text
        url = made.headers["location"].split("?", 1)[0]
        page = planner.get(made.headers["location"]).text
        assert "Kvällen är sparad." in page
        assert "18:00–01:00" in page and "Brohuset" in page and "Fokus på stationen." in page
        assert "Fältgruppen" in page and "19:00–00:30" in page and "3 personer" in page
        assert f'href="{url}/logg"' in page and "Avsluta kvällen" in page

        # A suggested place, then one typed, then taken away.
        etag = html.unescape(found(r'name="etag" value="([^"]+)"', page))
        added = planner.post(
            f"{url}/bevaka",
            data={"csrf_token": csrf, "etag": etag, "etikett": "Råby", "skal": "Bränder."},
            follow_redirects=False,
        )
        assert added.status_code == 303
        page = planner.get(added.headers["location"]).text
        assert "Platsen är tillagd" in page and "Bränder." in page
        etag = html.unescape(found(r'name="etag" value="([^"]+)"', page))
        removed = planner.post(
            f"{url}/bevaka/ta-bort",
            data={"csrf_token": csrf, "etag": etag, "nr": "1"},
            follow_redirects=False,
        )
        assert removed.status_code == 303
        assert "Inga platser valda ännu." in planner.get(url).text

        # Changed through its form; the same form again, with the ETag it was loaded with,
        # is refused: someone saved in between.
        edit = planner.get(f"{url}/andra").text
        etag = html.unescape(found(r'name="etag" value="([^"]+)"', edit))
        assert 'value="Bro centrum"' in edit
        changed = new_evening(edit, people, etag=etag, titel="Skolavslutning", typ="school_end")
        saved = planner.post(f"{url}/andra", data=changed, follow_redirects=False)
        assert saved.status_code == 303
        page = planner.get(url).text
        assert "Skolavslutning" in page
        stale = planner.post(f"{url}/andra", data=changed)
        assert stale.status_code == 422 and "Någon annan har sparat" in stale.text

        closed = planner.post(f"{url}/avsluta", data={"csrf_token": csrf}, follow_redirects=False)
        assert closed.status_code == 303
        page = planner.get(closed.headers["location"]).text
        assert "Kvällen är avslutad" in page and "Avslutad" in page
        assert 'action="' + url + '/avsluta"' not in page


def test_refusals_stand_beside_their_fields(server: Server, people: People) -> None:
    with browser_for(server, people, "coordination") as planner:
        form = planner.get("/kvallar/ny").text
        named = planner.post(
            "/kvallar/ny",
            data=new_evening(form, people, anteckningar="Ring 070-123 45 67 om något händer."),
        )
        assert named.status_code == 422
        assert re.search(r'id="anteckningar-error"[^>]*>[^<]*telefonnummer', named.text)
        assert "Ring 070-123 45 67" in named.text  # kept in the form
        bad_row = new_evening(form, people)
        bad_row["pass_org"] = ["", str(people["organisations"]["Fältgruppen"]["id"]), ""]
        bad_row["pass_slut"] = ["", "sent", ""]
        row = planner.post("/kvallar/ny", data=bad_row)
        assert row.status_code == 422
        assert re.search(r'id="pass-1-error"[^>]*>Skriv passets tider', row.text)
        no_day = planner.post("/kvallar/ny", data=new_evening(form, people, dag="imorgon"))
        assert no_day.status_code == 422 and 'id="dag-error"' in no_day.text


def test_a_reporter_reads_the_evenings_they_work(server: Server, people: People) -> None:
    day = (dt.datetime.now(TZ).date() + dt.timedelta(days=1)).isoformat()
    guards = people["organisations"]["Rapid Säkerhet"]["id"]
    with server.client(people["tokens"]["coordination"]) as planner:
        worked = planner.post(
            "/api/v1/evenings",
            json={
                "day": day,
                "area_id": people["areas"]["Kungsängen"]["id"],
                "shifts": [{"organisation_id": guards, "people": 2}],
            },
        ).json()
        other = planner.post(
            "/api/v1/evenings", json={"day": day, "area_id": people["areas"]["Bro"]["id"]}
        ).json()
    with browser_for(server, people, "reporter") as reporter:
        listing = reporter.get("/kvallar")
        assert listing.status_code == 200
        assert "Planera nästa helg" not in listing.text and "du arbetar" in listing.text
        assert listing.text.count('class="card evening-card"') == 1
        page = reporter.get(f"/kvallar/{worked['id']}")
        assert page.status_code == 200 and "Rapid Säkerhet" in page.text
        assert "Ändra" not in page.text and "Avsluta kvällen" not in page.text
        assert reporter.get(f"/kvallar/{other['id']}").status_code == 404
        assert reporter.get("/kvallar/ny").status_code == 403


def test_the_menu_offers_evenings(server: Server, people: People) -> None:
    with browser_for(server, people, "viewer") as viewer:
        start = viewer.get("/")
        assert '<a href="/kvallar"' in start.text
        listing = viewer.get("/kvallar")
        assert listing.status_code == 200 and "Planera nästa helg" not in listing.text


def test_the_pages_answer_htmx_fragments(server: Server, people: People) -> None:
    with browser_for(server, people, "coordination") as planner:
        whole = planner.get("/kvallar")
        part = planner.get("/kvallar", headers={"HX-Request": "true"})
        assert whole.status_code == part.status_code == 200
        assert "<html" not in part.text and "Kommande kvällar" in part.text

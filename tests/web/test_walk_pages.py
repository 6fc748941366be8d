"""Safety walks through the pages without JavaScript (#20): a planner plans a walk with its
form; a resident opens its public link without signing in and pins a place (the public page
loads nothing from anyone else); the planner accepts the pin; a finding is filed with a photo
in one multipart form (a refused photo keeps the finding); the finding becomes a proposed
intervention; the report as a page and as a PDF with the photo embedded."""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from typing import Any

import httpx
import pytest

from api.tips.abuse import form_token
from tests.support.images import not_an_image, photo
from tests.support.pages import browser_for, csrf_of, found
from tests.support.people import People
from tests.support.servers import Server, http_client

# The pages' markup does not depend on the database: one backend.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], scope="session")


def places_of(planner: httpx.Client, people: People, area: str) -> dict[str, int]:
    token = people["tokens"]["coordination"]
    answer = planner.get(
        "/api/v1/places",
        params={"area": people["areas"][area]["id"], "limit": 200},
        headers={"Authorization": f"Bearer {token}"},
    )
    return {p["name"]: p["id"] for p in answer.json()["items"]}


def new_walk(planner: httpx.Client, people: People, places: dict[str, int]) -> str:
    """A walk in Bro next week planned through its form: the walk's path."""
    form = planner.get("/trygghetsvandringar/ny").text
    day = dt.date.today() + dt.timedelta(days=7)
    made = planner.post(
        "/trygghetsvandringar/ny",
        data={
            "csrf_token": csrf_of(form),
            "omrade": str(people["areas"]["Bro"]["id"]),
            "titel": "",
            "dag": day.isoformat(),
            "tid": "18:30",
            "samlingsplats": "Brohuset",
            "samling_lat": "59,5112",
            "samling_lon": "17.6345",
            "rutt": [str(places["Brohuset"]), str(places["Råbystigen"]), "", ""],
            "rutt_ritad": "",
            "inbjudna": [str(people["organisations"]["Upplands-Brohus"]["id"])],
            "oppet_till": "",
            "anteckningar": "",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    path, _query = made.headers["location"].split("?", 1)
    assert _query == "sparat=vandring"
    return path


def pin(
    server: Server, link: str, place: int, comment: str, token: str | None = None
) -> httpx.Response:
    """A resident's pin through the public page, without signing in (``token``: the form's,
    as a double tap sends it twice)."""
    with http_client(base_url=server.url, timeout=30) as resident:
        page = resident.get(link)
        assert page.status_code == 200, page.text
        assert "unpkg.com" not in page.text and "openstreetmap" not in page.text
        policy = page.headers["content-security-policy"]
        assert "unpkg.com" not in policy and "openstreetmap" not in policy
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "Tipsa om en plats" in page.text and "Brohuset" in page.text
        # Shown ten seconds ago: not too fast for the API's least fill time.
        return resident.post(
            link,
            data={
                "csrf_token": csrf_of(page.text),
                "form_token": token or form_token(server.settings, now=time.time() - 10),
                "website": "",
                "fran": "resident",
                "plats": str(place),
                "kommentar": comment,
            },
            follow_redirects=False,
        )


def started(server: Server, people: People, url: str) -> None:
    """The walk's start moved to an hour ago, through the API."""
    walk_id = url.rsplit("/", 1)[1]
    ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with server.client(people["tokens"]["coordination"]) as api:
        moved = api.patch(f"/api/v1/safety-walks/{walk_id}", json={"starts_at": ago.isoformat()})
        assert moved.status_code == 200, moved.text


def finding_form(page: str, people: People, **values: Any) -> dict[str, Any]:
    return {
        "csrf_token": csrf_of(page),
        "nyckel": found(r'name="nyckel" value="([^"]+)"', page),
        "typ": "lighting",
        "beskrivning": "Trasig belysning i gångtunneln",
        "plats": "",
        "lat": "",
        "lon": "",
        "ansvarig": str(people["organisations"]["Upplands-Brohus"]["id"]),
        "kontor": "Gata och park",
        "anvand_position": "ja",
        **values,
    }


def test_a_walk_from_plan_to_report(server: Server, people: People) -> None:
    with browser_for(server, people, "coordination") as planner:
        listing = planner.get("/trygghetsvandringar")
        assert listing.status_code == 200
        assert 'href="/trygghetsvandringar/ny"' in listing.text
        places = places_of(planner, people, "Bro")
        url = new_walk(planner, people, places)
        page = planner.get(f"{url}?sparat=vandring").text
        assert "Vandringen är sparad." in page
        assert "Brohuset → Råbystigen" in page and "Upplands-Brohus" in page
        assert "<svg" in page  # the map, drawn on the server
        link = html.unescape(found(r'id="public-link" type="text" readonly value="([^"]+)"', page))
        path = "/" + link.split("/", 3)[3]

        shown = form_token(server.settings, now=time.time() - 10)
        sent = pin(server, path, places["Råbystigen"], "Mörkt och buskigt vid stigen", shown)
        assert sent.status_code == 303, sent.text
        # Sent again with the same form (a double tap): thanked again, kept once.
        again = pin(server, path, places["Råbystigen"], "Mörkt och buskigt vid stigen", shown)
        assert again.status_code == 303, again.text
        assert again.headers["location"] == sent.headers["location"]
        with http_client(base_url=server.url) as resident:
            assert "Tack för din synpunkt" in resident.get(sent.headers["location"]).text

        page = planner.get(url).text
        assert "Mörkt och buskigt vid stigen" in page
        # The waiting pin is on the map, labelled as in the list; the route's places named.
        assert 'class="map-mark map-pending"' in page and ">V1</span>" in page
        assert ">V2</span>" not in page
        assert 'class="map-place"' in page and ">Råbystigen</text>" in page
        accept = found(r'action="(/trygghetsvandringar/\d+/synpunkter/\d+/godkann)"', page)
        accepted = planner.post(accept, data={"csrf_token": csrf_of(page)}, follow_redirects=False)
        assert accepted.status_code == 303, accepted.text
        assert "Inga synpunkter väntar." in planner.get(url).text

        form = planner.get(f"{url}/fynd/ny").text
        assert 'capture="environment"' in form and "Använd bildens position" in form
        filed = planner.post(
            f"{url}/fynd/ny",
            data=finding_form(form, people),
            files={"bild": ("tunnel.jpg", photo(lat=59.5121, lon=17.6380), "image/jpeg")},
            follow_redirects=False,
        )
        assert filed.status_code == 303, filed.text
        # Sent again from a phone that lost the answer: filed once.
        again = planner.post(
            f"{url}/fynd/ny", data=finding_form(form, people), follow_redirects=False
        )
        assert again.status_code == 303 and again.headers["location"] == filed.headers["location"]
        page = planner.get(filed.headers["location"]).text
        assert "Fyndet är sparat." in page and "Trasig belysning i gångtunneln" in page
        assert re.search(r'<img src="/bilder/[^"]+storlek=miniatyr"', page)

        # A file that is no photo: refused in Swedish, the finding kept.
        refused = planner.post(
            f"{url}/fynd/ny",
            data=finding_form(
                form, people, beskrivning="Klotter på elskåpet", typ="vandalism", nyckel="annan"
            ),
            files={"bild": ("x.jpg", not_an_image(), "image/jpeg")},
            follow_redirects=False,
        )
        assert refused.status_code == 422
        assert "är sparat, men inte bilden" in refused.text
        assert 'class="field-error" id="bild-error"' in refused.text
        assert "Klotter på elskåpet" in planner.get(url).text
        photos = found(r'action="(/trygghetsvandringar/\d+/fynd/\d+/bilder)"', refused.text)
        resent = planner.post(
            photos,
            data={"csrf_token": csrf_of(refused.text)},
            files={"bild": ("el.jpg", photo(), "image/jpeg")},
            follow_redirects=False,
        )
        assert resent.status_code == 303, resent.text

        propose = found(r'action="(/trygghetsvandringar/\d+/fynd/\d+/insats)"', page)
        proposed = planner.post(propose, data={"csrf_token": csrf_of(page)}, follow_redirects=False)
        assert proposed.status_code == 303, proposed.text
        made = found(r'href="(/insatser/\d+)"', planner.get(url).text)
        # Proposed, not decided: it says so, and leads back to the walk's finding.
        shown = planner.get(made).text
        assert "Beslutad av" not in shown and "Föreslagen av" in shown
        assert re.search(rf'href="{url}#fynd-\d+">trygghetsvandringen ', shown)

        # The responsible organisation's progress, then the walk held and its report done.
        status = found(r'action="(/trygghetsvandringar/\d+/fynd/\d+/status)"', page)
        changed = planner.post(
            status,
            data={"csrf_token": csrf_of(page), "status": "in_progress", "notering": "Beställt"},
            follow_redirects=False,
        )
        assert changed.status_code == 303, changed.text
        # Not yet started: it cannot be marked held, told beside the button.
        early = planner.post(
            f"{url}/genomford", data={"csrf_token": csrf_of(page)}, follow_redirects=False
        )
        assert early.status_code == 422 and "först när den har börjat" in early.text
        assert f'action="{url}/genomford"' not in early.text
        started(server, people, url)
        assert f'action="{url}/genomford"' in planner.get(url).text
        for step, notice in (
            ("genomford", "Vandringen är markerad som genomförd."),
            ("rapport-klar", "Rapporten är markerad som klar."),
        ):
            done = planner.post(
                f"{url}/{step}", data={"csrf_token": csrf_of(page)}, follow_redirects=False
            )
            assert done.status_code == 303, done.text
            assert notice in planner.get(done.headers["location"]).text
        edit = planner.get(f"{url}/andra").text
        assert 'value="Brohuset"' in edit and "checked" in edit

        report = planner.get(f"{url}/rapport")
        assert report.status_code == 200
        assert "Mörkt och buskigt vid stigen" in report.text
        # One lettering for the pins, in the list (page and PDF alike) as on the map.
        assert '<span class="mark-label">A</span>' in report.text
        assert 'type="A"' not in report.text
        assert "Trasig belysning i gångtunneln" in report.text and "Gata och park" in report.text
        assert "Förra årets fynd" in report.text and "Påbörjat" in report.text
        pdf = planner.get(f"{url}/rapport.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert b"/Image" in pdf.content  # the photo, embedded


def test_a_closed_link_and_a_refused_pin(server: Server, people: People) -> None:
    with http_client(base_url=server.url, timeout=30) as resident:
        gone = resident.get("/trygghetsvandring/ingenvandringhar")
        assert gone.status_code == 404 and "Länken gäller inte längre" in gone.text
    with browser_for(server, people, "coordination") as planner:
        url = new_walk(planner, people, places_of(planner, people, "Bro"))
        page = planner.get(url).text
        link = html.unescape(found(r'id="public-link" type="text" readonly value="([^"]+)"', page))
        path = "/" + link.split("/", 3)[3]
        # Without a comment: told beside the field, with what was chosen kept.
        empty = pin(server, path, places_of(planner, people, "Bro")["Finnsta"], "")
        assert empty.status_code == 422
        assert 'id="kommentar-error"' in empty.text
        # A new link ends the old one.
        renewed = planner.post(
            f"{url}/ny-lank", data={"csrf_token": csrf_of(page)}, follow_redirects=False
        )
        assert renewed.status_code == 303
        with http_client(base_url=server.url, timeout=30) as resident:
            assert resident.get(path).status_code == 404
    # A viewer of the coordination group reads the walk, and neither changes it nor files.
    with browser_for(server, people, "viewer") as viewer:
        seen = viewer.get(url)
        assert seen.status_code == 200 and "Skapa ny länk" not in seen.text
        assert 'id="public-link"' not in seen.text and "Nytt fynd" not in seen.text
        assert viewer.get(f"{url}/andra").status_code == 403
        assert viewer.get(f"{url}/fynd/ny").status_code == 403


def test_the_walk_forms_speak_swedish_and_hold_their_limits(server: Server, people: People) -> None:
    """An empty finding form is told what to choose in words, not the API's codes; every
    required field is marked; the forms' limits and keyboard hints are real attributes; a
    photo over the limit is refused in the photo limit's words and the finding kept; a held
    walk's link says the walk has taken place and takes no pin."""
    with browser_for(server, people, "coordination") as planner:
        url = new_walk(planner, people, places_of(planner, people, "Bro"))
        form = planner.get(f"{url}/fynd/ny").text
        assert 'maxlength="200"' in form and "&#34;" not in form and "&quot;200" not in form
        label = found(r'(<label for="beskrivning">.*?</label>)', form)
        assert "(obligatoriskt)" in label
        empty = planner.post(
            f"{url}/fynd/ny",
            data=finding_form(form, people, typ="", ansvarig="", beskrivning=""),
            follow_redirects=False,
        )
        assert empty.status_code == 422
        assert "Måste vara" not in empty.text
        for field, words in (
            ("typ", "Välj vad fyndet gäller."),
            ("ansvarig", "Välj vilken organisation som ansvarar."),
            ("beskrivning", "Får inte"),
        ):
            error = found(rf'id="{field}-error"[^>]*>(.*?)</', empty.text)
            assert words in html.unescape(error), (field, error)

        edit = planner.get(f"{url}/andra").text
        assert 'maxlength="200"' in edit and 'inputmode="decimal"' in edit
        assert "&#34;" not in edit
        # The walk form and the pin form: an unchosen choice is told in words too.
        new = planner.get("/trygghetsvandringar/ny").text
        no_area = planner.post(
            "/trygghetsvandringar/ny",
            data={"csrf_token": csrf_of(new), "omrade": "", "dag": "2030-01-01", "tid": "18:00"},
        )
        assert no_area.status_code == 422
        assert "Välj område." in found(r'id="omrade-error"[^>]*>(.*?)</', no_area.text)
        page = planner.get(url).text
        link = html.unescape(found(r'id="public-link" type="text" readonly value="([^"]+)"', page))
        path = "/" + link.split("/", 3)[3]
        with http_client(base_url=server.url, timeout=30) as resident:
            public = resident.get(path).text
            assert 'maxlength="2000"' in public and "Alla är välkomna att gå med" in public
            nobody = resident.post(
                path,
                data={
                    "csrf_token": csrf_of(public),
                    "form_token": form_token(server.settings, now=time.time() - 10),
                    "fran": "",
                    "plats": "",
                    "kommentar": "Mörkt vid busshållplatsen",
                },
            )
            assert nobody.status_code == 422 and "Måste vara" not in nobody.text
            assert "Välj om du skriver" in found(r'id="fran-error"[^>]*>(.*?)</', nobody.text)

        # A photo one byte over the limit: refused beside the field, in the limit's words.
        limit = server.settings.photo_max_bytes
        big = planner.post(
            f"{url}/fynd/ny",
            data=finding_form(form, people, beskrivning="Mörk trappa", nyckel="stor"),
            files={"bild": ("big.jpg", b"\xff" * (limit + 1), "image/jpeg")},
            follow_redirects=False,
        )
        assert big.status_code == 422, big.text[:300]
        error = found(r'id="bild-error"[^>]*>(.*?)</', big.text)
        assert f"{limit // (1024 * 1024)} MB" in error and "är sparat, men inte bilden" in big.text
        assert "Mörk trappa" in planner.get(url).text

        started(server, people, url)
        held = planner.post(
            f"{url}/genomford", data={"csrf_token": csrf_of(page)}, follow_redirects=False
        )
        assert held.status_code == 303, held.text
    with http_client(base_url=server.url, timeout=30) as resident:
        public = resident.get(path).text
        assert "Vandringen har genomförts" in public and "Alla är välkomna" not in public
        assert 'name="kommentar"' not in public
        done = resident.get(f"{path}/tack").text
        assert "läser den före vandringen" not in done

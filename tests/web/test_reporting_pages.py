"""The filing form and the incident pages as a browser without JavaScript uses them."""

from __future__ import annotations

import re

import httpx

from tests.support.factories import file_report
from tests.support.pages import browser_for, csrf_of
from tests.support.people import People
from tests.support.servers import Server


def form_fields(html: str) -> dict[str, str]:
    return {
        "csrf_token": csrf_of(html),
        "nyckel": re.search(r'name="nyckel" value="([^"]+)"', html)[1],  # type: ignore[index]
    }


def test_file_two_incidents_without_javascript_and_a_double_submit_files_once(
    server: Server, people: People
) -> None:
    bro = people["areas"]["Bro"]["id"]
    with browser_for(server, people, "reporter") as browser:
        fields = form_fields(browser.get("/rapportera").text)
        one = {
            "antal": "1",
            "h0-kategori": "skadegorelse.klotter",
            "h0-nar": "dag",
            "h0-dag": "2026-11-20",
            "h0-omrade": str(bro),
            "h0-bedomning": "low",
            "h0-beskrivning": "Mejla mig på a.b@example.se",
        }
        added = browser.post("/rapportera", data={**fields, **one, "atgard": "lagg-till"})
        assert added.status_code == 200
        assert 'id="handelse-2"' in added.text
        assert 'name="antal" value="2"' in added.text
        two = {
            **one,
            "antal": "2",
            "h1-kategori": "ordning.brak",
            "h1-nar": "tid",
            "h1-tid": "2026-11-21T22:15",
            "h1-omrade": str(bro),
            "h1-koordsys": "EPSG:4326",
            "h1-lat": "59,5117",
            "h1-lon": "17,6364",
            "h1-bedomning": "high",
        }
        warned = browser.post("/rapportera", data={**fields, **two, "atgard": "skicka"})
        assert warned.status_code == 422
        assert 'id="h0-beskrivning-error"' in warned.text and "e-postadress" in warned.text
        assert 'name="h0-bekrafta"' in warned.text  # the confirmation is offered

        confirmed = {**two, "h0-bekrafta": "ja"}
        sent = browser.post("/rapportera", data={**fields, **confirmed, "atgard": "skicka"})
        assert sent.status_code == 303, sent.text
        again = browser.post("/rapportera", data={**fields, **confirmed, "atgard": "skicka"})
        assert again.headers["location"] == sent.headers["location"]  # the same report
        done = browser.get(sent.headers["location"])
        assert "med 2 händelser" in done.text
        assert "<h1>Tack! Rapporten är skickad</h1>" in done.text
        # Opened again later, it is the report, not a thanks for sending it.
        report_id = sent.headers["location"].split("?")[0].rsplit("/", 1)[1]
        reopened = browser.get(f"/rapporter/{report_id}").text
        assert f"<h1>Rapport {report_id}</h1>" in reopened and "Tack!" not in reopened
        assert "via web" in browser.get(f"/handelser/{_first_incident(done.text)}").text
        listed = browser.get("/handelser")
        assert listed.text.count('<a href="/handelser/') == 2
        assert "20 november 2026" in listed.text and "21 november 2026 22:15" in listed.text


def _first_incident(html: str) -> str:
    found = re.search(r'href="/handelser/(\d+)"', html)
    assert found
    return found[1]


def test_mistakes_stay_beside_their_fields(server: Server, people: People) -> None:
    with browser_for(server, people, "reporter") as browser:
        fields = form_fields(browser.get("/rapportera").text)
        response = browser.post(
            "/rapportera",
            data={**fields, "antal": "1", "h0-nar": "fonster", "h0-lat": "x", "h0-lon": "1"},
        )
        assert response.status_code == 422
        for field in ("h0-kategori", "h0-fran", "h0-lat", "h0-bedomning"):
            assert f'id="{field}-error"' in response.text, field


def test_list_filters_and_the_maps_geojson(server: Server, people: People) -> None:
    areas = people["areas"]
    with server.client(people["tokens"]["admin"]) as admin:
        admin.post(
            "/api/v1/reports",
            json={
                "incidents": [
                    {
                        "category": "skadegorelse.klotter",
                        "occurred_from": "2026-11-20T21:30",
                        "area_id": areas["Bro"]["id"],
                        "position": {"lat": 59.5117, "lon": 17.6364},
                        "assessment": "medium",
                    },
                    {
                        "category": "trafik.olovlig_korning",
                        "occurred_from": "2026-11-19T21:30",
                        "area_id": areas["Kungsängen"]["id"],
                        "assessment": "high",
                    },
                ]
            },
        )
    with browser_for(server, people, "steering") as browser:
        page = browser.get("/handelser", params={"kategori": "trafik"})
        assert page.text.count('<a href="/handelser/') == 1 and "Olovlig" in page.text
        bad = browser.get("/handelser", params={"fran": "igår"})
        assert bad.status_code == 422 and 'id="fran-error"' in bad.text
        geojson = browser.get("/karta.geojson", params={"omrade": areas["Bro"]["id"]})
        assert geojson.headers["content-type"].startswith("application/geo+json")
        assert [f["geometry"]["coordinates"] for f in geojson.json()["features"]] == [
            [17.6364, 59.5117]
        ]
        map_page = browser.get("/karta")
        assert 'data-geojson="/karta.geojson"' in map_page.text
        assert map_page.text.count('<a href="/handelser/') == 2  # the list without JavaScript
    with browser_for(server, people, "kungsangen") as browser:
        only_own = browser.get("/karta.geojson").json()["features"]
        assert len(only_own) == 1 and only_own[0]["properties"]["area"] == "Kungsängen"


def test_the_reporter_corrects_an_incident_and_a_member_may_not(
    server: Server, people: People
) -> None:
    bro = people["areas"]["Bro"]["id"]
    filed = file_report(
        server,
        people["tokens"]["reporter"],
        {
            "area_id": bro,
            "assessment": "low",
            "description": "Ring 070-123 45 67",
            "confirm_personal_data": True,
        },
    )["incidents"][0]
    url = f"/handelser/{filed['id']}/andra"
    with browser_for(server, people, "reporter") as browser:
        form = browser.get(url)
        assert form.status_code == 200
        token = csrf_of(form.text)
        values = {
            "csrf_token": token,
            "kategori": "skadegorelse.klotter",
            "omrade": str(bro),
            "plats": "",
            "bedomning": "high",
            "sakerhet": "observed",
            "polis": "unknown",
            "beskrivning": "Ring 070-123 45 67",
        }
        # The description did not change, so it is not questioned again.
        saved = browser.post(url, data=values)
        assert saved.status_code == 303, saved.text
        page = browser.get(f"/handelser/{filed['id']}")
        assert "Hög" in page.text and "Version 1" in page.text
        bad = browser.post(url, data={**values, "beskrivning": "Mejla a.b@example.se"})
        assert bad.status_code == 422 and 'id="beskrivning-error"' in bad.text
        assert 'name="bekrafta"' in bad.text
    with browser_for(server, people, "steering") as member:
        assert member.get(url).status_code == 403
        assert "/andra" not in member.get(f"/handelser/{filed['id']}").text


def test_pressing_send_twice_with_now_files_once(server: Server, people: People) -> None:
    with browser_for(server, people, "reporter") as browser:
        page = browser.get("/rapportera").text
        opened = re.search(r'name="oppnad" value="([^"]+)"', page)
        assert opened
        data = {
            **form_fields(page),
            "oppnad": opened[1],
            "antal": "1",
            "h0-kategori": "samling.utomhus",
            "h0-nar": "nu",
            "h0-omrade": str(people["areas"]["Bro"]["id"]),
            "h0-bedomning": "medium",
            "h0-beskrivning": "Rad ett\r\nRad två",
            "atgard": "skicka",
        }
        first = browser.post("/rapportera", data=data)
        second = browser.post("/rapportera", data=data)
        assert first.status_code == second.status_code == 303, second.text
        assert first.headers["location"] == second.headers["location"]


def test_correcting_keeps_a_category_no_longer_offered(
    server: Server, people: People, api: httpx.Client
) -> None:
    bro = people["areas"]["Bro"]["id"]
    filed = file_report(
        server, people["tokens"]["reporter"], {"area_id": bro, "assessment": "low"}
    )["incidents"][0]
    api.post("/api/v1/categories/skadegorelse.klotter/deactivate").raise_for_status()
    url = f"/handelser/{filed['id']}/andra"
    with browser_for(server, people, "reporter") as browser:
        form = browser.get(url).text
        assert "Klotter (används inte längre)" in form
        saved = browser.post(
            url,
            data={
                "csrf_token": csrf_of(form),
                "kategori": "skadegorelse.klotter",
                "omrade": str(bro),
                "bedomning": "high",
                "polis": "unknown",
            },
        )
        assert saved.status_code == 303, saved.text
    with server.client(people["tokens"]["reporter"]) as reporter:
        after = reporter.get(f"/api/v1/incidents/{filed['id']}").json()
        assert after["category"]["code"] == "skadegorelse.klotter"
        assert after["assessment"] == "high"

"""A safety walk in Chromium (#20), from a resident's pin to the report: a resident opens the
walk's public link on a phone (390×844) and pins a place with a comment, and nothing of the
visit leaves this server; the planner accepts the pin; on the walk a finding is filed with a
photo whose EXIF holds a GPS position, used with the person's consent; the finding becomes a
proposed intervention; the report shows the pin, the finding and its photo, and the photo
comes back without any EXIF. The public pages pass axe's WCAG 2.1 AA checks."""

from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from api.tips.abuse import form_token
from tests.support.axe import axe_problems
from tests.support.images import exif_of, photo
from tests.support.people import People
from tests.support.servers import Server

pytestmark = [
    pytest.mark.browser,
    # The markup does not depend on the database: one backend.
    pytest.mark.parametrize("backend", ["sqlite"], scope="session"),
]
PHONE: ViewportSize = {"width": 390, "height": 844}
V1 = "/api/v1"


def _axe(page: Page) -> list[object]:
    """axe's WCAG 2.1 AA violations of the page as shown, and a page wider than the phone."""
    wrong: list[object] = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wrong.append(("width", width))
    wrong.extend(axe_problems(page))
    return wrong


def _walk(server: Server, people: People) -> dict[str, object]:
    """A walk in Bro next week, planned through the API by the coordination group's convener."""
    token = people["tokens"]["coordination"]
    with server.client(token) as planner:
        bro = people["areas"]["Bro"]["id"]
        places = planner.get(f"{V1}/places", params={"area": bro, "limit": 200}).json()["items"]
        by_name = {p["name"]: p["id"] for p in places}
        starts = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)
        made = planner.post(
            f"{V1}/safety-walks",
            json={
                "area_id": bro,
                "starts_at": f"{starts.isoformat()}T18:30",
                "meeting_point": "Brohuset",
                "meeting_lat": 59.5112,
                "meeting_lon": 17.6345,
                "route": [[59.5112, 17.6345], [59.5131, 17.6372], [59.5150, 17.6401]],
                "route_place_ids": [by_name["Brohuset"], by_name["Råbystigen"]],
                "invited_organisation_ids": [people["organisations"]["Upplands-Brohus"]["id"]],
            },
        )
        assert made.status_code == 201, made.text
        return {**made.json(), "places": by_name}


def test_a_pin_a_finding_with_a_photo_and_the_report(
    browser: Browser, server: Server, people: People
) -> None:
    walk = _walk(server, people)
    host = urlsplit(server.url).hostname
    resident = browser.new_context(locale="sv-SE", viewport=PHONE)
    asked: list[str] = []
    resident.on("request", lambda request: asked.append(request.url))
    try:
        page = resident.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{server.url}/trygghetsvandring/{walk['public_token']}")
        expect(page.get_by_role("heading", name="Tipsa om en plats")).to_be_visible()
        assert _axe(page) == []
        page.get_by_label("Plats", exact=True).select_option(label="Råbystigen")
        # With JavaScript the public map (no tiles) takes a tap as the point.
        page.locator("#pin-map").click()
        # (A tap on a named place's mark picks that place: either is a chosen point.)
        expect(page.locator("#pin-map-status")).to_have_text(
            re.compile(r"^(En punkt är vald på kartan|Vald plats: .+)\.$")
        )
        page.get_by_label("Vad ska vi titta på?").fill("Mörkt och buskigt längs stigen")
        # The form as if shown ten seconds ago: the API refuses one sent faster.
        shown = form_token(server.settings, now=time.time() - 10)
        page.locator("input[name=form_token]").evaluate("(input, v) => input.value = v", shown)
        page.get_by_role("button", name="Skicka").click()
        expect(page.get_by_role("heading", name="Tack för din synpunkt!")).to_be_visible()
        assert _axe(page) == []
        assert asked and all(urlsplit(url).hostname == host for url in asked), asked
    finally:
        resident.close()

    planner = browser.new_context(locale="sv-SE", viewport=PHONE)
    token = people["tokens"]["coordination"]
    planner.add_cookies([{"name": "est_session", "value": token, "url": server.url}])
    try:
        page = planner.new_page()
        page.set_default_timeout(10_000)
        url = f"{server.url}/trygghetsvandringar/{walk['id']}"
        # The route's map shows the areas and the named places without its tiles.
        page.goto(f"{url}/andra")
        page.get_by_role("button", name="Rita rutten på kartan").click()
        expect(page.locator(".walk-map-place", has_text="Brohuset")).to_be_visible()
        expect(page.locator("#rutt-karta .leaflet-overlay-pane path")).not_to_have_count(0)
        page.goto(url)
        page.get_by_role("button", name="Godkänn").click()
        expect(page.get_by_text("Synpunkten är godkänd.")).to_be_visible()
        expect(page.locator("#godkanda")).to_contain_text("Mörkt och buskigt längs stigen")

        # On the walk: a finding from the phone, its place from the photo (with consent).
        page.get_by_role("link", name="Nytt fynd").click()
        expect(page.get_by_role("heading", name="Nytt fynd")).to_be_visible()
        assert _axe(page) == []
        page.get_by_label("Belysning").check()
        page.get_by_label("Beskrivning").fill("Trasig lampa vid gångtunneln")
        page.get_by_label("Ansvarig organisation").select_option(label="Upplands-Brohus")
        page.get_by_label("Ta ett foto").set_input_files(
            {
                "name": "tunnel.jpg",
                "mimeType": "image/jpeg",
                "buffer": photo(lat=59.5121, lon=17.6380),
            }
        )
        page.get_by_label("Använd bildens position om jag inte angett plats").check()
        page.get_by_role("button", name="Spara fyndet").click()
        expect(page.get_by_text("Fyndet är sparat.")).to_be_visible()

        page.get_by_role("button", name="Föreslå som insats").click()
        expect(page.get_by_text("Fyndet är föreslaget som insats.")).to_be_visible()
        expect(page.locator("#fynd a[href^='/insatser/']")).to_be_visible()

        page.goto(f"{url}/rapport")
        expect(page.locator("#inputs-heading + ol")).to_contain_text(
            "Mörkt och buskigt längs stigen"
        )
        card = page.locator(".finding-card")
        expect(card).to_contain_text("Trasig lampa vid gångtunneln")
        expect(card.locator("img")).to_have_count(1)
    finally:
        planner.close()

    with server.client(token) as api:
        found = api.get(f"{V1}/safety-walks/{walk['id']}/findings").json()["items"][0]
        assert found["lat"] == pytest.approx(59.5121, abs=1e-4)  # the photo's, by consent
        kept = api.get(found["photos"][0]["url"])
        assert kept.status_code == 200 and kept.headers["content-type"] == "image/jpeg"
        assert exif_of(kept.content) == {}

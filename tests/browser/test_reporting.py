"""Filing from a phone (390×844) in Chromium: two incidents in one report, one placed with
SWEREF 99 18 00 coordinates; the personal data warning; the list and the map."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

from api.incidents import geo
from tests.support.pages import sign_in
from tests.support.people import PEOPLE, People
from tests.support.servers import Server

pytestmark = pytest.mark.browser


def test_file_two_incidents_from_a_phone_and_find_them_on_the_list_and_the_map(
    page: Page, server: Server, people: People
) -> None:
    tiles: list[str] = []

    def no_tiles(route: Route) -> None:
        # No tile server here, as on a closed network: the markers must be there anyway.
        tiles.append(route.request.url)
        route.abort()

    page.route("https://tile.openstreetmap.org/**", no_tiles)
    page.goto(f"{server.url}/rapportera")
    sign_in(page, PEOPLE["reporter"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportera")
    expect(page.get_by_text("Du rapporterar för Rapid Säkerhet.")).to_be_visible()

    first = page.locator("#handelse-1")
    first.get_by_label("Vad hände?").select_option("skadegorelse.klotter")
    first.get_by_label(re.compile("kväll")).check()  # tonight, or last night
    first.get_by_label("Område").select_option(label="Bro")
    first.get_by_label("Medel").check()
    first.get_by_label("Beskrivning").fill("Nytt klotter på busskuren, ring 070-123 45 67.")
    page.get_by_role("button", name="Lägg till en händelse till").click()

    second = page.locator("#handelse-2")
    expect(second).to_be_visible()
    second.get_by_label("Vad hände?").select_option("ordning.brak")
    second.get_by_label("Nu").check()
    second.get_by_label("Område").select_option(label="Bro")
    second.get_by_label("Koordinatsystem").select_option("EPSG:3011")
    north, east = geo.from_wgs84("EPSG:3011", 59.5117, 17.6364)
    second.get_by_label("Latitud eller N").fill(f"{north:.2f}".replace(".", ","))
    second.get_by_label("Longitud eller E").fill(f"{east:.2f}".replace(".", ","))
    second.get_by_label("Hög").check()
    page.get_by_role("button", name="Skicka rapporten").click()

    # The phone number is pointed out beside the description; nothing is filed yet.
    warning = page.locator("#h0-beskrivning-error")
    expect(warning).to_contain_text("telefonnummer (070-123 45 67)")
    expect(first.get_by_label("Beskrivning")).to_have_attribute("aria-invalid", "true")
    first.get_by_label("Beskrivning").fill("Nytt klotter på busskuren.")
    page.get_by_role("button", name="Skicka rapporten").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tack! Rapporten är skickad")
    expect(page.get_by_role("status")).to_contain_text("med 2 händelser")
    expect(page.get_by_role("link", name="Klotter")).to_be_visible()
    expect(page.get_by_role("link", name="Bråk / slagsmål")).to_be_visible()

    page.get_by_role("link", name="Till händelserna").click()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Bråk")
    expect(rows.nth(1)).to_contain_text("Klotter")

    page.get_by_role("link", name="Visa på karta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Karta")
    expect(page.locator("#map")).to_have_attribute("data-markers", "1")
    expect(page.locator("#map-status")).to_contain_text("1 händelser på kartan; 1 saknar punkt")
    expect(page.locator("#map .leaflet-interactive")).to_have_count(1)
    assert page.evaluate("typeof L.markerClusterGroup") == "function"
    assert tiles, "the map asked for tiles"

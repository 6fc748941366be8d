"""Filing from a phone (390×844) in Chromium: two incidents in one report, one placed with
SWEREF 99 18 00 coordinates; the personal data warning; the list and the map."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Locator, Page, Route, expect

from api.incidents import geo
from tests.support.axe import axe_problems
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
    second.get_by_role("radio", name="Nu").check()
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
    # The marker has its category group's colour as the legend beside the map shows it.
    legend = page.locator('.map-legend [data-family="ordning"]')
    expect(legend).to_be_visible()
    colour = legend.evaluate("swatch => getComputedStyle(swatch).backgroundColor")
    expect(page.locator("#map path.leaflet-interactive")).to_have_attribute("fill", colour)
    # The areas' outlines under it (not clickable: the marker is).
    assert page.locator("#map path:not(.leaflet-interactive)").count() >= 3
    assert page.evaluate("typeof L.markerClusterGroup") == "function"
    assert tiles, "the map asked for tiles"


# Batch filing and nothing lost -------------------------------------------------------------

# A square around Bro's centre (WGS 84, GeoJSON order: lon, lat): a boundary made for the test.
BRO_SQUARE = [[17.60, 59.49], [17.68, 59.49], [17.68, 59.53], [17.60, 59.53], [17.60, 59.49]]


class Counted:
    """The reporter's interactions, counted: each click, choice in a list and typed field."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def click(self, locator: Locator) -> None:
        self.count += 1
        locator.click()

    def check(self, locator: Locator) -> None:
        self.count += 1
        locator.check()

    def select(self, locator: Locator, value: str) -> None:
        self.count += 1
        locator.select_option(value)


def open_form(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/rapportera")
    sign_in(page, PEOPLE["reporter"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportera")


def two_observations(page: Page, server: Server) -> tuple[Locator, Locator]:
    """A report of graffiti with a description, and a fight added in place (its assessment
    not yet chosen)."""
    open_form(page, server)
    first = page.locator("#handelse-1")
    first.get_by_label("Vad hände?").select_option("skadegorelse.klotter")
    first.get_by_label("Låg").check()
    first.get_by_label("Beskrivning").fill("Klotter på busskuren.")
    page.get_by_role("button", name="Lägg till en händelse till").click()
    second = page.locator("#handelse-2")
    second.get_by_label("Vad hände?").select_option("ordning.brak")
    return first, second


def test_one_observation_with_the_phones_position_in_five_interactions(
    page: Page, server: Server, people: People, api: httpx.Client
) -> None:
    # Bro with a boundary (made for the test): the point decides the area, the reporter's
    # own area (Bro, chosen to start with) gives way to it.
    bro = people["areas"]["Bro"]["id"]
    api.patch(
        f"/api/v1/areas/{bro}", json={"boundary": {"type": "Polygon", "coordinates": [BRO_SQUARE]}}
    ).raise_for_status()
    page.context.grant_permissions(["geolocation"], origin=server.url)
    page.context.set_geolocation({"latitude": 59.5117, "longitude": 17.6364})
    page.goto(f"{server.url}/")
    sign_in(page, PEOPLE["reporter"])
    reporter = Counted(page)
    reporter.click(page.get_by_role("link", name="Rapportera", exact=True).first)
    block = page.locator("#handelse-1")
    expect(block.get_by_label("Område")).to_have_value(str(bro))
    reporter.select(block.get_by_label("Vad hände?"), "skadegorelse.klotter")
    reporter.click(block.get_by_role("button", name="Använd min position"))
    expect(block.get_by_label("Latitud eller N")).to_have_value("59.511700")
    expect(block.get_by_label("Område")).to_have_value("")
    expect(block.get_by_label("Område").locator("option").first).to_have_text("Bestäms av punkten")
    reporter.check(block.get_by_label("Medel"))
    reporter.click(page.get_by_role("button", name="Skicka rapporten"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tack! Rapporten är skickad")
    assert reporter.count <= 5
    filed = api.get("/api/v1/incidents").json()["items"]
    assert [(i["area"]["name"], i["lat"]) for i in filed] == [("Bro", 59.5117)]


def test_enter_in_the_second_observation_sends_and_keeps_the_first(
    page: Page, server: Server, people: People
) -> None:
    first, second = two_observations(page, server)
    # Enter before the second is complete: sent, refused, and everything still there.
    second.get_by_label("Latitud eller N").press("Enter")
    expect(page.locator("#h1-bedomning-error")).to_be_visible()
    expect(page.locator(".incident-block")).to_have_count(2)
    expect(first.get_by_label("Beskrivning")).to_have_value("Klotter på busskuren.")
    expect(second.get_by_label("Vad hände?")).to_have_value("ordning.brak")
    second.get_by_label("Hög").check()
    second.get_by_label("Longitud eller E").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tack! Rapporten är skickad")
    expect(page.get_by_role("status")).to_contain_text("med 2 händelser")


def test_removing_an_observation_can_be_undone(page: Page, server: Server, people: People) -> None:
    first, second = two_observations(page, server)
    second.get_by_label("Hög").check()

    expect(first.locator(".summary-text")).to_have_text("Klotter · Bro · Nu")
    page.get_by_role("button", name="Ändra händelse 1").click()
    first.get_by_role("button", name="Ta bort händelse 1").click()
    expect(first).to_be_hidden()
    undo = page.get_by_role("button", name="Ångra")
    expect(undo).to_be_focused()
    expect(page.get_by_role("status")).to_have_text("Händelse 1 är borttagen. Ångra")
    assert axe_problems(page) == []
    undo.click()
    expect(first).to_be_visible()
    expect(first.get_by_label("Beskrivning")).to_have_value("Klotter på busskuren.")

    # Taken out for good when sent: one report of the second alone, which cannot go too.
    first.get_by_role("button", name="Ta bort händelse 1").click()
    expect(second.get_by_role("button", name="Ta bort händelse 2")).to_be_hidden()
    page.get_by_role("button", name="Skicka rapporten").click()
    expect(page.get_by_role("status")).to_contain_text("med 1 händelse")
    expect(page.get_by_role("link", name="Bråk / slagsmål")).to_be_visible()
    expect(page.get_by_role("link", name="Klotter")).to_have_count(0)


def test_a_batch_of_ten_in_place_with_at_most_four_interactions_each(
    page: Page, server: Server, people: People, api: httpx.Client
) -> None:
    open_form(page, server)
    page.evaluate("window.sameDocument = true")
    reporter = Counted(page)
    first = page.locator("#handelse-1")
    reporter.select(first.get_by_label("Vad hände?"), "skadegorelse.klotter")
    reporter.check(first.get_by_label("Låg"))
    categories = ["ordning.brak", "samling.utomhus", "skadegorelse.klotter"]
    for n in range(2, 11):
        before = reporter.count
        reporter.click(page.get_by_role("button", name="Lägg till en händelse till"))
        block = page.locator(f"#handelse-{n}")
        # In place: the new block in view, the focus in it, the ones before folded to a line.
        expect(block.get_by_label("Vad hände?")).to_be_focused()
        top = block.evaluate("b => b.getBoundingClientRect().top")
        assert 0 <= top < 844 / 2, top
        expect(page.locator(f"#handelse-{n - 1} .summary-text")).to_be_visible()
        expect(block.get_by_label("Område")).to_have_value(str(people["areas"]["Bro"]["id"]))
        reporter.select(block.get_by_label("Vad hände?"), categories[n % 3])
        reporter.check(block.get_by_label("Medel"))
        assert reporter.count - before <= 4
    assert page.evaluate("window.sameDocument") is True  # no page load on the way
    expect(page.locator("#handelse-1 .summary-text")).to_have_text("Klotter · Bro · Nu")
    # The batch is a compact list: ten blocks, nine of them one line, on a few screens.
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 844 * 6, height
    reporter.click(page.get_by_role("button", name="Skicka rapporten"))
    expect(page.get_by_role("status")).to_contain_text("med 10 händelser")
    assert reporter.count <= 2 + 9 * 4 + 1
    assert api.get("/api/v1/incidents", params={"limit": 50}).json()["items"].__len__() == 10


def test_copy_previous_takes_place_point_and_time_again(
    page: Page, server: Server, people: People
) -> None:
    open_form(page, server)
    first = page.locator("#handelse-1")
    first.get_by_label("Område").select_option(label="Kungsängen")
    first.get_by_role("radio", name="En dag").check()
    first.get_by_label("Dag (för ”En dag”)").fill("2026-11-20")
    first.get_by_label("Latitud eller N").fill("59,4781")
    first.get_by_label("Longitud eller E").fill("17,7510")
    page.get_by_role("button", name="Lägg till en händelse till").click()
    second = page.locator("#handelse-2")
    # Added with them already; changed, and copied again.
    expect(second.get_by_label("Dag (för ”En dag”)")).to_have_value("2026-11-20")
    second.get_by_role("radio", name="Nu").check()
    second.get_by_label("Område").select_option(label="Bro")
    second.get_by_label("Latitud eller N").fill("")
    second.get_by_label("Longitud eller E").fill("")
    expect(second.get_by_label("Område").locator("option").first).to_have_text("Välj område")
    second.get_by_role("button", name="Kopiera föregående").click()
    expect(second.get_by_role("radio", name="En dag")).to_be_checked()
    expect(second.get_by_label("Dag (för ”En dag”)")).to_be_visible()
    expect(second.get_by_label("Dag (för ”En dag”)")).to_have_value("2026-11-20")
    kungsangen = str(people["areas"]["Kungsängen"]["id"])
    expect(second.get_by_label("Område")).to_have_value(kungsangen)
    expect(second.get_by_label("Latitud eller N")).to_have_value("59,4781")
    expect(second.get_by_label("Område").locator("option").first).to_have_text("Bestäms av punkten")

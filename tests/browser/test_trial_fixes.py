"""In Chromium at a phone's size, what the trial of issue #18 found: the big Rapportera
button on the start page brings the form with its scripts, and a refused save lands at the
invalid field, not at the top of the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.pages import browser_for, planned_meeting
from tests.support.people import People
from tests.support.servers import Server

pytestmark = pytest.mark.browser


def as_person(page: Page, server: Server, people: People, who: str) -> Page:
    page.context.add_cookies(
        [{"name": "est_session", "value": people["tokens"][who], "url": server.url}]
    )
    return page


def test_the_big_report_button_brings_the_forms_scripts(
    page: Page, server: Server, people: People
) -> None:
    page = as_person(page, server, people, "reporter")
    page.goto(server.url + "/")
    expect(page.locator("body")).to_have_attribute("hx-boost", "true")
    page.locator("a.button-big", has_text="Rapportera").click()
    expect(page).to_have_url(server.url + "/rapportera")
    # report.js ran: it shows the position tools it hides without JavaScript.
    expect(page.get_by_role("button", name="Använd min position").first).to_be_visible()
    # A named place in another area than the reporter's own: the area follows the place.
    block = page.locator("#handelse-1")
    area = block.get_by_label("Område", exact=True)
    expect(area).to_have_value(str(people["areas"]["Bro"]["id"]))
    place = block.locator('select[name="h0-plats"] optgroup[label="Kungsängen"] option').first
    block.locator('select[name="h0-plats"]').select_option(place.get_attribute("value"))
    expect(area).to_have_value(str(people["areas"]["Kungsängen"]["id"]))


def test_a_refused_decision_lands_at_its_field(page: Page, server: Server, people: People) -> None:
    with browser_for(server, people, "coordination") as convener:
        meeting = planned_meeting(convener, people)
    page = as_person(page, server, people, "coordination")
    page.goto(server.url + meeting)
    page.get_by_role("button", name="Spara beslutet").click()
    field = page.locator("#nytt-beslut")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_in_viewport()
    expect(field).to_be_focused()
    expect(page.get_by_role("link", name="Skriv beslutet.")).to_be_attached()


def test_a_refused_decision_lands_at_its_field_without_javascript(
    browser: Browser, server: Server, people: People
) -> None:
    with browser_for(server, people, "coordination") as convener:
        meeting = planned_meeting(convener, people)
    context = browser.new_context(
        locale="sv-SE", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    try:
        page = as_person(context.new_page(), server, people, "coordination")
        page.goto(server.url + meeting)
        page.get_by_role("button", name="Spara beslutet").click()
        field = page.locator("#nytt-beslut")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_be_in_viewport()
    finally:
        context.close()

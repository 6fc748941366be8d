"""Booking a night walk on a phone (390×844) in Chromium: an association's person picks the
evening, the number of walkers and a trained host, is refused beside the field with too few
walkers, books, and lands on the walk; the pages fit the screen and pass axe's WCAG checks."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.support.axe import axe_problems
from tests.support.people import People, oid
from tests.support.servers import Server
from tests.support.walks import (
    WALKERS,
    add_host,
    association_token,
    book,
    make_evening,
    past_friday,
    walk_body,
)

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 390, "height": 844}


def _checked(page: Page) -> list[object]:
    """What is wrong with the page as shown: wider than the phone, or axe's violations."""
    wrong: list[object] = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        wrong.append(("width", width))
    wrong.extend(axe_problems(page))
    return wrong


def test_booking_a_walk_on_a_phone(
    browser: Browser, server: Server, api: httpx.Client, people: People
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    friday = today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)
    make_evening(server, people, friday)
    last_friday = past_friday()
    past = make_evening(server, people, last_friday)
    walkers = oid(people, WALKERS)
    host = add_host(api, walkers, "Vera Värd", dt.date(2020, 1, 18))
    token = association_token(server, api, people, WALKERS, "vandrare@est.test")
    context = browser.new_context(locale="sv-SE", viewport=PHONE)
    context.add_cookies([{"name": "est_session", "value": token, "url": server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{server.url}/nattvandringar")
        expect(page.get_by_role("heading", name="Boka en nattvandring")).to_be_visible()
        assert _checked(page) == []
        page.get_by_label("Antal vandrare").fill("2")
        page.get_by_label("Vera Värd").check()
        page.get_by_label("Börjar (klockslag)").fill("19:00")
        page.get_by_label("Slutar (klockslag)").fill("23:30")
        page.get_by_label("Rutt (valfritt)").fill("Bro centrum – Råby – stationen")
        page.get_by_role("button", name="Boka vandringen").click()
        expect(page.locator("#vandrare-error")).to_have_text(
            "En nattvandring behöver minst tre vandrare."
        )
        assert _checked(page) == []
        page.get_by_label("Antal vandrare").fill("4")
        page.get_by_role("button", name="Boka vandringen").click()
        expect(page.locator(".notice")).to_have_text("Vandringen är bokad.")
        expect(page.locator(".facts")).to_contain_text("Bro centrum – Råby – stationen")
        expect(page.locator(".facts")).to_contain_text("Vera Värd")
        assert _checked(page) == []
        # The other pages, on the phone too: a past walk's report form with an error beside
        # its field, the hosts register, the grant report.
        walk = book(api, walk_body(past, walkers, last_friday, [host["id"]]))
        page.goto(f"{server.url}/nattvandringar/{walk['id']}")
        page.get_by_label("Antal som vandrade").fill("2")
        page.get_by_role("button", name="Spara rapporten").last.click()
        expect(page.locator("#vandrare-error")).to_be_visible()
        assert _checked(page) == []
        for path in (f"/foreningar/{walkers}/vandravardar", "/nattvandringar/bidrag"):
            page.goto(server.url + path)
            assert _checked(page) == [], path
    finally:
        context.close()

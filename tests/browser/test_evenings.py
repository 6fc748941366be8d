"""Planning an evening on a phone (390×844) in Chromium: the coordination group's convener
opens "Kvällar" from the menu, plans an evening in Bro with a shift, reads its briefing with
the shifts as cards that fit the screen, adds a place to watch, and closes the evening. The
pages pass axe's WCAG 2.1 AA checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.axe import axe_problems
from tests.support.pages import sign_in
from tests.support.people import PEOPLE, People
from tests.support.phone import phone_page
from tests.support.servers import Server

pytestmark = pytest.mark.browser
TZ = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    with phone_page(browser) as page:
        yield page


def fits(page: Page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width


def test_an_evening_is_planned_on_a_phone(phone: Page, server: Server, people: People) -> None:
    day = dt.datetime.now(TZ).date() + dt.timedelta(days=3)
    phone.goto(f"{server.url}/kvallar")
    sign_in(phone, PEOPLE["coordination"])
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kvällar")
    fits(phone)
    assert axe_problems(phone) == []

    phone.get_by_role("link", name="Ny kväll").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Planera en kväll")
    fits(phone)
    phone.get_by_label("Dag").fill(day.isoformat())
    phone.get_by_label("Område").select_option(label="Bro")
    phone.get_by_label("Plats", exact=True).fill("Brohuset")
    phone.get_by_label("Att känna till").fill("Fokus på stationen och Råby.")
    first = phone.locator("#pass-0")
    first.get_by_label("Organisation").select_option(label="Fältgruppen")
    first.get_by_label("Var").fill("Bro centrum")
    first.get_by_label("Antal").fill("3")
    assert axe_problems(phone) == []
    phone.get_by_role("button", name="Planera kvällen").click()

    expect(phone.get_by_role("status")).to_have_text("Kvällen är sparad.")
    expect(phone.locator(".shift-card")).to_have_count(1)
    expect(phone.locator(".shift-card")).to_contain_text("Fältgruppen")
    expect(phone.locator(".shift-card")).to_contain_text("18:00–01:00")
    expect(phone.get_by_role("link", name="Loggen")).to_be_visible()
    fits(phone)
    assert axe_problems(phone) == []

    phone.get_by_text("Lägg till en plats").click()
    phone.get_by_label("Plats", exact=True).fill("Råby")
    phone.get_by_label("Varför").fill("Bränder i papperskorgar.")
    phone.get_by_role("button", name="Lägg till", exact=True).click()
    expect(phone.locator(".watch-card")).to_contain_text("Råby")

    phone.get_by_role("button", name="Avsluta kvällen").click()
    expect(phone.get_by_role("status")).to_contain_text("Kvällen är avslutad")
    expect(phone.get_by_role("button", name="Avsluta kvällen")).to_have_count(0)

"""An evening's live log in Chromium on a phone (390×844): two people on the evening, each in
a browser of their own, see each other's posts within a second without reloading; one taps a
post into an observation. Without JavaScript the page still posts (and then shows the post)
and reads ("Uppdatera"); a closed log reads but offers no form."""

from __future__ import annotations

import re
import time
from typing import Literal

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.support.axe import axe_problems
from tests.support.evenings import make_evening
from tests.support.people import People
from tests.support.servers import Server, http_client

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 390, "height": 844}
# A post reaches the other browser within this, or the log is not live.
WITHIN_MS = 1000


def _phone(browser: Browser, server: Server, token: str, *, javascript: bool = True) -> Page:
    context: BrowserContext = browser.new_context(
        locale="sv-SE", viewport=PHONE, java_script_enabled=javascript
    )
    context.add_cookies([{"name": "est_session", "value": token, "url": server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _evening(server: Server, people: People) -> int:
    """A Kungsängen evening with Kalle (Upplands-Brohus) on shift."""
    return make_evening(
        server.database,
        municipality_id=people["municipality"]["id"],
        area_id=people["areas"]["Kungsängen"]["id"],
        shifts=[
            (people["organisations"]["Upplands-Brohus"]["id"], people["users"]["kungsangen"]["id"])
        ],
    )


def _send(page: Page, text: str) -> float:
    page.get_by_label("Nytt inlägg").fill(text)
    sent = time.monotonic()
    page.get_by_role("button", name="Skicka").click()
    return sent


def test_two_browsers_see_each_others_posts_within_a_second(
    browser: Browser, server: Server, people: People
) -> None:
    evening = _evening(server, people)
    url = f"{server.url}/kvallar/{evening}/logg"
    convener = _phone(browser, server, people["tokens"]["coordination"])
    kalle = _phone(browser, server, people["tokens"]["kungsangen"])
    try:
        for page in (convener, kalle):
            page.goto(url)
            expect(page.get_by_role("heading", level=1)).to_contain_text("Logg")
            expect(page.locator("#log-status")).to_contain_text("visas direkt")
            # Marked, so that a reload would show.
            page.evaluate("window.notReloaded = true")

        sent = _send(convener, "Samling vid Kungsängens station, ett tjugotal")
        expect(kalle.locator("#log-posts")).to_contain_text(
            "Samling vid Kungsängens station", timeout=WITHIN_MS
        )
        assert time.monotonic() - sent < WITHIN_MS / 1000 + 0.5
        expect(convener.locator("#log-posts")).to_contain_text("Samling vid Kungsängens station")
        # The form is empty again, for the next post.
        expect(convener.get_by_label("Nytt inlägg")).to_have_value("")

        kalle.get_by_label("Kategori", exact=True).select_option("samling.utomhus")
        _send(kalle, "De drar sig mot Tibble")
        expect(convener.locator("#log-posts")).to_contain_text(
            "De drar sig mot Tibble", timeout=WITHIN_MS
        )
        for page in (convener, kalle):
            # Each post once, though the form's answer and the stream both brought it.
            expect(page.locator("#log-posts > li")).to_have_count(2)
            assert page.evaluate("window.notReloaded") is True
        newest = kalle.locator("#log-posts > li").last
        expect(newest).to_contain_text("Upplands-Brohus")
        expect(newest.locator("time")).to_have_text(re.compile(r"^\d\d:\d\d$"))

        # One tap: Kalle's post (with its category) becomes an observation.
        newest.get_by_role("button", name="Gör till händelse").click()
        expect(newest.get_by_role("link", name=re.compile(r"Händelse \d+"))).to_be_visible()
        # The convener's post, which came to Kalle by the stream, has no category: its tap
        # form asks for one (and works: the stream's HTML carries the page's CSRF token).
        first = kalle.locator("#log-posts > li").first
        first.get_by_role("button", name="Gör till händelse").click()
        expect(kalle.locator("#log-posts > li").first.locator(".field-error")).to_contain_text(
            "kategori"
        )
        first = kalle.locator("#log-posts > li").first
        first.get_by_label("Kategori för händelsen").select_option("samling")
        first.get_by_role("button", name="Gör till händelse").click()
        expect(kalle.locator("#log-posts > li").first.get_by_role("link")).to_contain_text(
            "Händelse"
        )
        assert kalle.evaluate("window.notReloaded") is True
    finally:
        convener.context.close()
        kalle.context.close()


def test_without_javascript_the_log_posts_and_reads(
    browser: Browser, server: Server, people: People
) -> None:
    evening = _evening(server, people)
    url = f"{server.url}/kvallar/{evening}/logg"
    convener = _phone(browser, server, people["tokens"]["coordination"], javascript=False)
    kalle = _phone(browser, server, people["tokens"]["kungsangen"], javascript=False)
    try:
        kalle.goto(url)
        expect(kalle.get_by_text("Inga inlägg än.")).to_be_visible()
        convener.goto(url)
        convener.get_by_label("Nytt inlägg").fill("Brand i papperskorg vid skolan")
        convener.get_by_label("Plats").select_option(index=1)
        convener.get_by_role("button", name="Skicka").click()
        expect(convener.locator("#log-posts")).to_contain_text("Brand i papperskorg vid skolan")
        expect(convener).to_have_url(re.compile(r"/logg#post-\d+$"))
        # A refusal stands beside its field.
        convener.get_by_label("Nytt inlägg").fill("Ring 070-123 45 67")
        convener.get_by_role("button", name="Skicka").click()
        expect(convener.locator("#text-error")).to_contain_text("telefonnummer")

        kalle.get_by_role("link", name="Uppdatera").click()
        expect(kalle.locator("#log-posts")).to_contain_text("Brand i papperskorg vid skolan")
        # A closed log reads, with no form.
        closed = make_evening(
            server.database,
            municipality_id=people["municipality"]["id"],
            area_id=people["areas"]["Kungsängen"]["id"],
            closed=True,
        )
        kalle.goto(f"{server.url}/kvallar/{closed}/logg")
        expect(kalle.locator("#log-status")).to_contain_text("avslutad")
        expect(kalle.get_by_label("Nytt inlägg")).to_have_count(0)
    finally:
        convener.context.close()
        kalle.context.close()


# The markup does not depend on the database (the API tests run both): one backend.
@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_log_passes_axe_on_a_phone_by_day_and_by_night(
    browser: Browser, server: Server, people: People, scheme: Literal["light", "dark"]
) -> None:
    evening = _evening(server, people)
    with http_client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {people['tokens']['coordination']}"},
    ) as api:
        for text, more in (("Samling vid stationen", {"category": "samling"}), ("Lugnt", {})):
            assert (
                api.post(f"/api/v1/evenings/{evening}/log", json={"text": text, **more}).status_code
                == 201
            )
    context = browser.new_context(locale="sv-SE", viewport=PHONE, color_scheme=scheme)
    context.add_cookies(
        [{"name": "est_session", "value": people["tokens"]["coordination"], "url": server.url}]
    )
    try:
        page = context.new_page()
        page.goto(f"{server.url}/kvallar/{evening}/logg")
        expect(page.locator("#log-posts > li")).to_have_count(2)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        found = axe_problems(page)
        assert not found, found
        # Big enough to tap: the buttons and selects are at least 44 px high.
        heights = page.eval_on_selector_all(
            ".log-form button, .log-form select, .log-tap button",
            "els => els.map(e => e.getBoundingClientRect().height)",
        )
        assert heights and min(heights) >= 44, heights
    finally:
        context.close()

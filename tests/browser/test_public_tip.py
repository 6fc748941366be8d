"""A resident's tip from a phone (390 × 844) in Chromium: the public page and its thank-you
page pass axe, the map draws the areas without tiles, and no request leaves this server."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser

from tests.support.axe import axe_problems
from tests.support.people import Demo
from tests.support.servers import Server

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
def test_a_resident_sends_a_tip_from_a_phone(
    browser: Browser,
    server: Server,
    demo: Demo,
    api: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    # A script fills the form faster than a person: no least fill time here (no sleeping).
    monkeypatch.setattr(server.settings, "public_min_fill_seconds", 0)
    monkeypatch.setattr(server.settings, "photo_dir", str(tmp_path / "photos"))
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE")
    hosts: set[str] = set()
    context.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    page.goto(f"{server.url}/tipsa?kommun={demo['municipality']['id']}")
    # Under the page's own CSP (this server alone), the map draws its areas' outlines as
    # vectors, no tile images: nothing refused.
    page.wait_for_selector("#karta path")
    assert refused == []
    assert page.locator("#karta .leaflet-tile").count() == 0
    assert axe_problems(page) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.get_by_label("Skadegörelse eller klotter").check()
    page.get_by_label("Välj en plats i listan").select_option(label="Bro centrum")
    # A tap on the map puts a point in the form.
    page.locator("#karta").click()
    assert page.locator("#karta-lat").input_value() != ""
    page.get_by_label("Välj en plats i listan").select_option(label="Bro centrum")
    page.get_by_label("Beskriv vad du sett").fill("Nytt klotter på tunneln vid stationen.")
    # The point the tap set may lie anywhere on the map: the named place is what counts.
    page.evaluate("document.getElementById('karta-lat').value = ''")
    page.evaluate("document.getElementById('karta-lon').value = ''")
    page.get_by_role("button", name="Skicka tipset").click()
    page.wait_for_url("**/tipsa/tack**")
    assert page.get_by_role("heading", name="Tack för ditt tips!").is_visible()
    assert axe_problems(page) == []
    context.close()
    assert hosts == {"127.0.0.1"}, hosts

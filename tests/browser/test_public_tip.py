"""A resident's tip from a phone (390 × 844) in Chromium: the public page and its thank-you
page pass axe, the map draws the areas without tiles, and no request leaves this server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.support.people import Demo
from tests.support.servers import Server

pytestmark = pytest.mark.browser

AXE = Path(os.environ.get("EST_AXE_JS", ".venv/axe-core-4.14.1/axe.min.js"))


def _axe(page: Page) -> list[Any]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
def test_a_resident_sends_a_tip_from_a_phone(
    browser: Browser,
    server: Server,
    demo: Demo,
    api: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    assert AXE.is_file(), f"{AXE} is missing: `make test` fetches it with npm"
    # A script fills the form faster than a person: no least fill time here (no sleeping).
    monkeypatch.setattr(server.settings, "public_min_fill_seconds", 0)
    monkeypatch.setattr(server.settings, "photo_dir", str(tmp_path / "photos"))
    # Under the page's own CSP (this server alone), the map draws: nothing refused.
    strict = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE")
    refused: list[str] = []
    shown = strict.new_page()
    shown.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    shown.goto(f"{server.url}/tipsa?kommun={demo['municipality']['id']}")
    shown.wait_for_selector("#karta path", timeout=10_000)
    strict.close()
    assert refused == []
    # axe is injected as a script of its own, which the pages' CSP would refuse.
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, bypass_csp=True, locale="sv-SE"
    )
    hosts: set[str] = set()
    context.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{server.url}/tipsa?kommun={demo['municipality']['id']}")
    # The areas' outlines drawn as vectors, no tile images.
    page.wait_for_selector("#karta path")
    assert page.locator("#karta .leaflet-tile").count() == 0
    assert _axe(page) == []
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
    assert _axe(page) == []
    context.close()
    assert hosts == {"127.0.0.1"}, hosts

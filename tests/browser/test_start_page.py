"""In a real headless Chromium: the start page, a group page, the htmx filter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.support.people import Demo
from tests.support.servers import LiveServer, Server, settings_for
from web.embedded import create_embedded_app

pytestmark = pytest.mark.browser


def test_start_page_to_group_page(signed_in: Page, server: Server, demo: Demo) -> None:
    page = signed_in
    page.goto(server.url + "/")
    expect(page).to_have_title("Översikt · EST Lägesbild")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "EST-strukturen i Upplands-Bro kommun"
    )
    for level in ("Styrgrupp", "Samordningsgrupp", "Områdesgrupper"):
        expect(page.get_by_role("heading", name=level, level=2)).to_be_visible()

    page.get_by_role("link", name="EST områdesgrupp Bro").click()
    expect(page).to_have_url(f"{server.url}/grupper/{demo['groups']['EST områdesgrupp Bro']['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("EST områdesgrupp Bro")
    expect(page.get_by_role("heading", name="Deltagande aktörer (13)")).to_be_visible()
    expect(page.get_by_text("Systerskap i Bro")).to_be_visible()
    expect(page.get_by_role("heading", name="Platser i Bro")).to_be_visible()
    expect(page.get_by_text("Finnsta")).to_be_visible()
    # Links were boosted by htmx, which loaded from the local copy.
    assert page.evaluate("typeof window.htmx") == "object"

    page.get_by_role("link", name="Bro", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bro")


def test_filter_updates_results_in_place(signed_in: Page, server: Server, demo: Demo) -> None:
    page = signed_in
    page.goto(server.url + "/organisationer")
    expect(page.get_by_text("19 organisationer")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Sök på namn").fill("säker")
    expect(page.get_by_text("1 organisation", exact=True)).to_be_visible()
    expect(page.get_by_role("rowheader", name="Rapid Säkerhet")).to_be_visible()
    # Swapped by htmx: the same document, and the address keeps the filter for sharing.
    assert page.evaluate("window.__sameDocument") is True
    assert "q=s%C3%A4ker" in page.url or "q=säker" in page.url
    page.get_by_label("Typ").select_option("police")
    expect(page.get_by_text("Inga organisationer matchar.")).to_be_visible()


def test_pages_work_without_javascript(
    browser: Any, server: Server, demo: Demo, api: httpx.Client
) -> None:
    context = browser.new_context(java_script_enabled=False)
    token = api.headers["Authorization"].removeprefix("Bearer ")
    context.add_cookies([{"name": "est_session", "value": token, "url": server.url}])
    page = context.new_page()
    try:
        page.goto(server.url + "/organisationer")
        page.get_by_label("Sök på namn").fill("polis")
        page.get_by_role("button", name="Visa").click()
        expect(page.get_by_text("1 organisation", exact=True)).to_be_visible()
        assert "q=polis" in page.url
        page.get_by_role("link", name="Översikt").click()
        page.get_by_role("link", name="EST samordningsgrupp").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("EST samordningsgrupp")
    finally:
        context.close()


@pytest.fixture
def cdn_server(database_url: str, server: Server) -> Iterator[str]:
    live = LiveServer(create_embedded_app(settings_for(database_url, htmx_source="cdn"))).start()
    yield live.url
    live.stop()


def test_htmx_falls_back_to_the_local_copy_without_a_cdn(
    page: Page, cdn_server: str, demo: Demo
) -> None:
    # The sign-in page loads htmx like every other page.
    asked: list[str] = []

    def refuse(route: Route) -> None:
        asked.append(route.request.url)
        route.abort()

    page.route("https://unpkg.com/**", refuse)
    page.goto(cdn_server + "/logga-in")
    assert asked and asked[0].startswith("https://unpkg.com/htmx.org@")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("htmx.version").startswith("2.")


# The markup does not depend on the database (the API tests run both): one backend.
@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
def test_api_docs_open_without_a_cdn(page: Page, server: Server) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server.url + "/api")
    expect(page).to_have_url(server.url + "/api/docs")
    expect(page.get_by_text("EST Lägesbild API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/auth/token").first).to_be_visible()
    # Swagger UI draws only the operations near the view: a deep link brings one far down.
    page.goto("about:blank")
    page.goto(server.url + "/api/docs#/EST%20structure/get_group")
    expect(page.get_by_text("/api/v1/groups/{id}").first).to_be_visible()
    assert all(url.startswith(server.url) for url in requested), requested

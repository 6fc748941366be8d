"""The fixtures of the browser tests (tests/browser/), loaded through ``pytest_plugins`` in
tests/conftest.py: Debian's headless Chromium through Playwright, one per session (per
pytest-xdist worker), a fresh context and page per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.servers import Server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps reaching for Google's hosts, which
# this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def signed_in(page: Page, server: Server, api: httpx.Client) -> Page:
    """The page's browser holds the test administrator's session cookie."""
    token = api.headers["Authorization"].removeprefix("Bearer ")
    page.context.add_cookies([{"name": "est_session", "value": token, "url": server.url}])
    return page

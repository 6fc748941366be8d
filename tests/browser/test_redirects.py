"""Signing in with a hostile ``next`` ends on this site in a real Chromium (issue #17,
finding 2): ``/logga-in?next=/%09/127.0.0.1:<port>/x`` led, after signing in, to
``127.0.0.1:<port>``, another origin; with htmx (``HX-Redirect``) and without JavaScript
(``Location``) alike."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.support.pages import sign_in
from tests.support.people import PEOPLE, People
from tests.support.servers import Server, free_port

pytestmark = pytest.mark.browser


def signed_in_with_hostile_next(page: Page, server: Server) -> str:
    elsewhere = free_port()  # nothing listens there: an error page if Chromium went
    page.goto(f"{server.url}/logga-in?next=/%09/127.0.0.1:{elsewhere}/x")
    sign_in(page, PEOPLE["coordination"])
    page.wait_for_url(lambda url: "/logga-in" not in url)
    page.wait_for_load_state()
    return page.url


def test_signing_in_with_htmx_and_a_hostile_next_ends_on_this_site(
    page: Page, server: Server, people: People
) -> None:
    landed = signed_in_with_hostile_next(page, server)
    assert urlsplit(landed)[:2] == urlsplit(server.url)[:2], landed
    assert page.get_by_role("heading", level=1).count() == 1


def test_signing_in_without_javascript_and_a_hostile_next_ends_on_this_site(
    browser: Browser, server: Server, people: People
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        landed = signed_in_with_hostile_next(page, server)
        assert urlsplit(landed)[:2] == urlsplit(server.url)[:2], landed
    finally:
        context.close()

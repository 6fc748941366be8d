"""Signing in and out in a real Chromium, as a person in the coordination group would."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.pages import sign_in
from tests.support.people import PEOPLE, People
from tests.support.servers import Server

pytestmark = pytest.mark.browser


def open_account_menu(page: Page, name: str) -> None:
    page.locator(".account-menu summary", has_text=name).click()


def test_sign_in_see_groups_sign_out_and_back_shows_nothing(
    page: Page, server: Server, people: People
) -> None:
    group = people["groups"]["EST samordningsgrupp"]
    page.goto(f"{server.url}/grupper/{group['id']}")
    # Not signed in: the sign-in page, which will lead back to the page asked for.
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    assert "next=/grupper/" in page.url

    sign_in(page, PEOPLE["coordination"], "fel-lösenord-helt-klart")
    expect(page.get_by_role("alert")).to_have_text("Fel e-postadress eller lösenord.")
    expect(page.get_by_label("E-postadress")).to_have_value(PEOPLE["coordination"])

    sign_in(page, PEOPLE["coordination"])
    expect(page).to_have_url(f"{server.url}/grupper/{group['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("EST samordningsgrupp")
    open_account_menu(page, "Sam Samordnare")
    groups = page.locator(".account-groups")
    expect(groups.get_by_role("link", name="EST samordningsgrupp")).to_be_visible()
    expect(groups).to_contain_text("sammankallande")

    # Along to another page, so that there is something to go back to.
    page.get_by_role("link", name="Organisationer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisationer")
    open_account_menu(page, "Sam Samordnare")
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("status")).to_have_text("Du är utloggad.")
    cookies = {c["name"] for c in page.context.cookies()}
    assert "est_session" not in cookies

    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    expect(page.get_by_text("Sam Samordnare")).to_have_count(0)
    expect(page.get_by_text("Rapid Säkerhet")).to_have_count(0)
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    expect(page.get_by_text("Deltagande aktörer")).to_have_count(0)


def test_sign_in_works_without_javascript(browser: Browser, server: Server, people: People) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{server.url}/organisationer")
        sign_in(page, PEOPLE["kungsangen"])
        expect(page.get_by_role("heading", level=1)).to_have_text("Organisationer")
        open_account_menu(page, "Kalle Kungsängen")
        page.get_by_role("button", name="Logga ut").click()
        expect(page.get_by_role("status")).to_have_text("Du är utloggad.")
    finally:
        context.close()


# The markup does not depend on the database (the API tests run both): one backend.
@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_open_account_menu_stays_on_the_screen_at_every_width(
    browser: Browser, server: Server, people: People, javascript: bool
) -> None:
    # The header wraps at some widths and the menu lands on a row of its own; the panel opens
    # from its right edge, so at 1280 px it once opened half off the left of the screen.
    context = browser.new_context(java_script_enabled=javascript, locale="sv-SE")
    page = context.new_page()
    try:
        page.goto(f"{server.url}/organisationer")
        sign_in(page, PEOPLE["coordination"])
        for width in (1920, 1280, 1024, 800, 600, 390, 320):
            page.set_viewport_size({"width": width, "height": 800})
            menu = page.locator(".account-menu")
            if menu.get_attribute("open") is None:
                menu.locator("summary").click()
            box = page.locator(".account-panel").bounding_box()
            assert box is not None, width
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
            sign_out = page.get_by_role("button", name="Logga ut")
            sign_out.scroll_into_view_if_needed()
            expect(sign_out).to_be_in_viewport()
    finally:
        context.close()


def test_a_form_posted_without_its_csrf_token_is_refused(
    page: Page, server: Server, people: People
) -> None:
    page.goto(f"{server.url}/logga-in")
    # Neither in the form nor in htmx's header (which the boosted form would send too).
    page.locator("input[name=csrf_token]").evaluate("input => input.remove()")
    page.evaluate("document.body.removeAttribute('hx-headers')")
    sign_in(page, PEOPLE["coordination"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Det gick inte")
    expect(page.get_by_text("saknar en giltig säkerhetskod")).to_be_visible()
    assert "est_session" not in {c["name"] for c in page.context.cookies()}

    # Signed in, a sign-out posted from elsewhere (no token) does not sign out.
    page.goto(f"{server.url}/logga-in")
    sign_in(page, PEOPLE["coordination"])
    expect(page.locator(".account-name")).to_have_text("Sam Samordnare")
    refused = page.request.post(f"{server.url}/logga-ut", form={"csrf_token": "fel"})
    assert refused.status == 403
    page.reload()
    expect(page.locator(".account-name")).to_have_text("Sam Samordnare")

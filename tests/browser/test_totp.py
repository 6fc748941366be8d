"""Two-factor sign-in in a real Chromium: an administrator's first sign-in leads to setting
up the app (the key read off the page, the code computed from it as the app would), the
recovery codes shown once, then signing in with a code and with a recovery code; axe checks
each of these pages on a phone's screen."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.support.axe import axe_problems
from tests.support.codes import totp_code
from tests.support.pages import enter_code, sign_in
from tests.support.people import People
from tests.support.servers import Server

pytestmark = pytest.mark.browser

EMAIL = "ny-admin@est.test"
PASSWORD = "blå-kanelbulle-vandrar-93"
# The administrator chose PASSWORD for them: a temporary one, changed at the first sign-in.
OWN_PASSWORD = "grön-kanot-paddlar-hem-47"
PHONE: ViewportSize = {"width": 360, "height": 740}


def axe_violations(page: Page) -> list[tuple[str, list[object]]]:
    """What axe finds on the page, and whether it is wider than the phone's screen."""
    wide = page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]
    found = axe_problems(page)
    return found + ([("wider than the screen", [])] if wide else [])


def sign_out(page: Page) -> None:
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("status")).to_have_text("Du är utloggad.")


def test_enrol_then_sign_in_with_a_code_and_with_a_recovery_code(
    browser: Browser, server: Server, api: httpx.Client, people: People
) -> None:
    created = api.post(
        "/api/v1/users",
        json={"name": "Ny Admin", "email": EMAIL, "is_admin": True, "password": PASSWORD},
    )
    assert created.status_code == 201, created.text
    context = browser.new_context(viewport=PHONE, locale="sv-SE")
    page = context.new_page()
    inaccessible: dict[str, object] = {}

    # The password alone leads to setting up the app, and to nothing else.
    page.goto(f"{server.url}/logga-in")
    sign_in(page, EMAIL, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tvåstegsverifiering")
    expect(page.get_by_text("Din roll kräver")).to_be_visible()
    inaccessible["start"] = axe_violations(page)
    page.goto(f"{server.url}/organisationer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tvåstegsverifiering")

    page.get_by_role("button", name="Kom igång").click()
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert len(secret) == 32
    inaccessible["enrol"] = axe_violations(page)
    page.get_by_label("Kod", exact=True).fill(totp_code(EMAIL, secret))
    page.get_by_role("button", name="Slå på").click()
    # Ten argon2 hashes, one per recovery code: seconds on a busy machine.
    expect(page.get_by_role("heading", name="Dina reservkoder")).to_be_visible(timeout=30_000)
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    inaccessible["codes"] = axe_violations(page)
    page.get_by_role("link", name="Jag har sparat koderna, fortsätt").click()
    # A password someone else chose is temporary: nothing but a new one of their own first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Välj ett nytt lösenord")
    inaccessible["temporary"] = axe_violations(page)
    page.get_by_label("Det tillfälliga lösenordet").fill(PASSWORD)
    page.get_by_label("Nytt lösenord", exact=True).fill(OWN_PASSWORD)
    page.get_by_label("Upprepa det nya lösenordet").fill(OWN_PASSWORD)
    page.get_by_role("button", name="Spara lösenordet").click()
    expect(page.locator(".account-menu summary")).to_contain_text("Ny Admin")
    sign_out(page)

    # The password, then the code from the app.
    sign_in(page, EMAIL, OWN_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ange kod")
    inaccessible["code"] = axe_violations(page)
    enter_code(page, "000000" if totp_code(EMAIL, secret) != "000000" else "111111")
    expect(page.locator("#code-error")).to_contain_text("Koden stämmer inte")
    inaccessible["wrong code"] = axe_violations(page)
    enter_code(page, totp_code(EMAIL, secret))
    expect(page.locator(".account-menu summary")).to_contain_text("Ny Admin")
    sign_out(page)

    # The password, then a recovery code, which then is spent.
    sign_in(page, EMAIL, OWN_PASSWORD)
    enter_code(page, codes[0])
    expect(page.locator(".account-menu summary")).to_contain_text("Ny Admin")
    page.goto(f"{server.url}/konto/tvastegsverifiering")
    expect(page.get_by_text("Oanvända reservkoder: 9.")).to_be_visible()
    inaccessible["settings"] = axe_violations(page)
    context.close()
    assert not any(inaccessible.values()), inaccessible

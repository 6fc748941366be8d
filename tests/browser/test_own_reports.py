"""A reporter on a phone (390×844) in Chromium (#18): the start page puts "Rapportera" first and
"Mina rapporter" with each report's status right below, on the first screen; feedback is
marked unread until the report is opened; withdrawing needs a chosen reason and a
confirmation, and can be undone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.axe import axe_problems
from tests.support.own_reports import FEEDBACK_TEXT, feedback, filed, intervention
from tests.support.pages import browser_for, csrf_of, sign_in
from tests.support.people import PEOPLE, People, as_
from tests.support.phone import phone_page
from tests.support.servers import Server

pytestmark = pytest.mark.browser
V1 = "/api/v1"


def told_back(server: Server, people: People, incident: int) -> None:
    """An intervention on the incident, and feedback told to its reporters."""
    with as_(server, people, "coordination") as convener:
        feedback(convener, intervention(convener, people, [incident]), to_reporters=True)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    with phone_page(browser) as page:
        yield page


def on_first_screen(page: Page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, (selector, box)


def test_a_reporter_sees_rapportera_first_and_their_reports_with_feedback_marked(
    phone: Page, server: Server, people: People
) -> None:
    page = phone
    _kept, answered = filed(server, people, "2025-09-03", "2025-09-05")
    told_back(server, people, answered)
    page.goto(f"{server.url}/")
    sign_in(page, PEOPLE["reporter"])
    expect(page).to_have_url(f"{server.url}/")
    main = page.locator("main")
    # The first thing in the page's content is the big button, then their reports.
    expect(main.get_by_role("link").first).to_have_text("Rapportera")
    expect(page.get_by_role("heading", name="Mina rapporter")).to_be_visible()
    on_first_screen(page, "main a.button-big")
    on_first_screen(page, "#mine-heading")
    mine = page.locator(".own-reports li")
    expect(mine).to_have_count(2)
    # Newest filed first: the one fed back, marked as unread.
    expect(mine.nth(0)).to_contain_text("Återkopplad")
    expect(mine.nth(0)).to_contain_text("Ny återkoppling")
    expect(mine.nth(1)).to_contain_text("Ny")
    expect(mine.nth(1)).not_to_contain_text("återkoppling")
    on_first_screen(page, ".own-reports li >> nth=1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The organisation chart is folded away below.
    expect(page.get_by_text("EST-grupperna i Upplands-Bro kommun")).to_be_visible()
    expect(page.get_by_role("heading", name="Samordningsgrupp")).to_be_hidden()

    assert axe_problems(page) == []
    mine.nth(0).get_by_role("link").click()
    expect(page).to_have_url(f"{server.url}/handelser/{answered}")
    expect(page.get_by_text(FEEDBACK_TEXT)).to_be_visible()
    page.get_by_role("link", name="Översikt").first.click()
    expect(page).to_have_url(f"{server.url}/")
    expect(mine.nth(0)).to_contain_text("Återkopplad")
    expect(mine.nth(0)).not_to_contain_text("Ny återkoppling")


def test_withdrawing_needs_a_reason_and_a_confirmation_and_can_be_undone(
    phone: Page, server: Server, people: People
) -> None:
    page = phone
    (incident,) = filed(server, people, "2025-09-03")
    page.goto(f"{server.url}/handelser/{incident}")
    sign_in(page, PEOPLE["reporter"])
    expect(page).to_have_url(f"{server.url}/handelser/{incident}")
    reasons = page.get_by_role("group", name="Varför ska händelsen återkallas?")
    for radio in reasons.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    page.get_by_role("button", name="Återkalla händelsen").click()
    # No reason chosen: the browser keeps the form, nothing is sent.
    expect(page).to_have_url(f"{server.url}/handelser/{incident}")
    assert page.locator("input[name=orsak]:invalid").count() > 0
    reasons.get_by_label("Felaktig eller rapporterad av misstag").check()
    page.get_by_role("button", name="Återkalla händelsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Återkalla händelse {incident}?")
    expect(page.get_by_text("Skäl: Felaktig eller rapporterad av misstag.")).to_be_visible()
    assert axe_problems(page) == []
    page.get_by_role("button", name="Ja, återkalla").click()
    expect(page).to_have_url(f"{server.url}/handelser/{incident}")
    expect(page.get_by_text("Återkallad: Felaktig eller rapporterad av misstag.")).to_be_visible()
    assert axe_problems(page) == []
    page.get_by_role("button", name="Ångra återkallandet").click()
    expect(page.get_by_text("Återkallad:")).to_be_hidden()
    expect(page.get_by_role("button", name="Återkalla händelsen")).to_be_visible()
    with as_(server, people, "reporter") as reporter:
        assert reporter.get(f"{V1}/incidents/{incident}").json()["withdrawn"] is False


def test_without_javascript_withdrawing_asks_first_and_refuses_no_reason(
    server: Server, people: People
) -> None:
    (incident,) = filed(server, people, "2025-09-03")
    with browser_for(server, people, "reporter") as browser:
        shown = browser.get(f"/handelser/{incident}")
        assert "checked" not in shown.text.split('id="withdraw-heading"')[1]
        csrf = csrf_of(shown.text)
        url = f"/handelser/{incident}/aterkalla"
        none = browser.post(url, data={"csrf_token": csrf})
        assert none.status_code == 422
        assert "Välj varför händelsen återkallas." in none.text
        asked = browser.post(url, data={"csrf_token": csrf, "orsak": "duplicate"})
        assert asked.status_code == 200 and "Ja, återkalla" in asked.text
        with as_(server, people, "reporter") as reporter:
            assert reporter.get(f"{V1}/incidents/{incident}").json()["withdrawn"] is False
        done = browser.post(url, data={"csrf_token": csrf, "orsak": "duplicate", "bekraftat": "ja"})
        assert done.status_code == 303, done.text
        back = browser.post(f"/handelser/{incident}/angra-aterkallande", data={"csrf_token": csrf})
        assert back.status_code == 303
        assert "Ångra återkallandet" not in browser.get(f"/handelser/{incident}").text


def test_the_account_page_turns_the_feedback_mail_off(server: Server, people: People) -> None:
    with browser_for(server, people, "reporter") as browser:
        shown = browser.get("/konto")
        assert shown.status_code == 200
        assert 'name="aterkoppling" value="ja" checked' in shown.text
        saved = browser.post("/konto", data={"csrf_token": csrf_of(shown.text)})
        assert saved.status_code == 303 and saved.headers["location"] == "/konto?sparat=1"
        again = browser.get("/konto?sparat=1")
        assert "Sparat." in again.text and "checked" not in again.text.split("aterkoppling")[1][:40]
    with as_(server, people, "reporter") as reporter:
        assert reporter.get(f"{V1}/auth/me").json()["feedback_email"] is False

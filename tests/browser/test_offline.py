"""Filing from a phone (390×844) without a connection, in Chromium with the report page's
service worker: the report waits on the phone, the page opens offline and lists it, and it is
filed exactly once when the connection is back, however many times it is sent."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.axe import axe_result
from tests.support.images import photo
from tests.support.people import PEOPLE, People
from tests.support.servers import Server

pytestmark = pytest.mark.browser

TEXT = "Nytt klotter på elskåpet vid stationen, sett utan anslutning."
WAITING = "Väntar på anslutning – skickas automatiskt"


def assert_accessible(page: Page, selector: str) -> None:
    """WCAG 2.1 A and AA as axe-core checks them, in the part of the page ``selector`` names.
    (axe evaluated over the DevTools protocol, which the page's CSP does not govern.)"""
    result = axe_result(page, selector)
    assert result["passes"], f"axe found nothing to check in {selector}"
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]] == []


def filed(api: httpx.Client) -> int:
    """The incidents with this test's text, as the API counts them."""
    items = api.get("/api/v1/incidents", params={"limit": 200}).json()["items"]
    return sum(1 for item in items if item.get("description") == TEXT)


def open_report_page(page: Page, server: Server, token: str) -> None:
    """The report page, signed in with ``token``, under its service worker's control."""
    signed_in(page.context, server, token)
    page.goto(f"{server.url}/rapportera")
    # The worker installed, its copy of the page kept, and this page under its control.
    # (Awaited in one evaluate: wait_for_function would need eval, which the CSP refuses.)
    page.evaluate(
        """async () => {
            await navigator.serviceWorker.ready;
            if (!navigator.serviceWorker.controller) {
                await new Promise((done) => navigator.serviceWorker.addEventListener(
                    "controllerchange", done, { once: true }));
            }
        }"""
    )


def signed_in(context: BrowserContext, server: Server, token: str) -> None:
    # A service worker needs a secure context: http://127.0.0.1 and localhost are.
    assert urlsplit(server.url).hostname in ("127.0.0.1", "localhost")
    context.add_cookies([{"name": "est_session", "value": token, "url": server.url}])


def fill_and_send(page: Page) -> None:
    page.get_by_label("Vad hände?").select_option("skadegorelse.klotter")
    page.get_by_label("Nu", exact=True).check()
    page.get_by_label("Område").select_option(label="Bro")
    page.get_by_label("Medel").check()
    page.get_by_label("Beskrivning").fill(TEXT)
    page.get_by_role("button", name="Skicka rapporten").click()


def send_offline(page: Page) -> None:
    """A report filled in and sent with the phone offline, as it knows."""
    page.context.set_offline(True)
    fill_and_send(page)
    expect(page.locator("#vantande-status")).to_contain_text(WAITING)


def test_a_report_sent_offline_waits_on_the_phone_and_is_filed_once_when_back_online(
    page: Page, server: Server, people: People, api: httpx.Client
) -> None:
    context = page.context
    open_report_page(page, server, people["tokens"]["reporter"])

    send_offline(page)
    status = page.locator("#vantande-status")
    waiting = page.locator(".offline-report")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("Klotter")
    # The clean form shown is the worker's copy of the page, with a new key.
    expect(page.locator("body")).to_have_attribute("data-offline-copy", "")
    assert filed(api) == 0

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportera")
    expect(page.locator("body")).to_have_attribute("data-offline-copy", "")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(WAITING)
    assert filed(api) == 0

    context.set_offline(False)
    expect(status).to_contain_text("Skickad")
    expect(waiting).to_have_attribute("data-state", "sent")
    assert filed(api) == 1

    # The same stored report sent again, twice, straight to the server: the same report.
    again = page.evaluate(
        """async () => {
            const [entry] = await EstQueue.all();
            const me = await EstQueue.signedIn();
            const first = await EstQueue.post(entry, me.token);
            const second = await EstQueue.post(entry, me.token);
            return [entry.reportId, first.reportId, second.reportId];
        }"""
    )
    assert again[0] == again[1] == again[2]
    assert filed(api) == 1

    link = waiting.get_by_role("link", name=re.compile(r"Visa rapport \d+"))
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Rapport {again[0]}")


def test_two_tabs_coming_back_online_file_the_waiting_report_once(
    page: Page, server: Server, people: People, api: httpx.Client
) -> None:
    context = page.context
    open_report_page(page, server, people["tokens"]["reporter"])
    other = context.new_page()
    open_report_page(other, server, people["tokens"]["reporter"])

    send_offline(page)
    # The other tab learns of it too (and will try to send it as well).
    expect(other.locator(".offline-report")).to_have_count(1)

    context.set_offline(False)
    for tab in (page, other):
        expect(tab.locator(".offline-report")).to_have_attribute("data-state", "sent")
        expect(tab.locator("#vantande-status")).to_contain_text("Skickad")
    assert filed(api) == 1


def test_a_report_waiting_while_signed_out_is_kept_and_sent_after_signing_in_again(
    page: Page, server: Server, people: People, api: httpx.Client
) -> None:
    context = page.context
    open_report_page(page, server, people["tokens"]["reporter"])
    send_offline(page)

    # Signed out meanwhile (the session ended): the page's token is no good any more.
    context.clear_cookies()
    context.set_offline(False)
    status = page.locator("#vantande-status")
    expect(status).to_contain_text("logga in igen")
    expect(status.get_by_role("link", name="Logga in")).to_be_visible()
    expect(page.locator(".offline-report")).to_have_attribute("data-state", "signin")
    assert filed(api) == 0
    assert_accessible(page, "#vantande")

    # Signed in again, with a new session: a new CSRF token is fetched, and the report filed.
    signed_in(context, server, server.token_for(PEOPLE["reporter"]))
    page.reload()
    expect(page.locator(".offline-report")).to_have_attribute("data-state", "sent")
    assert filed(api) == 1


def test_a_waiting_report_the_server_refuses_is_kept_until_opened_in_the_form(
    page: Page, server: Server, people: People, api: httpx.Client
) -> None:
    open_report_page(page, server, people["tokens"]["reporter"])
    page.context.set_offline(True)
    # No category: the server will refuse it, which the phone cannot know offline.
    page.get_by_label("Beskrivning").fill(TEXT)
    page.get_by_role("button", name="Skicka rapporten").click()
    expect(page.locator("#vantande-status")).to_contain_text(WAITING)

    page.context.set_offline(False)
    waiting = page.locator(".offline-report")
    expect(waiting).to_have_attribute("data-state", "invalid")
    expect(waiting).to_contain_text("Inte skickad: rätta den i formuläret")
    waiting.get_by_role("button", name="Öppna i formuläret").click()

    # The form as the server shows a refused report: the fields as sent, the errors beside.
    expect(page.locator("#h0-kategori-error")).to_be_visible()
    expect(page.get_by_label("Beskrivning")).to_have_value(TEXT)
    expect(page.locator(".offline-report")).to_have_count(0)
    page.get_by_label("Vad hände?").select_option("skadegorelse.klotter")
    page.get_by_label("Nu", exact=True).check()
    page.get_by_label("Område").select_option(label="Bro")
    page.get_by_label("Medel").check()
    page.get_by_role("button", name="Skicka rapporten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tack! Rapporten är skickad")
    assert filed(api) == 1


def test_a_report_whose_request_fails_on_the_way_is_kept_by_the_worker(
    page: Page, server: Server, people: People, api: httpx.Client
) -> None:
    open_report_page(page, server, people["tokens"]["reporter"])
    page.context.set_offline(True)
    # The phone believes it is online (a weak signal): the form is sent as usual, the
    # request fails, and the worker keeps the report instead of the browser's error page.
    page.evaluate("Object.defineProperty(navigator, 'onLine', { get: () => true })")
    fill_and_send(page)
    expect(page.locator("#vantande-status")).to_contain_text(WAITING)
    expect(page.locator("body")).to_have_attribute("data-offline-copy", "")
    assert filed(api) == 0

    page.context.set_offline(False)
    expect(page.locator(".offline-report")).to_have_attribute("data-state", "sent")
    assert filed(api) == 1


# A photo (#20) is no text of the form: a report kept on the phone keeps none, and the page
# says so plainly, beside the photo field while offline and on the report kept. The page's
# script does the same on either database.
@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
def test_offline_a_photo_is_not_kept_and_the_page_says_so(
    page: Page, server: Server, people: People, api: httpx.Client
) -> None:
    open_report_page(page, server, people["tokens"]["reporter"])
    note = page.locator("[data-offline-photo]")
    expect(note).to_be_hidden()
    page.locator('input[name="h0-bild"]').set_input_files(
        {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": photo(size=(300, 200))}
    )

    page.context.set_offline(True)
    expect(note).to_be_visible()
    expect(note).to_contain_text("Utan anslutning sparas bilden inte på telefonen")
    fill_and_send(page)
    status = page.locator("#vantande-status")
    expect(status).to_contain_text(WAITING)
    expect(page.locator(".offline-report")).to_contain_text("Bilderna sparades inte på telefonen")

    page.context.set_offline(False)
    expect(status).to_contain_text("Skickad")
    assert filed(api) == 1

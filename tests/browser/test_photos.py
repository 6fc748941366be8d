"""A photo on the report form of a phone without a connection (#20): the report is kept on
the phone without it (IndexedDB keeps the form's text), and the page says so plainly, beside
the photo field and on the report kept; back online, the report is filed."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_offline import WAITING, filed, fill_and_send, open_report_page
from tests.support.images import photo
from tests.support.people import People
from tests.support.servers import Server

pytestmark = [
    pytest.mark.browser,
    # The page's script does the same on either database.
    pytest.mark.parametrize("backend", ["sqlite"], scope="session"),
]


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

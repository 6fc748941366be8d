"""The confirmation after filing, on a phone (390×844) in Chromium: each incident's card
keeps its padding, so its text is not flush with the card's border (issue #18)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.factories import file_report
from tests.support.people import People
from tests.support.servers import Server

pytestmark = pytest.mark.browser


def test_the_confirmation_cards_text_stands_clear_of_its_border(
    page: Page, server: Server, people: People
) -> None:
    bro = people["areas"]["Bro"]["id"]
    token = people["tokens"]["reporter"]
    report = file_report(server, token, {"area_id": bro}, {"area_id": bro})
    page.context.add_cookies([{"name": "est_session", "value": token, "url": server.url}])
    page.goto(f"{server.url}/rapporter/{report['id']}?skickad=1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tack! Rapporten är skickad")

    cards = page.locator(".report-summary > .card")
    expect(cards).to_have_count(2)
    for index in range(2):
        card = cards.nth(index)
        padding = card.evaluate(
            """card => {
                const style = getComputedStyle(card);
                return ["Top", "Right", "Bottom", "Left"].map(
                    side => parseFloat(style["padding" + side]));
            }"""
        )
        assert all(side > 0 for side in padding), padding
        # And what a person sees: the title and the text inside the border, with room.
        box = card.bounding_box()
        assert box and box["width"] <= 390
        for part in (card.locator(".card-title"), card.locator("p").first):
            inner = part.bounding_box()
            assert inner, part
            assert inner["x"] - box["x"] >= 8, (inner, box)
            assert box["x"] + box["width"] - (inner["x"] + inner["width"]) >= 8, (inner, box)

"""The hot-spot map as Chromium draws it, at 1920×1080 as on a projector: on the lägesbild
page and on its projector view no marker, place name or area name covers another (measured
with getBoundingClientRect), and on the projector view every word is at least 18 px. And
the week chart marks the week under way."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.support.factories import file_report
from tests.support.pages import sign_in
from tests.support.people import PEOPLE, People
from tests.support.servers import Server

pytestmark = pytest.mark.browser
STOCKHOLM = ZoneInfo("Europe/Stockholm")
BRO = (59.5117, 17.6364)
KUNGSANGEN = (59.4786, 17.7506)
# Boxes of the map's markers, place names, area names and legend, in CSS px, and each text's
# font size as drawn (its font size in the SVG's units times the SVG's scale).
MEASURE = """
svg => [...svg.querySelectorAll('.map-marker, .map-label, .map-area, .map-legend')].map(el => {
  const r = el.getBoundingClientRect();
  const size = el.tagName === 'text'
    ? parseFloat(getComputedStyle(el).fontSize) * el.getScreenCTM().a : null;
  return {cls: el.getAttribute('class'), text: el.textContent, x0: r.left, y0: r.top,
          x1: r.right, y1: r.bottom, size: size};
})
"""


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"])


def _ranks(text: str) -> list[int]:
    """ "1–3,5" as [1, 2, 3, 5]."""
    out: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("–")
        out += range(int(first), int(last or first) + 1)
    return out


def _measured(page: Page) -> list[dict[str, Any]]:
    svg = page.locator("svg[data-map]")
    expect(svg).to_have_count(1)
    boxes: list[dict[str, Any]] = svg.evaluate(MEASURE)
    assert boxes
    for a, b in itertools.combinations(boxes, 2):
        assert not _overlaps(a, b), (a, b)
    return boxes


def _nine_hot_spots(server: Server, people: People) -> dict[str, Any]:
    """A draft lägesbild of the coordination group with nine hot spots."""
    today = dt.datetime.now(STOCKHOLM).date()
    evening = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(21, 30), STOCKHOLM)
    bro = people["areas"]["Bro"]["id"]
    kungsangen = people["areas"]["Kungsängen"]["id"]
    # Nine hot spots of three incidents each: six 600 m apart around Bro's centre and three
    # 400 m apart by Kungsängen's, close enough on the municipality's map that their
    # markers and names would cover each other and the areas' names.
    where = [(bro, BRO, 0.0054 * dy, 0.0106 * dx) for dx in (-1, 0, 1) for dy in (0, 1)]
    where += [(kungsangen, KUNGSANGEN, 0.0036 * k, 0.0036 * k) for k in (-1, 0, 1)]
    incidents = [
        {
            "area_id": area,
            "occurred_from": evening.isoformat(),
            "position": {"lat": centre[0] + dlat, "lon": centre[1] + dlon},
        }
        for area, centre, dlat, dlon in where
        for _ in range(3)
    ]
    token = people["tokens"]["coordination"]
    file_report(server, token, *incidents)
    group = people["groups"]["EST samordningsgrupp"]["id"]
    with server.client(token) as client:
        created = client.post(f"/api/v1/groups/{group}/situation-reports", json={})
        assert created.status_code == 201, created.text
        report: dict[str, Any] = created.json()
    return report


def test_the_map_reads_on_the_page_and_the_projector(
    page: Page, server: Server, people: People
) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    report = _nine_hot_spots(server, people)
    assert len(report["figures"]["hot_spots"]) == 9
    assert report["figures"]["weeks"][-1]["complete"] is False

    page.goto(f"{server.url}/lagesbild/{report['id']}")
    sign_in(page, PEOPLE["coordination"])
    expect(page.locator("svg[data-map=page]")).to_be_visible()
    on_page = _measured(page)
    drawn = {b["text"] for b in on_page if b["cls"] == "map-marker"} | {
        b["text"] for b in on_page if b["cls"] in {"map-label", "map-legend"}
    }
    assert drawn
    # The week under way is drawn apart from the whole weeks, and says so.
    weeks = page.locator("svg[aria-labelledby='veckor-t']")
    expect(weeks.locator("rect.week-partial")).to_have_count(1)
    expect(weeks).to_contain_text("pågående vecka")

    page.goto(f"{server.url}/lagesbild/{report['id']}/visning")
    expect(page.locator("svg[data-map=projector]")).to_be_visible()
    shown = _measured(page)
    texts = [b for b in shown if b["cls"] != "map-marker"]
    assert any(b["cls"] == "map-area" for b in texts)
    for b in texts:
        assert b["size"] >= 18, b
        assert b["y1"] - b["y0"] >= 18, b
    numbers = page.locator("svg[data-map] .map-number").evaluate_all(
        "els => els.map(el => parseFloat(getComputedStyle(el).fontSize) * el.getScreenCTM().a)"
    )
    assert numbers and min(numbers) >= 18
    # Every hot spot's number is on the map, alone or in a cluster.
    ranks = page.locator("svg[data-map] .map-number").all_text_contents()
    assert sorted(k for text in ranks for k in _ranks(text)) == list(range(1, 10))

    # Each part of the projector view fits the 1080 screen, its words are at least 18 px,
    # and every number on the map is a row of the table beside it.
    heights = page.locator(".projector-part").evaluate_all(
        "els => els.map(el => el.getBoundingClientRect().height)"
    )
    assert len(heights) >= 3 and max(heights) <= 1080, heights
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.get_by_role("link", name="Tillbaka")).to_be_visible()
    rows = page.locator("#heta tbody tr td:first-child").all_text_contents()
    assert [int(r) for r in rows] == list(range(1, 10))
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('main *, header *')]
            .filter(el => !el.closest('svg') && el.textContent.trim() && el.offsetParent)
            .map(el => parseFloat(getComputedStyle(el).fontSize)))"""
    )
    assert smallest >= 18, smallest


# Every SVG text's size as drawn, in CSS px.
DRAWN = """() => [...document.querySelectorAll('svg.chart text')]
  .filter(el => el.getClientRects().length)
  .map(el => ({text: el.textContent,
               size: parseFloat(getComputedStyle(el).fontSize) * el.getScreenCTM().a}))"""


def test_on_a_phone_the_charts_words_and_the_tables_stay_readable(
    page: Page, server: Server, people: People
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    report = _nine_hot_spots(server, people)
    page.goto(f"{server.url}/lagesbild/{report['id']}")
    sign_in(page, PEOPLE["coordination"])
    expect(page.locator("svg[data-map=page]")).to_be_attached()
    drawn = page.evaluate(DRAWN)
    # The map, the weeks, the categories and the hours: all their words at least 11 px.
    assert len(drawn) > 30
    small = [d for d in drawn if d["size"] < 11]
    assert not small, small[:5]
    # The charts scroll in their own frame, with a hint; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_text("Dra i sidled för att se hela diagrammet").first).to_be_visible()
    scrolls = page.locator(".chart-scroll").evaluate_all(
        "els => els.map(el => el.scrollWidth > el.clientWidth)"
    )
    assert scrolls and all(scrolls)
    # The hot-spot table's rows are cards: every cell inside the screen, named by column.
    first = page.locator("#hot-heading ~ .split .stack tbody tr").first
    expect(first.get_by_role("cell", name=re.compile(r"^Förra: \d+$"))).to_be_visible()
    right = first.locator("th, td").evaluate_all(
        "els => Math.max(...els.map(el => el.getBoundingClientRect().right))"
    )
    assert right <= 390

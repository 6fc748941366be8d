"""The hot-spot map as Chromium draws it, at 1920×1080 as on a projector: on the lägesbild
page and on its projector view no marker, place name or area name covers another (measured
with getBoundingClientRect), and on the projector view every word is at least 18 px. And
the week chart marks the week under way."""

from __future__ import annotations

import datetime as dt
import itertools
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


def test_the_map_reads_on_the_page_and_the_projector(
    page: Page, server: Server, people: People
) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
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
        report = created.json()
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

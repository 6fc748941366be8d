"""The police area's pages in a browser (#21): readable on a projector (1920×1080: the
municipalities side by side) and on a phone (390×844: one under the other, nothing wider than
the screen), passing axe's WCAG 2.1 A and AA checks."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, ViewportSize

from tests.support.axe import axe_problems
from tests.support.policeareas import Pair, agree, make_pair, plant, sweref
from tests.support.servers import Server

pytestmark = pytest.mark.browser

VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "projector": {"width": 1920, "height": 1080},
}


@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_police_area_reads_on_a_projector_and_a_phone(
    browser: Browser, server: Server, api: httpx.Client, viewport: str
) -> None:
    pair: Pair = make_pair(server, api)
    plant(server, pair.a, "a1", category="skadegorelse.klotter", area="Norr",
          where=sweref(660_010, 6_597_010))  # fmt: skip
    plant(server, pair.b, "b1", category="skadegorelse.glaskross", area="Centrum",
          where=sweref(670_100, 6_590_100), description="Krossad ruta")  # fmt: skip
    agree(server, pair, pair.a, categories=["skadegorelse"], precision="grid_250")
    agree(server, pair, pair.b, categories=["skadegorelse"], precision="point", free_text=True)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="sv-SE")
    page = context.new_page()
    failures: dict[str, object] = {}

    def check(path: str) -> None:
        page.goto(server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > VIEWPORTS[viewport]["width"]:
            failures[f"{path} (width)"] = width
        problems = axe_problems(page)
        if problems:
            failures[path] = problems

    try:
        area = f"/lokalpolisomraden/{pair.police_area_id}"
        for email, paths in (
            (pair.police, [area + "?fran=2026-11-16&till=2026-11-22", "/lokalpolisomraden"]),
            (pair.b.admin, [f"{area}/avtal/{pair.b.id}", area]),
        ):
            context.clear_cookies()
            context.add_cookies(
                [{"name": "est_session", "value": server.token_for(email), "url": server.url}]
            )
            for path in paths:
                check(path)
            if email == pair.police:
                page.goto(server.url + paths[0])
                boxes = [c.bounding_box() for c in page.locator(".police-column").all()]
                assert len(boxes) == 2 and all(boxes)
                first, second = boxes[0], boxes[1]
                assert first is not None and second is not None
                side_by_side = abs(first["y"] - second["y"]) < 1
                assert side_by_side is (viewport == "projector"), (viewport, boxes)
        assert not failures, failures
    finally:
        context.close()

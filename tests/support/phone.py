"""A phone (390×844) in Chromium for the browser tests, and axe-core's WCAG 2.1 A and AA
findings on a page as it stands."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

AXE = Path(os.environ.get("EST_AXE_JS", ".venv/axe-core-4.14.1/axe.min.js"))


@contextmanager
def phone_page(browser: Browser) -> Iterator[Page]:
    """A 390×844 phone; its pages' CSP stepped aside for axe's injected script alone."""
    context = browser.new_context(
        locale="sv-SE", viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def axe_problems(page: Page) -> list[Any]:
    """WCAG 2.1 A and AA as axe-core finds them on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]

"""axe-core's WCAG 2.1 A and AA checks in the browser tests, one way for all of them.

Two things make it cost half what it did (the accessibility walk went from about 40 s to
20 s a viewport):

- axe reports its violations only (``resultTypes``): it still runs every rule on every
  element, but it no longer builds a selector and an HTML excerpt for each of the thousands
  of elements that passed, which took half its time; the violations come whole.
- Its 600 kB are read once a process and evaluated over the DevTools protocol (which the
  page's CSP does not govern) only where the page has no axe yet; a context that checks many
  pages has it evaluated with every new document instead (``with_axe``), sent once.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page

AXE = Path(os.environ.get("EST_AXE_JS", ".venv/axe-core-4.14.1/axe.min.js"))
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@functools.cache
def axe_source() -> str:
    assert AXE.is_file(), f"{AXE} is missing: `make test` fetches it with npm"
    # ";0": the evaluation's value is a number, not the axe object Playwright would copy.
    return AXE.read_text(encoding="utf-8") + "\n;0"


def with_axe(context: BrowserContext) -> BrowserContext:
    """Every page the context opens from now on has axe loaded before its own scripts."""
    context.add_init_script(script=axe_source())
    return context


def axe_result(page: Page, within: str = "document") -> dict[str, Any]:
    """axe's result for the page as it stands (or the part the selector ``within`` names):
    its violations whole, and of the rules that passed, which did (one node each)."""
    if page.evaluate("typeof window.axe") != "object":
        page.evaluate(axe_source())
    result: dict[str, Any] = page.evaluate(
        """([within, tags]) => axe.run(within === "document" ? document : within,
            {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})""",
        [within, WCAG21_AA],
    )
    return result


def axe_problems(page: Page, within: str = "document") -> list[Any]:
    """axe's violations on the page as it stands: each rule with its first three elements."""
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in axe_result(page, within)["violations"]
    ]

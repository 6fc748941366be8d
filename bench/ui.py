"""The pages as people use them: interactions and server time, in Chromium.

    python -m bench.ui [--backend sqlite|postgresql|both] [--repeat 5]

Three tasks, each done by a script as a person would do it in Debian's headless Chromium
(Playwright), against `est serve` (API and web in one process) on the demo of Upplands-Bro:

- **one observation with the phone's position** (390×844): from the reporter's start page,
  "Rapportera", what happened, "Använd min position", how much insecurity, send;
- **a batch of 10** (390×844): the same, then nine more, each added in place with the
  previous one's place and time;
- **a decision with an intervention** (1920×1080): the convener opens the next meeting's
  agenda, writes the decision, creates its intervention (title, type, target, owner), links
  the observations of the agenda's first hot spot by ticking it, and saves.

An *interaction* is one click, tap, choice in a list or text typed into one field (signing in
is not counted). *Server time* is, for each request the page makes to the server (pages,
htmx fragments, form posts), the time from the request's start to its first byte, summed:
what the server spent on the task. The baseline, in the same run, is the same work sent
straight to the API (`POST /api/v1/reports`, `POST /api/v1/interventions`…) with `httpx`: the
ratio says how many times the web's round trips cost the API's. Figures are medians over
``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Locator, Page, Request, expect, sync_playwright

from api import localtime
from api.seed import DEMO_PASSWORD
from bench.incidents import PG_URL
from bench.load import Server, prepare
from tests.support.chromium import CHROMIUM, CHROMIUM_ARGS

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
# Bro centrum: inside the demo's area Bro.
BRO_CENTRUM = {"latitude": 59.5117, "longitude": 17.6364}


@dataclass
class Task:
    """Counts what a person does on a page and what the server spends answering."""

    page: Page
    base: str
    interactions: int = 0
    server_ms: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("requestfinished", self._timed)

    def _timed(self, request: Request) -> None:
        if not request.url.startswith(self.base) or "/static/" in request.url:
            return
        timing = request.timing
        if timing["responseStart"] >= 0 and timing["requestStart"] >= 0:
            self.server_ms.append(timing["responseStart"] - timing["requestStart"])

    def click(self, target: Locator) -> None:
        self.interactions += 1
        target.click()

    def check(self, target: Locator) -> None:
        self.interactions += 1
        target.check()

    def fill(self, target: Locator, text: str) -> None:
        self.interactions += 1
        target.fill(text)

    def select(self, target: Locator, **choice: str) -> None:
        self.interactions += 1
        target.select_option(**choice)  # type: ignore[arg-type]

    @property
    def server_total(self) -> float:
        return sum(self.server_ms)


def sign_in(page: Page, email: str) -> None:
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()


@contextmanager
def signed_in(
    browser: Browser, base: str, email: str, viewport: dict[str, int], start: str
) -> Iterator[Page]:
    context = browser.new_context(
        locale="sv-SE",
        viewport=viewport,  # type: ignore[arg-type]
        geolocation=BRO_CENTRUM,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{base}/logga-in?next={start}")
    sign_in(page, email)
    try:
        yield page
    finally:
        context.close()


# The tasks ----------------------------------------------------------------------------------


def one_observation(task: Task, category: str) -> None:
    page = task.page
    task.click(page.get_by_role("link", name="Rapportera").first)
    block = page.locator("#handelse-1")
    task.select(block.get_by_label("Vad hände?"), value=category)
    task.click(block.get_by_role("button", name="Använd min position"))
    expect(block.get_by_label("Latitud eller N")).not_to_have_value("")
    task.check(block.get_by_label("Medel"))
    task.click(page.get_by_role("button", name="Skicka rapporten"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rapporten är skickad")


def batch_of_ten(task: Task, categories: list[str]) -> None:
    page = task.page
    task.click(page.get_by_role("link", name="Rapportera").first)
    for n in range(1, 11):
        if n > 1:
            task.click(page.get_by_role("button", name="Lägg till en händelse till"))
        block = page.locator(f"#handelse-{n}")
        expect(block.get_by_label("Vad hände?")).to_be_visible()
        task.select(block.get_by_label("Vad hände?"), value=categories[n % len(categories)])
        if n == 1:
            task.click(block.get_by_role("button", name="Använd min position"))
            expect(block.get_by_label("Latitud eller N")).not_to_have_value("")
        task.check(block.get_by_label("Medel"))
    task.click(page.get_by_role("button", name="Skicka rapporten"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rapporten är skickad")
    expect(page.get_by_role("status")).to_contain_text("med 10 händelser")


def decision_with_intervention(task: Task, owner: str) -> None:
    page = task.page
    task.fill(page.get_by_label("Nytt beslut"), "Belysning och slyröjning vid den heta platsen.")
    task.click(page.get_by_text("Beslutet gäller en insats"))
    task.check(page.get_by_label("Skapa insatsen med beslutet"))
    task.fill(page.get_by_label("Insatsens rubrik"), "Belysning vid den heta platsen")
    task.select(page.get_by_label("Typ", exact=True), value="lighting")
    task.select(page.get_by_label("Riktar sig mot"), value="skadegorelse")
    task.select(page.get_by_label("Område", exact=True), label="Bro")
    task.select(page.get_by_label("Ägare", exact=True), label=owner)
    task.check(page.locator("input[name=het]").first)
    task.click(page.get_by_role("button", name="Spara beslutet"))
    page.wait_for_url("**#beslut-*")
    expect(page.get_by_role("status").first).to_contain_text("Beslutet är sparat")


# The baseline: the same work through the API alone ------------------------------------------


def api_time(send: Callable[[httpx.Client], httpx.Response], base: str, token: str) -> float:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
        started = time.perf_counter()
        answer = send(client)
        elapsed = (time.perf_counter() - started) * 1000
    answer.raise_for_status()
    return elapsed


def token(base: str, email: str) -> str:
    answer = httpx.post(
        f"{base}/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD}
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def report(categories: list[str], count: int) -> dict[str, Any]:
    """What the page sends: a point and no area (the point decides it), as the phone gave it."""
    when = localtime.utcnow().astimezone(localtime.STOCKHOLM).strftime("%Y-%m-%dT%H:%M")
    return {
        "incidents": [
            {
                "category": categories[n % len(categories)],
                "occurred_from": when,
                "position": {"lat": BRO_CENTRUM["latitude"], "lon": BRO_CENTRUM["longitude"]},
                "assessment": "medium",
            }
            for n in range(count)
        ]
    }


@dataclass
class Figures:
    interactions: list[int] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    api_ms: list[float] = field(default_factory=list)


def run(backend: str, url: str, repeat: int) -> dict[str, Figures]:
    server = Server(url, 1, {"EST_THROTTLE_PER_ADDRESS": "100000"}, command="serve").start()
    figures = {name: Figures() for name in ("one", "ten", "meeting")}
    try:
        base = server.base
        reporter = token(base, "rapportor@est.demo")
        convener = token(base, "samordnare@est.demo")
        headers = {"Authorization": f"Bearer {reporter}"}
        areas = httpx.get(f"{base}/api/v1/areas", headers=headers).json()["items"]
        bro = next(a["id"] for a in areas if a["name"] == "Bro")
        listed = httpx.get(f"{base}/api/v1/categories", headers=headers, params={"limit": 200})
        categories = [c["code"] for c in listed.json()["items"] if "." in c["code"]][:6]
        groups = httpx.get(
            f"{base}/api/v1/groups", headers={"Authorization": f"Bearer {convener}"}
        ).json()["items"]
        coordination = next(g for g in groups if g["kind"] == "coordination")
        owner = coordination["organisations"][0]["name"]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            for _ in range(repeat):

                def browse(who: str, viewport: dict[str, int], start: str, name: str) -> Task:
                    with signed_in(browser, base, who, viewport, start) as page:
                        task = Task(page, base)
                        if name == "one":
                            one_observation(task, categories[0])
                        elif name == "ten":
                            batch_of_ten(task, categories)
                        else:
                            decision_with_intervention(task, owner)
                    figures[name].interactions.append(task.interactions)
                    figures[name].server_ms.append(task.server_total)
                    return task

                for name, count in (("one", 1), ("ten", 10)):
                    browse("rapportor@est.demo", PHONE, "/", name)
                    sent = report(categories, count)
                    figures[name].api_ms.append(
                        api_time(
                            lambda c, sent=sent: c.post(
                                "/api/v1/reports",
                                json=sent,
                                headers={"Idempotency-Key": str(uuid.uuid4())},
                            ),
                            base,
                            reporter,
                        )
                    )
                meeting = next_meeting(base, convener, coordination["id"])
                browse("samordnare@est.demo", PROJECTOR, f"/moten/{meeting}", "meeting")
                decision = decision_body(base, convener, coordination, bro)
                figures["meeting"].api_ms.append(
                    api_time(
                        lambda c, m=meeting, d=decision: c.post(
                            f"/api/v1/meetings/{m}/decisions", json=d
                        ),
                        base,
                        convener,
                    )
                )
            browser.close()
    finally:
        server.stop()
    return figures


def next_meeting(base: str, token_: str, group: int) -> int:
    headers = {"Authorization": f"Bearer {token_}"}
    day = (localtime.today() + dt.timedelta(days=7)).isoformat()
    answer = httpx.post(
        f"{base}/api/v1/groups/{group}/meetings",
        json={"starts_at": f"{day}T09:00", "location": "Kommunhuset"},
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    answer.raise_for_status()
    return int(answer.json()["id"])


def decision_body(base: str, token_: str, group: dict[str, Any], area: int) -> dict[str, Any]:
    """The decision the page sends: an intervention on an area, linked to ten observations."""
    headers = {"Authorization": f"Bearer {token_}"}
    found = httpx.get(
        f"{base}/api/v1/incidents", headers=headers, params={"area": area, "limit": 10}
    ).json()["items"]
    return {
        "text": "Belysning och slyröjning vid den heta platsen.",
        "intervention": {
            "title": "Belysning vid den heta platsen",
            "type": "lighting",
            "owner_organisation_id": group["organisations"][0]["id"],
            "target": {"kind": "area", "area_id": area},
            "categories": ["skadegorelse"],
            "planned_start": localtime.today().isoformat(),
            "incident_ids": [i["id"] for i in found],
        },
    }


LABELS = {
    "one": "one observation with position",
    "ten": "a batch of 10 observations",
    "meeting": "a decision with an intervention",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            if backend == "postgresql" and not PG_URL:
                print("PostgreSQL skipped: set EST_TEST_DATABASE_URL", file=sys.stderr)
                continue
            if backend == "postgresql":
                os.environ.setdefault("EST_TEST_DATABASE_URL", PG_URL or "")
            url = prepare(backend, Path(tmp) / backend)
            for name, found in run(backend, url, args.repeat).items():
                rows.append((backend, LABELS[name], found))
    print(
        f"\n{'backend':<11} {'task':<34} {'interactions':>12} {'server ms':>10} "
        f"{'API ms':>8} {'ratio':>7}"
    )
    for backend, label, found in rows:
        server_ms = statistics.median(found.server_ms)
        api_ms = statistics.median(found.api_ms)
        print(
            f"{backend:<11} {label:<34} {statistics.median(found.interactions):>12.0f} "
            f"{server_ms:>10.1f} {api_ms:>8.1f} {server_ms / api_ms:>6.1f}×"
        )


if __name__ == "__main__":
    main()

"""The guard reports' pages as a browser without JavaScript uses them (#19): the guard
company's person files a day with rounds added and removed by buttons, sees it, and those who
read the whole municipality list it; others are offered no form; the lägesbild and the next
meeting's agenda show the field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.support.axe import axe_problems
from tests.support.field import guard_day, local, service_token, today
from tests.support.pages import browser_for, csrf_of, planned_meeting
from tests.support.people import People, gid
from tests.support.servers import Server

DAY = today() - dt.timedelta(days=1)


def _key(html: str) -> str:
    return re.search(r'name="nyckel" value="([^"]+)"', html)[1]  # type: ignore[index]


def _at(hour: int) -> str:
    return f"{DAY.isoformat()}T{hour:02d}:00"


def test_the_guard_company_files_a_day_with_rounds_added_and_removed(
    server: Server, people: People
) -> None:
    with browser_for(server, people, "reporter") as browser:
        page = browser.get("/bevakning/ny")
        assert page.status_code == 200
        assert "Lägg till runda" in page.text
        base = {
            "csrf_token": csrf_of(page.text),
            "nyckel": _key(page.text),
            "dag": DAY.isoformat(),
            "rundor": "1",
            "iakttagelser": "1",
            "r0-start": _at(21),
            "r0-slut": _at(23),
            "r0-runda": "Bro centrum – Finnsta",
        }
        added = browser.post("/bevakning/ny", data={**base, "atgard": "lagg-till-runda"})
        assert added.status_code == 200
        assert 'id="runda-2"' in added.text and 'name="rundor" value="2"' in added.text
        assert 'value="Bro centrum – Finnsta"' in added.text
        two = {**base, "rundor": "2", "r1-runda": "Råby", "r1-start": _at(22)}
        removed = browser.post("/bevakning/ny", data={**two, "atgard": "ta-bort-runda-2"})
        assert 'id="runda-2"' not in removed.text

        # A round without its end is refused beside its field; personal data in the summary too.
        wrong = browser.post(
            "/bevakning/ny",
            data={**two, "sammanfattning": "Ring 070-123 45 67", "atgard": "skicka"},
        )
        assert wrong.status_code == 422
        assert 'id="r1-slut-error"' in wrong.text
        refused = browser.post(
            "/bevakning/ny",
            data={
                **base,
                "sammanfattning": "Ring 070-123 45 67",
                "o0-kategori": "skadegorelse.klotter",
                "o0-plats": "",
                "o0-omrade": str(people["areas"]["Bro"]["id"]),
                "o0-fran": _at(22),
                "o0-bedomning": "low",
                "atgard": "skicka",
            },
        )
        assert refused.status_code == 422
        assert 'id="sammanfattning-error"' in refused.text
        assert "telefonnummer" in refused.text

        sent = browser.post(
            "/bevakning/ny",
            data={
                **base,
                "sammanfattning": "Lugn kväll.",
                "o0-kategori": "skadegorelse.klotter",
                "o0-omrade": str(people["areas"]["Bro"]["id"]),
                "o0-fran": _at(22),
                "o0-bedomning": "low",
                "o0-text": "Klotter på gaveln.",
                "atgard": "skicka",
            },
        )
        assert sent.status_code == 303, sent.text
        where = sent.headers["location"]
        assert re.fullmatch(r"/bevakning/\d+\?skickad=1", where)
        shown = browser.get(where)
        assert "Rapporten är skickad" in shown.text
        assert "Bro centrum – Finnsta" in shown.text and "Klotter på gaveln." in shown.text
        assert "Lugn kväll." in shown.text

    with browser_for(server, people, "coordination") as browser:
        listed = browser.get("/bevakning")
        assert listed.status_code == 200
        assert where.split("?")[0] in listed.text
        assert "Ny bevakningsrapport" not in listed.text
        assert "lämnas av bevakningsföretagets" in browser.get("/bevakning/ny").text


def test_the_lagesbild_and_the_agenda_show_the_field(server: Server, people: People) -> None:
    token = service_token(server, people)
    seen = {"external_id": "G-1", "category": "Klotter", "area": "Bro"}
    pushed = guard_day(
        server,
        token,
        DAY,
        [(21, 23, "Bro centrum")],
        [{**seen, "occurred_from": local(DAY, 22).isoformat()}],
    )
    guard_id = pushed["guard_report"]["id"]
    coordination = gid(people, "EST samordningsgrupp")
    with browser_for(server, people, "coordination") as browser:
        situation = browser.get(f"/grupper/{coordination}/lagesbild")
        assert situation.status_code == 200
        assert "Kvällar i fält" in situation.text
        assert f'href="/bevakning/{guard_id}"' in situation.text
        assert "Bevakningsrapporterna i perioden" in situation.text
        meeting = browser.get(planned_meeting(browser, people))
        assert "Kvällar och bevakning sedan förra mötet" in meeting.text
        assert "Bevakning: 1 dagrapport, 1 runda, 1 iakttagelse." in meeting.text
        assert "#kvallar-i-falt" in meeting.text


# The markup does not depend on the database (the API tests run both): one backend.
@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
@pytest.mark.browser
def test_the_guard_pages_pass_axe_on_a_phone(
    browser: Browser, server: Server, people: People
) -> None:
    token = service_token(server, people)
    seen = {"external_id": "G-1", "category": "Klotter", "area": "Bro"}
    pushed = guard_day(
        server, token, DAY, [(21, 23, "Bro centrum")],
        [{**seen, "occurred_from": local(DAY, 22).isoformat()}],
    )  # fmt: skip
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE")
    context.add_cookies(
        [{"name": "est_session", "value": people["tokens"]["reporter"], "url": server.url}]
    )
    page = context.new_page()
    failures: dict[str, Any] = {}

    def check(path: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        problems = axe_problems(page)
        if problems or width > 390:
            failures[path] = (problems, width)

    try:
        for path in ("/bevakning", "/bevakning/ny", f"/bevakning/{pushed['guard_report']['id']}"):
            page.goto(server.url + path)
            check(path)
        # The form refused: its errors beside the fields.
        page.goto(server.url + "/bevakning/ny")
        page.fill("#r0-runda", "Bro centrum")
        page.get_by_role("button", name="Skicka rapporten").last.click()
        page.wait_for_selector(".field-error")
        check("/bevakning/ny (refused)")
    finally:
        context.close()
    assert not failures, failures

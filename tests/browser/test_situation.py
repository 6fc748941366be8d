"""The coordination group's lägesbild in Chromium, as its convener works with it in a meeting:
open it, change the period (the figures change in place, through htmx), start a lägesbild
for the period, write the analysis, publish, and see the published version locked."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.support.factories import file_report
from tests.support.pages import sign_in
from tests.support.people import PEOPLE, People
from tests.support.servers import Server

pytestmark = pytest.mark.browser
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _evening(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(21, 30), tzinfo=STOCKHOLM).isoformat()


def test_open_change_period_write_publish_and_see_it_locked(
    page: Page, server: Server, people: People
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    today = dt.datetime.now(STOCKHOLM).date()
    bro = people["areas"]["Bro"]["id"]
    token = people["tokens"]["coordination"]
    # Two incidents in the last fortnight, five in the fortnight a month back.
    recent = [{"area_id": bro, "occurred_from": _evening(today - dt.timedelta(days=2))}] * 2
    earlier = [{"area_id": bro, "occurred_from": _evening(today - dt.timedelta(days=30))}] * 5
    file_report(server, token, *recent, *earlier)
    group = people["groups"]["EST samordningsgrupp"]["id"]

    page.goto(f"{server.url}/grupper/{group}")
    sign_in(page, PEOPLE["coordination"])
    expect(page.get_by_role("heading", level=1)).to_have_text("EST samordningsgrupp")
    page.get_by_role("link", name="Gruppens lägesbild").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lägesbild för EST samordningsgrupp")
    total = page.locator("#figures .key-value").first
    expect(total).to_have_text("2")

    # A marker on the window survives an htmx swap and is lost by a page load.
    page.evaluate("window.__same_page = true")
    first = today - dt.timedelta(days=36)
    last = today - dt.timedelta(days=23)
    page.get_by_label("Från och med").fill(first.isoformat())
    page.get_by_label("Till och med").fill(last.isoformat())
    page.get_by_role("button", name="Visa perioden").click()
    expect(total).to_have_text("5")
    expect(page.locator("#period-line")).to_contain_text("14 dagar")
    assert page.evaluate("window.__same_page") is True
    assert f"fran={first.isoformat()}" in page.url  # the period can be linked to and reloaded

    page.get_by_role("button", name="Skapa lägesbild för perioden").click()
    expect(page.locator("#status")).to_have_text("Utkast")
    expect(page.locator(".key-value").first).to_have_text("5")
    analysis = "Fem händelser i Bro en enda kväll: samma grupp ungdomar vid centrum."
    page.get_by_label("Analys").fill(analysis)
    page.get_by_role("button", name="Spara texten").click()
    expect(page.get_by_text("Texten är sparad.")).to_be_visible()
    expect(page.get_by_label("Analys")).to_have_value(analysis)

    page.get_by_role("button", name="Publicera lägesbilden").click()
    expect(page.locator("#status")).to_have_text("Publicerad")
    expect(page.locator("#locked")).to_contain_text("låsta")
    expect(page.locator("#text-analysis")).to_have_text(analysis)
    # Locked: no text to edit, no period to change, nothing to publish.
    expect(page.locator("textarea")).to_have_count(0)
    expect(page.get_by_role("button", name="Publicera lägesbilden")).to_have_count(0)
    expect(page.get_by_role("button", name="Ändra perioden")).to_have_count(0)

    # An incident filed afterwards in the period does not change the published figures.
    file_report(server, token, {"area_id": bro, "occurred_from": _evening(first)})
    page.reload()
    expect(page.locator(".key-value").first).to_have_text("5")
    # The group's list shows it as published.
    page.goto(f"{server.url}/grupper/{group}/lagesbild")
    expect(page.locator(".status-published").first).to_have_text("Publicerad")

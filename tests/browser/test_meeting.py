"""A whole meeting in Chromium: the convener plans it and opens the agenda built for it,
records a decision that creates an intervention linked to a reporter's incident, follows the
intervention up, marks it done and tells the reporters; the reporter then opens their own
report and sees what came of it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.factories import file_report
from tests.support.pages import sign_in
from tests.support.people import PEOPLE, People
from tests.support.servers import Server
from web.format import date_sv

pytestmark = pytest.mark.browser
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_a_meeting_decides_an_intervention_and_the_reporter_hears_of_it(
    page: Page, browser: Browser, server: Server, people: People
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    today = dt.datetime.now(STOCKHOLM).date()
    yesterday = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(21, 30), STOCKHOLM)
    report = file_report(
        server,
        people["tokens"]["reporter"],
        {"area_id": people["areas"]["Bro"]["id"], "occurred_from": yesterday.isoformat()},
    )
    incident = report["incidents"][0]["id"]
    group = people["groups"]["EST samordningsgrupp"]["id"]

    # The convener plans the meeting on the suggested day and opens its agenda.
    page.goto(f"{server.url}/grupper/{group}/moten")
    sign_in(page, PEOPLE["coordination"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Möten i EST samordningsgrupp")
    page.get_by_label("Plats").fill("Kommunhuset, sal 2")
    page.get_by_role("button", name="Planera mötet").click()
    expect(page.get_by_role("heading", name="Dagordning")).to_be_visible()
    expect(page.locator(".agenda")).to_contain_text(
        "Lägesbild: 1 ny händelse de senaste 14 dagarna"
    )
    expect(page.locator(".agenda")).to_contain_text("Övriga frågor")

    # A decision that creates an intervention, linked to the reporter's incident.
    page.get_by_label("Nytt beslut").fill("Slyröjning vid Fasanstigen före jul.")
    page.get_by_text("Beslutet gäller en insats").click()
    page.get_by_label("Skapa insatsen med beslutet").check()
    page.get_by_label("Insatsens rubrik").fill("Slyröjning vid Fasanstigen")
    page.get_by_label("Typ", exact=True).select_option("clearing")
    page.get_by_label("Riktar sig mot").select_option("skadegorelse")
    page.get_by_label("Område", exact=True).select_option(label="Bro")
    page.get_by_label("Ägare", exact=True).select_option(label="Upplands-Brohus")
    page.get_by_label("Kopplade händelser").fill(str(incident))
    page.get_by_role("button", name="Spara beslutet").click()
    decision = page.locator("#beslut li", has_text="Slyröjning vid Fasanstigen före jul.")
    expect(decision).to_be_visible()

    # Follow it up, mark it done, and tell the reporters.
    decision.get_by_role("link", name="insatsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Slyröjning vid Fasanstigen")
    page.get_by_label("Vad gjordes").fill("Slyet längs gångvägen är röjt.")
    page.get_by_role("button", name="Spara uppföljningen").click()
    expect(page.locator("#uppfoljning")).to_contain_text("Slyet längs gångvägen är röjt.")
    page.locator("#status").select_option("done")
    page.get_by_role("button", name="Ändra status").click()
    expect(page.locator(".kicker")).to_contain_text("Genomförd")
    page.get_by_label("Hur").select_option("email")
    told = "Buskarna vid Fasanstigen är röjda och belysningen är lagad. Tack för rapporten!"
    page.get_by_label("Vad som berättades").fill(told)
    page.get_by_label("Rapportörerna").check()
    page.get_by_role("button", name="Spara återkopplingen").click()
    expect(page.locator("#aterkoppling")).to_contain_text(told)

    # The reporter opens their own report and sees what came of it.
    context = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 844})
    try:
        theirs = context.new_page()
        theirs.goto(f"{server.url}/rapporter/{report['id']}")
        sign_in(theirs, PEOPLE["reporter"])
        outcome = theirs.locator(".outcome")
        expect(outcome).to_contain_text(
            f"Din rapport ingår i insatsen Slyröjning vid Fasanstigen, genomförd {date_sv(today)}"
        )
        expect(outcome).to_contain_text(told)
    finally:
        context.close()

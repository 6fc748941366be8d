"""The thread from strategy to action in Chromium: the steering group sets a goal and gives
the Kungsängen area group an assignment; it is on that group's next agenda; the group
answers it at the meeting with an intervention; the steering group's thread view shows the
chain, and the intervention names the goal it serves."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.pages import sign_in
from tests.support.people import PEOPLE, People
from tests.support.servers import Server

pytestmark = pytest.mark.browser
TASK = "Kartlägg mopedkörningen vid Kungsängens centrum"


def test_an_assignment_from_goal_to_intervention(
    page: Page, browser: Browser, server: Server, people: People
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    kungsangen = people["groups"]["EST områdesgrupp Kungsängen"]["id"]

    # The steering group sets the goal and gives the assignment.
    page.goto(f"{server.url}/styrning")
    sign_in(page, PEOPLE["steering"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Mål och planer")
    page.get_by_text("Nytt mål").click()
    page.get_by_label("Temaområde").fill("Olovlig körning")
    page.get_by_label("Målet (obligatoriskt)", exact=True).fill("Ingen olovlig körning i centrum")
    page.get_by_role("button", name="Spara målet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingen olovlig körning i centrum")
    goal_url = page.url
    page.get_by_text("Ge ett uppdrag").click()
    page.get_by_label("Till", exact=True).select_option(label="EST områdesgrupp Kungsängen")
    page.get_by_label("Vad gruppen ska göra").fill(TASK)
    due = dt.date.today() + dt.timedelta(days=28)
    page.get_by_label("Återrapport senast").fill(due.isoformat())
    page.get_by_role("button", name="Ge uppdraget").click()
    expect(page.locator("#uppdrag")).to_contain_text("Väntar på återrapport")

    # The area group's member plans the next meeting: the assignment is on its agenda.
    context = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 844})
    try:
        member = context.new_page()
        member.goto(f"{server.url}/grupper/{kungsangen}/moten")
        sign_in(member, PEOPLE["kungsangen"])
        member.get_by_role("button", name="Planera mötet").click()
        agenda = member.locator(".agenda")
        expect(agenda).to_contain_text(f"Uppdrag från EST styrgrupp: {TASK}")
        expect(agenda.locator("li").last).to_contain_text("Övriga frågor")

        # At the meeting the group answers it with an intervention.
        member.get_by_label("Nytt beslut").fill("Vi startar trafikkontroller med polisen.")
        member.get_by_text("Beslutet gäller en insats").click()
        member.get_by_label("Skapa insatsen med beslutet").check()
        member.get_by_label("Insatsens rubrik").fill("Trafikkontroller i centrum")
        member.get_by_label("Typ", exact=True).select_option("outreach")
        member.get_by_label("Riktar sig mot").select_option("skadegorelse")
        member.get_by_label("Ägare", exact=True).select_option(label="Upplands-Brohus")
        member.get_by_text("Beslutet besvarar ett uppdrag").click()
        member.get_by_label("Uppdrag från styrgruppen").select_option(
            label=f"Uppdrag från EST styrgrupp: {TASK}"
        )
        member.get_by_role("button", name="Spara beslutet").click()
        decision = member.locator("#beslut li", has_text="Vi startar trafikkontroller")
        expect(decision).to_contain_text("svar på uppdraget")
        decision.get_by_role("link", name="svar på uppdraget").click()
        expect(member.locator(".kicker")).to_contain_text("Återrapporterat")
        expect(member.locator("#aterrapport")).to_contain_text("Trafikkontroller i centrum")
    finally:
        context.close()

    # The steering group's thread view shows the chain, and the intervention its goal.
    page.goto(goal_url)
    expect(page.locator("#uppdrag")).to_contain_text("Återrapporterat")
    expect(page.locator("#uppdrag")).to_contain_text("Vi startar trafikkontroller med polisen.")
    row = page.locator("#insatser tr", has_text="Trafikkontroller i centrum")
    expect(row).to_contain_text("Planerad")
    expect(row).to_contain_text("svar på uppdrag")
    row.get_by_role("link", name="Trafikkontroller i centrum").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trafikkontroller i centrum")
    page.get_by_role("link", name="Ingen olovlig körning i centrum").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingen olovlig körning i centrum")

"""A whole meeting in Chromium: the convener plans it and opens the agenda built for it,
records a decision that creates an intervention linked to a reporter's incident, follows the
intervention up, marks it done and tells the reporters; the reporter then opens their own
report and sees what came of it. And the meeting on a projector (1920×1080): observations
linked by picking a hot spot and filtered ones, each save said where it happened, the
agenda's projector view, and "Möten" in the menu for those who read meetings."""

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
    # Linked by ticking it in the list of the agenda period's observations.
    page.locator(f"#valbara input[name=handelse][value='{incident}']").check()
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


def test_on_a_projector_observations_are_picked_and_each_save_keeps_the_place(
    page: Page, browser: Browser, server: Server, people: People
) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    today = dt.datetime.now(STOCKHOLM).date()
    evening = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(21, 30), STOCKHOLM)
    bro = people["areas"]["Bro"]["id"]

    def seen(category: str, text: str, lat: float, lon: float) -> dict[str, object]:
        return {
            "area_id": bro,
            "category": category,
            "occurred_from": evening.isoformat(),
            "description": text,
            "position": {"lat": lat, "lon": lon},
        }

    # Three pieces of graffiti at the square make a hot spot; a moped and a broken lamp do not.
    graffiti = seen("skadegorelse.klotter", "Klotter på muren vid torget", 59.5117, 17.6364)
    report = file_report(
        server,
        people["tokens"]["reporter"],
        graffiti,
        graffiti,
        graffiti,
        seen("trafik.olovlig_korning", "Mopeder på gångvägen", 59.5200, 17.6000),
        seen("plats.belysning", "Trasig lampa i tunneln", 59.5050, 17.6600),
    )
    hot = sorted(i["id"] for i in report["incidents"][:3])
    moped, lamp = (i["id"] for i in report["incidents"][3:])
    group = people["groups"]["EST samordningsgrupp"]["id"]

    page.goto(f"{server.url}/grupper/{group}/moten")
    sign_in(page, PEOPLE["coordination"])
    menu = page.get_by_role("navigation", name="Huvudmeny")
    expect(menu.get_by_role("link", name="Möten", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_role("button", name="Planera mötet").click()
    expect(page.locator(".agenda")).to_contain_text("Lägesbild: 5 nya händelser")
    expect(page.locator(".agenda")).to_contain_text("Heta platser (1)")
    # The agenda says which days it counted, and the lägesbild of those days beside it.
    expect(page.locator(".agenda")).to_contain_text("har nu 5 händelser och 1 het plats")
    meeting_url = page.url

    page.get_by_label("Nytt beslut").fill("Klottersanering vid torget och samtal om mopederna.")
    page.get_by_text("Beslutet gäller en insats").click()
    page.get_by_label("Skapa insatsen med beslutet").check()
    page.get_by_label("Insatsens rubrik").fill("Klottersanering vid torget")
    page.get_by_label("Typ", exact=True).select_option("clearing")
    page.get_by_label("Riktar sig mot").select_option("skadegorelse")
    page.get_by_label("Område", exact=True).select_option(label="Bro")
    page.get_by_label("Ägare", exact=True).select_option(label="Upplands-Brohus")

    # The hot spot whole, with one tick.
    page.get_by_label("Bro: 3 händelser", exact=False).check()
    # The moped found by its words: the list filters in place (htmx), nothing else reloads.
    page.evaluate("window.__same_page = true")
    expect(page.locator("#valbara input[name=handelse]")).to_have_count(5)
    page.get_by_label("Sök i texten").fill("Mopeder")
    expect(page.locator("#valbara input[name=handelse]")).to_have_count(1)
    assert page.evaluate("window.__same_page") is True
    page.locator(f"#valbara input[value='{moped}']").check()
    page.get_by_role("button", name="Spara beslutet").click()

    # Back at the decision, which says it was saved, scrolled into view.
    page.wait_for_url("**#beslut-*")
    decision_id = page.url.rsplit("#beslut-", 1)[1]
    assert f"sparat=beslut-{decision_id}" in page.url
    saved = page.locator(f"#beslut-{decision_id}")
    expect(saved.get_by_role("status")).to_have_text("Beslutet är sparat. Insatsen är skapad.")
    expect(saved).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0  # scrolled there, not left at the top

    # The intervention holds the hot spot's observations and the moped, not the lamp.
    saved.get_by_role("link", name="insatsen").click()
    linked = page.locator("dt:text-is('Kopplade händelser') + dd")
    for number in [*hot, moped]:
        expect(linked.get_by_role("link", name=str(number), exact=True)).to_be_visible()
    expect(linked.get_by_role("link", name=str(lamp), exact=True)).to_have_count(0)

    # A follow-up dated before the start is refused beside its field; one on time is saved,
    # and the page comes back to it.
    page.locator("#dag").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_label("Vad gjordes").fill("Muren är tvättad.")
    page.get_by_role("button", name="Spara uppföljningen").click()
    expect(page.locator("#dag-error")).to_have_text(
        f"Uppföljningen kan inte vara före insatsens start {date_sv(today)}."
    )
    page.locator("#dag").fill(today.isoformat())
    page.get_by_role("button", name="Spara uppföljningen").click()
    page.wait_for_url("**#uppfoljning-*")
    follow_up = page.locator("#uppfoljning li").first
    expect(follow_up.get_by_role("status")).to_have_text("Uppföljningen är sparad.")
    expect(follow_up).to_be_in_viewport()

    # The agenda on the projector: large type, no menus.
    page.goto(meeting_url)
    page.get_by_role("link", name="Visa dagordningen för projektor").click()
    expect(page.get_by_role("heading", name="Dagordning")).to_be_visible()
    expect(page.locator(".projector-agenda")).to_contain_text("Heta platser (1)")
    expect(page.locator("nav")).to_have_count(0)
    sizes = page.evaluate(
        """() => ({
            body: parseFloat(getComputedStyle(document.body).fontSize),
            item: parseFloat(getComputedStyle(document.querySelector('.item-note')
                || document.querySelector('.projector-agenda li')).fontSize),
            h1: parseFloat(getComputedStyle(document.querySelector('h1')).fontSize),
            h2: parseFloat(getComputedStyle(document.querySelector('h2')).fontSize),
        })"""
    )
    assert sizes["body"] >= 18 and sizes["item"] >= 18, sizes
    assert sizes["h1"] > sizes["h2"] > sizes["body"], sizes
    # The hot-spot map's words as drawn: the SVG's font size times its scale on the screen.
    drawn = page.locator("svg[data-map] text").evaluate_all(
        "els => els.map(el => parseFloat(getComputedStyle(el).fontSize) * el.getScreenCTM().a)"
    )
    assert drawn and min(drawn) >= 18, drawn
    # As on the meeting's page, what the agenda counted is told beside what the lägesbild
    # holds now; the hot spots listed are those counted and on the map; each part fits the
    # 1080 screen and the decisions are a link away.
    expect(page.locator(".projector-agenda")).to_contain_text("när dagordningen byggdes")
    expect(page.locator(".projector-agenda")).to_contain_text("Lägesbilden ")
    expect(page.locator(".projector-spots li")).to_have_count(1)
    expect(page.locator(".projector-figures")).to_contain_text("1 het plats")
    heights = page.locator(".projector-part").evaluate_all(
        "els => els.map(el => el.getBoundingClientRect().height)"
    )
    assert len(heights) == 3 and max(heights) <= 1080, heights
    page.get_by_role("link", name="Beslut", exact=True).click()
    expect(page.get_by_role("heading", name="Beslut")).to_be_in_viewport()

    # A reporter reads no meetings: no "Möten" in their menu.
    context = browser.new_context(locale="sv-SE", viewport={"width": 1920, "height": 1080})
    try:
        theirs = context.new_page()
        theirs.goto(f"{server.url}/")
        sign_in(theirs, PEOPLE["reporter"])
        their_menu = theirs.get_by_role("navigation", name="Huvudmeny")
        expect(their_menu.get_by_role("link", name="Händelser")).to_be_visible()
        expect(their_menu.get_by_role("link", name="Möten", exact=True)).to_have_count(0)
    finally:
        context.close()

"""WCAG 2.1 A and AA as axe-core checks them (labels, headings, landmarks, contrast …), on
every page, on a small phone (360 px) and on a projector-sized screen; and no page wider
than the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ViewportSize

from tests.support.axe import axe_problems, with_axe
from tests.support.factories import file_report
from tests.support.people import Demo, People
from tests.support.servers import Server

pytestmark = pytest.mark.browser

VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 360, "height": 740},
    "projector": {"width": 1920, "height": 1080},
}


def pages(demo: Demo) -> list[str]:
    return [
        "/",
        f"/grupper/{demo['groups']['EST områdesgrupp Bro']['id']}",
        f"/grupper/{demo['groups']['EST styrgrupp']['id']}",
        f"/omraden/{demo['areas']['Kungsängen']['id']}",
        "/organisationer",
        "/organisationer?typ=okand",
        "/finns-inte",
        "/admin/logg",
        "/admin/logg?fran=igar",
        "/handelser",
        "/handelser?fran=igar",
        "/karta",
        "/rapportera",
        f"/grupper/{demo['groups']['EST samordningsgrupp']['id']}/analys",
        # Single sign-on, SCIM and password sign-in (#22): the administrator's settings.
        "/kommun/inloggning",
        "/kommun/inloggning/scim",
    ]


# The markup is the same whichever database holds the records, and this is the suite's most
# expensive test (30 s a run): one backend.
@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_pages_pass_axe(
    browser: Browser,
    server: Server,
    demo: Demo,
    people: People,
    viewport: str,
    api: httpx.Client,
) -> None:
    # axe is loaded with every page, before the page's own scripts.
    context = with_axe(browser.new_context(viewport=VIEWPORTS[viewport], locale="sv-SE"))
    page = context.new_page()
    failures: dict[str, Any] = {}

    def check(path: str) -> None:
        page.goto(server.url + path)
        check_current(path)

    def check_current(path: str) -> None:
        # Nothing wider than the screen: sideways scrolling on a phone hides half the page.
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > VIEWPORTS[viewport]["width"]:
            failures[f"{path} (width)"] = width
        problems = axe_problems(page)
        if problems:
            failures[path] = problems

    try:
        check("/logga-in")
        token = api.headers["Authorization"].removeprefix("Bearer ")
        context.add_cookies([{"name": "est_session", "value": token, "url": server.url}])
        for path in pages(demo):
            check(path)
        # An incident, the confirmation of its report, and the filing form with errors.
        filed = file_report(
            server,
            people["tokens"]["admin"],
            {"area_id": demo["areas"]["Bro"]["id"], "description": "Klotter på busskuren."},
        )
        check(f"/handelser/{filed['incidents'][0]['id']}")
        check(f"/handelser/{filed['incidents'][0]['id']}/andra")
        check(f"/rapporter/{filed['id']}")
        # The filing form as a reporter sees it (refused to whoever may not file: the test's
        # administrator belongs to no organisation), then back to the administrator.
        reporter = people["tokens"]["reporter"]
        context.add_cookies([{"name": "est_session", "value": reporter, "url": server.url}])
        page.goto(server.url + "/rapportera")
        page.get_by_role("button", name="Skicka rapporten").click()
        page.wait_for_selector(".field-error")
        check_current(page.url)
        context.add_cookies([{"name": "est_session", "value": token, "url": server.url}])
        # The lägesbild: the group's live figures, a published version and its draft
        # successor, the comparison, the projector and print views.
        group = demo["groups"]["EST samordningsgrupp"]["id"]
        check(f"/grupper/{group}/lagesbild")
        first = api.post(f"/api/v1/groups/{group}/situation-reports", json={}).json()
        api.post(f"/api/v1/situation-reports/{first['id']}/publish")
        second = api.post(f"/api/v1/situation-reports/{first['id']}/versions").json()
        for path in ("", "/visning", "/utskrift", f"/jamfor/{first['id']}"):
            check(f"/lagesbild/{second['id']}{path}")
        check(f"/lagesbild/{first['id']}")
        # The yearly lägesbild (lag 2023:196), its print view, and the police's statistics
        # it shows, entered on a page of their own.
        yearly = api.post(
            f"/api/v1/groups/{group}/situation-reports", json={"kind": "year", "year": 2025}
        ).json()
        for path in (f"/lagesbild/{yearly['id']}", f"/lagesbild/{yearly['id']}/utskrift"):
            check(path)
        check("/kommun/polisstatistik?ar=2025")
        # An intervention with a follow-up, and the form for a new one, empty and refused.
        intervention = api.post(
            "/api/v1/interventions",
            json={
                "group_id": group,
                "title": "Slyröjning vid Fasanstigen",
                "type": "clearing",
                "owner_organisation_id": demo["organisations"]["Upplands-Brohus"]["id"],
                "target": {"kind": "area", "area_id": demo["areas"]["Bro"]["id"]},
                "categories": ["skadegorelse"],
                "planned_start": "2026-01-12",
            },
        )
        assert intervention.status_code == 201, intervention.text
        iid = intervention.json()["id"]
        api.post(
            f"/api/v1/interventions/{iid}/follow-ups",
            json={"day": "2026-02-01", "done": "Röjt längs gångvägen.", "seen": "Ljusare."},
        )
        check(f"/insatser/{iid}")
        meeting = api.post(
            f"/api/v1/groups/{group}/meetings",
            json={"starts_at": "2030-01-15T13:00:00+01:00", "location": "Kommunhuset"},
        )
        assert meeting.status_code == 201, meeting.text
        check(f"/grupper/{group}/moten")
        check(f"/moten/{meeting.json()['id']}")
        check(f"/moten/{meeting.json()['id']}/projektor")
        check("/moten")
        # An evening in the field: the list, a new one's form, its briefing and edit form.
        evening = api.post(
            "/api/v1/evenings",
            json={
                "day": "2030-01-18",
                "area_id": demo["areas"]["Bro"]["id"],
                "briefing_place": "Brohuset",
                "watch": [{"label": "Bro centrum", "reason": "Samlingar vid stationen."}],
                "shifts": [{"organisation_id": demo["organisations"]["Fältgruppen"]["id"]}],
            },
        )
        assert evening.status_code == 201, evening.text
        check("/kvallar")
        check("/kvallar/ny")
        check(f"/kvallar/{evening.json()['id']}")
        check(f"/kvallar/{evening.json()['id']}/andra")
        check(f"/grupper/{group}/insatser/ny")
        page.get_by_role("button", name="Spara insatsen").click()
        page.wait_for_selector(".field-error")
        check_current(page.url)
        # Reading a mapping tool's export in: the form, a preview with rejected rows, and
        # the category mapping.
        check("/import")
        sample = Path(__file__).resolve().parents[1] / "data" / "embrace-export-sample.csv"
        uploaded = api.post(
            "/api/v1/imports",
            data={"source": "embrace"},
            files={"file": ("export.csv", sample.read_bytes().replace(b"Bro;", b"Kista;"))},
        )
        assert uploaded.status_code == 201, uploaded.text
        check(f"/import/{uploaded.json()['id']}")
        api.put(
            "/api/v1/category-mappings",
            json={"source": "embrace", "name": "Buskörning", "category": "trafik"},
        )
        check("/import/kategorier")
        # Steering: the goals and plans, a goal's thread with both kinds of indicator and an
        # assignment, the assignment, a plan and its yearly follow-up.
        steering = demo["groups"]["EST styrgrupp"]["id"]
        goal = api.post(
            "/api/v1/goals",
            json={"group_id": steering, "theme": "ANDT", "title": "Färre unga som dricker"},
        ).json()
        counted = api.post(
            f"/api/v1/goals/{goal['id']}/indicators",
            json={"name": "Skadegörelse", "kind": "computed", "category": "skadegorelse"},
        ).json()
        surveyed = api.post(
            f"/api/v1/goals/{goal['id']}/indicators",
            json={"name": "Andel som druckit", "kind": "manual", "unit": "procent"},
        ).json()
        api.put(
            f"/api/v1/indicators/{surveyed['id']}/values/2024",
            json={"value": 21.5, "source": "Stockholmsenkäten 2024"},
        )
        assignment = api.post(
            "/api/v1/assignments",
            json={
                "goal_id": goal["id"],
                "to_group_id": demo["groups"]["EST områdesgrupp Bro"]["id"],
                "title": "Kartlägg langningen",
                "due": "2030-03-01",
            },
        ).json()
        plan = api.post(
            "/api/v1/plans",
            json={
                "group_id": steering,
                "title": "ANDT-plan",
                "goal_id": goal["id"],
                "period_start": "2025-01-01",
                "period_end": "2027-12-31",
            },
        ).json()
        api.post(
            f"/api/v1/plans/{plan['id']}/activities",
            json={
                "title": "Föräldramöten",
                "responsible_office": "Socialkontoret",
                "period_start": "2025-01-01",
                "indicator_id": counted["id"],
                "child_perspective": "Unga deltar i planeringen.",
            },
        )
        for path in (
            "/styrning",
            f"/mal/{goal['id']}",
            f"/uppdrag/{assignment['id']}",
            f"/planer/{plan['id']}",
            f"/planer/{plan['id']}/uppfoljning/2025",
            f"/planer/{plan['id']}/uppfoljning/2025/utskrift",
        ):
            check(path)
        page.goto(server.url + f"/planer/{plan['id']}")
        page.get_by_text("Ny aktivitet").click()
        # The server's messages beside the fields, as a browser that checks nothing gets them.
        page.evaluate("document.querySelectorAll('[required]').forEach(e => e.required = false)")
        page.get_by_role("button", name="Lägg till aktiviteten").click()
        page.wait_for_selector(".field-error")
        check_current(page.url)
        # The account menu, opened. (Before axe came with every page this checked nothing:
        # the page it opened on had no axe.)
        page.goto(server.url + "/")
        page.locator(".account-menu summary").click()
        check_current("/ (the account menu open)")
    finally:
        context.close()
    assert failures == {}

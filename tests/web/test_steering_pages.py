"""The steering pages without JavaScript: a goal with an indicator and a survey figure, an
assignment given from the goal and answered on its page, a plan with an activity and its
yearly follow-up as a page and a PDF; and a form's mistakes shown beside their fields."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx

from tests.support.pages import browser_for, csrf_of, form
from tests.support.people import People
from tests.support.servers import Server

KUNGSANGEN = "EST områdesgrupp Kungsängen"


def post(client: httpx.Client, url: str, page: str, **data: Any) -> httpx.Response:
    return client.post(url, data={"csrf_token": csrf_of(page), **data}, follow_redirects=False)


def test_a_goal_its_indicators_and_an_assignment_through_the_pages(
    server: Server, people: People
) -> None:
    with browser_for(server, people, "steering") as steering:
        start = steering.get("/styrning")
        assert start.status_code == 200
        assert 'href="/styrning" aria-current="page"' in start.text
        # A mistake is answered beside its field, and what was typed is kept.
        missing = post(steering, "/styrning/mal", start.text, tema="ANDT", titel="")
        assert missing.status_code == 422
        assert 'id="titel-error"' in missing.text and 'value="ANDT"' in missing.text
        made = post(
            steering,
            "/styrning/mal",
            start.text,
            tema="ANDT",
            titel="Färre unga som dricker alkohol",
            start="2025-01-01",
        )
        assert made.status_code == 303
        goal_url = made.headers["location"]
        page = steering.get(goal_url).text
        assert "Färre unga som dricker alkohol" in page
        added = post(
            steering,
            f"{goal_url}/indikatorer",
            page,
            namn="Andel i åk 9 som druckit alkohol",
            slag="manual",
            enhet="procent",
            kalla="Stockholmsenkäten",
            riktning="decrease",
        )
        assert added.status_code == 303, added.text
        page = steering.get(goal_url).text
        indicator = re.search(r'<option value="(\d+)"[^>]*>Andel i åk 9', page)
        assert indicator
        bad = post(
            steering,
            f"{goal_url}/varden",
            page,
            indikator=indicator[1],
            ar="2024",
            varde="tolv",
            vkalla="",
        )
        assert bad.status_code == 422
        assert 'id="varde-error"' in bad.text and 'id="vkalla-error"' in bad.text
        for year, value in (("2022", "31,5"), ("2024", "27")):
            saved = post(
                steering,
                f"{goal_url}/varden",
                page,
                indikator=indicator[1],
                ar=year,
                varde=value,
                vkalla=f"Stockholmsenkäten {year}",
            )
            assert saved.status_code == 303, saved.text
        page = steering.get(goal_url).text
        assert "2022: 31,5 → 2024: 27 (bättre)." in page
        assert '<svg class="chart"' in page
        kungsangen = people["groups"][KUNGSANGEN]["id"]
        due = (dt.date.today() + dt.timedelta(days=21)).isoformat()
        given = post(
            steering,
            f"{goal_url}/uppdrag",
            page,
            grupp=str(kungsangen),
            uppgift="Ta fram en plan mot langning",
            varfor="",
            senast=due,
        )
        assert given.status_code == 303, given.text
        page = steering.get(goal_url).text
        assignment = re.search(r'href="/uppdrag/(\d+)">Ta fram en plan mot langning', page)
        assert assignment and "Väntar på återrapport" in page
    with browser_for(server, people, "kungsangen") as member:
        # On the group's own page until it is answered.
        group_page = member.get(f"/grupper/{kungsangen}").text
        assert f'<a href="/uppdrag/{assignment[1]}">Ta fram en plan mot langning</a>' in group_page
        url = f"/uppdrag/{assignment[1]}"
        shown = member.get(url)
        assert shown.status_code == 200
        # The area group reads its assignment but not the steering group's goal pages.
        assert 'href="/mal/' not in shown.text
        assert member.get(goal_url).status_code == 403
        empty = post(member, f"{url}/svar", shown.text, svar=" ")
        assert empty.status_code == 422 and 'id="svar-error"' in empty.text
        answered = post(member, f"{url}/svar", shown.text, svar="Planen är klar och antagen.")
        assert answered.status_code == 303
        assert "Planen är klar och antagen." in member.get(url).text
        assert "Uppdrag att återrapportera" not in member.get(f"/grupper/{kungsangen}").text
    with browser_for(server, people, "steering") as steering:
        page = steering.get(goal_url).text
        assert "Återrapporterat" in page and "Planen är klar och antagen." in page
        # A figure entered by mistake is taken back; a goal reached is closed.
        removed = post(steering, f"{goal_url}/varden/{indicator[1]}/2022/ta-bort", page)
        assert removed.status_code == 303
        page = steering.get(goal_url).text
        assert "2024: 27." in page and "31,5" not in page
        closed = post(steering, f"{goal_url}/aktiv", page, aktiv="nej")
        assert closed.status_code == 303
        listing = steering.get("/styrning").text
        assert "Avslutade mål och planer" in listing
        assert "Öppna målet igen" in steering.get(goal_url).text


def test_a_plan_and_its_yearly_follow_up_as_a_page_and_a_pdf(
    server: Server, people: People
) -> None:
    police = people["organisations"]["Polisen, lokalpolisområde"]["id"]
    with browser_for(server, people, "steering") as steering:
        start = steering.get("/styrning").text
        made = post(
            steering,
            "/styrning/planer",
            start,
            ptitel="Handlingsplan mot hedersrelaterat våld och förtryck",
            pmal="",
            pstart="2025-01-01",
            pslut="2026-12-31",
            antagen_av="Kommunfullmäktige",
        )
        assert made.status_code == 303, made.text
        plan_url = made.headers["location"]
        page = steering.get(plan_url).text
        activity = {
            "atitel": "Utbildning för skolpersonal",
            "ansvarig": "Utbildningskontoret",
            "partner": str(police),
            "andra": "Länsstyrelsen",
            "astart": "2025-02-01",
            "astatus": "ongoing",
        }
        # Without its child perspective the activity is refused beside that field.
        refused = post(steering, f"{plan_url}/aktiviteter", page, **activity, barn="")
        assert refused.status_code == 422
        assert 'id="barn-error"' in refused.text
        assert 'value="Utbildning för skolpersonal"' in refused.text
        added = post(
            steering,
            f"{plan_url}/aktiviteter",
            page,
            **activity,
            barn="Eleverna får veta vart de kan vända sig.",
        )
        assert added.status_code == 303, added.text
        page = steering.get(plan_url).text
        assert "Polisen, lokalpolisområde, Länsstyrelsen" in page
        assert "Eleverna får veta vart de kan vända sig." in page
        year_url = f"{plan_url}/uppfoljning/2025"
        year = steering.get(year_url)
        assert year.status_code == 200
        assert "varav 1 utan uppföljning för 2025" in year.text
        activity_id = re.search(r'id="aktivitet-(\d+)"', year.text)
        assert activity_id
        bad = post(
            steering, f"{year_url}/aktiviteter/{activity_id[1]}", year.text, status="done", gjort=""
        )
        assert bad.status_code == 422
        assert f'id="{activity_id[1]}-gjort-error"' in bad.text
        reviewed = post(
            steering,
            f"{year_url}/aktiviteter/{activity_id[1]}",
            year.text,
            status="done",
            gjort="Fyra skolor utbildade.",
            bedomning="",
        )
        assert reviewed.status_code == 303
        summary = post(steering, year_url, year.text, sammanfattning="Året gick enligt plan.")
        assert summary.status_code == 303
        year = steering.get(year_url)
        assert "Fyra skolor utbildade." in year.text and "Året gick enligt plan." in year.text
        assert "utan uppföljning" not in year.text
        # A year outside the plan has no follow-up page.
        assert steering.get(f"{plan_url}/uppfoljning/2031").status_code == 422
        printed = steering.get(f"{year_url}/utskrift")
        assert printed.status_code == 200 and "Fyra skolor utbildade." in printed.text
        pdf = steering.get(f"{year_url}.pdf")
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
    with browser_for(server, people, "reporter") as reporter:
        # Not in the menu, and the page itself says who reads it.
        assert 'href="/styrning"' not in reporter.get("/").text
        assert reporter.get(plan_url).status_code == 403


def test_a_new_intervention_names_the_goal_it_serves(server: Server, people: People) -> None:
    coordination = people["groups"]["EST samordningsgrupp"]["id"]
    with browser_for(server, people, "steering") as steering:
        start = steering.get("/styrning").text
        goal_url = post(
            steering, "/styrning/mal", start, tema="Unga 13–18", titel="Tryggare centrum"
        ).headers["location"]
    with browser_for(server, people, "coordination") as convener:
        blank = convener.get(f"/grupper/{coordination}/insatser/ny").text
        goal_id = goal_url.rsplit("/", 1)[1]
        assert f'<option value="{goal_id}"' in blank  # offered in the "Varför" part
        made = convener.post(
            f"/grupper/{coordination}/insatser",
            data=form(blank, people, tjanar=goal_id),
            follow_redirects=False,
        )
        assert made.status_code == 303, made.text
        page = convener.get(made.headers["location"]).text
        assert f'<a href="/mal/{goal_id}">Tryggare centrum</a>' in page
        # A goal that is not in the list is refused beside the field.
        wrong = convener.post(
            f"/grupper/{coordination}/insatser", data=form(blank, people, tjanar="987654")
        )
        assert wrong.status_code == 422 and 'id="tjanar-error"' in wrong.text
    with browser_for(server, people, "steering") as steering:
        assert "Slyröjning vid Fasanstigen" in steering.get(goal_url).text

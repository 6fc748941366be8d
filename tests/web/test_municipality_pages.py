"""The pages of several municipalities (#21): the administrator's settings of their
municipality, and the platform operator's municipalities, made with their first
administrator. Without JavaScript, as a phone or the projector shows them."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser

from tests.support.cli import est
from tests.support.pages import browser_for, csrf_of
from tests.support.people import People
from tests.support.phone import AXE, axe_problems, phone_page
from tests.support.servers import Server, http_client

OPERATOR = "operatorn@est.test"


def _operator_browser(server: Server) -> httpx.Client:
    made = est(
        server.settings.database_url, "operator", "create", "--email", OPERATOR, "--name", "Op"
    )
    assert made.returncode == 0, made.stderr
    token = server.token_for(OPERATOR)
    return http_client(base_url=server.url, timeout=60, cookies={"est_session": token})


def test_the_administrator_sets_the_municipality_s_settings(server: Server, people: People) -> None:
    with browser_for(server, people, "admin") as admin:
        form = admin.get("/kommun/installningar")
        assert form.status_code == 200
        assert 'href="/kommun/installningar"' in form.text  # in the menu
        assert "Idag i kommunen" in form.text and "Upplands-Bro" in form.text
        csrf = csrf_of(form.text)
        base = {
            "csrf_token": csrf,
            "namn": "Upplands-Bro kommun",
            "tidszon": "Europe/Stockholm",
            "koordinatsystem": "EPSG:3011",
        }
        saved = admin.post(
            "/kommun/installningar",
            data={**base, "narmaste_plats": "800", "gallra_text": "36", "gallra_logg": "7"},
        )
        assert saved.status_code == 303, saved.text
        assert saved.headers["location"] == "/kommun/installningar?sparat=1"
        again = admin.get("/kommun/installningar?sparat=1").text
        assert "Inställningarna är sparade." in again
        assert 'value="800"' in again
        assert 'value="36"' in again and 'value="7"' in again
        # Refused beside the field: by the page (not a number), and by the API (too long).
        typo = admin.post("/kommun/installningar", data={**base, "gallra_text": "tre år"})
        assert typo.status_code == 422
        assert 'id="gallra_text-error"' in typo.text and "Ange ett heltal." in typo.text
        long = admin.post("/kommun/installningar", data={**base, "gallra_logg": "101"})
        assert long.status_code == 422
        assert 'id="gallra_logg-error"' in long.text and "100" in long.text
        broken = admin.post("/kommun/installningar", data={**base, "kontur": "{inte json"})
        assert broken.status_code == 422 and 'id="kontur-error"' in broken.text
        # The platform's pages are not the administrator's.
        assert 'href="/plattform/kommuner"' not in form.text
        assert admin.get("/plattform/kommuner").status_code == 403
    with browser_for(server, people, "coordination") as convener:
        assert convener.get("/kommun/installningar").status_code == 403


def test_the_operator_makes_a_municipality_with_its_administrator(
    server: Server, people: People
) -> None:
    with _operator_browser(server) as operator:
        listed = operator.get("/plattform/kommuner")
        assert listed.status_code == 200, listed.text
        assert "Upplands-Bro kommun" in listed.text
        assert 'href="/plattform/kommuner"' in listed.text
        # Nothing of a municipality's own data is the operator's.
        assert 'href="/kommun/installningar"' not in listed.text
        csrf = csrf_of(listed.text)
        made = operator.post(
            "/plattform/kommuner",
            data={
                "csrf_token": csrf,
                "namn": "Håbo kommun",
                "admin_namn": "Jana Admin",
                "epost": "jana@jarfalla.test",
            },
        )
        assert made.status_code == 201, made.text
        assert made.headers["cache-control"] == "no-store"
        assert "Håbo kommun är skapad" in made.text and "jana@jarfalla.test" in made.text
        assert 'class="one-time-password"' in made.text
        taken = operator.post(
            "/plattform/kommuner",
            data={
                "csrf_token": csrf,
                "namn": "Sigtuna kommun",
                "admin_namn": "Sam",
                "epost": "jana@jarfalla.test",
            },
        )
        assert taken.status_code == 409
        assert 'id="epost-error"' in taken.text and "E-postadressen används redan." in taken.text
        town = people["municipality"]["id"]
        off = operator.post(f"/plattform/kommuner/{town}/avaktivera", data={"csrf_token": csrf})
        assert off.status_code == 303
        assert "Avaktiverad" in operator.get("/plattform/kommuner").text
        on = operator.post(f"/plattform/kommuner/{town}/aktivera", data={"csrf_token": csrf})
        assert on.status_code == 303
        odd = operator.post(f"/plattform/kommuner/{town}/radera", data={"csrf_token": csrf})
        assert odd.status_code == 404


@pytest.mark.browser
def test_both_pages_pass_axe_on_a_phone(browser: Browser, server: Server, people: People) -> None:
    assert AXE.is_file(), f"{AXE} is missing: `make test` fetches it with npm"
    with _operator_browser(server) as operator:
        operator_token = operator.cookies["est_session"]
    failures = {}
    for token, path in (
        (people["tokens"]["admin"], "/kommun/installningar"),
        (operator_token, "/plattform/kommuner"),
    ):
        with phone_page(browser) as page:
            page.context.add_cookies([{"name": "est_session", "value": token, "url": server.url}])
            page.goto(server.url + path)
            problems = axe_problems(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            if problems or width > 390:
                failures[path] = (problems, width)
    assert not failures, failures

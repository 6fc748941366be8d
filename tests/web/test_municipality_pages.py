"""The pages of several municipalities (#21): the administrator's settings of their
municipality, and the platform operator's municipalities, made with their first
administrator. Without JavaScript, as a phone or the projector shows them."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser

from tests.support.axe import axe_problems
from tests.support.cli import est
from tests.support.pages import browser_for, csrf_of
from tests.support.people import People
from tests.support.phone import phone_page
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
        # Nothing of a municipality's own data is the operator's: no menu item to a page
        # that would be empty or refused.
        for data_page in ("/handelser", "/karta", "/rapportera", "/organisationer"):
            assert f'href="{data_page}"' not in listed.text, data_page
            assert operator.get(data_page).status_code == 403, data_page
        # Their start page is the platform's, with no municipality named.
        start = operator.get("/").text
        assert "<h1>Plattformen</h1>" in start and "EST-strukturen" not in start
        assert 'href="/plattform/kommuner"' in start and 'href="/lokalpolisomraden"' in start
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
        # The list's "Avaktivera…" asks first, on a page of its own that says what it does.
        rows = operator.get("/plattform/kommuner").text
        assert f'href="/plattform/kommuner/{town}/avaktivera"' in rows
        assert f'action="/plattform/kommuner/{town}/avaktivera"' not in rows
        asked = operator.get(f"/plattform/kommuner/{town}/avaktivera")
        assert asked.status_code == 200, asked.text
        assert "kan inte logga in" in asked.text and "loggas ut direkt" in asked.text
        assert f'action="/plattform/kommuner/{town}/avaktivera" method="post"' in asked.text
        assert 'class="button button-danger"' in asked.text
        assert "Avaktiverad" not in operator.get("/plattform/kommuner").text
        off = operator.post(f"/plattform/kommuner/{town}/avaktivera", data={"csrf_token": csrf})
        assert off.status_code == 303
        assert "Avaktiverad" in operator.get("/plattform/kommuner").text
        # Deactivated: nothing to confirm any more.
        assert operator.get(f"/plattform/kommuner/{town}/avaktivera").status_code == 303
        on = operator.post(f"/plattform/kommuner/{town}/aktivera", data={"csrf_token": csrf})
        assert on.status_code == 303
        odd = operator.post(f"/plattform/kommuner/{town}/radera", data={"csrf_token": csrf})
        assert odd.status_code == 404


# The markup does not depend on the database (the API tests run both): one backend.
@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
@pytest.mark.browser
def test_both_pages_pass_axe_on_a_phone(browser: Browser, server: Server, people: People) -> None:
    with _operator_browser(server) as operator:
        operator_token = operator.cookies["est_session"]
    failures = {}
    for token, path in (
        (people["tokens"]["admin"], "/kommun/installningar"),
        (operator_token, "/plattform/kommuner"),
        (operator_token, f"/plattform/kommuner/{people['municipality']['id']}/avaktivera"),
    ):
        with phone_page(browser) as page:
            page.context.add_cookies([{"name": "est_session", "value": token, "url": server.url}])
            page.goto(server.url + path)
            problems = axe_problems(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            if problems or width > 390:
                failures[path] = (problems, width)
    assert not failures, failures


def test_the_operator_opens_any_municipality_s_settings(server: Server, people: People) -> None:
    # The API lets a platform operator change any municipality's settings: so does the page,
    # from a link per municipality on the platform's page. What the page offers, the API's
    # read says (may_manage), not a role.
    town = people["municipality"]["id"]
    settings = f"/kommun/installningar?kommun={town}"
    with _operator_browser(server) as operator:
        listed = operator.get("/plattform/kommuner").text
        assert f'href="{settings}"' in listed
        form = operator.get(settings)
        assert form.status_code == 200, form.text
        assert (
            f'action="{settings}"' in form.text and 'href="/plattform/kommuner">Avbryt' in form.text
        )
        base = {
            "csrf_token": csrf_of(form.text),
            "namn": "Upplands-Bro kommun",
            "tidszon": "Europe/Stockholm",
            "koordinatsystem": "EPSG:3011",
        }
        # The extent: all four corners or none, each refused beside its field.
        half = operator.post(settings, data={**base, "vast": "17.3", "ost": "abc"})
        assert half.status_code == 422
        assert 'id="ost-error"' in half.text and 'id="syd-error"' in half.text
        reversed_ = operator.post(
            settings, data={**base, "vast": "18", "syd": "59.4", "ost": "17", "nord": "59.7"}
        )
        assert reversed_.status_code == 422
        assert (
            'id="utbredning-error"' in reversed_.text and "Väst ska vara mindre" in reversed_.text
        )
        box = {"vast": "17.2", "syd": "59.4", "ost": "17.9", "nord": "59.7"}
        saved = operator.post(settings, data={**base, **box})
        assert saved.status_code == 303, saved.text
        assert saved.headers["location"] == f"{settings}&sparat=1"
        again = operator.get(f"{settings}&sparat=1").text
        assert "Inställningarna är sparade." in again
        assert 'value="17.2"' in again and 'value="59.7"' in again
    with browser_for(server, people, "admin") as admin:
        page = admin.get("/kommun/installningar").text
        # The time zone is a choice of what the API accepts; an empty field's meaning shown.
        assert '<select id="tidszon" name="tidszon"' in page
        assert '<option value="Europe/Stockholm" selected>' in page
        assert "Tomt: installationens 24 månader." in page and "Tomt: installationens 5 år." in page
        assert 'id="vast"' in page and 'id="nord"' in page

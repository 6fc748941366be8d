"""Which municipality a person acts in, in the web (#21): the account menu's choice for a
person of several (kept in a cookie, sent as EST-Municipality), the current one's name in the
header, no choice for a person of one; and the filing form near the boundary: refused naming
the neighbouring municipality, or filed there for a reporter of both."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from api.structure.models import Municipality
from tests.support.pages import browser_for, csrf_of, found, opened_form
from tests.support.people import People
from tests.support.servers import Server, http_client

pytestmark = pytest.mark.jarfalla

POLICE = "polis@est.demo"


def browser_of(server: Server, email: str) -> httpx.Client:
    return http_client(
        base_url=server.url, timeout=60, cookies={"est_session": server.token_for(email)}
    )


def header_municipality(page: str) -> str:
    return found(r'<span class="municipality-name">([^<]+)</span>', page)


def municipality_ids(server: Server) -> dict[str, int]:
    with server.database.session(write=False) as session:
        return {m.name: m.id for m in session.scalars(select(Municipality))}


def one_at(lat: str, lon: str) -> dict[str, str]:
    return {
        "antal": "1",
        "h0-kategori": "skadegorelse.klotter",
        "h0-nar": "nu",
        "h0-omrade": "",
        "h0-bedomning": "medium",
        "h0-koordsys": "EPSG:4326",
        "h0-lat": lat,
        "h0-lon": lon,
        "atgard": "skicka",
    }


def test_a_person_of_two_municipalities_chooses_in_the_account_menu(
    server: Server, people: People
) -> None:
    ids = municipality_ids(server)
    with browser_of(server, POLICE) as browser:
        page = browser.get("/").text
        assert header_municipality(page) == "Upplands-Bro kommun"
        menu = found(r'(<form action="/konto/kommun".*?</form>)', page, re.S)
        assert ">Upplands-Bro kommun</option>" in menu and ">Järfälla kommun</option>" in menu
        # A plain form: it works without JavaScript.
        chosen = browser.post(
            "/konto/kommun",
            data={"csrf_token": csrf_of(page), "municipality_id": str(ids["Järfälla kommun"])},
        )
        assert chosen.status_code == 303, chosen.text
        assert chosen.headers["location"].endswith("/")
        # The form says which page the person was on: back to it where it is a list of
        # the other municipality too; a record's page (the municipality left) goes to its
        # list, or the overview; never another site.
        assert '<input type="hidden" name="next" value="/">' in menu
        for sent, landing in (
            ("/organisationer", "/organisationer"),
            ("/handelser?omrade=3", "/handelser"),
            ("/handelser/549", "/handelser"),
            ("/grupper/3/lagesbild", "/"),
            ("/lagesbild/9/visning", "/"),
            ("//evil.example/handelser", "/"),
            ("https://evil.example/handelser", "/"),
            ("/finns-inte", "/"),
        ):
            back = browser.post(
                "/konto/kommun",
                data={
                    "csrf_token": csrf_of(page),
                    "municipality_id": str(ids["Järfälla kommun"]),
                    "next": sent,
                },
            )
            assert back.status_code == 303, (sent, back.text)
            assert back.headers["location"] == landing, (sent, back.headers["location"])
        page = browser.get("/").text
        assert header_municipality(page) == "Järfälla kommun"
        assert "EST samordningsgrupp Järfälla" in page
        # The start page names the municipality acted in, not the installation's first.
        assert "EST-strukturen i Järfälla kommun" in page and "Upplands-Bro kommun</h" not in page
        # Järfälla's areas in the filing form now, not Upplands-Bro's.
        form = browser.get("/rapportera").text
        assert ">Jakobsberg</option>" in form and ">Kungsängen</option>" not in form
        # Back home: the cookie goes.
        back = browser.post(
            "/konto/kommun",
            data={"csrf_token": csrf_of(page), "municipality_id": str(ids["Upplands-Bro kommun"])},
        )
        assert back.status_code == 303
        assert header_municipality(browser.get("/").text) == "Upplands-Bro kommun"


def test_a_person_of_one_municipality_has_no_choice(server: Server, people: People) -> None:
    ids = municipality_ids(server)
    with browser_for(server, people, "reporter") as browser:
        page = browser.get("/").text
        assert header_municipality(page) == "Upplands-Bro kommun"
        assert "/konto/kommun" not in page
        refused = browser.post(
            "/konto/kommun",
            data={"csrf_token": csrf_of(page), "municipality_id": str(ids["Järfälla kommun"])},
        )
        assert refused.status_code == 403
        # A cookie set by hand changes nothing: the API refuses it, the home one stands.
        browser.cookies.set("est_municipality", str(ids["Järfälla kommun"]))
        assert header_municipality(browser.get("/").text) == "Upplands-Bro kommun"


def test_the_form_refuses_a_point_in_the_neighbouring_municipality(
    server: Server, people: People
) -> None:
    with browser_for(server, people, "reporter") as browser:
        sent = browser.post(
            "/rapportera", data={**opened_form(browser), **one_at("59,4352", "17,812")}
        )
        assert sent.status_code == 422, sent.text
        assert "Platsen ligger i Järfälla kommun, inte i Upplands-Bro." in sent.text


def test_the_form_files_it_there_for_a_reporter_of_both(server: Server, people: People) -> None:
    with browser_of(server, POLICE) as browser:
        sent = browser.post(
            "/rapportera", data={**opened_form(browser), **one_at("59,4235", "17,833")}
        )
        assert sent.status_code == 303, sent.text
        assert "flyttad=1" in sent.headers["location"]
        done = browser.get(sent.headers["location"])
        assert done.status_code == 200, done.text
        assert "Platsen ligger i Järfälla kommun: rapporten registrerades där" in done.text
        assert header_municipality(done.text) == "Järfälla kommun"
        assert "Jakobsberg" in done.text

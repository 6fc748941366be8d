"""The accessibility statement and the privacy notice: open to everyone, linked from every
page's footer, in Swedish, without JavaScript; the notice's text is the municipality's, set
by an administrator through the API, with a default that names the retention settings."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from tests.support.axe import axe_problems
from tests.support.pages import browser_for, csrf_of
from tests.support.people import Demo, only_active
from tests.support.servers import Server
from web.pages.about import Block, blocks

pytestmark = pytest.mark.jarfalla

V1 = "/api/v1"


def text_of(html: str) -> str:
    """The page's words, without its markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


DIGG_SECTIONS = (
    "Hur tillgänglig är webbplatsen?",
    "Vad kan du göra om du inte kan använda delar av webbplatsen?",
    "Rapportera brister i webbplatsens tillgänglighet",
    "Tillsyn",
    "Teknisk information om webbplatsens tillgänglighet",
    "Innehåll som inte är tillgängligt",
    "Hur vi testat webbplatsen",
)
OWN = (
    "Upplands-Bro kommun behandlar uppgifterna för EST.\n\n"
    "## Dataskyddsombud\n"
    "Dataskyddsombudet nås på dataskyddsombud@upplands-bro.se.\n\n"
    "- Rätt till registerutdrag\n- Rätt till rättelse\n\n"
    "<script>alert(1)</script>"
)


def test_both_pages_are_open_and_in_every_footer(
    anon: httpx.Client, web: httpx.Client, demo: Demo
) -> None:
    for client, start in ((anon, "/logga-in"), (web, "/")):
        footer = client.get(start).text.split('<footer class="site-footer">')[1]
        assert 'href="/tillganglighet"' in footer and 'href="/integritet"' in footer
    statement = anon.get(f"/tillganglighet?kommun={demo['municipality']['id']}")
    assert statement.status_code == 200
    text = text_of(statement.text)
    for heading in DIGG_SECTIONS:
        assert f"<h2>{heading}</h2>" in statement.text, heading
    assert "Upplands-Bro kommun står bakom EST Lägesbild" in text
    assert "WCAG 2.1 på nivå AA" in text and "axe-core" in text
    assert "Kartan" in text and "https://www.digg.se/tdosanmalan" in statement.text
    assert 'aria-current="page">Tillgänglighetsredogörelse' in statement.text
    # Signed in, the page keeps the person's menu; signed out, there is none.
    assert "Huvudmeny" in web.get("/tillganglighet").text
    assert "Huvudmeny" not in statement.text


def test_the_default_notice_names_the_retention_settings(
    anon: httpx.Client, server: Server, demo: Demo
) -> None:
    town = demo["municipality"]["id"]
    read = anon.get(f"{V1}/municipalities/{town}/privacy-notice")
    assert read.status_code == 200, read.text
    notice = read.json()
    assert notice["default"] is True
    assert notice["municipality"]["name"] == "Upplands-Bro kommun"
    months = server.settings.retain_incident_text_months
    years = server.settings.retain_audit_years
    assert f"gallras {months} månader efter händelsen" in notice["text"]
    assert f"sparas i {years} år" in notice["text"]
    page = anon.get(f"/integritet?kommun={town}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Det här är standardtexten" in text
    for heading in ("Personuppgiftsansvarig", "Rättslig grund", "Dina rättigheter", "Klagomål"):
        assert heading in text or heading.lower() in text.lower(), heading
    assert "Integritetsskyddsmyndigheten (IMY)" in text
    assert "<h2>Hur länge uppgifterna sparas</h2>" in page.text


def test_an_administrator_sets_the_notice_and_everyone_reads_it(
    api: httpx.Client, anon: httpx.Client, demo: Demo, server: Server
) -> None:
    municipality = demo["municipality"]["id"]
    path = f"{V1}/municipalities/{municipality}/privacy-notice"
    saved = api.put(path, json={"text": OWN})
    assert saved.status_code == 200, saved.text
    assert saved.json()["default"] is False and saved.json()["text"] == OWN
    assert anon.get(path).json()["text"] == OWN
    only_active(server.database, municipality)  # one: its notice is the installation's
    assert anon.get(f"{V1}/privacy-notice").json()["text"] == OWN

    html = anon.get("/integritet").text
    assert "<h2>Dataskyddsombud</h2>" in html
    assert "<li>Rätt till registerutdrag</li><li>Rätt till rättelse</li>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Det här är standardtexten" not in html

    # What a person can read back: nothing saved from a wrong one.
    for body, status in (({"text": "  "}, 422), ({"text": "x" * 20_001}, 422), ({}, 422)):
        refused = api.put(path, json=body)
        assert refused.status_code == status, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert api.put(f"{V1}/municipalities/99999/privacy-notice", json={"text": "x"}).status_code == (
        404
    )
    assert anon.get(f"{V1}/municipalities/99999/privacy-notice").status_code == 404
    assert anon.put(path, json={"text": "Mitt"}).status_code == 401

    back = api.put(path, json={"text": None})
    assert back.status_code == 200 and back.json()["default"] is True
    assert "Det här är standardtexten" in anon.get("/integritet").text


def test_without_a_municipality_the_pages_still_answer(anon: httpx.Client) -> None:
    assert anon.get(f"{V1}/privacy-notice").status_code == 404
    for path in ("/integritet", "/tillganglighet"):
        response = anon.get(path)
        assert response.status_code == 200, path
    assert "inget integritetsmeddelande" in text_of(anon.get("/integritet").text)


def test_the_notice_text_becomes_headings_paragraphs_and_lists() -> None:
    assert blocks("## Rubrik\nEn rad\nsom fortsätter\n\n- a\n- b\n\n\n- c\nd") == [
        Block("heading", ["Rubrik"]),
        Block("paragraph", ["En rad som fortsätter"]),
        Block("list", ["a", "b"]),
        Block("paragraph", ["- c d"]),
    ]


# The markup does not depend on the database (the API tests run both): one backend.
@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
@pytest.mark.browser
def test_both_pages_pass_axe_signed_in_or_not(
    browser: Browser, server: Server, demo: Demo, api: httpx.Client
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="sv-SE")
    page = context.new_page()
    failures = {}
    token = api.headers["Authorization"].removeprefix("Bearer ")
    for signed_in in (False, True):
        if signed_in:
            context.add_cookies([{"name": "est_session", "value": token, "url": server.url}])
        for path in ("/tillganglighet", "/integritet", *(("/integritet/andra",) * signed_in)):
            page.goto(server.url + path)
            problems = axe_problems(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            if problems or width > 360:
                failures[(path, signed_in)] = (problems, width)
    context.close()
    assert not failures, failures


def test_an_administrator_edits_the_notice_on_its_page(
    web: httpx.Client, server: Server, people: Any
) -> None:
    page = web.get("/integritet")
    assert 'href="/integritet/andra"' in page.text
    form = web.get("/integritet/andra")
    assert form.status_code == 200
    csrf = csrf_of(form.text)
    saved = web.post("/integritet/andra", data={"csrf_token": csrf, "text": OWN})
    assert saved.status_code == 303 and saved.headers["location"] == "/integritet"
    assert "<h2>Dataskyddsombud</h2>" in web.get("/integritet").text
    refused = web.post("/integritet/andra", data={"csrf_token": csrf, "text": "   "})
    assert refused.status_code == 422
    assert 'id="text-error"' in refused.text and "Får inte vara tomt" in refused.text
    back = web.post("/integritet/andra", data={"csrf_token": csrf, "standard": "ja"})
    assert back.status_code == 303
    assert "Det här är standardtexten" in web.get("/integritet").text
    # Nobody else is offered the form, nor let in.
    with browser_for(server, people, "coordination") as other:
        assert 'href="/integritet/andra"' not in other.get("/integritet").text
        assert other.get("/integritet/andra").status_code == 403


def test_with_several_municipalities_the_reader_chooses_whose_notice(
    anon: httpx.Client, web: httpx.Client, demo: Demo
) -> None:
    home = demo["municipality"]["id"]
    towns = {t["name"]: t["id"] for t in anon.get(f"{V1}/public/municipalities").json()}
    jarfalla = towns["Järfälla kommun"]
    # None chosen: no municipality's text, the choice (links: no JavaScript needed).
    assert anon.get(f"{V1}/privacy-notice").status_code == 422
    page = anon.get("/integritet").text
    assert "Så behandlar" not in page and "Välj kommun ovan" in text_of(page)
    for ident in (home, jarfalla):
        assert f'href="/integritet?kommun={ident}"' in page
    chosen = anon.get(f"/integritet?kommun={jarfalla}").text
    assert "Så behandlar Järfälla kommun personuppgifter" in text_of(chosen)
    assert f'href="/integritet?kommun={home}"' in chosen
    assert 'aria-current="page">Järfälla kommun' in chosen
    # Signed in, the person's own municipality's, unless they choose another.
    assert "Så behandlar Upplands-Bro kommun" in text_of(web.get("/integritet").text)

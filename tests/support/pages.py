"""Driving the web pages: over HTTP as a browser without JavaScript (the session cookie, the
CSRF token a form carries, the intervention form's fields), and in Chromium (signing in)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx

from api.seed import DEMO_PASSWORD
from tests.support.codes import totp_code
from tests.support.people import SECOND_FACTOR_PEOPLE, Demo, People
from tests.support.servers import Server, http_client

if TYPE_CHECKING:
    from playwright.sync_api import Page


def found(pattern: str, text: str, flags: int = 0) -> str:
    """The first group of ``pattern``'s first match in a page (the test fails without one)."""
    match = re.search(pattern, text, flags)
    assert match, f"{pattern!r} is not in the page"
    return match[1]


def csrf_of(html: str) -> str:
    return found(r'name="csrf_token" value="([^"]+)"', html)


def opened_form(browser: httpx.Client) -> dict[str, str]:
    """The filing form's hidden fields as the page gives them (its CSRF token, its key and
    when it was opened)."""
    page = browser.get("/rapportera").text
    return {
        "csrf_token": csrf_of(page),
        "nyckel": found(r'name="nyckel" value="([^"]+)"', page),
        "oppnad": found(r'name="oppnad" value="([^"]+)"', page),
    }


def browser_for(server: Server, people: People, who: str) -> httpx.Client:
    """The pages as a browser without JavaScript sees them after one of the demo accounts
    (PEOPLE's keys) signed in."""
    # Generous: a PDF page takes seconds on a busy machine.
    return http_client(
        base_url=server.url, timeout=60, cookies={"est_session": people["tokens"][who]}
    )


def planned_meeting(convener: httpx.Client, people: People) -> str:
    """A meeting of the coordination group planned through its page: the meeting's path."""
    group = people["groups"]["EST samordningsgrupp"]["id"]
    listing = convener.get(f"/grupper/{group}/moten").text
    planned = convener.post(
        f"/grupper/{group}/moten",
        data={
            "csrf_token": csrf_of(listing),
            "dag": found(r'id="dag" name="dag" type="date" value="([^"]+)"', listing),
            "tid": "13:00",
            "plats": "Kommunhuset",
        },
        follow_redirects=False,
    )
    return planned.headers["location"].split("?", 1)[0].split("#", 1)[0]


def form(page: str, people: Demo, **values: Any) -> dict[str, Any]:
    """The new-intervention form of ``page`` filled in: clearing of scrub in Bro by
    Upplands-Brohus, planned from 3 March 2025, unless ``values`` says otherwise."""
    return {
        "csrf_token": csrf_of(page),
        "titel": "Slyröjning vid Fasanstigen",
        "typ": "clearing",
        "beskrivning": "",
        "agare": str(people["organisations"]["Upplands-Brohus"]["id"]),
        "ansvarig": "Gata och park",
        "mal": "area",
        "omrade": str(people["areas"]["Bro"]["id"]),
        "plats": "",
        "lat": "",
        "lon": "",
        "radie": "",
        "start": "2025-03-03",
        "slut": "",
        "status": "planned",
        "kategorier": ["skadegorelse"],
        **values,
    }


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in on the sign-in page Chromium shows, as a person types it; with the code from
    the app too, for those who have one (SECOND_FACTOR_PEOPLE, the right password)."""
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    if email in SECOND_FACTOR_PEOPLE and password == DEMO_PASSWORD:
        enter_code(page, totp_code(email))


def enter_code(page: Page, code: str) -> None:
    """The second step of a sign-in: the code from the app, or a recovery code."""
    page.get_by_label("Kod", exact=True).fill(code)
    page.get_by_role("button", name="Fortsätt").click()

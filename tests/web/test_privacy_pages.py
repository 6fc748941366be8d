"""The personal data guard through the pages without JavaScript: a text that looks like it
names someone is refused, and the API's message stands beside the field it is about, with
what was typed kept to correct."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.meetings.models import Meeting
from tests.support.pages import browser_for, csrf_of, form, found
from tests.support.people import People
from tests.support.servers import Server

COORDINATION = "EST samordningsgrupp"
PERSON = "Anna Svensson 19121212-1212 tel 070-123 45 67"


def _field_errors(page: str) -> dict[str, str]:
    return {
        name: html.unescape(message)
        for name, message in re.findall(
            r'<p class="field-error" id="([^"]+)-error"[^>]*>([^<]+)</p>', page
        )
    }


def _intervention(client: httpx.Client, people: People) -> str:
    group = people["groups"][COORDINATION]["id"]
    blank = client.get(f"/grupper/{group}/insatser/ny").text
    made = client.post(
        f"/grupper/{group}/insatser", data=form(blank, people), follow_redirects=False
    )
    assert made.status_code == 303, made.text[:300]
    return str(made.headers["location"])


def _meeting(client: httpx.Client, people: People) -> tuple[str, str, str]:
    group = people["groups"][COORDINATION]["id"]
    csrf = csrf_of(client.get(f"/grupper/{group}/moten").text)
    made = client.post(
        f"/grupper/{group}/moten",
        data={"csrf_token": csrf, "dag": "2030-01-15", "tid": "13:00", "plats": ""},
        follow_redirects=False,
    )
    url = str(made.headers["location"])
    etag = html.unescape(found(r'name="etag" value="([^"]+)"', client.get(url).text))
    return url, csrf, etag


Post = Callable[[httpx.Client, People], tuple[str, dict[str, Any]]]


def _new_intervention(field: str) -> Post:
    def post(client: httpx.Client, people: People) -> tuple[str, dict[str, Any]]:
        group = people["groups"][COORDINATION]["id"]
        blank = client.get(f"/grupper/{group}/insatser/ny").text
        return f"/grupper/{group}/insatser", form(blank, people, **{field: PERSON})

    return post


def _follow_up(field: str) -> Post:
    def post(client: httpx.Client, people: People) -> tuple[str, dict[str, Any]]:
        url = _intervention(client, people)
        values = {"dag": "2025-04-01", "gjort": "Röjt.", field: PERSON}
        return f"{url}/uppfoljning", {"csrf_token": csrf_of(client.get(url).text), **values}

    return post


def _feedback(client: httpx.Client, people: People) -> tuple[str, dict[str, Any]]:
    url = _intervention(client, people)
    values = {"tdag": "2025-04-01", "kanal": "phone", "text": PERSON}
    return f"{url}/aterkoppling", {"csrf_token": csrf_of(client.get(url).text), **values}


def _plan_meeting(client: httpx.Client, people: People) -> tuple[str, dict[str, Any]]:
    group = people["groups"][COORDINATION]["id"]
    csrf = csrf_of(client.get(f"/grupper/{group}/moten").text)
    values = {"dag": "2030-01-15", "tid": "13:00", "plats": PERSON}
    return f"/grupper/{group}/moten", {"csrf_token": csrf, **values}


def _minutes(client: httpx.Client, people: People) -> tuple[str, dict[str, Any]]:
    url, csrf, etag = _meeting(client, people)
    return url, {"csrf_token": csrf, "etag": etag, "protokoll": PERSON}


def _agenda(client: httpx.Client, people: People) -> tuple[str, dict[str, Any]]:
    url, csrf, etag = _meeting(client, people)
    values = {"typ": ["other"], "ref": [""], "punkt": ["Bro"], "not": [PERSON]}
    return f"{url}/dagordning", {"csrf_token": csrf, "etag": etag, **values}


def _decision(client: httpx.Client, people: People) -> tuple[str, dict[str, Any]]:
    url, csrf, _etag = _meeting(client, people)
    return f"{url}/beslut", {"csrf_token": csrf, "beslut": PERSON, "aterkoppla": "", "insats": ""}


# Each form: how it is sent, and the field its refusal stands beside.
FORMS: dict[str, tuple[Post, str]] = {
    "intervention title": (_new_intervention("titel"), "titel"),
    "intervention description": (_new_intervention("beskrivning"), "beskrivning"),
    "intervention responsible": (_new_intervention("ansvarig"), "ansvarig"),
    "follow-up done": (_follow_up("gjort"), "gjort"),
    "follow-up seen": (_follow_up("sett"), "sett"),
    "feedback": (_feedback, "text"),
    "meeting location": (_plan_meeting, "plats"),
    "minutes": (_minutes, "protokoll"),
    "agenda": (_agenda, "punkt"),
    "decision": (_decision, "beslut"),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_personal_data_is_told_beside_its_field(server: Server, people: People, name: str) -> None:
    sent, field = FORMS[name]
    with browser_for(server, people, "coordination") as client:
        path, data = sent(client, people)
        refused = client.post(path, data=data, follow_redirects=False)
    assert refused.status_code in (409, 422), refused.text[:300]
    message = _field_errors(refused.text).get(field, "")
    assert "ser ut att innehålla ett personnummer (19121212-1212)" in message, refused.text
    assert PERSON in html.unescape(refused.text)  # what was typed, to correct


def test_a_stored_agenda_is_shown_as_it_was_stored(server: Server, people: People) -> None:
    # Written before the guard, or before a newer detector knew the number: the page reads
    # it back (the agenda of a read is no request body, and is not looked at again).
    with browser_for(server, people, "coordination") as client:
        url, _csrf, _etag = _meeting(client, people)
        with server.database.session(write=True) as session:
            stored = session.get(Meeting, int(url.rsplit("/", 1)[1]))
            assert stored is not None
            stored.agenda = [{"kind": "other", "title": "Bro", "note": PERSON, "ref_id": None}]
        page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    assert PERSON in html.unescape(page.text)

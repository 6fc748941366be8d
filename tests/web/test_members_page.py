"""A group's members on its page: who sees them, and how a convener adds and removes."""

from __future__ import annotations

import re

import httpx

from tests.support.pages import csrf_of
from tests.support.people import People
from tests.support.servers import Server, http_client


def signed_in(server: Server, people: People, who: str) -> httpx.Client:
    return http_client(
        base_url=server.url, timeout=30, cookies={"est_session": people["tokens"][who]}
    )


def members_section(html: str) -> str:
    found = re.search(r'<section[^>]*id="medlemmar".*?</section>', html, re.S)
    return found[0] if found else ""


def test_a_convener_adds_changes_and_removes_members(server: Server, people: People) -> None:
    group = people["groups"]["EST samordningsgrupp"]
    page_url = f"/grupper/{group['id']}"
    with signed_in(server, people, "coordination") as convener:
        page = convener.get(page_url)
        section = members_section(page.text)
        assert "Sam Samordnare" in section and "sammankallande" in section
        assert "Lo Läsare" in section and "läsare" in section
        token = csrf_of(page.text)

        unknown = convener.post(
            f"{page_url}/medlemmar",
            data={"csrf_token": token, "email": "ingen@est.demo", "roll": "member"},
        )
        assert unknown.status_code == 422
        assert 'id="member-email-error"' in unknown.text
        assert 'value="ingen@est.demo"' in unknown.text

        added = convener.post(
            f"{page_url}/medlemmar",
            data={"csrf_token": token, "email": "kungsangen@est.demo", "roll": "viewer"},
        )
        assert added.status_code == 303
        assert added.headers["location"] == f"{page_url}#medlemmar"
        section = members_section(convener.get(page_url).text)
        assert "Kalle Kungsängen" in section

        user_id = people["users"]["kungsangen"]["id"]
        removed = convener.post(
            f"{page_url}/medlemmar/{user_id}/ta-bort", data={"csrf_token": token}
        )
        assert removed.status_code == 303
        assert "Kalle Kungsängen" not in members_section(convener.get(page_url).text)

        # Another group's members: the API refuses, whatever the page was asked.
        bro = people["groups"]["EST områdesgrupp Bro"]
        refused = convener.post(
            f"/grupper/{bro['id']}/medlemmar",
            data={"csrf_token": token, "email": "kungsangen@est.demo", "roll": "member"},
        )
        assert refused.status_code == 403


def test_members_see_the_list_without_forms_and_reporters_see_nothing(
    server: Server, people: People
) -> None:
    group = people["groups"]["EST samordningsgrupp"]
    with signed_in(server, people, "viewer") as viewer:
        section = members_section(viewer.get(f"/grupper/{group['id']}").text)
        assert "Sam Samordnare" in section
        assert "<form" not in section
    bro = people["groups"]["EST områdesgrupp Bro"]
    with signed_in(server, people, "reporter") as reporter:
        page = reporter.get(f"/grupper/{bro['id']}")
        assert page.status_code == 200
        assert members_section(page.text) == ""

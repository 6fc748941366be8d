"""An evening's live log through the pages: a post sent without JavaScript (then the page
shows it), with htmx (the form comes back empty, with the post for the list), one tap on a
post, and the page's relay of the API's stream, each post as the page shows it, through the
embedded app (a streaming ASGI transport) and a web app apart from the API (EST_API_URL)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_api_app
from tests.support.evenings import make_evening
from tests.support.pages import browser_for, csrf_of
from tests.support.people import People
from tests.support.servers import LiveServer, Server, http_client
from tests.support.streams import WITHIN, EventReader
from web.app import create_web_app
from web.client import ApiClient


def _evening(server: Server, people: People, **kwargs: object) -> int:
    return make_evening(
        server.database,
        municipality_id=people["municipality"]["id"],
        area_id=people["areas"]["Kungsängen"]["id"],
        **kwargs,  # type: ignore[arg-type]
    )


def test_posting_without_javascript_shows_the_post_after(server: Server, people: People) -> None:
    evening = _evening(server, people)
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(f"/kvallar/{evening}/logg")
        assert page.status_code == 200, page.text
        assert "Inga inlägg än." in page.text and 'id="log-form"' in page.text
        sent = convener.post(
            f"/kvallar/{evening}/logg",
            data={
                "csrf_token": csrf_of(page.text),
                "text": "Samling vid stationen",
                "nyckel": "k1",
            },
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        assert sent.headers["location"].startswith(f"/kvallar/{evening}/logg#post-")
        shown = convener.get(f"/kvallar/{evening}/logg").text
        assert "Samling vid stationen" in shown and "Trygghets- och preventionsenheten" in shown
        assert "Gör till händelse" in shown
        # The same key again (a double tap) posts nothing new.
        convener.post(
            f"/kvallar/{evening}/logg",
            data={
                "csrf_token": csrf_of(page.text),
                "text": "Samling vid stationen",
                "nyckel": "k1",
            },
        )
        assert convener.get(f"/kvallar/{evening}/logg").text.count('data-post="') == 1

        refused = convener.post(
            f"/kvallar/{evening}/logg",
            data={"csrf_token": csrf_of(page.text), "text": "Ring 070-123 45 67"},
        )
        assert refused.status_code == 422
        assert 'id="text-error"' in refused.text and "telefonnummer" in refused.text
        assert 'name="bekrafta"' in refused.text

        # With htmx: the form alone comes back, empty, and the post for the list beside it.
        answer = convener.post(
            f"/kvallar/{evening}/logg",
            data={"csrf_token": csrf_of(page.text), "text": "Lugnt nu"},
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.text.lstrip().startswith("<form") and "<h1" not in answer.text
        assert 'hx-swap-oob="beforeend:#log-posts"' in answer.text and "Lugnt nu" in answer.text


def test_one_tap_without_javascript(server: Server, people: People) -> None:
    evening = _evening(server, people)
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(f"/kvallar/{evening}/logg").text
        convener.post(
            f"/kvallar/{evening}/logg", data={"csrf_token": csrf_of(page), "text": "Glaskross"}
        )
        page = convener.get(f"/kvallar/{evening}/logg").text
        post = int(page.split('data-post="', 1)[1].split('"', 1)[0])
        tap = f"/kvallar/{evening}/logg/{post}/handelse"
        asked = convener.post(tap, data={"csrf_token": csrf_of(page)})
        assert asked.status_code == 422 and "kategori" in asked.text
        made = convener.post(
            tap,
            data={"csrf_token": csrf_of(page), "kategori": "skadegorelse"},
            follow_redirects=False,
        )
        assert made.status_code == 303
        shown = convener.get(made.headers["location"]).text
        assert "Inlägget blev en händelse." in shown and "/handelser/" in shown


def test_a_closed_log_reads_without_a_form(server: Server, people: People) -> None:
    evening = _evening(server, people, closed=True)
    with browser_for(server, people, "viewer") as viewer:
        page = viewer.get(f"/kvallar/{evening}/logg")
        assert page.status_code == 200
        assert "Kvällen är avslutad" in page.text and 'id="log-form"' not in page.text
        assert "data-stream" not in page.text


def _relayed(base_url: str, server: Server, people: People) -> None:
    evening = _evening(server, people)
    reader = EventReader(
        base_url,
        f"/kvallar/{evening}/logg/strom?efter=0",
        cookies={"est_session": people["tokens"]["viewer"]},
    )
    try:
        assert reader.status == 200 and reader.content_type.startswith("text/event-stream")
        with http_client(
            base_url=server.url,
            headers={"Authorization": f"Bearer {people['tokens']['coordination']}"},
        ) as api:
            sent_at = time.monotonic()
            sent = api.post(f"/api/v1/evenings/{evening}/log", json={"text": "Brand i container"})
            assert sent.status_code == 201, sent.text
        event = reader.next_event(WITHIN)
        assert event is not None and time.monotonic() - sent_at < WITHIN
        # The post as the page shows it (HTML, escaped), without the person's token.
        assert event["id"] == str(sent.json()["id"])
        html = event["data"]
        assert f'id="post-{sent.json()["id"]}"' in html and "Brand i container" in html
        assert "Bearer" not in html and people["tokens"]["viewer"] not in html
    finally:
        reader.close()


def test_the_page_relays_the_stream_embedded(server: Server, people: People) -> None:
    _relayed(server.url, server, people)


@pytest.fixture
def split_web(server: Server) -> Iterator[str]:
    """A web app apart from the API, reaching it over HTTP as EST_API_URL would."""
    api = LiveServer(create_api_app(server.settings)).start()
    client = ApiClient(httpx.AsyncClient(base_url=api.url, timeout=httpx.Timeout(10.0)))
    web = LiveServer(create_web_app(client, server.settings)).start()
    try:
        yield web.url
    finally:
        web.stop()
        api.stop()


def test_the_page_relays_the_stream_split(split_web: str, server: Server, people: People) -> None:
    _relayed(split_web, server, people)

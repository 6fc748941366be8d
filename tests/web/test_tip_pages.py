"""The tip pages as a browser without JavaScript sees them: a resident sends a tip (with a
photo) from the public page to its thank-you page, a refusal stands beside its field; the
coordination group's queue shows the tip with its thumbnail and accepts or rejects it; the
incident then says "Från allmänheten"."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.tips import abuse
from api.tips.models import Tip
from tests.support.images import photo
from tests.support.pages import browser_for, csrf_of, found
from tests.support.people import People, only_active
from tests.support.servers import LiveServer, Server, http_client
from web.app import create_web_app
from web.client import ApiClient
from web.pages import tips as tip_pages

pytestmark = pytest.mark.jarfalla


@pytest.fixture(autouse=True)
def _photos_apart(server: Server, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server.settings, "photo_dir", str(tmp_path / "photos"))


def _filled(page: str, server: Server, **values: str) -> dict[str, str]:
    return {
        "csrf_token": csrf_of(page),
        # Shown ten seconds ago: a person takes longer than the least fill time.
        "form_token": abuse.form_token(server.settings, now=time.time() - 10),
        "website": "",
        "vad": "unsafe_place",
        "plats": values.pop("plats", None)
        or found(r'<option value="(\d+)" >Bro centrum</option>', page),
        "nar": "",
        "lat": "",
        "lon": "",
        "beskrivning": "Trasig belysning i gångtunneln, helt mörkt på kvällen.",
        **values,
    }


# The markup is the same whichever database holds the tips (tests/api/test_tips.py runs both).
@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
def test_a_resident_sends_a_tip_and_the_group_accepts_it(
    server: Server, people: People, anon: httpx.Client
) -> None:
    only_active(server.database, people["municipality"]["id"])  # one: nothing to choose
    page = anon.get("/tipsa")
    assert page.status_code == 200
    html = page.text
    # No menu, nothing from a third party, the honeypot out of reach.
    assert "Huvudmeny" not in html and "unpkg.com" not in html and "openstreetmap" not in html
    assert re.search(r'<div class="hp-field" aria-hidden="true">', html)
    assert 'capture="environment"' in html and "Använd bildens position" in html
    refused = anon.post(
        "/tipsa", data=_filled(html, server, beskrivning="Ring 070-123 45 67 om du undrar.")
    )
    assert refused.status_code == 422
    assert 'id="beskrivning-error"' in refused.text and "Trasig" not in refused.text
    sent = anon.post(
        "/tipsa",
        data=_filled(html, server),
        files={"bild": ("foto.jpg", photo(lat=59.5117, lon=17.6364), "image/jpeg")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == "/tipsa/tack?bild=ok"
    thanks = anon.get(sent.headers["location"]).text
    assert "Tack för ditt tips" in thanks and "Bilden kom med" in thanks
    assert "belysning" not in thanks  # nothing of the tip echoed back
    with browser_for(server, people, "coordination") as moderator:
        queue = moderator.get("/tips")
        assert queue.status_code == 200
        assert 'href="/tips"' in queue.text and "Trasig belysning" in queue.text
        thumb = found(r'<img src="(/bilder/tips/\d+/photos/\d+\?storlek=miniatyr)"', queue.text)
        image = moderator.get(thumb)
        assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
        tip_id = found(r'action="/tips/(\d+)/godkann"', queue.text)
        # The category starts from what the resident said it is about.
        assert re.search(r'<option value="plats" selected>', queue.text)
        accepted = moderator.post(
            f"/tips/{tip_id}/godkann",
            data={"csrf_token": csrf_of(queue.text), "kategori": "plats.belysning",
                  "omrade": "", "plats": "", "bedomning": "high",
                  "beskrivning": "Trasig belysning i gångtunneln."},
            follow_redirects=False,
        )  # fmt: skip
        assert accepted.status_code == 303, accepted.text
        done = moderator.get("/tips?visa=accepted").text
        incident_id = found(r'href="/handelser/(\d+)"', done)
        incident = moderator.get(f"/handelser/{incident_id}").text
        assert "Från allmänheten" in incident
        listed = moderator.get("/handelser").text
        assert "Från allmänheten" in listed
    with browser_for(server, people, "reporter") as reporter:
        assert reporter.get("/tips").status_code == 403


@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
def test_a_tip_is_kept_whatever_happens_to_its_photo(
    server: Server, people: People, anon: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo over the limit or no photo at all is refused beside the tip, which is filed;
    the thank-you page says why. A second sending of the same form is "already received"."""
    only_active(server.database, people["municipality"]["id"])  # one: nothing to choose
    html = anon.get("/tipsa").text
    assert 'data-max-bytes="' in html and "photo_size.js" in html
    monkeypatch.setattr(server.settings, "photo_max_bytes", 40_000)
    for name, content, word, said in (
        ("stor.jpg", photo() + b"\0" * 40_000, "storlek", "större än 0 MB"),
        ("text.jpg", b"inte en bild", "typ", "inte ett foto"),
    ):
        filled = _filled(html, server)
        sent = anon.post(
            "/tipsa", data=filled, files={"bild": (name, content, "image/jpeg")},
            follow_redirects=False,
        )  # fmt: skip
        assert sent.headers["location"] == f"/tipsa/tack?bild={word}", sent.text
        thanks = anon.get(sent.headers["location"]).text
        assert "utan bilden" in thanks and said in thanks
        assert "Upplands-Bro kommun" in thanks  # the public pages' one header
        again = anon.post("/tipsa", data=filled, follow_redirects=False)
        assert again.headers["location"] == "/tipsa/tack?bild=redan"
        assert "redan tagits emot" in anon.get(again.headers["location"]).text
    # The hour's limit: nothing to correct, so a notice of when to try again, not an error.
    monkeypatch.setattr(server.settings, "public_posts_per_hour", 2)
    limited = anon.post("/tipsa", data=_filled(html, server))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "Försök igen om" in limited.text and "error-summary" not in limited.text


@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
def test_a_body_beyond_a_photo_forms_room_is_answered_on_the_public_layout(
    server: Server, people: People
) -> None:
    """The 413 a resident can still get: the public layout, the photo limit from settings (in
    MB, as the form says it), and the way back to the form; never the signed-in layout."""
    only_active(server.database, people["municipality"]["id"])  # one: nothing to choose
    small = server.settings.model_copy(update={"photo_max_bytes": 2 * 1024 * 1024})
    client = ApiClient(httpx.AsyncClient(base_url=server.url, timeout=httpx.Timeout(10.0)))
    web = LiveServer(create_web_app(client, small)).start()
    try:
        with http_client(base_url=web.url) as browser:
            huge = browser.post(
                "/tipsa",
                content=b"x" * (small.max_body_bytes + 9 * small.photo_max_bytes),
                headers={"content-type": "multipart/form-data; boundary=b"},
            )
    finally:
        web.stop()
    assert huge.status_code == 413
    assert "Till översikten" not in huge.text and "Logga in" not in huge.text
    assert 'href="/tipsa"' in huge.text and "högst 2 MB" in huge.text
    assert "Upplands-Bro kommun" in huge.text


@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
def test_the_queue_says_where_it_is_and_refuses_beside_the_field(
    server: Server, people: People, anon: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_active(server.database, people["municipality"]["id"])  # one: nothing to choose
    monkeypatch.setattr(tip_pages, "PER_PAGE", 2)
    for _ in range(3):
        html = anon.get("/tipsa").text
        assert anon.post("/tipsa", data=_filled(html, server), follow_redirects=False).is_redirect
    with browser_for(server, people, "coordination") as moderator:
        queue = moderator.get("/tips").text
        assert re.search(r'<a href="/tips" aria-current="page"', queue)
        more = found(r'<a class="button button-secondary" href="(/tips\?[^"]+)">Fler tips', queue)
        rest = moderator.get(more.replace("&amp;", "&")).text
        assert rest.count('action="/tips/') == 2  # the third tip: accept and reject forms
        tip_id = found(r'action="/tips/(\d+)/godkann"', queue)
        csrf = csrf_of(queue)
        unknown = moderator.post(
            f"/tips/{tip_id}/godkann", data={"csrf_token": csrf, "kategori": "nope"}
        )
        assert unknown.status_code == 422
        assert re.search(r'id="kategori-error"[^>]*>[^<]*kategori', unknown.text)
        long = moderator.post(
            f"/tips/{tip_id}/avvisa", data={"csrf_token": csrf, "skal": "x" * 250}
        )
        assert long.status_code == 422 and "element" not in long.text
        assert re.search(r'id="skal-error"[^>]*>Skälet får vara högst 200 tecken', long.text)
        accepted = moderator.post(
            f"/tips/{tip_id}/godkann",
            data={"csrf_token": csrf, "kategori": "plats.belysning", "bedomning": "medium"},
            follow_redirects=True,
        )
        incident_id = found(r'Tipset är godkänt[^<]*<a href="/handelser/(\d+)"', accepted.text)
        assert moderator.get(f"/handelser/{incident_id}").status_code == 200


@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
def test_with_several_municipalities_the_resident_chooses_whose_tip(
    server: Server, people: People, anon: httpx.Client
) -> None:
    """The demo's two: the page asks which municipality first (links, no JavaScript), then
    names the one chosen beside the way to the other; the tip is filed in it."""
    home = people["municipality"]["id"]
    towns = {t["name"]: t["id"] for t in anon.get("/api/v1/public/municipalities").json()}
    jarfalla = towns["Järfälla kommun"]
    choice = anon.get("/tipsa").text

    assert "Vilken kommun gäller ditt tips" in choice and 'name="vad"' not in choice
    for ident in (home, jarfalla):
        assert f'href="/tipsa?kommun={ident}"' in choice
    html = anon.get(f"/tipsa?kommun={jarfalla}").text
    assert "Tipset gäller Järfälla kommun" in html
    assert f'name="kommun" value="{jarfalla}"' in html
    assert f'href="/tipsa?kommun={home}"' in html
    filled = _filled(
        html,
        server,
        kommun=str(jarfalla),
        plats=found(r'<option value="(\d+)" >Jakobsbergs centrum</option>', html),
    )
    sent = anon.post("/tipsa", data=filled, follow_redirects=False)
    assert sent.headers["location"] == f"/tipsa/tack?kommun={jarfalla}", sent.text
    thanks = anon.get(sent.headers["location"]).text
    assert "Järfälla kommun" in thanks and f'href="/tipsa?kommun={jarfalla}"' in thanks
    with server.database.session(write=False) as session:
        assert list(session.scalars(select(Tip.municipality_id))) == [jarfalla]

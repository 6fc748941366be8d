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

from api.tips import abuse
from tests.support.images import photo
from tests.support.pages import browser_for, csrf_of, found
from tests.support.people import People
from tests.support.servers import Server


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
        "plats": found(r'<option value="(\d+)" >Bro centrum</option>', page),
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
        thumb = found(r'<img src="(/bilder/tips/\d+/photos/\d+\?storlek=liten)"', queue.text)
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

"""Photos on the pages (#20), as a browser without JavaScript sends and sees them: a report
filed with a photo per incident (multipart), the photo on the receipt and the incident's
page through /bilder/…, one refused without losing the report; a photo added later and
removed on the incident's page; /bilder passes on nothing but a record's photos, and only
to those the API shows them."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.images import exif_of, not_an_image, photo
from tests.support.pages import browser_for, csrf_of, found
from tests.support.people import People
from tests.support.servers import Server
from web.client_photos import photo_data_uri, photo_src
from web.rendering import render_pdf

# The pages do the same on either database: SQLite only.
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], scope="session")


def report(browser: httpx.Client, people: People, count: int) -> dict[str, str]:
    """The report form as opened, with ``count`` incidents of klotter in Bro filled in."""
    page = browser.get("/rapportera").text
    fields = {
        "csrf_token": csrf_of(page),
        "nyckel": found(r'name="nyckel" value="([^"]+)"', page),
        "oppnad": found(r'name="oppnad" value="([^"]+)"', page),
        "antal": str(count),
        "atgard": "skicka",
    }
    for i in range(count):
        fields |= {
            f"h{i}-kategori": "skadegorelse.klotter",
            f"h{i}-nar": "nu",
            f"h{i}-omrade": str(people["areas"]["Bro"]["id"]),
            f"h{i}-bedomning": "medium",
        }
    return fields


THUMB = re.compile(r'<img src="(/bilder/incidents/(\d+)/photos/\d+\?storlek=miniatyr)"')


@sqlite_only
def test_a_report_with_photos_is_filed_and_one_refused_is_said_on_the_receipt(
    server: Server, people: People
) -> None:
    with browser_for(server, people, "reporter") as browser:
        fields = {**report(browser, people, 2), "h0-bildposition": "ja"}
        sent = browser.post(
            "/rapportera",
            data=fields,
            files={
                "h0-bild": ("IMG_0042.jpg", photo(lat=59.5141, lon=17.6243), "image/jpeg"),
                "h1-bild": ("bild.jpg", not_an_image(), "image/jpeg"),
            },
            follow_redirects=True,
        )
        assert sent.status_code == 200, sent.text
        assert re.search(r"/rapporter/\d+$", str(sent.url).split("?")[0])
        receipt = sent.text
        assert "Tack! Rapporten är skickad" in receipt
        assert "filen är inte ett foto i JPEG, PNG eller WebP" in receipt
        shown = THUMB.findall(receipt)
        assert len(shown) == 1
        thumb, incident = shown[0]
        image = browser.get(thumb)
        assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
        assert exif_of(image.content) == {}
        assert "public" not in image.headers["cache-control"]
        # Asked for, on an incident filed without a point: the photo's point is its point.
        page = browser.get(f"/handelser/{incident}").text
        assert thumb.replace("&", "&amp;") in page or thumb in page
        assert "59.51410" in page
        assert browser.get(thumb.split("?")[0]).content != image.content  # the full photo

    with browser_for(server, people, "kungsangen") as outsider:
        assert outsider.get(thumb).status_code == 404


@sqlite_only
def test_a_photo_is_added_later_and_removed_on_the_incidents_page(
    server: Server, people: People
) -> None:
    with browser_for(server, people, "reporter") as browser:
        filed = browser.post("/rapportera", data=report(browser, people, 1), follow_redirects=True)
        incident = re.findall(r'href="/handelser/(\d+)"', filed.text)[0]
        page = browser.get(f"/handelser/{incident}").text
        assert 'capture="environment"' in page
        token = csrf_of(page)

        refused = browser.post(
            f"/handelser/{incident}/bilder",
            data={"csrf_token": token},
            files={"bild": ("x.jpg", not_an_image(), "image/jpeg")},
        )
        assert refused.status_code == 422
        assert 'id="bild-error"' in refused.text

        added = browser.post(
            f"/handelser/{incident}/bilder",
            data={"csrf_token": token},
            files={"bild": ("IMG.png", photo(image_format="PNG", size=(300, 200)), "image/png")},
            follow_redirects=True,
        )
        assert added.status_code == 200 and "Bilden är sparad." in added.text
        removing = re.findall(rf'action="(/handelser/{incident}/bilder/\d+/ta-bort)"', added.text)
        assert len(removing) == 1
        removed = browser.post(removing[0], data={"csrf_token": token}, follow_redirects=True)
        assert "Bilden är borttagen." in removed.text
        assert not THUMB.search(removed.text)
        # Nothing but a record's photo passes through /bilder.
        assert browser.get(f"/bilder/incidents/{incident}").status_code == 404
        assert browser.get("/bilder/auth/me").status_code == 404


def test_photo_src_maps_the_apis_address_and_embeds_for_a_pdf() -> None:
    url = "/api/v1/safety-walks/3/findings/9/photos/12"
    assert photo_src(url) == "/bilder/safety-walks/3/findings/9/photos/12"
    assert (
        photo_src("/api/v1/tips/4/photos/5", thumb=True)
        == "/bilder/tips/4/photos/5?storlek=miniatyr"
    )
    assert photo_src("/api/v1/users/1") == ""
    uri = photo_data_uri(b"\xff\xd8\xff")
    assert photo_src(url, embedded={url: uri}) == uri
    assert photo_src(url, embedded={}) == ""


def test_a_pdf_holds_an_embedded_photo_and_fetches_nothing_else() -> None:
    embedded = photo_data_uri(photo(size=(120, 90)))
    html = f'<p>Fynd</p><img src="{embedded}"><img src="http://127.0.0.1:9/elsewhere.jpg">'
    assert render_pdf(html).count(b"/Subtype /Image") == 1

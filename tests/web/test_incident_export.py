"""The incidents list's download: the API's CSV for Excel, with the list's filters, for the
signed-in person (the API's own CSV route wants a token, which a browser does not hold), and
logged by the API as an export (issue #18, point 9)."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from tests.support.factories import file_report
from tests.support.pages import browser_for
from tests.support.people import People
from tests.support.servers import Server, http_client

V1 = "/api/v1"


def _csv_link(page: str) -> str:
    match = re.search(r'<a [^>]*href="([^"]*)"[^>]*>Ladda ner \(CSV för Excel\)</a>', page)
    assert match, "no download link on the page"
    return html.unescape(match[1])


def _csv_exports(api: httpx.Client) -> list[dict[str, Any]]:
    answer = api.get(f"{V1}/audit-events", params={"action": "export", "limit": 200})
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json()["items"] if e["detail"] == "csv"]


def test_the_list_downloads_as_csv_with_its_filters_and_it_is_logged_as_an_export(
    server: Server, api: httpx.Client, people: People
) -> None:
    bro, kungsangen = (people["areas"][name]["id"] for name in ("Bro", "Kungsängen"))
    token = people["tokens"]["coordination"]
    file_report(
        server,
        token,
        {"area_id": bro, "assessment": "high", "occurred_from": "2026-11-21T21:30"},
        {"area_id": bro, "assessment": "high", "occurred_from": "2026-11-22T21:30"},
        {"area_id": bro, "assessment": "low", "occurred_from": "2026-11-23T21:30"},
        {"area_id": kungsangen, "assessment": "high", "occurred_from": "2026-11-24T21:30"},
    )
    filters = {
        "omrade": str(bro),
        "kategori": "skadegorelse",
        "fran": "2026-11-01",
        "till": "2026-11-30",
        "bedomning": "high",
        "q": "",
    }
    with browser_for(server, people, "coordination") as browser:
        listed = browser.get("/handelser", params=filters)
        assert listed.status_code == 200, listed.text
        link = _csv_link(listed.text)
        assert link.startswith("/handelser.csv?")
        assert f"omrade={bro}" in link and "bedomning=high" in link and "fran=2026-11-01" in link
        assert "cursor" not in link

        with browser.stream("GET", link) as download:
            assert download.status_code == 200
            # The API's own headers: what the file is and what it is called.
            assert download.headers["content-type"] == "text/csv; charset=utf-8"
            # Named after the filter (api.incidents.export), ASCII and UTF-8.
            assert download.headers["content-disposition"].startswith(
                'attachment; filename="handelser-'
            )
            # Passed on as it comes, not read whole first (which would give it a length).
            assert "content-length" not in download.headers
            assert download.headers["transfer-encoding"] == "chunked"
            body = download.read().decode("utf-8")

    assert body.startswith("\ufeffHändelse-ID;")
    rows = body.removeprefix("\ufeff").splitlines()[1:]
    assert sorted(row.split(";")[5] for row in rows) == ["2026-11-21 21:30", "2026-11-22 21:30"]

    (event,) = _csv_exports(api)
    assert event["user_id"] == people["users"]["coordination"]["id"]
    assert event["object_type"] == "incidents" and event["rows"] == 2
    asked = dict(part.split("=", 1) for part in event["query"].split("&"))
    assert asked["area"] == str(bro)
    assert asked["assessment"] == "high"
    assert asked["category"] == "skadegorelse"
    assert asked["since"].startswith("2026-1") and asked["until"].startswith("2026-12-01")


def test_the_whole_list_downloads_without_filters(server: Server, people: People) -> None:
    bro = people["areas"]["Bro"]["id"]
    file_report(server, people["tokens"]["coordination"], {"area_id": bro}, {"area_id": bro})
    with browser_for(server, people, "coordination") as browser:
        link = _csv_link(browser.get("/handelser").text)
        assert link == "/handelser.csv"
        lines = browser.get(link).content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3  # the header and both


def test_a_bad_filter_is_refused_and_not_signed_in_goes_to_the_sign_in_page(
    server: Server, people: People, api: httpx.Client
) -> None:
    with browser_for(server, people, "coordination") as browser:
        listed = browser.get("/handelser", params={"bedomning": "enorm"})
        assert listed.status_code == 422
        assert "Ladda ner (CSV för Excel)" not in listed.text  # no link to a refused list
        refused = browser.get("/handelser.csv", params={"bedomning": "enorm"})
        assert refused.status_code == 422
    with http_client(base_url=server.url) as anonymous:
        answer = anonymous.get("/handelser.csv")
    assert answer.status_code in (302, 303)
    assert answer.headers["location"].startswith("/logga-in")
    assert _csv_exports(api) == []

"""Reading a mapping tool's export in through the pages, without JavaScript: upload,
preview with the rejected rows and their reasons, map an unknown category, read it in."""

from __future__ import annotations

import html
import re
from pathlib import Path

from tests.support.factories import file_report
from tests.support.pages import browser_for, csrf_of
from tests.support.people import People
from tests.support.servers import Server

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "embrace-export-sample.csv"


def test_upload_preview_map_and_read_in(server: Server, people: People) -> None:
    content = SAMPLE.read_bytes().replace(b";Trafik;", ";Buskörning;".encode(), 1)
    with browser_for(server, people, "coordination") as convener:
        form = convener.get("/import")
        assert form.status_code == 200
        assert 'href="/import"' in convener.get("/").text  # in the menu
        csrf = csrf_of(form.text)
        nothing = convener.post("/import", data={"csrf_token": csrf, "kalla": "embrace"})
        assert nothing.status_code == 422 and 'id="fil-error"' in nothing.text
        sent = convener.post(
            "/import",
            data={"csrf_token": csrf, "kalla": "embrace", "organisation": ""},
            files={"fil": ("export.csv", content, "text/csv")},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text[:500]
        url = sent.headers["location"]
        preview = convener.get(url).text
        assert "Förhandsvisning" in preview
        assert "Läs in 4 händelser" in preview
        assert "rad 4" in preview and "Buskörning" in preview
        mapping_link = re.search(
            r'href="(/import/kategorier\?kalla=embrace&amp;namn=[^"]+)"', preview
        )
        assert mapping_link, "no link to map the unknown category"
        mapping_page = convener.get(html.unescape(mapping_link[1])).text
        assert 'value="Buskörning"' in mapping_page
        mapped = convener.post(
            "/import/kategorier",
            data={"csrf_token": csrf, "kalla": "embrace", "namn": "Buskörning",
                  "kategori": "trafik.olovlig_korning"},
            follow_redirects=False,
        )  # fmt: skip
        assert mapped.status_code == 303
        assert "Buskörning" in convener.get("/import/kategorier").text
        done = convener.post(url, data={"csrf_token": csrf}, follow_redirects=False)
        assert done.status_code == 303
        page = convener.get(url).text
        assert "Inläst" in page and "Läs in 4" not in page
        # Read in as the file reads now: the row with the category mapped since is in too.
        keys = re.findall(r'<span class="key-value">(\d+)</span>', page)
        assert keys == ["5", "0", "0", "0"]
        # The same file again: all five are known and unchanged.
        again = convener.post(
            "/import",
            data={"csrf_token": csrf, "kalla": "embrace"},
            files={"fil": ("export.csv", content, "text/csv")},
            follow_redirects=True,
        ).text
        assert "Det finns inget att läsa in." in again
        keys = re.findall(r'<span class="key-value">(\d+)</span>', again)
        assert keys == ["0", "0", "5", "0"]
        assert len(convener.get("/handelser").text.split('<a href="/handelser/')) - 1 == 5


def test_only_importers_see_the_pages(server: Server, people: People) -> None:
    for who in ("reporter", "kungsangen", "viewer", "steering"):
        with browser_for(server, people, who) as person:
            assert person.get("/import/kategorier").status_code == 403, who
            assert 'href="/import"' not in person.get("/").text, who


def test_a_police_match_is_shown_and_undone_on_the_incident_page(
    server: Server, people: People
) -> None:
    filed = file_report(
        server,
        people["tokens"]["coordination"],
        {"area_id": people["areas"]["Bro"]["id"], "category": "trafik",
         "occurred_from": "2025-06-10T21:30", "position": {"lat": 59.5089, "lon": 17.6431}},
    )  # fmt: skip
    observation = filed["incidents"][0]["id"]
    police = (
        "Händelse-ID;Kategori;Inträffade från;Område;Latitud;Longitud;Organisation\r\n"
        "P1;Trafik;2025-06-10 21:40;Bro;59,5090;17,6431;Polisen, lokalpolisområde\r\n"
    ).encode()
    with server.client(people["tokens"]["admin"]) as admin:
        kept = admin.post(
            "/api/v1/imports",
            files={"file": ("polisen.csv", police, "text/csv")},
            data={"source": "polisen"},
        ).json()
        admin.post(f"/api/v1/imports/{kept['id']}/confirm")
    with browser_for(server, people, "coordination") as convener:
        page = convener.get(f"/handelser/{observation}").text
        assert "Polisanmäld som samma händelse" in page and "11 m isär" in page
        action = re.search(r'action="(/handelser/\d+/matchningar/\d+/angra)"', page)
        assert action, "no undo form"
        undone = convener.post(
            action[1], data={"csrf_token": csrf_of(page)}, follow_redirects=False
        )
        assert undone.status_code == 303
        assert "Matchningen ångrades" in convener.get(f"/handelser/{observation}").text

"""The yearly lägesbild (lag 2023:196) as a browser without JavaScript uses it: started from
the group's lägesbild page, written in its sections, the action plan that builds on it, the
police's statistics entered as rows and read from Brå's file, published, and printed as a
page and a PDF."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import httpx

from tests.support.pages import browser_for, csrf_of, found
from tests.support.people import People
from tests.support.planted import KLOTTER, TZ, Spec, World, insert
from tests.support.servers import Server

COORDINATION = "EST samordningsgrupp"
STEERING = "EST styrgrupp"
BRO_GROUP = "EST områdesgrupp Bro"
BAD_CSV = "Brottstyp;År;Antal\nRån;2024;3\nStöld;2024;x\n"


def post(client: httpx.Client, url: str, page: str, **data: Any) -> httpx.Response:
    return client.post(url, data={"csrf_token": csrf_of(page), **data}, follow_redirects=False)


def text_of(page: str) -> str:
    """The page's words, without its markup."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_a_yearly_lagesbild_through_the_pages(server: Server, people: People) -> None:
    world = World.of(server, people)
    insert(
        server,
        world,
        [
            Spec(dt.datetime(2025, 3, 2, 21, tzinfo=TZ), area="Bro", category=KLOTTER),
            Spec(dt.datetime(2025, 3, 9, 21, tzinfo=TZ), area="Bro", category=KLOTTER),
            Spec(dt.datetime(2024, 3, 9, 21, tzinfo=TZ), area="Kungsängen", category=KLOTTER),
        ],
    )
    coordination = world.groups[COORDINATION]
    with browser_for(server, people, "coordination") as convener:
        listing = convener.get(f"/grupper/{coordination}/lagesbild")
        assert "Ny årlig lägesbild (2023:196)" in listing.text
        # Not a year: said beside the field.
        wrong = post(convener, f"/grupper/{coordination}/lagesbild/ar", listing.text, ar="tjugo")
        assert wrong.status_code == 422 and 'id="ar-error"' in wrong.text
        made = post(convener, f"/grupper/{coordination}/lagesbild/ar", listing.text, ar="2025")
        assert made.status_code == 303, made.text
        url = made.headers["location"]
        again = post(convener, f"/grupper/{coordination}/lagesbild/ar", listing.text, ar="2025")
        assert again.status_code == 409 and f'href="{url}"' in again.text

        page = convener.get(url)
        assert page.status_code == 200, page.text[:500]
        words = text_of(page.text)
        for heading in ("Kartläggning", "Annan relevant information", "Analys", "Åtgärdsprogram"):
            assert f">{heading}</h2>" in page.text, heading
        assert "Lägesbild 2025" in words and "1 januari 2025 – 31 december 2025" in words
        assert re.search(r"Hela kommunen 2 1 \+?100", words), words
        assert "Mars 2 1" in words
        assert "Polisens statistik för 2025 är inte införd." in words
        assert "Årlig lägesbild 2025" in convener.get(f"/grupper/{coordination}/lagesbild").text

        # The texts, each in its section, saved with one button.
        etag = html.unescape(found(r'name="etag" value="([^"]*)"', page.text))
        saved = post(
            convener,
            url,
            page.text,
            etag=etag,
            other_information="Trygghetsmätningen visar oro i centrum.",
            other_information_fore="",
            analysis="Klottret ökar i Bro.",
            analysis_fore="",
        )
        assert saved.status_code == 303, saved.text
        page = convener.get(url)
        assert "Trygghetsmätningen visar oro i centrum." in page.text

        # The police's statistics: rows typed, then Brå's file with a bad line.
        police = convener.get("/kommun/polisstatistik?ar=2025")
        assert police.status_code == 200 and "Läs in Brås fil" in police.text
        typed = post(
            convener,
            "/kommun/polisstatistik",
            police.text,
            ar="2025",
            **{"brott-0": "Skadegörelse", "antal-0": "1 200", "kalla-0": ""},
        )
        assert typed.status_code == 303, typed.text
        bad = convener.post(
            "/kommun/polisstatistik/fil",
            data={"csrf_token": csrf_of(police.text), "ar": "2025", "kalla": "Brå"},
            files={
                "fil": ("bra.csv", "Brottstyp;År;Antal\nRån;2024;3\nStöld;2024;x\n", "text/csv")
            },
            follow_redirects=False,
        )
        assert bad.status_code == 422 and "Rad 3: antalet ”x” är inget heltal." in bad.text
        good = convener.post(
            "/kommun/polisstatistik/fil",
            data={"csrf_token": csrf_of(police.text), "ar": "2025", "kalla": "Brå"},
            files={"fil": ("bra.csv", "Brottstyp;År;Antal\nSkadegörelse;2024;1 500\n", "text/csv")},
            follow_redirects=False,
        )
        assert good.status_code == 303, good.text
        words = text_of(convener.get(url).text)
        assert re.search(r"Skadegörelse 1200 1500 [−-]20 ?%", words), words

    # The steering group's plan builds on it; its page links back.
    with browser_for(server, people, "steering") as steering:
        start = steering.get("/styrning").text
        plan_url = post(
            steering, "/styrning/planer", start, ptitel="Åtgärdsprogram 2026",
            pstart="2026-01-01", pslut="2026-12-31",
        ).headers["location"]  # fmt: skip
        plan_id = plan_url.rsplit("/", 1)[1]
        page = steering.get(url)
        assert f'<option value="{plan_id}">' in page.text
        linked = post(steering, f"{url}/atgardsprogram", page.text, plan=plan_id)
        assert linked.status_code == 303
        page = steering.get(url)
        assert f'href="/planer/{plan_id}">Åtgärdsprogram 2026</a>' in page.text
        assert "Bygger på lägesbilden 2025" in steering.get(plan_url).text

    with browser_for(server, people, "coordination") as convener:
        page = convener.get(url)
        published = post(
            convener,
            f"{url}/publicera",
            page.text,
            etag=html.unescape(found(r'name="etag" value="([^"]*)"', page.text)),
        )
        assert published.status_code == 303, published.text
        assert 'id="locked"' in convener.get(url).text

        # Printed and as a PDF: the four parts the law names, in order, as published.
        printed = convener.get(f"{url}/utskrift")
        assert printed.status_code == 200, printed.text[:500]
        words = text_of(printed.text)
        parts = ["1. Kartläggning", "2. Annan relevant information", "3. Analys",
                 "4. Åtgärdsprogram"]  # fmt: skip
        assert all(p in words for p in parts)
        assert sorted(parts, key=words.index) == parts
        for expected in ("Lägesbild 2025", "Trygghetsmätningen visar oro i centrum.",
                         "Klottret ökar i Bro.", "Åtgärdsprogram 2026", "Mars 2 1"):  # fmt: skip
            assert expected in words, expected
        assert re.search(r"Skadegörelse 1200 1500 [−-]20 ?%", words)
        pdf = convener.get(f"{url}.pdf")
        assert pdf.status_code == 200, pdf.text[:500]
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 10_000
        name = "lagesbild-2025-est-samordningsgrupp-v1.pdf"
        assert name in pdf.headers["content-disposition"], pdf.headers["content-disposition"]
    with browser_for(server, people, "kungsangen") as outsider:
        refused = outsider.get(f"{url}.pdf")
        assert refused.status_code == 404 and not refused.content.startswith(b"%PDF")
    # Only a municipality-wide group is offered one.
    with browser_for(server, people, "admin") as admin:
        bro = admin.get(f"/grupper/{world.groups[BRO_GROUP]}/lagesbild").text
        assert "Ny årlig lägesbild" not in bro

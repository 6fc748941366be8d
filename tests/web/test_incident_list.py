"""The incidents list says what it is ordered by: filed, newest first, with when each was
filed beside when it happened (issue #18: a reporter's list was ordered by filing but showed
only the occurrence dates, which then looked unordered)."""

from __future__ import annotations

import datetime as dt
import re

from tests.support.factories import file_report
from tests.support.pages import browser_for
from tests.support.people import People
from tests.support.servers import Server
from web.format import datetime_sv


def _cells(html: str, tag: str) -> list[list[str]]:
    table = re.search(r'<table class="list">(.*?)</table>', html, re.S)
    assert table, "no list on the page"
    rows = re.findall(r"<tr>(.*?)</tr>", table[1], re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", row, re.S)
        ]
        for row in rows
    ]


def test_a_reporters_list_shows_when_each_was_filed_in_the_order_it_is_listed(
    server: Server, people: People
) -> None:
    bro = people["areas"]["Bro"]["id"]
    token = people["tokens"]["reporter"]
    # Filed in this order, happened in the other.
    first = file_report(server, token, {"area_id": bro, "occurred_from": "2026-11-22T21:30"})
    second = file_report(server, token, {"area_id": bro, "occurred_from": "2026-11-20T18:00"})
    with browser_for(server, people, "reporter") as browser:
        for path in ("/handelser", "/karta"):
            page = browser.get(path)
            assert page.status_code == 200, page.text
            (header,) = (row for row in _cells(page.text, "th") if row)
            assert header[:2] == ["Rapporterad (senast först)", "Inträffade"], header
            assert 'aria-sort="descending">Rapporterad' in page.text
            rows = [row for row in _cells(page.text, "td") if row]
            filed = [
                datetime_sv(dt.datetime.fromisoformat(report["incidents"][0]["created_at"]))
                for report in (second, first)
            ]
            assert [row[0] for row in rows] == filed, rows
            assert [row[1] for row in rows] == ["20 november 2026 18:00", "22 november 2026 21:30"]

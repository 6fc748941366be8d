"""The week chart's figures say which week is not counted to its end: the week under way
(today's) and a week cut by the period's last day; whole weeks say they are whole."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.people import People
from tests.support.servers import Server

V1 = "/api/v1"


def _weeks(server: Server, people: People, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    group = people["groups"]["EST samordningsgrupp"]["id"]
    with server.client(people["tokens"]["coordination"]) as client:
        response = client.get(
            f"{V1}/groups/{group}/situation",
            params={"first_day": first.isoformat(), "last_day": last.isoformat()},
        )
    assert response.status_code == 200, response.text
    weeks: list[dict[str, Any]] = response.json()["weeks"]
    return weeks


def test_whole_weeks_a_cut_week_and_the_week_under_way(server: Server, people: People) -> None:
    # Ending on Sunday 22 November 2026: every week in the chart is whole.
    weeks = _weeks(server, people, dt.date(2026, 11, 9), dt.date(2026, 11, 22))
    assert [(w["complete"], w["through"]) for w in weeks] == [(True, None)] * len(weeks)
    # Ending on Wednesday 25 November: that week counts Monday to Wednesday only.
    weeks = _weeks(server, people, dt.date(2026, 11, 12), dt.date(2026, 11, 25))
    assert (weeks[-1]["monday"], weeks[-1]["complete"]) == ("2026-11-23", False)
    assert weeks[-1]["through"] == "2026-11-25"
    assert all(w["complete"] for w in weeks[:-1])
    # Ending today: this week is not over, even on a Sunday, until midnight.
    today = dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()
    weeks = _weeks(server, people, today - dt.timedelta(days=13), today)
    assert (weeks[-1]["complete"], weeks[-1]["through"]) == (False, today.isoformat())
    assert all(w["complete"] for w in weeks[:-1])

"""The one rule set for the days recorded about an intervention and in a meeting: a day
cannot come before what it follows (the intervention's start, the meeting), and a day that
records what was seen or told (a follow-up, feedback) cannot come after today in the
municipality's zone (today itself is allowed). Each refusal is a Swedish 422 beside the
field, most likely a typo."""

from __future__ import annotations

import datetime as dt

from api.errors import Invalid
from api.swedish import day_sv


def check_day_within(
    start: dt.date,
    day: dt.date,
    field: str,
    what: str,
    *,
    since: str = "insatsens start",
    today: dt.date | None = None,
) -> None:
    """Refuse ``day`` (the ``field`` of ``what``, "Uppföljningen") before ``start`` (the
    day of ``since``), or after ``today`` when given: the record says what already
    happened, so it cannot be dated in the future."""
    if day < start:
        raise Invalid.field(
            field, f"{what} kan inte vara före {since} {day_sv(start)}.", "before_start"
        )
    if today is not None and day > today:
        raise Invalid.field(
            field,
            f"{what} kan inte vara efter i dag, {day_sv(today)}: den anger vad som redan hänt.",
            "in_future",
        )

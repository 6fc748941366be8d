"""How the API says dates in Swedish, in the texts it writes (agenda items, messages): one
source for the web pages too, so that a date reads the same wherever it appears."""

from __future__ import annotations

import datetime as dt

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def day_sv(value: dt.date, *, year: bool = True) -> str:
    """ "4 mars 2021", or "4 mars" without the year."""
    text = f"{value.day} {MONTHS[value.month - 1]}"
    return f"{text} {value.year}" if year else text

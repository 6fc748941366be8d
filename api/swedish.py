"""The Swedish words the API and the web pages share: dates as the API writes them in its
texts (agenda items, messages), and the names of the roles. One source, so that a date or a
role reads the same wherever it appears."""

from __future__ import annotations

import datetime as dt

from api.accounts.schemas import Role

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

# In the order a form offers them.
ROLES = {
    Role.convener: "sammankallande",
    Role.member: "medlem",
    Role.reporter: "rapportör",
    Role.viewer: "läsare",
}


def day_sv(value: dt.date, *, year: bool = True) -> str:
    """ "4 mars 2021", or "4 mars" without the year."""
    text = f"{value.day} {MONTHS[value.month - 1]}"
    return f"{text} {value.year}" if year else text

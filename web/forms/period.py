"""A period as the forms and filters type it: a first and a last day ("fran", "till"), each
optional, each a date or told beside its field."""

from __future__ import annotations

import datetime as dt

from web import format as fmt

NOT_A_DATE = "Skriv datumet som ÅÅÅÅ-MM-DD."


def period_days(fran: str, till: str) -> tuple[dt.date | None, dt.date | None, dict[str, str]]:
    """The days typed (None where none was), and errors beside a day that is not a date."""
    first, last = fmt.parse_date(fran), fmt.parse_date(till)
    errors: dict[str, str] = {}
    if fran and first is None:
        errors["fran"] = NOT_A_DATE
    if till and last is None:
        errors["till"] = NOT_A_DATE
    return first, last, errors

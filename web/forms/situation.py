"""The lägesbild's forms: the texts the group writes, and the period its figures cover."""

from __future__ import annotations

from typing import Any

from api.situation.schemas import MAX_TEXT, TEXT_FIELDS
from web.forms.period import period_days

# The text fields in the order the group writes them, with their Swedish names.
FIELDS = {
    "summary": "Sammanfattning",
    "analysis": "Analys",
    "assessment": "Bedömning",
    "proposals": "Förslag",
    "other_information": "Annan relevant information",
}
HINTS = {
    "summary": "Det viktigaste i perioden, i två eller tre meningar.",
    "analysis": "Var och när händer det, vad är nytt, vad växer och varför.",
    "assessment": "Gruppens gemensamma bedömning av läget.",
    "proposals": "Förslag på insatser och vem som gör vad.",
    "other_information": "Det som inte syns i siffrorna: enkäter, skolans och socialtjänstens "
    "bild, händelser som påverkat året.",
}
assert tuple(FIELDS) == TEXT_FIELDS
# The yearly lägesbild's own text (lag 2023:196).
YEARLY_ONLY = frozenset({"other_information"})


def fields_for(kind: str) -> dict[str, str]:
    """The texts a lägesbild of ``kind`` has, in the order the group writes them."""
    return {k: v for k, v in FIELDS.items() if kind == "year" or k not in YEARLY_ONLY}


# The API's names of a period's days on the forms.
PERIOD_FIELDS = {"first_day": "fran", "last_day": "till"}


def text_form(form: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The texts a posted form holds (a field not sent is left as it is), and errors beside
    the fields that are too long."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in FIELDS:
        value = form.get(field)
        if not isinstance(value, str):
            continue
        text = value.replace("\r\n", "\n")
        values[field] = text
        if len(text) > MAX_TEXT:
            errors[field] = f"Högst {MAX_TEXT} tecken (nu {len(text)})."
    return values, errors


def period_values(fran: str, till: str) -> tuple[dict[str, str], dict[str, str]]:
    """A period's days as typed, and errors beside a day that is not a date (whether the
    period itself is one the API takes, the API says)."""
    _first, _last, errors = period_days(fran, till)
    return {"fran": fran[:10], "till": till[:10]}, errors

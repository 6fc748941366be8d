"""The steering pages' forms: what a person typed, as the API's bodies, with the problems a
page can see itself beside their fields (the API decides the rest)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api import swedish
from web import format as fmt

# One character more than the API takes: a text too long is refused beside its field by
# the API, not cut here without a word.
MAX_LONG = 20_001
# The API's field names on the pages' forms.
GOAL_FIELDS = {
    "group_id": "tema",
    "theme": "tema",
    "title": "titel",
    "description": "beskrivning",
    "period_start": "start",
    "period_end": "slut",
}
INDICATOR_FIELDS = {
    "name": "namn",
    "kind": "slag",
    "category": "kategori",
    "area_id": "omrade",
    "unit": "enhet",
    "source": "kalla",
    "direction": "riktning",
}
VALUE_FIELDS = {"value": "varde", "source": "vkalla", "year": "ar", "note": "vnot"}
ASSIGNMENT_FIELDS = {
    "to_group_id": "grupp",
    "title": "uppgift",
    "description": "varfor",
    "due": "senast",
    "goal_id": "uppgift",
}
ANSWER_FIELDS = {"text": "svar", "intervention_ids": "insatser"}
PLAN_FIELDS = {
    "title": "ptitel",
    "goal_id": "pmal",
    "description": "pbeskrivning",
    "period_start": "pstart",
    "period_end": "pslut",
    "adopted_by": "antagen_av",
    "adopted_on": "antagen",
}
ACTIVITY_FIELDS = {
    "title": "atitel",
    "description": "abeskrivning",
    "responsible_office": "ansvarig",
    "partner_ids": "partner",
    "partners_other": "andra",
    "period_start": "astart",
    "period_end": "aslut",
    "status": "astatus",
    "indicator_id": "indikator",
    "child_perspective": "barn",
}
REVIEW_FIELDS = {"status": "status", "done": "gjort", "assessment": "bedomning"}


def values_of(form: Mapping[str, Any], names: list[str]) -> dict[str, str]:
    return {n: str(form.get(n, "") or "")[:MAX_LONG].replace("\r\n", "\n") for n in names}


def _day(
    values: dict[str, str], name: str, errors: dict[str, str], *, required: bool = False
) -> str | None:
    text = values.get(name, "").strip()
    if not text:
        if required:
            errors[name] = "Skriv dagen som ÅÅÅÅ-MM-DD."
        return None
    day = fmt.parse_date(text)
    if day is None:
        errors[name] = "Skriv dagen som ÅÅÅÅ-MM-DD."
        return None
    return day.isoformat()


def _text(values: dict[str, str], name: str) -> str | None:
    return values.get(name, "").strip() or None


def _id(values: dict[str, str], name: str, errors: dict[str, str], message: str) -> int | None:
    text = values.get(name, "").strip()
    if not text:
        return None
    found = fmt.parse_id(text)
    if found is None:
        errors[name] = message
    return found


def goal_body(values: dict[str, str], group_id: int) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    body = {
        "group_id": group_id,
        "theme": values["tema"].strip(),
        "title": values["titel"].strip(),
        "description": _text(values, "beskrivning"),
        "period_start": _day(values, "start", errors),
        "period_end": _day(values, "slut", errors),
    }
    if not body["theme"]:
        errors["tema"] = "Skriv temaområdet."
    if not body["title"]:
        errors["titel"] = "Skriv målet."
    return body, errors


def indicator_body(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    kind = values["slag"]
    body: dict[str, Any] = {
        "name": values["namn"].strip(),
        "kind": kind,
        "direction": values["riktning"] or "decrease",
    }
    if not body["name"]:
        errors["namn"] = "Skriv vad indikatorn mäter."
    if kind == "computed":
        body["category"] = values["kategori"] or None
        body["area_id"] = _id(values, "omrade", errors, "Välj ett område i listan.")
        if body["category"] is None:
            errors["kategori"] = "Välj vilken kategori som räknas."
    elif kind == "manual":
        body["unit"] = _text(values, "enhet")
        body["source"] = _text(values, "kalla")
    else:
        errors["slag"] = "Välj hur indikatorn får sina värden."
    return body, errors


def value_body(
    values: dict[str, str],
) -> tuple[int | None, int | None, dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    indicator = _id(values, "indikator", errors, "Välj en indikator i listan.")
    if indicator is None:
        errors.setdefault("indikator", "Välj en indikator i listan.")
    year = fmt.parse_id(values["ar"].strip())
    if year is None or not 1990 <= year <= 2099:
        errors["ar"] = "Skriv året med fyra siffror, till exempel 2024."
    value = fmt.parse_number(values["varde"])
    if value is None:
        errors["varde"] = "Skriv ett tal, till exempel 12,5."
    if not values["vkalla"].strip():
        errors["vkalla"] = "Skriv var siffran kommer ifrån, till exempel Stockholmsenkäten 2024."
    body = {"value": value, "source": values["vkalla"].strip(), "note": _text(values, "vnot")}
    return indicator, year, body, errors


def assignment_body(values: dict[str, str], goal_id: int) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    body = {
        "goal_id": goal_id,
        "to_group_id": _id(values, "grupp", errors, "Välj en grupp i listan."),
        "title": values["uppgift"].strip(),
        "description": _text(values, "varfor"),
        "due": _day(values, "senast", errors, required=True),
    }
    if body["to_group_id"] is None:
        errors.setdefault("grupp", "Välj vilken grupp som får uppdraget.")
    if not body["title"]:
        errors["uppgift"] = "Skriv vad gruppen ska göra."
    return body, errors


def plan_body(values: dict[str, str], group_id: int) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    body = {
        "group_id": group_id,
        "title": values["ptitel"].strip(),
        "goal_id": _id(values, "pmal", errors, "Välj ett mål i listan."),
        "description": _text(values, "pbeskrivning"),
        "period_start": _day(values, "pstart", errors, required=True),
        "period_end": _day(values, "pslut", errors, required=True),
        "adopted_by": _text(values, "antagen_av"),
        "adopted_on": _day(values, "antagen", errors),
    }
    if not body["title"]:
        errors["ptitel"] = "Skriv planens namn."
    return body, errors


def activity_body(
    values: dict[str, str], partners: list[int]
) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    body = {
        "title": values["atitel"].strip(),
        "description": _text(values, "abeskrivning"),
        "responsible_office": values["ansvarig"].strip(),
        "partner_ids": partners,
        "partners_other": _text(values, "andra"),
        "period_start": _day(values, "astart", errors, required=True),
        "period_end": _day(values, "aslut", errors),
        "status": values["astatus"] or "planned",
        "indicator_id": _id(values, "indikator", errors, "Välj en indikator i listan."),
        "child_perspective": values["barn"].strip(),
    }
    if not body["title"]:
        errors["atitel"] = "Skriv aktiviteten."
    if not body["responsible_office"]:
        errors["ansvarig"] = "Skriv vilket kontor som ansvarar."
    if not body["child_perspective"]:
        errors["barn"] = "Skriv barnperspektivet: hur aktiviteten berör barn och unga."
    if body["status"] not in swedish.INTERVENTION_STATUSES:
        errors["astatus"] = "Välj en status i listan."
    return body, errors


def review_body(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    body = {
        "status": values["status"],
        "done": values["gjort"].strip(),
        "assessment": _text(values, "bedomning"),
    }
    if body["status"] not in swedish.INTERVENTION_STATUSES:
        errors["status"] = "Välj en status i listan."
    if not body["done"]:
        errors["gjort"] = "Skriv vad som gjordes under året."
    return body, errors

"""The meeting forms: the API's field names as the forms', the agenda as the page lists it
(one row of fields per item), and a decision, which may ask for feedback, answer an
assignment and start an intervention (its own form's fields, web.forms.interventions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from api.meetings.schemas import MAX_AGENDA_ITEMS, AgendaItemRead, MeetingRead
from web import format as fmt
from web.deps import MAX_FORM_FIELD
from web.forms import interventions

# The API's field names on the meeting forms.
MEETING_FIELDS = {"starts_at": "tid", "location": "plats"}
# The minutes and attendance, saved together.
ATTENDANCE_FIELDS = {
    "minutes": "protokoll",
    "attendee_ids": "narvarande",
    "organisation_ids": "aktorer",
}
# The observations a filter on the meeting page offers to tick at once.
PICK_LIMIT = 50
# The observations one decision's intervention may be linked to (the API's limit).
MAX_LINKED = 500
DECISION_FIELDS = {
    **interventions.API_FIELDS,
    "text": "beslut",
    "feedback_for": "aterkoppla",
    "feedback_due": "senast",
    "answers_assignment": "uppdrag",
}


def agenda_of(form: FormData) -> list[dict[str, Any]]:
    """The agenda as the page sent it: its rows in order, without those struck or left
    empty, and without the steering group's assignments, which are not stored with it."""
    struck = {str(v) for v in form.getlist("stryk")}
    kinds = form.getlist("typ")
    # The period of each row, where the page sent one (a page from before it did sends none).
    firsts, lasts = (
        [*form.getlist(name), *[""] * len(kinds)][: len(kinds)] for name in ("pfran", "ptill")
    )
    rows = zip(
        kinds, form.getlist("ref"), form.getlist("punkt"), form.getlist("not"), firsts, lasts,
        strict=False,
    )  # fmt: skip
    return [
        {
            "kind": str(kind),
            "title": str(title).strip()[:200],
            "note": str(note).strip()[:2000] or None,
            "ref_id": fmt.parse_id(str(ref)),
            # The period the item counted, kept as built (the form does not change it).
            "first_day": _day(first),
            "last_day": _day(last),
        }
        for index, (kind, ref, title, note, first, last) in enumerate(rows)
        if str(title).strip() and str(index) not in struck and kind != "assignment"
    ][:MAX_AGENDA_ITEMS]


def _day(value: object) -> str | None:
    day = fmt.parse_date(str(value)[:10])
    return day.isoformat() if day else None


def agenda_period(agenda: list[AgendaItemRead]) -> tuple[dt.date | None, dt.date | None]:
    """The days the agenda's lägesbild counted; none for an agenda built before it said so
    (the lägesbild's own period is shown then)."""
    for item in agenda:
        if item.first_day is not None and item.last_day is not None:
            return item.first_day, item.last_day
    return None, None


def typed_agenda(rows: list[dict[str, Any]], meeting: MeetingRead) -> list[AgendaItemRead]:
    """What ``agenda_of`` read, to show again in the form, with the stored agenda's
    assignments (which the form does not send)."""
    typed = []
    for row in rows:
        try:
            typed.append(AgendaItemRead.model_validate(row))
        except ValidationError:
            continue  # a kind the form does not offer: nothing to show
    return typed + [item for item in meeting.agenda if item.kind.value == "assignment"]


def decision_of(form: FormData) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """What was typed (to show again), the API's body, and what is wrong beside its field."""
    text = str(form.get("beslut", ""))[:2000].strip()
    typed: dict[str, Any] = {
        k: str(form.get(k, ""))[:MAX_FORM_FIELD]
        for k in ("beslut", "aterkoppla", "senast", "insats", "uppdrag", *interventions.FORM_FIELDS)
    }
    typed["kategorier"] = [str(c)[:64] for c in form.getlist("kategorier")][:30]
    # The observations ticked one by one, and the hot spots ticked whole (each box carries its
    # observations' numbers): the intervention is linked to all of them, once each.
    typed["heta"] = [str(v)[:MAX_FORM_FIELD] for v in form.getlist("het")][:40]
    picked = fmt.parse_ids(
        [*form.getlist("handelse"), *(part for hot in typed["heta"] for part in hot.split(","))]
    )[:MAX_LINKED]
    typed["valda"] = set(fmt.parse_ids(form.getlist("handelse")))
    typed["handelser"] = ", ".join(map(str, picked))
    body: dict[str, Any] = {"text": text}
    errors: dict[str, str] = {}
    if not text:
        errors["beslut"] = "Skriv beslutet."
    about = str(form.get("aterkoppla", ""))
    if fmt.parse_id(about) is not None:
        body["feedback_for"] = fmt.parse_id(about)
        by = fmt.parse_date(str(form.get("senast", ""))[:10])
        if form.get("senast") and by is None:
            errors["senast"] = "Skriv dagen som ÅÅÅÅ-MM-DD."
        body["feedback_due"] = by.isoformat() if by else None
    if typed["uppdrag"]:
        body["answers_assignment"] = fmt.parse_id(typed["uppdrag"])
        if body["answers_assignment"] is None:
            errors["uppdrag"] = "Välj ett uppdrag i listan."
    if picked and typed["insats"] != "ja":
        errors["handelser"] = (
            "Händelser kopplas till en insats: kryssa i ”Skapa insatsen med beslutet”."
        )
    if typed["insats"] == "ja":
        intervention, more = interventions.body_of(typed, typed["kategorier"], 0)
        intervention.pop("group_id")
        errors.update(more)
        body["intervention"] = intervention
    return typed, body, errors

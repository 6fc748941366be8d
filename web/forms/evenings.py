"""The evening forms: an evening's day, hours, area, kind and briefing with its shifts (one
row of fields per shift), as the API's body; the API's refusals beside the form's fields (a
shift's beside its row)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from starlette.datastructures import FormData

from api.evenings.schemas import EveningRead
from api.localtime import STOCKHOLM
from api.schemas_common import Problem
from web import format as fmt
from web.deps import MAX_FORM_FIELD

# The API's field names on the evening form.
FIELDS = {
    "day": "dag",
    "starts_at": "start",
    "ends_at": "slut",
    "area_id": "omrade",
    "kind": "typ",
    "title": "titel",
    "briefing_at": "samling",
    "briefing_place": "samlingsplats",
    "notes": "anteckningar",
}
# The shift rows' fields: per row, these lists in the form.
SHIFT_FIELDS = ("pass_org", "pass_plats", "pass_start", "pass_slut", "pass_antal")
SHIFT_HIDDEN = ("pass_person", "pass_omrade")
# Empty rows the form offers for new shifts.
EMPTY_ROWS = 3
MAX_ROWS = 60
_SHIFT_ERROR = re.compile(r"^shifts\.(\d+)\.")


def field_errors(problem: Problem, sent_rows: list[int]) -> dict[str, str]:
    """The API's problem beside the form's fields; a shift's beside its row (``pass-N``, N
    the row of the form: ``sent_rows`` says which row each shift sent came from)."""
    errors: dict[str, str] = {}
    for error in problem.errors:
        row = _SHIFT_ERROR.match(error.field)
        if row:
            sent = int(row[1])
            index = sent_rows[sent] if sent < len(sent_rows) else sent
            errors.setdefault(f"pass-{index}", error.message)
            continue
        name = FIELDS.get(error.field.split(".", 1)[0])
        if name is not None:
            errors.setdefault(name, error.message)
    if not errors:
        errors["form"] = problem.detail
    return errors


def _clock(value: dt.datetime | None) -> str:
    return f"{value.astimezone(STOCKHOLM):%H:%M}" if value else ""


def values_of(evening: EveningRead | None, day: str = "") -> dict[str, Any]:
    """The form's values: an evening's, or a new one's defaults."""
    if evening is None:
        return {
            "dag": day or fmt.today_iso(),
            "start": "18:00",
            "slut": "01:00",
            "omrade": "",
            "typ": "weekend",
            "titel": "",
            "samling": "17:30",
            "samlingsplats": "",
            "anteckningar": "",
            "rows": [_row() for _ in range(EMPTY_ROWS)],
        }
    rows = [
        _row(
            pass_org=str(x.organisation.id),
            pass_plats=x.location or "",
            pass_start=_clock(x.starts_at),
            pass_slut=_clock(x.ends_at),
            pass_antal=str(x.people),
            pass_person=str(x.person.id) if x.person else "",
            pass_omrade=str(x.area.id) if x.area else "",
        )
        for x in evening.shifts
    ]
    return {
        "dag": evening.day.isoformat(),
        "start": _clock(evening.starts_at),
        "slut": _clock(evening.ends_at),
        "omrade": str(evening.area.id) if evening.area else "",
        "typ": evening.kind.value,
        "titel": evening.title or "",
        "samling": _clock(evening.briefing_at),
        "samlingsplats": evening.briefing_place or "",
        "anteckningar": evening.notes,
        "rows": rows + [_row() for _ in range(2)],
    }


def _row(**values: str) -> dict[str, str]:
    return {name: values.get(name, "") for name in (*SHIFT_FIELDS, *SHIFT_HIDDEN)}


def _moment(day: dt.date, time: dt.time, start: dt.time) -> str:
    """A time of the evening of ``day``: before noon, of an evening that starts after noon,
    the night after."""
    noon = dt.time(12)
    when = day + dt.timedelta(days=1) if time < noon <= start else day
    return dt.datetime.combine(when, time).isoformat(timespec="minutes")


def body_of(form: FormData) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """What was typed (to show again), the API's body, and what is wrong beside its field."""
    typed: dict[str, Any] = {
        name: str(form.get(name, ""))[:MAX_FORM_FIELD].strip() for name in (*FIELDS.values(),)
    }
    typed["anteckningar"] = str(form.get("anteckningar", ""))[:20_000].replace("\r\n", "\n")
    columns = {name: [str(v)[:MAX_FORM_FIELD] for v in form.getlist(name)] for name in SHIFT_FIELDS}
    columns |= {
        name: [str(v)[:MAX_FORM_FIELD] for v in form.getlist(name)] for name in SHIFT_HIDDEN
    }
    count = min(max((len(v) for v in columns.values()), default=0), MAX_ROWS)
    typed["rows"] = [
        {name: (columns[name][i] if i < len(columns[name]) else "").strip() for name in columns}
        for i in range(count)
    ]
    errors: dict[str, str] = {}
    day = fmt.parse_date(typed["dag"])
    start = fmt.parse_time(typed["start"] or "18:00")
    end = fmt.parse_time(typed["slut"] or "01:00")
    if day is None:
        errors["dag"] = "Skriv dagen som ÅÅÅÅ-MM-DD."
    if start is None:
        errors["start"] = "Skriv tiden som TT:MM, till exempel 18:00."
    if end is None:
        errors["slut"] = "Skriv tiden som TT:MM, till exempel 01:00."
    briefing = fmt.parse_time(typed["samling"]) if typed["samling"] else None
    if typed["samling"] and briefing is None:
        errors["samling"] = "Skriv tiden som TT:MM, till exempel 17:30."
    body: dict[str, Any] = {
        "area_id": fmt.parse_id(typed["omrade"]) if typed["omrade"] else None,
        "kind": typed["typ"] or "weekend",
        "title": typed["titel"] or None,
        "briefing_place": typed["samlingsplats"] or None,
        "notes": typed["anteckningar"].strip(),
    }
    if day is None or start is None or end is None:
        return typed, body, errors
    body["starts_at"] = dt.datetime.combine(day, start).isoformat(timespec="minutes")
    ends_day = day + dt.timedelta(days=1) if end <= start else day
    body["ends_at"] = dt.datetime.combine(ends_day, end).isoformat(timespec="minutes")
    body["briefing_at"] = (
        dt.datetime.combine(day, briefing).isoformat(timespec="minutes") if briefing else None
    )
    shifts = []
    typed["sent_rows"] = []
    for index, row in enumerate(typed["rows"]):
        organisation = fmt.parse_id(row["pass_org"])
        if organisation is None:
            if any(row[name] for name in SHIFT_FIELDS[1:4]):
                errors[f"pass-{index}"] = "Välj passets organisation."
            continue
        begins = fmt.parse_time(row["pass_start"]) if row["pass_start"] else start
        ends = fmt.parse_time(row["pass_slut"]) if row["pass_slut"] else end
        people = fmt.parse_id(row["pass_antal"]) if row["pass_antal"] else 1
        if begins is None or ends is None:
            errors[f"pass-{index}"] = "Skriv passets tider som TT:MM."
            continue
        if people is None:
            errors[f"pass-{index}"] = "Skriv antalet personer som ett heltal."
            continue
        shift_start = _moment(day, begins, start)
        shift_end = _moment(day, ends, start)
        if shift_end <= shift_start:
            shift_end = _moment(day + dt.timedelta(days=1), ends, start)
        typed["sent_rows"].append(index)
        shifts.append(
            {
                "organisation_id": organisation,
                "user_id": fmt.parse_id(row["pass_person"]) if row["pass_person"] else None,
                "area_id": fmt.parse_id(row["pass_omrade"]) if row["pass_omrade"] else None,
                "location": row["pass_plats"] or None,
                "starts_at": shift_start,
                "ends_at": shift_end,
                "people": people,
            }
        )
    body["shifts"] = shifts
    return typed, body, errors

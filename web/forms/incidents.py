"""The incident forms. Filing: its fields, as a browser sends them, turned into the API's
report, and the API's field errors turned back into the form's fields; it works the same with
and without JavaScript, every choice a plain form field. Correcting one incident: only what
changed is sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from api import localtime, swedish
from api.localtime import STOCKHOLM
from web import format as fmt

MAX_INCIDENTS = 20
WHEN = {
    "nu": "Nu",
    "kvall": "I kväll",
    "dag": "En dag",
    "fonster": "Ett tidsfönster",
    "tid": "Vid en viss tid",
}


@dataclass
class IncidentForm:
    kategori: str = ""
    nar: str = "nu"
    tid: str = ""
    dag: str = ""
    fran: str = ""
    till: str = ""
    omrade: str = ""
    # The area the form started with (the reporter's own, own_area): a point typed with it
    # left as it was decides the area, as the hint says, instead of contradicting it.
    forvalt: str = ""
    plats: str = ""
    koordsys: str = "EPSG:4326"
    lat: str = ""
    lon: str = ""
    bedomning: str = ""
    sakerhet: str = "observed"
    polis: str = "unknown"
    beskrivning: str = ""
    bekrafta: str = ""
    # "ja" when taken out of the report on the page (with its undo, so its text stays there
    # until the report is sent).
    bort: str = ""
    # "ja": the person agrees that the photo's position becomes the incident's point when
    # none is given (#20). The photo itself is a file field, h{i}-bild, never drawn again.
    bildposition: str = ""
    # "ja" (set when read, never sent): a photo came with the form drawn again, and must be
    # chosen again (a file field cannot be filled in by the page).
    bild_igen: str = ""


FIELDS = [f.name for f in fields(IncidentForm)]
# The API's field (after "incidents.N.") and the form field where its message goes.
API_FIELDS = {
    "category": "kategori",
    "occurred_to": "till",
    "precision": "nar",
    "area_id": "omrade",
    "place_id": "plats",
    "position": "lat",
    "assessment": "bedomning",
    "certainty": "sakerhet",
    "police_reported": "polis",
    "description": "beskrivning",
}
WHEN_FIELD = {"nu": "nar", "kvall": "nar", "dag": "dag", "fonster": "fran", "tid": "tid"}


def read_forms(form: Mapping[str, Any], *, kept: bool = True) -> list[IncidentForm]:
    """The incidents of the form; those taken out on the page (``bort``) too, when not
    ``kept`` (their numbers stay taken until the page is drawn again)."""
    items = _indexed(form)
    return [item for _, item in (_kept(items) if kept else items)]


def _indexed(form: Mapping[str, Any]) -> list[tuple[int, IncidentForm]]:
    """Every incident of the form with its number in the form's field names."""
    try:
        count = int(str(form.get("antal", "1")))
    except ValueError:
        count = 1
    count = max(1, min(count, MAX_INCIDENTS))
    items = []
    for i in range(count):
        item = IncidentForm(**{name: str(form.get(f"h{i}-{name}", ""))[:2000] for name in FIELDS})
        item.bild_igen = "ja" if getattr(form.get(f"h{i}-bild"), "filename", "") else ""
        items.append((i, item))
    return items


def photo_fields(form: Mapping[str, Any]) -> list[tuple[Any, bool]]:
    """For each incident read_forms keeps (in its order), its photo field's value (an
    upload, or none chosen) and whether its position may become the incident's point."""
    return [(form.get(f"h{i}-bild"), f.bildposition == "ja") for i, f in _kept(_indexed(form))]


def _kept(items: list[tuple[int, IncidentForm]]) -> list[tuple[int, IncidentForm]]:
    # Never none: the last one taken out stays rather than leaving an empty report.
    return [(i, f) for i, f in items if f.bort != "ja"] or items[-1:]


def next_form(items: list[IncidentForm]) -> IncidentForm:
    """The next incident of a batch starts where the last one kept was: the same place, point
    and time, often. Only what happened and how bad it was are left to choose."""
    last = next((f for f in reversed(items) if f.bort != "ja"), items[-1])
    copied = (
        "nar", "tid", "dag", "fran", "till", "omrade", "forvalt", "plats", "koordsys", "lat", "lon"
    )  # fmt: skip
    return IncidentForm(**{name: getattr(last, name) for name in copied})


def own_area(me: Any, groups: list[Any]) -> str:
    """The reporter's own area, to start the form with: the one area of the area groups the
    person is a member of (``/me``'s memberships); none when there are several or none."""
    mine = {grant.group.id for grant in me.memberships}
    areas = {g.area.id for g in groups if g.id in mine and g.area is not None}
    return str(areas.pop()) if len(areas) == 1 else ""


def evening(now: dt.datetime) -> tuple[dt.datetime, dt.datetime, str]:
    """ "I kväll": 18–24 tonight, or last night's before six in the evening."""
    local = now.astimezone(STOCKHOLM)
    day = local.date() if local.hour >= 18 else local.date() - dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(18), tzinfo=STOCKHOLM)
    label = "I kväll (18–24)" if day == local.date() else "I går kväll (18–24)"
    return start, start + dt.timedelta(hours=6), label


def opened_at(text: str) -> dt.datetime | None:
    """When the form was first opened (a hidden field), if it is a sane time."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    now = localtime.utcnow()
    if value.tzinfo is None or not now - dt.timedelta(days=2) < value <= now:
        return None
    return value


def to_api(
    forms: list[IncidentForm], now: dt.datetime
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The API's incidents, and the mistakes found before asking it (keyed by form field)."""
    incidents: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for i, item in enumerate(forms):

        def error(field: str, message: str, i: int = i) -> None:
            errors.setdefault(f"h{i}-{field}", message)

        body: dict[str, Any] = {"category": item.kategori}
        if not item.kategori:
            error("kategori", "Välj vad som hände.")
        if item.nar == "nu":
            body |= {"occurred_from": now.isoformat(timespec="minutes"), "precision": "exact"}
        elif item.nar == "kvall":
            start, end, _label = evening(now)
            body |= {
                "occurred_from": start.isoformat(),
                "occurred_to": end.isoformat(),
                "precision": "part_of_day",
            }
        elif item.nar == "dag":
            if not item.dag:
                error("dag", "Välj dag.")
            body |= {"occurred_from": item.dag, "precision": "day"}
        elif item.nar == "fonster":
            if not item.fran or not item.till:
                error("fran" if not item.fran else "till", "Ange när fönstret börjar och slutar.")
            body |= {
                "occurred_from": item.fran,
                "occurred_to": item.till or None,
                "precision": "part_of_day",
            }
        elif item.nar == "tid":
            if not item.tid:
                error("tid", "Ange när det hände.")
            body |= {"occurred_from": item.tid, "precision": "exact"}
        else:
            error("nar", "Välj när det hände.")
        # A named place decides the area (the API takes the place's): the area preselected
        # as the reporter's own must not contradict a place in another area.
        # So does a point given beside the area the form started with.
        pointed = bool(item.lat.strip() or item.lon.strip())
        if item.omrade and not item.plats and not (pointed and item.omrade == item.forvalt):
            body["area_id"] = fmt.parse_id(item.omrade) or -1
        if item.plats:
            body["place_id"] = fmt.parse_id(item.plats) or -1
        if item.lat.strip() or item.lon.strip():
            first, second = fmt.parse_number(item.lat), fmt.parse_number(item.lon)
            if first is None or second is None or item.koordsys not in swedish.COORDINATE_SYSTEMS:
                error("lat", "Skriv båda koordinaterna som tal, till exempel 59,5117.")
            elif item.koordsys == "EPSG:4326":
                body["position"] = {"lat": first, "lon": second}
            else:
                body["position"] = {"crs": item.koordsys, "n": first, "e": second}
        if item.bedomning not in swedish.ASSESSMENTS:
            error("bedomning", "Välj hur mycket otrygghet det skapar.")
        else:
            body["assessment"] = item.bedomning
        body["certainty"] = item.sakerhet if item.sakerhet in swedish.CERTAINTIES else "observed"
        body["police_reported"] = item.polis if item.polis in swedish.POLICE_REPORTED else "unknown"
        if item.beskrivning.strip():
            body["description"] = item.beskrivning.strip()
        body["confirm_personal_data"] = item.bekrafta == "ja"
        incidents.append(body)
    return incidents, errors


def api_errors(problems: list[Any], forms: list[IncidentForm]) -> dict[str, str]:
    """The API's field errors ("incidents.1.area_id") beside the form's fields ("h1-omrade")."""
    errors: dict[str, str] = {}
    for problem in problems:
        parts = problem.field.split(".")
        if len(parts) < 3 or parts[0] != "incidents" or fmt.parse_id(parts[1]) is None:
            errors.setdefault("rapport", problem.message)
            continue
        i = int(parts[1])
        if parts[2] == "occurred_from":
            name = WHEN_FIELD.get(forms[i].nar if i < len(forms) else "nu", "nar")
        else:
            name = API_FIELDS.get(parts[2], "rapport")
        key = f"h{i}-{name}" if name != "rapport" else "rapport"
        errors.setdefault(key, problem.message)
        if problem.code == "personal_data":
            errors[f"h{i}-personuppgift"] = "ja"
    return errors


def as_dicts(forms: list[IncidentForm]) -> list[dict[str, str]]:
    return [asdict(f) for f in forms]


# Correcting one incident: the fields a correction usually needs.
EDIT_FIELDS = (
    "kategori", "omrade", "plats", "bedomning", "sakerhet", "polis", "beskrivning", "bekrafta",
)  # fmt: skip


def edit_values(incident: Any) -> dict[str, str]:
    return {
        "kategori": incident.category.code,
        "omrade": str(incident.area.id),
        "plats": str(incident.place.id) if incident.place else "",
        "bedomning": incident.assessment.value if incident.assessment else "",
        "sakerhet": incident.certainty.value if incident.certainty else "",
        "polis": incident.police_reported.value,
        "beskrivning": incident.description or "",
        "bekrafta": "",
    }


def edit_body(
    values: dict[str, str], original: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Only what changed: an unchanged description is not looked at for personal data again."""
    errors: dict[str, str] = {}
    if not values["kategori"]:
        errors["kategori"] = "Välj vad som hände."
    if fmt.parse_id(values["omrade"]) is None and fmt.parse_id(values["plats"]) is None:
        errors["omrade"] = "Välj område eller plats."
    if values["bedomning"] not in swedish.ASSESSMENTS:
        errors["bedomning"] = "Välj hur mycket otrygghet det skapar."
    if errors:
        return {}, errors
    body: dict[str, Any] = {
        "category": values["kategori"],
        "area_id": fmt.parse_id(values["omrade"]),
        "place_id": fmt.parse_id(values["plats"]),
        "assessment": values["bedomning"],
        "police_reported": values["polis"]
        if values["polis"] in swedish.POLICE_REPORTED
        else "unknown",
        "description": values["beskrivning"].strip() or None,
        "confirm_personal_data": values["bekrafta"] == "ja",
    }
    if values["sakerhet"] in swedish.CERTAINTIES:
        body["certainty"] = values["sakerhet"]
    form_names = {
        "category": "kategori", "area_id": "omrade", "place_id": "plats",
        "assessment": "bedomning", "certainty": "sakerhet", "police_reported": "polis",
        "description": "beskrivning",
    }  # fmt: skip
    changed = {
        key: value
        for key, value in body.items()
        if key not in form_names or values[form_names[key]].strip() != original[form_names[key]]
    }
    if "place_id" in changed and body["place_id"] is not None:
        # A new named place decides the area (the API takes the place's when no area is
        # sent): the area shown before must not contradict it.
        changed.pop("area_id", None)
    elif "place_id" in changed or "area_id" in changed:
        # Area and place are checked together, so both go when either changed.
        changed["area_id"], changed["place_id"] = body["area_id"], body["place_id"]
    return changed, errors


def edit_errors(problem: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in problem.errors:
        name = API_FIELDS.get(error.field, "rapport")
        errors.setdefault(name, error.message)
        if error.code == "personal_data":
            errors["personuppgift"] = "ja"
    return errors or {"rapport": problem.detail}

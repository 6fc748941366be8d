"""The intervention forms: what the page sends, as the API's body, and the API's field names
as the form's (the intervention itself, what was told back, a follow-up)."""

from __future__ import annotations

from typing import Any

from api import swedish
from web import format as fmt

FORM_FIELDS = (
    "titel", "typ", "beskrivning", "agare", "ansvarig", "mal", "omrade", "plats", "lat", "lon",
    "radie", "start", "slut", "status", "handelser", "tjanar", "uppdrag",
)  # fmt: skip
# The API's field (its last part) → the form's.
API_FIELDS = {
    "title": "titel",
    "type": "typ",
    "description": "beskrivning",
    "owner_organisation_id": "agare",
    "responsible": "ansvarig",
    "target": "mal",
    "kind": "mal",
    "area_id": "omrade",
    "place_id": "plats",
    "lat": "lat",
    "lon": "lon",
    "radius_m": "radie",
    "categories": "kategorier",
    "planned_start": "start",
    "planned_end": "slut",
    "status": "status",
    "incident_ids": "handelser",
    "goal_id": "tjanar",
    "assignment_id": "uppdrag",
}


def body_of(
    values: dict[str, str], categories: list[str], group_id: int
) -> tuple[dict[str, Any], dict[str, str]]:
    """The API's body from the form, and the errors the page can tell at once."""
    errors: dict[str, str] = {}
    if not values["titel"].strip():
        errors["titel"] = "Skriv vad insatsen är."
    if values["typ"] not in swedish.INTERVENTION_TYPES:
        errors["typ"] = "Välj en typ i listan."
    if fmt.parse_id(values["agare"]) is None:
        errors["agare"] = "Välj vilken organisation som äger insatsen."
    if not categories:
        errors["kategorier"] = "Välj minst en kategori som insatsen riktar sig mot."
    start, end = fmt.parse_date(values["start"]), fmt.parse_date(values["slut"])
    if start is None:
        errors["start"] = "Skriv startdagen som ÅÅÅÅ-MM-DD."
    if values["slut"] and end is None:
        errors["slut"] = "Skriv slutdagen som ÅÅÅÅ-MM-DD."
    kind = values["mal"]
    target: dict[str, Any] = {"kind": kind}
    if kind == "area":
        target["area_id"] = fmt.parse_id(values["omrade"])
        if target["area_id"] is None:
            errors["omrade"] = "Välj ett område."
    elif kind == "place":
        target["place_id"] = fmt.parse_id(values["plats"])
        if target["place_id"] is None:
            errors["plats"] = "Välj en plats."
        radius = fmt.parse_number(values["radie"])
        if radius is not None:
            target["radius_m"] = round(radius)
        elif values["radie"].strip():
            errors["radie"] = "Ange radien i meter, till exempel 250."
    elif kind == "point":
        lat, lon, radius = (
            fmt.parse_number(values["lat"]),
            fmt.parse_number(values["lon"]),
            fmt.parse_number(values["radie"]),
        )
        if lat is None:
            errors["lat"] = "Ange latitud, till exempel 59,5117."
        if lon is None:
            errors["lon"] = "Ange longitud, till exempel 17,6364."
        if radius is None:
            errors["radie"] = "Ange en radie i meter."
        area = fmt.parse_id(values["omrade"])
        if area is None:
            errors["omrade"] = "Välj området punkten ligger i."
        target.update(
            area_id=area,
            lat=lat,
            lon=lon,
            radius_m=round(radius) if radius is not None else None,
        )
    else:
        errors["mal"] = "Välj var insatsen görs."
    linked = [part.strip().lstrip("#") for part in values["handelser"].replace(";", ",").split(",")]
    linked = [part for part in linked if part]
    if not all(fmt.parse_id(part) is not None for part in linked):
        errors["handelser"] = "Skriv händelsernas nummer åtskilda med komma, till exempel 12, 15."
    if values["status"] not in swedish.INTERVENTION_STATUSES:
        errors["status"] = "Välj en status i listan."
    # Why, from the steering group: a goal, or an assignment (which brings its goal).
    serves = {
        field: fmt.parse_id(values.get(name, ""))
        for field, name in (("goal_id", "tjanar"), ("assignment_id", "uppdrag"))
        if values.get(name, "").strip()
    }
    for field, name in (("goal_id", "tjanar"), ("assignment_id", "uppdrag")):
        if field in serves and serves[field] is None:
            errors[name] = "Välj i listan."
    body = {
        "group_id": group_id,
        "title": values["titel"].strip(),
        "type": values["typ"],
        "description": values["beskrivning"].strip() or None,
        "owner_organisation_id": fmt.parse_id(values["agare"]),
        "responsible": values["ansvarig"].strip() or None,
        "target": target,
        "categories": categories,
        "planned_start": start.isoformat() if start else None,
        "planned_end": end.isoformat() if end else None,
        "status": values["status"],
        "incident_ids": [i for i in map(fmt.parse_id, linked) if i is not None][:500],
        **serves,
    }
    return body, errors


# The API's field names on the forms for what was told back and for a follow-up.
FEEDBACK_FIELDS = {
    "told_on": "tdag",
    "channel": "kanal",
    "text": "text",
    "organisation_ids": "till",
}
FOLLOW_UP_FIELDS = {"day": "dag", "done": "gjort", "seen": "sett"}

"""The safety walk forms: a walk (area, start, meeting point, the route as named places in
order and as a drawn line, invited organisations, until when residents may pin), a resident's
pin on the public page, a finding filed on the walk, and a finding's status; each as the
API's body, and the API's refusals beside the form's fields."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from starlette.datastructures import FormData

from api.localtime import STOCKHOLM
from api.safetywalks.schemas import MAX_ROUTE_PLACES, MAX_ROUTE_POINTS, WalkRead
from api.schemas_common import Problem
from web import format as fmt
from web.deps import MAX_FORM_FIELD

# The API's field names → the walk form's.
WALK_FIELDS = {
    "area_id": "omrade",
    "title": "titel",
    "starts_at": "dag",
    "meeting_point": "samlingsplats",
    "meeting_lat": "samling_lat",
    "meeting_lon": "samling_lon",
    "route": "rutt_ritad",
    "route_place_ids": "rutt",
    "invited_organisation_ids": "inbjudna",
    "input_until": "oppet_till",
    "notes": "anteckningar",
}
# The pin form's (the public page).
INPUT_FIELDS = {
    "sender": "fran",
    "comment": "kommentar",
    "place_id": "plats",
    "lat": "plats",
    "lon": "plats",
    "form_token": "form",
    "website": "form",
    "token": "form",
}
# The finding form's.
FINDING_FIELDS = {
    "kind": "typ",
    "description": "beskrivning",
    "place_id": "plats",
    "lat": "plats",
    "lon": "plats",
    "input_id": "synpunkt",
    "responsible_organisation_id": "ansvarig",
    "responsible_office": "kontor",
    "status": "status",
    "status_note": "notering",
}
# What a choice left unchosen is told, by the form's field: the API's words for a missing or
# mistyped value ("Måste vara ett av: 'lighting', …") name its codes, not the choices shown.
CHOICES = {
    "omrade": "Välj område.",
    "fran": "Välj om du skriver som boende eller företag.",
    "typ": "Välj vad fyndet gäller.",
    "ansvarig": "Välj vilken organisation som ansvarar.",
    "plats": "Välj en plats i listan.",
    "synpunkt": "Välj en synpunkt i listan.",
    "status": "Välj status.",
}
# The API's codes for a value of the wrong kind or none at all (pydantic's error types).
UNCHOSEN = frozenset(
    {
        *("missing", "enum", "literal_error", "none_required"),
        *("int_type", "int_parsing", "int_from_float", "greater_than_equal", "greater_than"),
    }
)
# The walk form's one-line texts.
WALK_TEXTS = (
    *("omrade", "titel", "dag", "tid"),
    *("samlingsplats", "samling_lat", "samling_lon", "oppet_till"),
)
# Empty route rows the walk form offers beyond the places chosen.
EMPTY_ROUTE_ROWS = 4
MIN_ROUTE_ROWS = 6


def field_errors(problem: Problem, fields: dict[str, str]) -> dict[str, str]:
    """The API's problem beside the form's fields, by the field's first part (a route's
    ``route_place_ids.2`` beside the route); the rest above the form."""
    errors: dict[str, str] = {}
    for error in problem.errors:
        name = fields.get(error.field.split(".", 1)[0])
        if name is not None:
            unchosen = name in CHOICES and error.code in UNCHOSEN
            errors.setdefault(name, CHOICES[name] if unchosen else error.message)
    if not errors:
        errors["form"] = problem.detail
    return errors


def walk_errors(problem: Problem) -> dict[str, str]:
    return field_errors(problem, WALK_FIELDS)


def input_errors(problem: Problem) -> dict[str, str]:
    return field_errors(problem, INPUT_FIELDS)


def finding_errors(problem: Problem) -> dict[str, str]:
    return field_errors(problem, FINDING_FIELDS)


def _text(form: FormData, name: str, limit: int = MAX_FORM_FIELD) -> str:
    value = form.get(name, "")
    return value[:limit].strip() if isinstance(value, str) else ""


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(STOCKHOLM) if value else None


def _route_text(route: list[list[float]]) -> str:
    return "\n".join(f"{lat:.6f}, {lon:.6f}" for lat, lon in route)


def _rows(chosen: list[str]) -> list[str]:
    return chosen + [""] * max(EMPTY_ROUTE_ROWS, MIN_ROUTE_ROWS - len(chosen))


def walk_values(walk: WalkRead | None, area: str = "") -> dict[str, Any]:
    """The walk form's values: a walk's, or a new one's (in a week, at 18:00)."""
    if walk is None:
        day = dt.date.fromisoformat(fmt.today_iso()) + dt.timedelta(days=7)
        return {
            "omrade": area,
            "titel": "",
            "dag": day.isoformat(),
            "tid": "18:00",
            "samlingsplats": "",
            "samling_lat": "",
            "samling_lon": "",
            "rutt": _rows([]),
            "rutt_ritad": "",
            "inbjudna": [],
            "oppet_till": "",
            "anteckningar": "",
        }
    starts = _local(walk.starts_at)
    until = _local(walk.input_until)
    assert starts is not None
    return {
        "omrade": str(walk.area.id),
        "titel": walk.title or "",
        "dag": starts.date().isoformat(),
        "tid": f"{starts:%H:%M}",
        "samlingsplats": walk.meeting_point,
        "samling_lat": "" if walk.meeting_lat is None else str(walk.meeting_lat),
        "samling_lon": "" if walk.meeting_lon is None else str(walk.meeting_lon),
        "rutt": _rows([str(p.id) for p in walk.route_places]),
        "rutt_ritad": _route_text(walk.route),
        "inbjudna": [str(o.id) for o in walk.invited],
        "oppet_till": f"{until:%Y-%m-%dT%H:%M}" if until else "",
        "anteckningar": walk.notes,
    }


def parse_route(text: str) -> list[list[float]] | None:
    """A drawn route as the map writes it (and a person may type it): ``lat, lon`` a line;
    None when a line is no such pair."""
    points: list[list[float]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        lat_text, _comma, lon_text = line.replace(";", ",").partition(",")
        lat, lon = fmt.parse_number(lat_text), fmt.parse_number(lon_text)
        if lat is None or lon is None:
            return None
        points.append([lat, lon])
    return points


def walk_body(form: FormData) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """What was typed (to show again), the API's body, and what is wrong beside its field."""
    typed: dict[str, Any] = {name: _text(form, name) for name in WALK_TEXTS}
    typed["anteckningar"] = _text(form, "anteckningar", 20_000).replace("\r\n", "\n")
    typed["rutt_ritad"] = _text(form, "rutt_ritad", 40_000)
    chosen = [str(v)[:20] for v in form.getlist("rutt")][: MAX_ROUTE_PLACES + 10]
    typed["rutt"] = _rows([v for v in chosen if v])
    typed["inbjudna"] = [str(v)[:20] for v in form.getlist("inbjudna")][:200]
    errors: dict[str, str] = {}
    day = fmt.parse_date(typed["dag"])
    time = fmt.parse_time(typed["tid"])
    if day is None:
        errors["dag"] = "Skriv dagen som ÅÅÅÅ-MM-DD."
    elif time is None:
        errors["dag"] = "Skriv tiden som TT:MM, till exempel 18:00."
    until: str | None = None
    if typed["oppet_till"]:
        try:
            until = dt.datetime.fromisoformat(typed["oppet_till"]).isoformat(timespec="minutes")
        except ValueError:
            errors["oppet_till"] = "Skriv dag och tid som ÅÅÅÅ-MM-DD TT:MM."
    route = parse_route(typed["rutt_ritad"])
    if route is None:
        errors["rutt_ritad"] = "Skriv en punkt per rad: latitud, longitud."
    elif len(route) > MAX_ROUTE_POINTS:
        errors["rutt_ritad"] = f"Rutten får ha högst {MAX_ROUTE_POINTS} punkter."
    lat = fmt.parse_number(typed["samling_lat"]) if typed["samling_lat"] else None
    lon = fmt.parse_number(typed["samling_lon"]) if typed["samling_lon"] else None
    if (typed["samling_lat"] or typed["samling_lon"]) and (lat is None or lon is None):
        errors["samling_lat"] = "Ange både latitud och longitud, eller ingen av dem."
    body: dict[str, Any] = {
        "area_id": fmt.parse_id(typed["omrade"]) if typed["omrade"] else None,
        "title": typed["titel"] or None,
        "starts_at": (
            dt.datetime.combine(day, time).isoformat(timespec="minutes") if day and time else None
        ),
        "meeting_point": typed["samlingsplats"],
        "meeting_lat": lat,
        "meeting_lon": lon,
        "route": route or [],
        "route_place_ids": fmt.parse_ids(chosen),
        "invited_organisation_ids": fmt.parse_ids(typed["inbjudna"]),
        "input_until": until,
        "notes": typed["anteckningar"].strip(),
    }
    return typed, body, errors


# A resident's pin -----------------------------------------------------------------------------


def input_body(form: FormData, token: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The pin form as typed and as the API's body (the API judges it all: the resident is
    told in its words)."""
    typed = {
        "fran": _text(form, "fran", 20),
        "plats": _text(form, "plats", 20),
        "lat": _text(form, "lat", 40),
        "lon": _text(form, "lon", 40),
        "kommentar": _text(form, "kommentar", 5000),
        "form_token": _text(form, "form_token", 100),
    }
    lat = fmt.parse_number(typed["lat"]) if typed["lat"] else None
    lon = fmt.parse_number(typed["lon"]) if typed["lon"] else None
    body = {
        "token": token,
        "form_token": typed["form_token"],
        "website": _text(form, "website", 200),
        "sender": typed["fran"] or None,
        "comment": typed["kommentar"],
        "place_id": fmt.parse_id(typed["plats"]) if typed["plats"] else None,
        "lat": lat if lon is not None else None,
        "lon": lon if lat is not None else None,
    }
    return typed, body


# A finding ------------------------------------------------------------------------------------


def finding_values() -> dict[str, str]:
    return {
        # The filing's Idempotency-Key: sent again (a bad connection), the form files once.
        "nyckel": str(uuid.uuid4()),
        "typ": "",
        "beskrivning": "",
        "plats": "",
        "lat": "",
        "lon": "",
        "synpunkt": "",
        "ansvarig": "",
        "kontor": "",
    }


def finding_body(form: FormData) -> tuple[dict[str, str], dict[str, Any]]:
    typed = {name: _text(form, name) for name in finding_values()}
    typed["nyckel"] = typed["nyckel"][:100] or str(uuid.uuid4())
    typed["beskrivning"] = _text(form, "beskrivning", 5000).replace("\r\n", "\n")
    lat = fmt.parse_number(typed["lat"]) if typed["lat"] else None
    lon = fmt.parse_number(typed["lon"]) if typed["lon"] else None
    body = {
        "kind": typed["typ"] or None,
        "description": typed["beskrivning"],
        "place_id": fmt.parse_id(typed["plats"]) if typed["plats"] else None,
        "lat": lat if lon is not None else None,
        "lon": lon if lat is not None else None,
        "input_id": fmt.parse_id(typed["synpunkt"]) if typed["synpunkt"] else None,
        "responsible_organisation_id": (
            fmt.parse_id(typed["ansvarig"]) if typed["ansvarig"] else None
        ),
        "responsible_office": typed["kontor"] or None,
    }
    return typed, body


def status_body(form: FormData) -> dict[str, Any]:
    return {
        "status": _text(form, "status", 20) or None,
        "status_note": _text(form, "notering", 2000) or None,
    }

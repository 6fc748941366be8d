"""The tip forms: the public page's fields as the API's body (a datetime-local time, a place
from the select or a point from the map), the moderator's acceptance and rejection; the API's
refusals beside the fields."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from web.deps import MAX_FORM_FIELD

# The API's field names → the public form's.
FIELDS = {
    "what": "vad",
    "description": "beskrivning",
    "occurred_at": "nar",
    "place_id": "plats",
    "lat": "karta",
    "lon": "karta",
    "form_token": "form",
    "website": "form",
    "municipality_id": "kommun",
    "file": "bild",
    "photo": "bild",
}
# … and the moderation form's (one form per tip).
DECISION_FIELDS = {
    "category": "kategori",
    "area_id": "omrade",
    "place_id": "plats",
    "description": "beskrivning",
    "assessment": "bedomning",
    "position": "omrade",
    "occurred_from": "form",
    "reason": "skal",
}
PUBLIC_TEXT = (
    "kommun", "vad", "beskrivning", "nar", "plats", "lat", "lon", "form_token", "website"
)  # fmt: skip


def text(form: FormData, name: str, limit: int = MAX_FORM_FIELD) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _number(value: str) -> float | str | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return value  # the API says what is wrong with it


def _id(value: str) -> int | str | None:
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) < 12 else value


def public_values(form: FormData) -> dict[str, str]:
    """What the resident typed, to show again beside a refusal (never from storage)."""
    values = {name: text(form, name, 3000) for name in PUBLIC_TEXT}
    values["bildposition"] = "ja" if form.get("bildposition") else ""
    return values


def tip_body(values: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "municipality_id": _id(values["kommun"]),
        "what": values["vad"] or None,
        "description": values["beskrivning"],
        "occurred_at": values["nar"] or None,
        "place_id": _id(values["plats"]),
        "lat": _number(values["lat"]),
        "lon": _number(values["lon"]),
        "form_token": values["form_token"] or "-",
        "website": values["website"] or None,
    }
    if body["what"] is None:
        body.pop("what")
    return {k: v for k, v in body.items() if v is not None or k == "what"}


def accept_body(form: FormData) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": text(form, "kategori"),
        "assessment": text(form, "bedomning") or "medium",
    }
    area, place = _id(text(form, "omrade")), _id(text(form, "plats"))
    if area is not None:
        body["area_id"] = area
    if place is not None:
        body["place_id"] = place
    description = text(form, "beskrivning", 3000)
    if description:
        body["description"] = description
    return body


def reject_body(form: FormData) -> dict[str, Any]:
    reason = text(form, "skal", 300)
    return {"reason": reason} if reason else {}

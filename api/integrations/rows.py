"""One incident as a mapping tool sends it (a CSV row, a GeoJSON feature, a pushed item),
read into what ``api.incidents`` files: names become records, Swedish words become codes,
and every doubt becomes a reason a person can act on. Nothing is guessed: an unknown
category is refused with how to map it, never lumped into "other".

The fields, by the names a pushed item uses (the CSV headers are in ``CSV_HEADERS``):
``external_id`` (required), ``report_id``, ``category``, ``subcategory``,
``occurred_from`` (required), ``occurred_to``, ``area``, ``place``, ``address``, ``lat``,
``lon``, ``n``, ``e``, ``crs``, ``assessment``, ``certainty``, ``police_reported``,
``description``, ``organisation``, ``reported_at``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import localtime, privacy, swedish
from api.categories.models import Category
from api.incidents.schemas import IncidentCreate, Precision
from api.integrations.models import CategoryMapping
from api.localtime import STOCKHOLM
from api.schemas_common import CODE, GUARDED, Exempt, Guarded, PersonalDataPolicy, name_key
from api.structure.models import Area, Municipality, Organisation, Place

FIELDS = (
    "external_id", "report_id", "category", "subcategory", "occurred_from", "occurred_to",
    "area", "place", "address", "lat", "lon", "n", "e", "crs", "assessment", "certainty",
    "police_reported", "description", "organisation", "reported_at", "precision", "withdrawn",
)  # fmt: skip

# What the personal data guard does with each field, as a request body's schema declares it
# (api.schemas_common): a row arrives as a plain mapping, so its fields declare it here.
_LOOKED_UP = Exempt("a name looked up among our records; an unknown one refuses the row")
_READ = Exempt("read as a time, a number or one of a few words; anything else refuses the row")
POLICIES: dict[str, PersonalDataPolicy] = {
    "external_id": GUARDED, "report_id": GUARDED, "address": GUARDED, "description": GUARDED,
    "category": _LOOKED_UP, "subcategory": _LOOKED_UP, "area": _LOOKED_UP, "place": _LOOKED_UP,
    "organisation": _LOOKED_UP, "crs": CODE, "precision": CODE,
    "occurred_from": _READ, "occurred_to": _READ, "reported_at": _READ, "lat": _READ,
    "lon": _READ, "n": _READ, "e": _READ, "assessment": _READ, "certainty": _READ,
    "police_reported": _READ, "withdrawn": _READ,
}  # fmt: skip

# The export's headers (matched by name_key: case and spacing do not matter).
CSV_HEADERS = {
    "händelse-id": "external_id",
    "rapport-id": "report_id",
    "kategori": "category",
    "underkategori": "subcategory",
    "inträffade från": "occurred_from",
    "inträffade till": "occurred_to",
    "område": "area",
    "plats": "place",
    "adress": "address",
    "latitud": "lat",
    "longitud": "lon",
    "n": "n",
    "e": "e",
    "koordinatsystem": "crs",
    "bedömning": "assessment",
    "säkerhet": "certainty",
    "polisanmäld": "police_reported",
    "beskrivning": "description",
    "organisation": "organisation",
    "rapporterad": "reported_at",
}
# The same field in Swedish, for the reasons given back.
LABELS = {field: header.capitalize() for header, field in CSV_HEADERS.items()}
LABELS.update({"n": "N", "e": "E", "external_id": "Händelse-ID", "report_id": "Rapport-ID",
               "precision": "Precision", "withdrawn": "Återkallad"})  # fmt: skip


def _read_back(names: Mapping[str, str], synonyms: Mapping[str, str]) -> dict[str, str]:
    """What a cell may say for each value, lower-cased: our Swedish name (api.swedish, as
    the CSV export writes it, so that an export reads back in), the value itself, and what
    the mapping tools write instead."""
    return {
        **{name.lower(): value for value, name in names.items()},
        **{value: value for value in names},
        **synonyms,
    }


ASSESSMENTS = _read_back(swedish.ASSESSMENTS, {"1": "low", "2": "medium", "3": "high"})
CERTAINTIES = _read_back(swedish.CERTAINTIES, {"observerad": "observed"})
POLICE = _read_back(swedish.POLICE_REPORTED, {"okänt": "unknown"})
SYSTEMS = {
    "sweref 99 tm": "EPSG:3006",
    "epsg:3006": "EPSG:3006",
    "3006": "EPSG:3006",
    "sweref 99 18 00": "EPSG:3011",
    "sweref 99 1800": "EPSG:3011",
    "epsg:3011": "EPSG:3011",
    "3011": "EPSG:3011",
    "wgs 84": "EPSG:4326",
    "wgs84": "EPSG:4326",
    "epsg:4326": "EPSG:4326",
}
MAX_TEXT = 2000
MAX_ID = 200

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2})[:.](\d{2})(?::(\d{2})(?:\.\d{1,6})?)?"
    r"\s*(Z|z|[+-]\d{2}:?\d{2})?$"
)


@dataclass(frozen=True)
class Item:
    """One thing to import: where it is (a batch's index, a file's line) and its fields, or
    the reason it could not even be read."""

    position: int
    raw: dict[str, Any] | None
    reason: str | None = None


class Rejected(Exception):
    """A row that cannot be filed, with the reason in Swedish."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Lookup:
    """What names refer to, read once per import."""

    source: str
    municipality: Municipality
    areas: dict[str, Area]
    places: dict[tuple[int, str], Place]
    places_anywhere: dict[str, list[Place]]
    categories: dict[str, Category]  # by code
    by_label: dict[str, list[Category]]  # by name_key of the Swedish label
    mappings: dict[str, str]  # name_key → category code
    organisations: dict[str, Organisation]
    organisation_ids: dict[int, Organisation] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, source: str, municipality: Municipality) -> Lookup:
        areas = list(session.scalars(select(Area).where(Area.municipality_id == municipality.id)))
        places = list(
            session.scalars(select(Place).join(Area).where(Area.municipality_id == municipality.id))
        )
        anywhere: dict[str, list[Place]] = {}
        for place in places:
            anywhere.setdefault(name_key(place.name), []).append(place)
        categories = list(session.scalars(select(Category)))
        by_label: dict[str, list[Category]] = {}
        for category in categories:
            by_label.setdefault(name_key(category.label_sv), []).append(category)
        organisations = list(
            session.scalars(
                select(Organisation).where(Organisation.municipality_id == municipality.id)
            )
        )
        return cls(
            source=source,
            municipality=municipality,
            areas={name_key(a.name): a for a in areas},
            places={(p.area_id, name_key(p.name)): p for p in places},
            places_anywhere=anywhere,
            categories={c.code: c for c in categories},
            by_label=by_label,
            mappings={
                m.name_key: m.category_code
                for m in session.scalars(
                    # The importing municipality's names (#21), also where the session
                    # sees every municipality (the command line).
                    select(CategoryMapping).where(
                        CategoryMapping.source == source,
                        CategoryMapping.municipality_id == municipality.id,
                    )
                )
            },
            organisations={name_key(o.name): o for o in organisations},
            organisation_ids={o.id: o for o in organisations},
        )


@dataclass
class Row:
    """A row read: the incident to file, and what the source says about it besides."""

    external_id: str
    report_id: str | None
    organisation_id: int
    incident: IncidentCreate
    assessed: bool  # whether the source gave an assessment (else none is stored)
    certainty_given: bool
    address: str | None
    reported_at: dt.datetime | None
    withdrawn: bool = False


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        raise Rejected(f"{LABELS[name]}: ska vara text, inte {str(value).lower()}.")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise Rejected(f"{LABELS[name]}: ogiltigt tal.")
        return repr(value) if isinstance(value, float) else str(value)
    if not isinstance(value, str):
        raise Rejected(f"{LABELS[name]}: ska vara text.")
    return value.strip()


def read(raw: Mapping[str, Any], lookup: Lookup, default_organisation: int | None) -> Row:
    """The row as an incident to file; ``Rejected`` with the reason when it cannot be."""
    unknown = [k for k in raw if k not in FIELDS]
    if unknown:
        raise Rejected(f"okända fält: {', '.join(sorted(map(str, unknown))[:5])}.")
    _guard_personal_data(raw)
    external_id = _text(raw, "external_id")
    if not external_id:
        raise Rejected("Händelse-ID saknas.")
    if len(external_id) > MAX_ID:
        raise Rejected(f"Händelse-ID är längre än {MAX_ID} tecken.")
    report_id = _text(raw, "report_id") or None
    if report_id is not None and len(report_id) > MAX_ID:
        raise Rejected(f"Rapport-ID är längre än {MAX_ID} tecken.")

    category = _category(_text(raw, "category"), _text(raw, "subcategory"), lookup)
    start, start_is_day = _moment(_text(raw, "occurred_from"), "occurred_from", required=True)
    end, end_is_day = _moment(_text(raw, "occurred_to"), "occurred_to", required=False)
    assert start is not None
    given_precision = _text(raw, "precision")
    if given_precision and given_precision not in ("exact", "part_of_day", "day"):
        raise Rejected(f'Precision "{given_precision[:20]}": ange exact, part_of_day eller day.')
    if given_precision:
        # As another instance of this service says it (its change feed).
        precision = Precision(given_precision)
        occurred_to = end if end is not None and end > start else None
    elif start_is_day and (end is None or end_is_day):
        precision = Precision.day
        # A whole day ends at the next midnight: the last day given is included.
        occurred_to = _day_after(end) if end is not None else None
    else:
        if end is not None and end_is_day:
            end = _day_after(end)
        precision = Precision.part_of_day if end is not None and end > start else Precision.exact
        occurred_to = end if precision is Precision.part_of_day else None

    area = _area(_text(raw, "area"), lookup)
    place = _place(_text(raw, "place"), area, lookup)
    position = _position(raw)
    if area is None and place is None and position is None:
        raise Rejected("Område saknas: ange Område, Plats eller koordinater.")

    assessment_text = name_key(_text(raw, "assessment"))
    if assessment_text and assessment_text not in ASSESSMENTS:
        raise Rejected(f'Bedömning "{_text(raw, "assessment")}": ange Låg, Medel eller Hög (1–3).')
    certainty_text = name_key(_text(raw, "certainty"))
    if certainty_text and certainty_text not in CERTAINTIES:
        raise Rejected(f'Säkerhet "{_text(raw, "certainty")}": ange Observerat eller Misstänkt.')
    police_text = name_key(_text(raw, "police_reported"))
    if police_text and police_text not in POLICE:
        raise Rejected(f'Polisanmäld "{_text(raw, "police_reported")}": ange Ja eller Nej.')

    organisation_id = _organisation(_text(raw, "organisation"), lookup, default_organisation)
    description = _text(raw, "description")
    if len(description) > MAX_TEXT:
        raise Rejected(f"Beskrivning är längre än {MAX_TEXT} tecken.")
    address = _text(raw, "address")
    if len(address) > 200:
        raise Rejected("Adress är längre än 200 tecken.")
    reported, _ = _moment(_text(raw, "reported_at"), "reported_at", required=False)
    withdrawn = raw.get("withdrawn", False)
    if not isinstance(withdrawn, bool):
        raise Rejected("Återkallad: ska vara true eller false.")

    try:
        incident = IncidentCreate.model_validate(
            {
                "category": category,
                "occurred_from": start,
                "occurred_to": occurred_to,
                "precision": precision,
                "area_id": area.id if area else None,
                "place_id": place.id if place else None,
                "position": position,
                "assessment": ASSESSMENTS.get(assessment_text, "medium"),
                "certainty": CERTAINTIES.get(certainty_text, "observed"),
                "police_reported": POLICE.get(police_text, "unknown"),
                "description": description or None,
                "confirm_personal_data": True,  # looked at above
            }
        )
    except ValidationError as exc:
        raise Rejected(_validation_reason(exc)) from None
    return Row(
        external_id=external_id,
        report_id=report_id,
        organisation_id=organisation_id,
        incident=incident,
        assessed=bool(assessment_text),
        certainty_given=bool(certainty_text),
        address=address or None,
        reported_at=reported,
        withdrawn=withdrawn,
    )


def _guard_personal_data(raw: Mapping[str, Any]) -> None:
    for name, policy in POLICIES.items():
        if isinstance(policy, Guarded) and (found := privacy.findings(_text(raw, name))):
            # Nobody is there to confirm it, as on the form: the source must take it out.
            raise Rejected(
                privacy.warning(
                    found,
                    privacy.subject(name),
                    then="ta bort uppgiften i verktyget och skicka raden igen",
                )
            )


def _validation_reason(exc: ValidationError) -> str:
    names = {"occurred_to": "Inträffade till", "occurred_from": "Inträffade från",
             "description": "Beskrivning", "position": "koordinaterna"}  # fmt: skip
    parts = []
    for error in exc.errors()[:3]:
        where = next((names[str(p)] for p in error["loc"] if str(p) in names), "")
        parts.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
    return " ".join(p if p.endswith(".") else p + "." for p in parts)


def _category(given: str, sub: str, lookup: Lookup) -> str:
    """Our code, from a code, a Swedish label or the source's mapping: the sub-category
    within the category when both are given. A name mapped for the source wins; an unknown
    category is refused even when its sub-category's name is one of ours, since the two
    taxonomies then differ and the row may not mean what our name says."""
    if not given and not sub:
        raise Rejected("Kategori saknas.")
    if sub and name_key(sub) in lookup.mappings:
        return lookup.mappings[name_key(sub)]
    family = _one_category(given, lookup) if given else None
    if given and family is None:
        raise Rejected(
            f'okänd kategori "{given}" — lägg till den i kategorimappningen för källan '
            f"{lookup.source}"
        )
    if family is not None and (not sub or "." in family):
        # A category of ours (named or mapped) needs no sub-category to narrow it.
        return family
    candidates = ([lookup.categories[sub]] if sub in lookup.categories else []) + (
        lookup.by_label.get(name_key(sub), [])
    )
    children = [c for c in candidates if family is None or c.parent_code == family]
    if children:
        return children[0].code
    within = f" i {lookup.categories[family].label_sv}" if family else ""
    raise Rejected(
        f'okänd underkategori "{sub}"{within} — lägg till den i kategorimappningen för '
        f"källan {lookup.source}"
    )


def _one_category(text: str, lookup: Lookup) -> str | None:
    if text in lookup.categories:
        return text
    labelled = lookup.by_label.get(name_key(text), [])
    families = [c for c in labelled if c.parent_code is None]
    if families or labelled:
        return (families or labelled)[0].code
    mapped = lookup.mappings.get(name_key(text))
    if mapped is not None:
        return mapped
    return None


def _moment(text: str, name: str, *, required: bool) -> tuple[dt.datetime | None, bool]:
    """A time (local when it has no offset; the hour skipped in spring is refused) and
    whether it was a day alone."""
    if not text:
        if required:
            raise Rejected(f"{LABELS[name]} saknas.")
        return None, False
    day = _DAY.match(text)
    try:
        if day:
            # A wall-clock time; its zone (Stockholm, or the offset given) is set below.
            moment = dt.datetime(int(day[1]), int(day[2]), int(day[3]))  # noqa: DTZ001
            is_day = True
        else:
            found = _TIME.match(text)
            if not found:
                raise Rejected(
                    f'{LABELS[name]} "{text[:40]}": skriv datum och tid som 2021-03-04 21:30 '
                    "eller 2021-03-04."
                )
            year, month, mday, hour, minute = (int(found[i]) for i in range(1, 6))
            second = int(found[6] or 0)
            moment = dt.datetime(year, month, mday, hour, minute, second)  # noqa: DTZ001
            if found[7]:
                offset = found[7].replace(":", "")
                if offset in ("Z", "z"):
                    moment = moment.replace(tzinfo=dt.UTC)
                else:
                    sign = 1 if offset[0] == "+" else -1
                    delta = dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
                    moment = moment.replace(tzinfo=dt.timezone(sign * delta))
            is_day = False
    except ValueError:
        raise Rejected(f'{LABELS[name]} "{text[:40]}": datumet finns inte.') from None
    if not 1900 <= moment.year <= 2099:
        raise Rejected(f'{LABELS[name]} "{text[:40]}": året ska ligga mellan 1900 och 2099.')
    if moment.tzinfo is None:
        local = moment.replace(tzinfo=STOCKHOLM)
        if local.astimezone(dt.UTC).astimezone(STOCKHOLM).replace(tzinfo=None) != moment:
            raise Rejected(
                f'{LABELS[name]} "{text[:40]}": den tiden finns inte, klockan ställdes fram '
                "till sommartid just då."
            )
        moment = local
    return moment.astimezone(dt.UTC), is_day


def _day_after(moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(STOCKHOLM).date() + dt.timedelta(days=1)
    return localtime.midnight(local).astimezone(dt.UTC)


def _area(text: str, lookup: Lookup) -> Area | None:
    if not text:
        return None
    area = lookup.areas.get(name_key(text))
    if area is None:
        known = ", ".join(sorted(a.name for a in lookup.areas.values() if a.active))
        raise Rejected(f'okänt område "{text}" — områdena är {known}.')
    return area


def _place(text: str, area: Area | None, lookup: Lookup) -> Place | None:
    if not text:
        return None
    key = name_key(text)
    if area is not None:
        place = lookup.places.get((area.id, key))
        # A place the municipality does not know yet is not an error: it stays in the
        # address's stead, and the area says where.
        return place
    found = lookup.places_anywhere.get(key, [])
    return found[0] if len(found) == 1 else None


def _number(raw: Mapping[str, Any], name: str) -> float | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Rejected(f"{LABELS[name]}: ska vara ett tal.")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise Rejected(f'{LABELS[name]} "{value.strip()[:30]}": ska vara ett tal.') from None
    else:
        raise Rejected(f"{LABELS[name]}: ska vara ett tal.")
    if not math.isfinite(number):
        raise Rejected(f"{LABELS[name]}: ska vara ett tal.")
    return number


def _position(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    lat, lon = _number(raw, "lat"), _number(raw, "lon")
    n, e = _number(raw, "n"), _number(raw, "e")
    system_text = name_key(_text(raw, "crs"))
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            raise Rejected("Ange både Latitud och Longitud.")
        return {"crs": "EPSG:4326", "lat": lat, "lon": lon}
    if n is not None or e is not None:
        if n is None or e is None:
            raise Rejected("Ange både N och E.")
        system = SYSTEMS.get(system_text)
        if system is None or system == "EPSG:4326":
            raise Rejected(
                "Koordinatsystem saknas eller är okänt: ange SWEREF 99 TM eller SWEREF 99 18 00."
            )
        return {"crs": system, "n": n, "e": e}
    return None


def _organisation(text: str, lookup: Lookup, default: int | None) -> int:
    if text:
        found = lookup.organisations.get(name_key(text))
        if found is None:
            raise Rejected(f'okänd organisation "{text}" — lägg till den i kommunens aktörer.')
        return found.id
    if default is None:
        raise Rejected("Organisation saknas.")
    return default

"""The police area's federated lägesbild (#21): per municipality with an agreement, what the
agreement shares in the period, at its precision, and the totals side by side.

The counting is the municipal lägesbild's own (``api.situation.figures.rows``: an incident
counts when its window begins in the period, withdrawn incidents and police reports matched to
an observation are left out); of it only the categories the agreement names are kept. Each
municipality is read in a session widened to it alone (``api.tenancy.widened``), after the
policy has said the reader is in the police area's group. Where it is at all in the answer:
the exact point (precision ``point``), the 250 m SWEREF 99 TM cell with its count
(``grid_250``), or the area's name only (``area``); free text only where agreed."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import localtime, tenancy
from api.access import policy
from api.actor import Actor
from api.audit import service as audit
from api.categories.models import Category
from api.errors import FieldError, Invalid
from api.incidents import geo
from api.incidents.models import Incident
from api.localtime import SWEDISH_ZONE
from api.policeareas import schemas
from api.policeareas.service import (
    agreements_of,
    municipality_ids,
    readable,
    terms_of,
)
from api.schemas_common import Ref
from api.situation import figures
from api.structure import service as structure_service
from api.structure.models import Area, Municipality

GRID_METRES = 250
DEFAULT_DAYS = 14


def shares(terms: schemas.AgreementTerms, row: figures.Row) -> bool:
    """Whether an incident of this category falls under the agreement."""
    return row.category in terms.categories or row.family in terms.categories


def _labels(session: Session) -> dict[str, str]:
    return {c: label for c, label in session.execute(select(Category.code, Category.label_sv))}


def _count_rows(counter: Counter[Any], label: dict[Any, str]) -> list[schemas.CountRow]:
    return [
        schemas.CountRow(code=str(key), label=label.get(key, str(key)), count=count)
        for key, count in sorted(counter.items(), key=lambda kv: (-kv[1], label.get(kv[0], "")))
    ]


def grid_cell(lat: float, lon: float) -> tuple[int, int]:
    """The south-west corner (easting, northing) of the 250 m SWEREF 99 TM cell of a point."""
    ((x, y),) = geo.project([lat], [lon])
    return (
        int(math.floor(x / GRID_METRES) * GRID_METRES),
        int(math.floor(y / GRID_METRES) * GRID_METRES),
    )


def _cell_feature(cell: tuple[int, int], count: int) -> dict[str, Any]:
    x, y = cell
    corners = [
        (x, y),
        (x + GRID_METRES, y),
        (x + GRID_METRES, y + GRID_METRES),
        (x, y + GRID_METRES),
    ]
    ring = [
        [round(lon, 6), round(lat, 6)] for lat, lon in (geo.unproject(cx, cy) for cx, cy in corners)
    ]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
        "properties": {"cell": f"{x},{y}", "sweref99tm": [x, y], "count": count},
    }


def _geojson(
    shared: Sequence[figures.Row], precision: schemas.SharingPrecision, labels: dict[str, str]
) -> dict[str, Any]:
    placed = [r for r in shared if r.lat is not None and r.lon is not None]
    features: list[dict[str, Any]] = []
    if precision is schemas.SharingPrecision.point:
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                "properties": {
                    "category": r.category,
                    "label": labels.get(r.category, r.category),
                },
            }
            for r in placed
        ]
    elif precision is schemas.SharingPrecision.grid_250:
        cells = Counter(
            grid_cell(r.lat, r.lon) for r in placed if r.lat is not None and r.lon is not None
        )
        features = [_cell_feature(cell, count) for cell, count in sorted(cells.items())]
    return {"type": "FeatureCollection", "features": features}


def _texts(
    session: Session, shared: Sequence[figures.Row], labels: dict[str, str], areas: dict[int, str]
) -> list[schemas.SharedText]:
    by_id = {r.id: r for r in shared}
    if not by_id:
        return []
    found = session.execute(
        select(Incident.id, Incident.description)
        .where(Incident.id.in_(by_id), Incident.description.is_not(None))
        .order_by(Incident.occurred_from, Incident.id)
    )
    return [
        schemas.SharedText(
            category=labels.get(by_id[i].category, by_id[i].category),
            area=areas.get(by_id[i].area_id, ""),
            text=text,
        )
        for i, text in found
        if text
    ]


def _picture(
    session: Session,
    municipality: Municipality,
    terms: schemas.AgreementTerms,
    first: dt.date,
    last: dt.date,
    labels: dict[str, str],
) -> tuple[schemas.MunicipalityPicture, Counter[str]]:
    """What one municipality shares in the period (the session widened to it)."""
    span = figures.period(first, last, localtime.zone(municipality.timezone))
    scope = figures.Scope(
        municipality_id=municipality.id,
        timezone=municipality.timezone,
        area_id=None,
        counted_areas=None,
    )
    shared = [r for r in figures.rows(session, scope, span) if shares(terms, r)]
    areas = {
        i: name
        for i, name in session.execute(
            select(Area.id, Area.name).where(Area.municipality_id == municipality.id)
        )
    }
    families = Counter(r.family for r in shared)
    picture = schemas.MunicipalityPicture(
        municipality=Ref(id=municipality.id, name=municipality.name),
        outline=municipality.outline,
        agreement=terms,
        total=len(shared),
        by_family=_count_rows(families, labels),
        by_category=_count_rows(Counter(r.category for r in shared), labels),
        by_area=_count_rows(Counter(r.area_id for r in shared), areas),
        geojson=_geojson(shared, terms.precision, labels),
        texts=_texts(session, shared, labels, areas) if terms.free_text else [],
    )
    return picture, families


def situation(
    session: Session,
    police_area_id: int,
    *,
    first_day: dt.date | None,
    last_day: dt.date | None,
    actor: Actor,
) -> schemas.PoliceAreaSituation:
    area = readable(session, police_area_id, actor)
    policy.require_read_police_area_situation(actor, area.id)
    if last_day is None:
        last_day = (
            structure_service.municipality_today(session, area.municipalities[0].id)
            if area.municipalities
            else localtime.today(localtime.zone(SWEDISH_ZONE))
        )
    if first_day is None:
        first_day = last_day - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first_day > last_day:
        message = "Perioden börjar efter att den slutar."
        raise Invalid(message, errors=[FieldError("from", message, "invalid", "query")])
    agreements = agreements_of(session, area, municipality_ids(area))
    labels = _labels(session)
    pictures: list[schemas.MunicipalityPicture] = []
    families_by: dict[int, Counter[str]] = {}
    for municipality in area.municipalities:
        agreement = agreements.get(municipality.id)
        if agreement is None:
            continue
        with tenancy.widened(session, [municipality.id]):
            picture, families = _picture(
                session, municipality, terms_of(agreement), first_day, last_day, labels
            )
        pictures.append(picture)
        families_by[municipality.id] = families
    codes = sorted({c for counter in families_by.values() for c in counter})
    totals = [
        schemas.TotalRow(
            code=code,
            label=labels.get(code, code),
            counts={m: counter.get(code, 0) for m, counter in families_by.items()},
            total=sum(counter.get(code, 0) for counter in families_by.values()),
        )
        for code in codes
    ]
    total = sum(p.total for p in pictures)
    audit.record_read(session, object_type="police_areas", object_id=area.id, rows=total)
    return schemas.PoliceAreaSituation(
        police_area=Ref(id=area.id, name=area.name),
        first_day=first_day,
        last_day=last_day,
        municipalities=pictures,
        totals=totals,
        total=total,
    )

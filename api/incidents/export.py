"""The filtered incidents read out whole, streamed: as GeoJSON (RFC 7946) for a map or a
GIS, and as CSV for Swedish Excel. Both read the rows in batches, newest first, so that a
large export never sits in memory whole, and both leave the description out: a map or a
sheet needs what, where and when, and the text stays behind the incident's own page."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from api import spreadsheets, swedish
from api.actor import Actor
from api.audit import service as audit
from api.audit.schemas import ExportForm
from api.incidents import geo, schemas, service
from api.incidents.models import (
    Incident,
)
from api.incidents.thinning import served_reference
from api.localtime import STOCKHOLM
from api.structure.models import Area

# Rows read at a time for either export: a large one never sits in memory whole.
EXPORT_BATCH = 1000


def exported(
    session: Session, query: schemas.IncidentFilter, *, actor: Actor
) -> Iterator[list[Incident]]:
    """The filtered incidents in batches of rows, newest first, so that a large export never
    sits in memory whole: each batch is let go of when the next is read."""
    stmt = service.filtered(query, actor).order_by(Incident.id.desc())
    last: int | None = None
    while True:
        batch = stmt if last is None else stmt.where(Incident.id < last)
        rows = list(session.scalars(batch.limit(EXPORT_BATCH)))
        yield rows
        if len(rows) < EXPORT_BATCH:
            return
        last = rows[-1].id
        session.expunge_all()


def record(
    session: Session,
    query: schemas.IncidentFilter,
    form: ExportForm,
    *,
    actor: Actor,
    rows: int | None = None,
) -> None:
    """A read of the filtered incidents in the audit log as an export, with its filter and
    how many rows it holds: ``rows`` where the caller has them (a page), else counted before
    they are streamed, in the request's own transaction."""
    audit.record_export(
        session,
        object_type="incidents",
        form=form,
        asked=query.model_dump(exclude_defaults=True),
        rows=service.count(session, query, actor=actor) if rows is None else rows,
    )


def geojson_chunks(
    session: Session, query: schemas.IncidentFilter, *, actor: Actor
) -> Iterator[str]:
    """The filtered incidents as one GeoJSON FeatureCollection (RFC 7946: lon, lat), a chunk
    per batch of rows: a chunk per feature would cost a thread hop each. No description: a
    map needs what, where and when, and the text stays behind the incident's own page."""
    yield '{"type":"FeatureCollection","features":['
    first = True
    for rows in exported(session, query, actor=actor):
        if rows:
            yield ("" if first else ",") + ",".join(_feature(incident) for incident in rows)
            first = False
    yield "]}"


CSV_COLUMNS = (
    "Händelse-ID", "Källa", "Källans ID", "Kategori", "Underkategori", "Inträffade från",
    "Inträffade till", "Precision", "Område", "Plats", "Adress", "Latitud", "Longitud",
    "Bedömning", "Säkerhet", "Polisanmäld", "Organisation", "Rapporterad",
)  # fmt: skip


def csv_disposition(session: Session, query: schemas.IncidentFilter) -> str:
    """The Content-Disposition of a CSV export, named for what it holds (area, period) so
    that two exports saved side by side are told apart: an ASCII ``filename`` for old
    clients and the Swedish name as RFC 6266 ``filename*``."""
    names = ["händelser"]
    if query.area is not None and (area := session.get(Area, query.area)) is not None:
        names.append(area.name)
    since = f"{query.since.astimezone(STOCKHOLM):%Y-%m-%d}" if query.since else ""
    # ``until`` is exclusive: a month up to 1 December 00:00 ends on 30 November.
    last = query.until - dt.timedelta(microseconds=1) if query.until else None
    until = f"{last.astimezone(STOCKHOLM):%Y-%m-%d}" if last else ""
    period = (
        f"{since}--{until}"
        if since and until
        else f"från-{since}"
        if since
        else f"till-{until}"
        if until
        else ""
    )
    # The dates' "--" kept: a slug of the period would make it one dash, like the dates'.
    plain = "-".join([*(_slug(n) for n in names), *([_slug(period, keep="-")] if period else [])])
    swedish = "-".join([*names, *([period] if period else [])])
    return f"attachment; filename=\"{plain}.csv\"; filename*=UTF-8''{quote(swedish)}.csv"


def _slug(text: str, keep: str = "") -> str:
    """ASCII for a file name: "Kungsängen" → "kungsangen", "från-…" → "fran-…"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(rf"[^a-z0-9{keep}]+", "-", plain).strip("-")


def csv_lines(session: Session, query: schemas.IncidentFilter, *, actor: Actor) -> Iterator[str]:
    """The filtered incidents as a CSV that Swedish Excel opens as it is: a byte-order mark,
    ";" between fields, decimal commas, local times; the headers those of the import, so
    that a file read out can be read in. No description, as in the GeoJSON. Every cell
    inert in a spreadsheet (api.spreadsheets): ids, addresses and names come from outside."""
    out = io.StringIO()
    writer = spreadsheets.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + out.getvalue()
    for rows in exported(session, query, actor=actor):
        out.seek(0)
        out.truncate()
        writer.writerows(_csv_row(incident) for incident in rows)
        yield out.getvalue()


def _csv_row(incident: Incident) -> list[str]:
    category = incident.category
    family = category.parent.label_sv if category.parent else category.label_sv
    return [
        str(incident.id),
        incident.source,
        served_reference(incident.external_id) or "",
        family,
        category.label_sv if category.parent else "",
        _local(incident.occurred_from),
        _local(incident.occurred_to),
        swedish.PRECISIONS[incident.precision],
        incident.area.name,
        incident.place.name if incident.place else "",
        incident.address or "",
        _decimal(incident.lat),
        _decimal(incident.lon),
        swedish.ASSESSMENTS[incident.assessment] if incident.assessment else "",
        swedish.CERTAINTIES[incident.certainty] if incident.certainty else "",
        swedish.POLICE_REPORTED[incident.police_reported],
        incident.organisation.name,
        _local(incident.reported_at or incident.created_at),
    ]


def _local(moment: dt.datetime) -> str:
    return f"{moment.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}"


def _decimal(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}".replace(".", ",")


def feature(incident: Incident, crs: str | None = None) -> dict[str, Any]:
    """The incident as a GeoJSON Feature: in WGS 84 longitude, latitude (RFC 7946), or with
    ``crs`` (EPSG:3006, EPSG:3011) in that system's northing, easting. No description."""
    geometry = None
    if incident.lat is not None and incident.lon is not None:
        if crs is None:
            coordinates = [incident.lon, incident.lat]
        else:
            northing, easting = geo.from_wgs84(crs, incident.lat, incident.lon)
            coordinates = [round(northing, 2), round(easting, 2)]
        geometry = {"type": "Point", "coordinates": coordinates}
    return {
        "type": "Feature",
        "id": incident.id,
        "geometry": geometry,
        "properties": {
            "category": incident.category_code,
            "category_label": incident.category.label_sv,
            "family": incident.family_code,
            "occurred_from": incident.occurred_from.isoformat(),
            "occurred_to": incident.occurred_to.isoformat(),
            "area": incident.area.name,
            "place": incident.place.name if incident.place else None,
            "assessment": incident.assessment.value if incident.assessment else None,
            "certainty": incident.certainty.value if incident.certainty else None,
            "police_reported": incident.police_reported.value,
            "organisation": incident.organisation.name,
            "source": incident.source,
        },
    }


def _feature(incident: Incident) -> str:
    return json.dumps(feature(incident), ensure_ascii=False)

"""OGC API – Features (Part 1: Core, GeoJSON; Part 2: CRS by reference), read only, so that
a GIS client (QGIS, ArcGIS, GDAL) adds the incidents as a layer. One collection,
``incidents``, under the same access rules as the list: an area group's member sees their
area. Coordinates in CRS84 (longitude, latitude) by default; SWEREF 99 TM (EPSG:3006) and
SWEREF 99 18 00 (EPSG:3011) on request, in those systems' own axis order (northing,
easting), as Part 2 has it. No description, as in the other exports."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from api.actor import Actor
from api.errors import FieldError, Invalid
from api.incidents import geo
from api.incidents import service as incident_service
from api.incidents.models import Incident
from api.incidents.schemas import IncidentFilter
from api.pagination import decode_cursor, encode_cursor
from api.structure.models import Municipality

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
# The CRS a client may ask for, by URI: the EPSG code pyproj knows it by (None for CRS84).
CRSES: dict[str, str | None] = {
    CRS84: None,
    f"{EPSG}4326": None,  # answered as CRS84 too: longitude first, as GeoJSON clients expect
    f"{EPSG}3006": "EPSG:3006",
    f"{EPSG}3011": "EPSG:3011",
}
OFFERED = [CRS84, f"{EPSG}3006", f"{EPSG}3011"]
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
COLLECTION = "incidents"
DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(message, errors=[FieldError(field, message, "invalid", "query")])


def crs_code(uri: str | None, field: str = "crs") -> str | None:
    if uri is None:
        return None
    if uri not in CRSES:
        raise _invalid(field, f"Okänt koordinatsystem. Välj ett av: {', '.join(OFFERED)}.")
    return CRSES[uri]


def bbox_condition(text: str, bbox_crs: str | None) -> Any:
    """The incidents with a point inside ``minx,miny,maxx,maxy`` (in ``bbox_crs``)."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or any(v != v for v in values):
        raise _invalid("bbox", "bbox ska vara fyra tal: minx,miny,maxx,maxy.")
    code = crs_code(bbox_crs, "bbox-crs")
    if code is None:
        west, south, east, north = values
    else:
        # In the projected system's axis order: northing, easting.
        (n1, e1), (n2, e2) = (values[0], values[1]), (values[2], values[3])
        south, west = geo.to_wgs84(code, n1, e1)
        north, east = geo.to_wgs84(code, n2, e2)
    if west > east or south > north:
        raise _invalid("bbox", "bbox ska ha det minsta först: minx,miny,maxx,maxy.")
    return and_(
        Incident.lon >= west, Incident.lon <= east, Incident.lat >= south, Incident.lat <= north
    )


_OPEN = {"", ".."}


def datetime_condition(text: str) -> Any:
    """Incidents whose window touches the instant or the interval (``a/b``, ``../b``,
    ``a/..``), RFC 3339 with an offset."""
    parts = text.split("/")
    if len(parts) > 2:
        raise _invalid("datetime", "datetime ska vara en tidpunkt eller ett intervall a/b.")
    try:
        moments = [None if p in _OPEN else _moment(p) for p in parts]
    except ValueError:
        raise _invalid(
            "datetime", "datetime ska skrivas som RFC 3339, till exempel 2026-03-04T21:30:00Z."
        ) from None
    start: dt.datetime | None = moments[0]
    end: dt.datetime | None = moments[-1]
    if len(moments) == 1 and start is None:
        raise _invalid("datetime", "datetime saknar tidpunkt.")
    if start is not None and end is not None and end < start:
        raise _invalid("datetime", "Intervallet slutar innan det börjar.")
    conditions = []
    if end is not None:
        conditions.append(Incident.occurred_from <= end)
    if start is not None:
        conditions.append(Incident.occurred_to >= start)
    return and_(*conditions) if conditions else None


def _moment(text: str) -> dt.datetime:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = dt.date.fromisoformat(text)
        return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None or not 1900 <= moment.year <= 2099:
        raise ValueError(text)
    return moment


def items(
    session: Session,
    *,
    actor: Actor,
    bbox: str | None,
    bbox_crs: str | None,
    datetime_text: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Incident], str | None, int]:
    """A page of the incidents (newest first), the next page's cursor, and how many match."""
    stmt: Select[Any] = incident_service.filtered(IncidentFilter(), actor)
    if bbox is not None:
        stmt = stmt.where(bbox_condition(bbox, bbox_crs))
    if datetime_text is not None:
        condition = datetime_condition(datetime_text)
        if condition is not None:
            stmt = stmt.where(condition)
    matched = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if cursor is not None:
        stmt = stmt.where(Incident.id < decode_cursor(cursor, int))
    rows = list(session.scalars(stmt.order_by(Incident.id.desc()).limit(limit + 1)))
    following = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], following, matched


def one(session: Session, incident_id: int, *, actor: Actor) -> Incident:
    return incident_service.get_incident(session, incident_id, actor=actor)


def extent(session: Session, *, actor: Actor) -> dict[str, Any]:
    # The extent of the municipality the caller acts in (#21), not the installation's first.
    municipality = (
        session.get(Municipality, actor.municipality_id)
        if actor.municipality_id is not None
        else session.scalars(select(Municipality).order_by(Municipality.id)).first()
    )
    box = municipality.bounds if municipality else None
    west, south, east, north = (
        (box["west"], box["south"], box["east"], box["north"]) if box else geo.SWEDEN
    )
    readable = incident_service.filtered(IncidentFilter(), actor).subquery()
    first, last = session.execute(
        select(func.min(readable.c.occurred_from), func.max(readable.c.occurred_to))
    ).one()
    spatial = [[west, south, east, north]]
    return {
        "spatial": {"bbox": spatial, "crs": CRS84},
        "temporal": {
            "interval": [[_iso(first), _iso(last)]],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        },
    }


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite's aggregate gives the stored text back, without a zone
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")

"""Where an incident happened: coordinates in the three reference systems a Swedish
municipality uses, turned into WGS 84, checked against the municipality's extent, and placed
in an area by the areas' boundaries (Shapely, prepared geometries); and projected into
SWEREF 99 TM, where the packages above (hot spots, police matches, an intervention's zone)
measure distances in metres."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

import numpy
import numpy.typing
import shapely
import shapely.geometry
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
# Where distances are measured, in metres: hot spots, matches, the zone of an intervention.
SWEREF99TM = "EPSG:3006"
# Where SWEREF 99 is defined: a point outside is a mistake, whatever the municipality.
SWEDEN = (10.0, 55.0, 24.5, 69.2)


@cache
def _to_wgs84(crs: str) -> Transformer:
    # always_xy: easting/longitude first, whatever the CRS's own axis order.
    return Transformer.from_crs(crs, WGS84, always_xy=True)


@cache
def _from_wgs84(crs: str) -> Transformer:
    return Transformer.from_crs(WGS84, crs, always_xy=True)


def to_wgs84(crs: str, northing: float, easting: float) -> tuple[float, float]:
    """(lat, lon) of a SWEREF 99 point."""
    lon, lat = _to_wgs84(crs).transform(easting, northing)
    return float(lat), float(lon)


def from_wgs84(crs: str, lat: float, lon: float) -> tuple[float, float]:
    """(northing, easting) in a SWEREF 99 projection."""
    easting, northing = _from_wgs84(crs).transform(lon, lat)
    return float(northing), float(easting)


def project(lats: Sequence[float], lons: Sequence[float]) -> list[tuple[float, float]]:
    """(x, y) in SWEREF 99 TM (easting, northing, metres) for each (lat, lon)."""
    if not lats:
        return []
    xs, ys = _from_wgs84(SWEREF99TM).transform(list(lons), list(lats))
    return [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]


def project_arrays(
    lats: numpy.typing.NDArray[numpy.float64], lons: numpy.typing.NDArray[numpy.float64]
) -> tuple[numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64]]:
    """x and y in SWEREF 99 TM of many points at once, as arrays."""
    if not len(lats):
        return numpy.empty(0), numpy.empty(0)
    xs, ys = _from_wgs84(SWEREF99TM).transform(lons, lats)
    return numpy.asarray(xs, dtype=numpy.float64), numpy.asarray(ys, dtype=numpy.float64)


def unproject_arrays(
    xs: numpy.typing.NDArray[numpy.float64], ys: numpy.typing.NDArray[numpy.float64]
) -> tuple[numpy.typing.NDArray[numpy.float64], numpy.typing.NDArray[numpy.float64]]:
    """lat and lon of many SWEREF 99 TM points at once, as arrays."""
    if not len(xs):
        return numpy.empty(0), numpy.empty(0)
    lons, lats = _to_wgs84(SWEREF99TM).transform(xs, ys)
    return numpy.asarray(lats, dtype=numpy.float64), numpy.asarray(lons, dtype=numpy.float64)


def unproject(x: float, y: float) -> tuple[float, float]:
    """(lat, lon) of a SWEREF 99 TM point."""
    lon, lat = _to_wgs84(SWEREF99TM).transform(x, y)
    return float(lat), float(lon)


def inside(extent: tuple[float, float, float, float], lat: float, lon: float) -> bool:
    west, south, east, north = extent
    return west <= lon <= east and south <= lat <= north


def outside_municipality(extent: dict[str, float] | None, lat: float, lon: float) -> bool:
    """Outside Sweden, or outside the municipality's extent (west/south/east/north) when it
    has one."""
    if not inside(SWEDEN, lat, lon):
        return True
    return extent is not None and not inside(
        (extent["west"], extent["south"], extent["east"], extent["north"]), lat, lon
    )


def outside_message(name: str, lat: float, lon: float) -> str:
    return (
        f"Punkten ({lat:.5f}, {lon:.5f}) ligger utanför {name}. Kontrollera koordinaterna och "
        "koordinatsystemet (N och E kan ha bytt plats)."
    )


# Boundaries ---------------------------------------------------------------------------------


def boundary_shape(boundary: dict[str, Any]) -> BaseGeometry:
    """The Shapely geometry of a GeoJSON Polygon or MultiPolygon (lon/lat), prepared for
    many containment tests: prepared once per boundary and kept (an import places a
    million points in a handful of areas)."""
    return _prepared(json.dumps(boundary, separators=(",", ":")))


@lru_cache(maxsize=256)
def _prepared(text: str) -> BaseGeometry:
    geometry = shapely.geometry.shape(json.loads(text))
    shapely.prepare(geometry)
    return geometry


def holds(shape: BaseGeometry, lat: float, lon: float) -> bool:
    """Whether the boundary holds the point, holes excluded; a point on the edge counts, so
    that a point on the border two areas share lies in one of them rather than in none."""
    return bool(shapely.intersects_xy(shape, lon, lat))


def in_polygon(geometry: dict[str, Any], lat: float, lon: float) -> bool:
    """Whether a GeoJSON Polygon or MultiPolygon (lon/lat) holds the point; holes count."""
    return holds(boundary_shape(geometry), lat, lon)


# Distances in metres ---------------------------------------------------------------------


def boundary_in_metres(boundary: dict[str, Any]) -> BaseGeometry:
    """The boundary in SWEREF 99 TM metres, prepared and kept as ``boundary_shape`` is:
    how far a point lies outside it is then a plain distance."""
    return _in_metres(json.dumps(boundary, separators=(",", ":")))


@lru_cache(maxsize=256)
def _in_metres(text: str) -> BaseGeometry:
    transformer = _from_wgs84(SWEREF99TM)
    geometry = shapely.transform(
        shapely.geometry.shape(json.loads(text)),
        lambda xy: numpy.column_stack(transformer.transform(xy[:, 0], xy[:, 1])),
    )
    shapely.prepare(geometry)
    return geometry


def distance_m(shape_in_metres: BaseGeometry, lat: float, lon: float) -> float:
    """How far the point lies from a shape in SWEREF 99 TM metres; 0 inside it."""
    ((x, y),) = project([lat], [lon])
    return float(shapely.distance(shape_in_metres, shapely.Point(x, y)))


def nearest(
    lat: float, lon: float, references: Sequence[tuple[float, float]]
) -> tuple[int, float] | None:
    """The index of the reference point (lat, lon) nearest the point, and how far it is in
    metres (SWEREF 99 TM); None without references."""
    if not references:
        return None
    (x, y), *points = project(
        [lat, *(r[0] for r in references)], [lon, *(r[1] for r in references)]
    )
    distances = shapely.distance(shapely.Point(x, y), shapely.points(points))
    index = int(distances.argmin())
    return index, float(distances[index])

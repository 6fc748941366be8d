"""Where an incident happened: coordinates in the three reference systems a Swedish
municipality uses, turned into WGS 84, checked against the municipality's extent, and placed
in an area by the areas' boundaries; and projected into SWEREF 99 TM, where the packages above
(hot spots, police matches, an intervention's zone) measure distances in metres."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from pyproj import Transformer

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


def in_polygon(geometry: dict[str, Any], lat: float, lon: float) -> bool:
    """Whether a GeoJSON Polygon or MultiPolygon (lon/lat) holds the point; holes count."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return any(
        _in_ring(rings[0], lat, lon) and not any(_in_ring(h, lat, lon) for h in rings[1:])
        for rings in polygons
    )


def _in_ring(ring: list[list[float]], lat: float, lon: float) -> bool:
    # Ray casting; a few hundred vertices per area, so plain Python is fast enough.
    result = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            result = not result
        j = i
    return result

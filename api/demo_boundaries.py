"""The demo areas' boundaries, constructed (there are no official ones to hand): the Voronoi
partition of the areas' centres, in SWEREF 99 TM metres, clipped to a coarse outline of the
municipality. How, and how approximate, is written in each demo municipality's file in
``api/seed_data`` (``boundaries.note``) and the README."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import shapely
import shapely.geometry

from api.incidents import geo

# The demo municipalities' files in api/seed_data, Upplands-Bro first (its demo activity).
UPPLANDS_BRO = "upplands-bro.json"
JARFALLA = "jarfalla.json"
DEMO_TOWNS = (UPPLANDS_BRO, JARFALLA)


@cache
def demo_structure(source: str = UPPLANDS_BRO) -> dict[str, Any]:
    """A demo municipality's structure (areas, places, organisations, groups, accounts)."""
    text = resources.files("api.seed_data").joinpath(source).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _to_metres(lon_lat: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return geo.project([p[1] for p in lon_lat], [p[0] for p in lon_lat])


def _to_lon_lat(xy: Any) -> list[tuple[float, float]]:
    return [(lon, lat) for lat, lon in (geo.unproject(x, y) for x, y in xy)]


def demo_outline(source: str = UPPLANDS_BRO) -> dict[str, Any]:
    """The demo municipality's outline, a GeoJSON Polygon (WGS 84)."""
    return {"type": "Polygon", "coordinates": [demo_structure(source)["boundaries"]["outline"]]}


@cache
def demo_boundaries(source: str = UPPLANDS_BRO) -> dict[str, dict[str, Any]]:
    """Each demo area's boundary, a GeoJSON Polygon (WGS 84), by the area's name."""
    structure = demo_structure(source)
    outline = shapely.Polygon(structure["boundaries"]["outline"])
    centres = {
        a["name"]: shapely.Point(*_to_metres([(a["approx_center"][1], a["approx_center"][0])])[0])
        for a in structure["areas"]
    }
    # The cells in metres, reaching past the outline; their corners back in WGS 84, where
    # the outline is drawn and clips them (a border is then straight between its corners,
    # which over these distances is the bisector to well under a metre).
    reach = shapely.Polygon(_to_metres([(x, y) for x, y in outline.buffer(0.05).exterior.coords]))
    cells = shapely.voronoi_polygons(shapely.MultiPoint(list(centres.values())), extend_to=reach)
    found: dict[str, dict[str, Any]] = {}
    for cell in cells.geoms:
        name = next(n for n, c in centres.items() if cell.contains(c))
        assert isinstance(cell, shapely.Polygon)
        in_degrees = shapely.Polygon(_to_lon_lat(cell.exterior.coords))
        clipped = in_degrees.intersection(outline)
        # One piece each: the outline is drawn so that no cell falls apart in it.
        assert isinstance(clipped, shapely.Polygon), clipped.geom_type
        part = shapely.geometry.polygon.orient(clipped, sign=1.0)
        found[name] = {
            "type": "Polygon",
            "coordinates": [[[round(x, 6), round(y, 6)] for x, y in part.exterior.coords]],
        }
    return found

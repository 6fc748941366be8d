"""GeoJSON geometries (RFC 7946: WGS 84, longitude first) as they enter and leave the API."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any, Literal

import shapely
import shapely.errors
import shapely.geometry
from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator
from pydantic_core import PydanticCustomError

# Strict: a JSON true is not the number 1.
Longitude = Annotated[float, Strict(), Field(ge=-180, le=180, allow_inf_nan=False)]
Latitude = Annotated[float, Strict(), Field(ge=-90, le=90, allow_inf_nan=False)]
Altitude = Annotated[float, Strict(), Field(allow_inf_nan=False)]
# RFC 7946 allows an altitude as a third number; it is accepted and not kept for points.
Position = tuple[Longitude, Latitude] | tuple[Longitude, Latitude, Altitude]
# A ring: at least four positions, the last equal to the first. The bounds are far above
# a district's boundary from a municipality's GIS; the body limit (EST_MAX_BODY_BYTES)
# bounds the whole.
Ring = Annotated[list[Position], Field(min_length=4, max_length=50_000)]


class Point(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["Point"]
    coordinates: Position = Field(description="[longitude, latitude] in WGS 84.")

    @property
    def lon(self) -> float:
        return self.coordinates[0]

    @property
    def lat(self) -> float:
        return self.coordinates[1]


def _check_rings(rings: list[list[Position]]) -> None:
    for ring in rings:
        if ring[0] != ring[-1]:
            # Its own error type: a rule JSON Schema cannot state, not a malformed value.
            raise PydanticCustomError(
                "ring_not_closed",
                "Varje ring i polygonen måste sluta i samma punkt som den börjar i.",
            )


class Polygon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["Polygon"]
    coordinates: Annotated[list[Ring], Field(min_length=1, max_length=100)]

    @model_validator(mode="after")
    def _closed(self) -> Polygon:
        _check_rings(self.coordinates)
        return self


class MultiPolygon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["MultiPolygon"]
    coordinates: Annotated[
        list[Annotated[list[Ring], Field(min_length=1, max_length=100)]],
        Field(min_length=1, max_length=100),
    ]

    @model_validator(mode="after")
    def _closed(self) -> MultiPolygon:
        for polygon in self.coordinates:
            _check_rings(polygon)
        return self


Boundary = Annotated[Polygon | MultiPolygon, Field(discriminator="type")]


def point_geometry(lat: float | None, lon: float | None) -> dict[str, Any] | None:
    """The GeoJSON Point of a stored latitude and longitude, or None where there is none."""
    if lat is None or lon is None:
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def point_lat_lon(geometry: dict[str, Any] | None) -> tuple[float | None, float | None]:
    """Latitude and longitude to store for a validated GeoJSON Point (or None)."""
    if geometry is None:
        return None, None
    point = Point.model_validate(geometry)
    return point.lat, point.lon


# Why a boundary is no surface, in the words of GEOS (shapely.is_valid_reason), in Swedish.
INVALID_REASONS = {
    "Self-intersection": "gränsen korsar sig själv",
    "Ring Self-intersection": "en ring korsar sig själv",
    "Too few points": "en ring har för få olika punkter",
    "Hole lies outside shell": "ett hål ligger utanför ytan",
    "Nested holes": "ett hål ligger inuti ett annat hål",
    "Interior is disconnected": "hålen delar ytan i flera delar",
    "Nested shells": "en yta ligger inuti en annan",
    "Duplicate Rings": "samma ring finns två gånger",
    "Invalid Coordinate": "en koordinat är ogiltig",
}


def invalid_reason(geometry: dict[str, Any]) -> str | None:
    """Why a GeoJSON Polygon or MultiPolygon is not a valid surface (in Swedish, with where),
    or None when it is one."""
    try:
        shape = shapely.geometry.shape(geometry)
    except (ValueError, TypeError, shapely.errors.ShapelyError):
        return "formen går inte att läsa som en yta"
    if shape.is_valid:
        return None
    reason = shapely.is_valid_reason(shape)
    # "Self-intersection[17.63 59.51]": the kind, then where.
    kind, _, where = reason.partition("[")
    told = INVALID_REASONS.get(kind.strip(), "formen är ingen giltig yta")
    if where:
        lon, _, lat = where.rstrip("]").partition(" ")
        with contextlib.suppress(ValueError):
            told += f" vid ({float(lat):.5f}, {float(lon):.5f})"
    return told

"""Names for grid cells, so that a reader sees "Finnsta, Bro" and not a coordinate: the
nearest named place within ``NEAR_M`` metres, and the area the cell lies in (by its boundary,
else the nearest place's area)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from api.incidents import geo
from api.situation import figures as calc
from api.structure.models import Area, Place

NEAR_M = 400.0


@dataclass(frozen=True)
class Names:
    place_names: list[str]
    place_areas: list[str]
    xs: np.ndarray
    ys: np.ndarray
    areas: list[tuple[str, BaseGeometry]]  # (name, boundary in metres)

    def of_many(self, xs: np.ndarray, ys: np.ndarray) -> list[tuple[str | None, str | None]]:
        """(place, area) of each point in SWEREF 99 TM."""
        n = len(xs)
        places: list[str | None] = [None] * n
        areas: list[str | None] = [None] * n
        if n and len(self.xs):
            distances = np.hypot(xs[:, None] - self.xs[None, :], ys[:, None] - self.ys[None, :])
            nearest = distances.argmin(axis=1)
            for k in np.nonzero(distances[np.arange(n), nearest] <= NEAR_M)[0].tolist():
                places[k] = self.place_names[nearest[k]]
                areas[k] = self.place_areas[nearest[k]]
        # Where the boundaries say, they decide the area; the first that holds a point wins.
        for name, shape in reversed(self.areas):
            for k in np.nonzero(shapely.intersects_xy(shape, xs, ys))[0].tolist():
                areas[k] = name
        return list(zip(places, areas, strict=True))


def scope_areas(session: Session, scope: calc.Scope) -> list[Row[Any]]:
    """The scope's areas (id, name, boundary), as far as its reader reads them: the study
    area and the names come from the same ones."""
    areas = select(Area.id, Area.name, Area.boundary).where(
        Area.municipality_id == scope.municipality_id
    )
    if scope.area_id is not None:
        areas = areas.where(Area.id == scope.area_id)
    if scope.counted_areas is not None:
        areas = areas.where(Area.id.in_(scope.counted_areas))
    return list(session.execute(areas).all())


def names(session: Session, found: list[Row[Any]]) -> Names:
    """The places and areas of the scope's areas (``scope_areas``)."""
    area_names = {a.id: a.name for a in found}
    rows = session.execute(
        select(Place.name, Place.area_id, Place.lat, Place.lon).where(
            Place.area_id.in_(list(area_names)),
            Place.lat.is_not(None),
            Place.lon.is_not(None),
        )
    ).all()
    xs, ys = geo.project_arrays(
        np.asarray([r.lat for r in rows], dtype=np.float64),
        np.asarray([r.lon for r in rows], dtype=np.float64),
    )
    return Names(
        place_names=[r.name for r in rows],
        place_areas=[area_names[r.area_id] for r in rows],
        xs=xs,
        ys=ys,
        areas=[(a.name, geo.boundary_in_metres(a.boundary)) for a in found if a.boundary],
    )

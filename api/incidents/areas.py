"""Which area an incident lies in: the named place's, the one whose boundary holds its point,
the one given, or (where the municipality's areas have no boundaries) the area of the nearest
named place within ``EST_NEAREST_PLACE_METRES``, else the area whose boundary is nearest
within that reach; and what decided it, so that the page can say so."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.incidents import geo
from api.incidents.schemas import AreaFrom, IncidentCreate
from api.settings import get_settings
from api.structure.models import Area, Municipality, Place


@dataclass(frozen=True)
class Refusal:
    """Why a point is not the municipality's: the message beside the field, and the
    neighbouring municipality it lies in, when one of the install's does."""

    message: str
    neighbour: Municipality | None = None


def short_name(municipality: Municipality) -> str:
    """ "Upplands-Bro" of "Upplands-Bro kommun"."""
    return municipality.name.removesuffix(" kommun")


def refusal(session: Session, municipality: Municipality, lat: float, lon: float) -> Refusal | None:
    """Whether the point is refused as not the municipality's, and why: None when it lies
    in one of its areas, or in its extent and within reach of its areas (``beyond_areas``).
    A point in a neighbouring municipality of the install (by that one's outline, and not in
    this one's) is refused naming it (#21): the one place every point is checked, for an
    observation, an import's or push's row, a tip, a log post, a walk's pin or a target."""
    if geo.outside_municipality(None, lat, lon):
        return Refusal(geo.outside_message(municipality.name, lat, lon))
    if any(geo.holds(shape, lat, lon) for _, shape in _bounded_areas(session, municipality.id)):
        return None
    neighbour = neighbour_of(session, municipality, lat, lon)
    if neighbour is not None:
        return Refusal(
            f"Platsen ligger i {neighbour.name}, inte i {short_name(municipality)}.", neighbour
        )
    if geo.outside_municipality(municipality.extent, lat, lon) or beyond_areas(
        session, municipality.id, lat, lon
    ):
        return Refusal(geo.outside_message(municipality.name, lat, lon))
    return None


def neighbour_of(
    session: Session, municipality: Municipality, lat: float, lon: float
) -> Municipality | None:
    """The install's other active municipality whose outline holds the point, unless this
    one's outline holds it too. The municipalities table is not row-secured: every
    municipality reads its neighbours' outlines, and nothing else of theirs."""
    if municipality.outline and geo.in_polygon(municipality.outline, lat, lon):
        return None
    cache: dict[int, list[Municipality]] = session.info.setdefault("est_outlines", {})
    if municipality.id not in cache:
        cache[municipality.id] = list(
            session.scalars(
                select(Municipality)
                .where(
                    Municipality.id != municipality.id,
                    Municipality.active.is_(True),
                    Municipality.outline.is_not(None),
                )
                .order_by(Municipality.id)
            )
        )
    return next(
        (
            other
            for other in cache[municipality.id]
            if other.outline and geo.in_polygon(other.outline, lat, lon)
        ),
        None,
    )


@dataclass(frozen=True)
class Where:
    area: Area | None
    place: Place | None
    # What decided the area, and the place that did when the nearest place did.
    area_from: AreaFrom | None = None
    area_from_place: str | None = None


def _bounded_areas(session: Session, municipality_id: int) -> list[tuple[Area, BaseGeometry]]:
    """The areas with a boundary and their prepared shapes, read once per session: an import
    places a million points with them."""
    cache: dict[int, list[tuple[Area, BaseGeometry]]] = session.info.setdefault(
        "est_bounded_areas", {}
    )
    if municipality_id not in cache:
        areas = session.scalars(
            select(Area).where(
                Area.municipality_id == municipality_id,
                Area.active.is_(True),
                Area.boundary.is_not(None),
            )
        )
        cache[municipality_id] = [(a, geo.boundary_shape(a.boundary)) for a in areas if a.boundary]
    return cache[municipality_id]


def _placed(session: Session, municipality_id: int) -> list[Place]:
    """The active places with a position in the municipality's active areas without a
    boundary, read once per session (as the boundaries are)."""
    cache: dict[int, list[Place]] = session.info.setdefault("est_placed_places", {})
    if municipality_id not in cache:
        rows = session.execute(
            select(Place, Area.boundary)
            .join(Area, Area.id == Place.area_id)
            .where(
                Area.municipality_id == municipality_id,
                Area.active.is_(True),
                Place.active.is_(True),
                Place.lat.is_not(None),
                Place.lon.is_not(None),
            )
            .order_by(Place.id)
        )
        # Without a boundary: a boundary taken away is stored as JSON null, not SQL NULL.
        cache[municipality_id] = [place for place, boundary in rows if not boundary]
    return cache[municipality_id]


def _all_bounded(session: Session, municipality_id: int) -> bool:
    """Whether every active area of the municipality has a boundary: then together they
    are the municipality's outline, finer than its extent box."""
    cache: dict[int, bool] = session.info.setdefault("est_all_bounded", {})
    if municipality_id not in cache:
        boundaries = session.scalars(
            select(Area.boundary).where(
                Area.municipality_id == municipality_id, Area.active.is_(True)
            )
        ).all()
        cache[municipality_id] = bool(boundaries) and all(boundaries)
    return cache[municipality_id]


def nearest_place_metres(session: Session, municipality_id: int) -> float:
    """How far a point finds the nearest named place or area: the municipality's own
    setting, else the installation's (EST_NEAREST_PLACE_METRES)."""
    municipality = session.get(Municipality, municipality_id)
    own = municipality.nearest_place_metres if municipality is not None else None
    return own if own is not None else get_settings().nearest_place_metres


def nearest_area(
    session: Session, municipality_id: int, lat: float, lon: float, within_m: float
) -> Area | None:
    """The area whose boundary is nearest the point within ``within_m`` metres (measured
    to the boundary, 0 inside it); None when none is that near. A point just past a
    hand-drawn or simplified outline still lands in the area beside it."""
    found = min(
        (
            (geo.distance_m(geo.boundary_in_metres(a.boundary), lat, lon), a.id, a)
            for a, _ in _bounded_areas(session, municipality_id)
            if a.boundary
        ),
        default=None,
        key=lambda d: d[:2],
    )
    return found[2] if found is not None and found[0] <= within_m else None


def beyond_areas(session: Session, municipality_id: int, lat: float, lon: float) -> bool:
    """Whether the point lies outside the municipality by its areas' boundaries: every
    active area has one, and the point is neither in one nor within
    ``EST_NEAREST_PLACE_METRES`` of one. So the municipality's check and the areas agree:
    a point it accepts is one ``where`` files in an area."""
    if not _all_bounded(session, municipality_id):
        return False
    if any(geo.holds(shape, lat, lon) for _, shape in _bounded_areas(session, municipality_id)):
        return False
    metres = nearest_place_metres(session, municipality_id)
    return nearest_area(session, municipality_id, lat, lon, metres) is None


def nearest_place(
    session: Session, municipality_id: int, lat: float, lon: float, within_m: float
) -> Place | None:
    """The named place nearest the point within ``within_m`` metres, among the places of the
    areas without a boundary; None when none is that near."""
    places = _placed(session, municipality_id)
    found = geo.nearest(lat, lon, [(p.lat, p.lon) for p in places])  # type: ignore[misc]
    if found is None or found[1] > within_m:
        return None
    return places[found[0]]


# What each source of the area is called in a mismatch: only those given are named.
_GIVEN = {AreaFrom.place: "platsen", AreaFrom.boundary: "punkten", AreaFrom.chosen: "området"}


def _given(whys: Iterable[AreaFrom]) -> str:
    """ "Platsen och området", "Platsen, punkten och området": the sources given, in order."""
    words = [_GIVEN[why] for why in whys]
    text = ", ".join(words[:-1]) + " och " + words[-1] if len(words) > 1 else "".join(words)
    return text[:1].upper() + text[1:]


def where(
    session: Session,
    item: IncidentCreate,
    municipality: Municipality,
    lat: float | None,
    lon: float | None,
    problem: Any,
    kept: frozenset[str] = frozenset(),
) -> Where:
    """The area: the named place's, the one whose boundary holds the point, or the one given;
    where two of them are given, they must agree. With none of them but a point, the nearest
    named place's (areas without boundaries)."""
    place = None
    if item.place_id is not None:
        place = session.get(Place, item.place_id)
        inactive = place is not None and not place.active and "place_id" not in kept
        if place is None or inactive or place.area.municipality_id != municipality.id:
            problem("place_id", "Okänd plats.", "unknown_id")
            place = None
    given = None
    if item.area_id is not None:
        given = session.get(Area, item.area_id)
        inactive = given is not None and not given.active and "area_id" not in kept
        if given is None or inactive or given.municipality_id != municipality.id:
            problem("area_id", "Okänt område.", "unknown_id")
            given = None
    by_point = None
    if lat is not None and lon is not None:
        by_point = next(
            (
                a
                for a, shape in _bounded_areas(session, municipality.id)
                if geo.holds(shape, lat, lon)
            ),
            None,
        )
    candidates = [
        (a, why)
        for a, why in (
            (place.area if place else None, AreaFrom.place),
            (by_point, AreaFrom.boundary),
            (given, AreaFrom.chosen),
        )
        if a is not None
    ]
    if not candidates:
        if item.area_id is not None:
            return Where(None, place)
        if lat is not None and lon is not None and item.place_id is None:
            metres = nearest_place_metres(session, municipality.id)
            near = nearest_place(session, municipality.id, lat, lon, metres)
            if near is not None:
                return Where(near.area, place, AreaFrom.nearest_place, near.name)
            # Just past every boundary: the nearest one within reach (beyond_areas agrees).
            beside = nearest_area(session, municipality.id, lat, lon, metres)
            if beside is not None:
                return Where(beside, place, AreaFrom.nearest_area)
            problem(
                "area_id",
                f"Punkten ligger inte inom något områdes gräns och ingen namngiven plats finns "
                f"inom {metres:,.0f} meter. Välj område eller plats.".replace(",", " "),
                "required",
            )
            return Where(None, place)
        problem("area_id", "Ange område, en plats eller en punkt inom ett område.", "required")
        return Where(None, place)
    area, why = candidates[0]
    if any(a.id != area.id for a, _ in candidates):
        names = " och ".join(sorted({a.name for a, _ in candidates}))
        problem(
            "area_id",
            f"{_given(why for _, why in candidates)} pekar på olika områden: {names}.",
            "mismatch",
        )
    return Where(area, place, why)


def place_point_mismatch(
    session: Session, municipality: Municipality, place_id: int, lat: float, lon: float
) -> str | None:
    """Why a named place and a point given together disagree (their areas differ), or None:
    a resident's tip or a walk's pin must give one coherent answer."""
    found: list[str] = []
    where(
        session,
        # Only its place is read.
        IncidentCreate.model_construct(place_id=place_id, area_id=None),  # type: ignore[call-arg]
        municipality,
        lat,
        lon,
        lambda _field, message, code: found.append(message) if code == "mismatch" else None,
    )
    return found[0] if found else None

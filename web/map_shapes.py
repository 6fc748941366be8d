"""What the signed-in pages' maps draw under their tiles and where they start
(web/static/map_shapes.js): the acting municipality's areas and named places, and its extent
for a municipality without outlines. So that no map starts over another municipality and a
map without tiles (a closed network) still shows where things are."""

from __future__ import annotations

from typing import Any

from api.structure.schemas import AreaRead, PlaceRead
from web.client_platform import municipality
from web.deps import Visit


def map_shapes(
    areas: list[AreaRead], places: list[PlaceRead], extent: dict[str, float] | None = None
) -> dict[str, Any]:
    return {
        "areas": [
            {"id": a.id, "name": a.name, "boundary": a.boundary} for a in areas if a.boundary
        ],
        "places": [
            {"name": p.name, "area_id": p.area_id, "lat": p.point.lat, "lon": p.point.lon}
            for p in places
            if p.point is not None
        ],
        "extent": extent,
    }


async def acting_extent(visit: Visit) -> dict[str, float] | None:
    """The box of the municipality the person acts in, as the API bounds it (its extent,
    else its outline's)."""
    here = visit.me.municipality
    if here is None:
        return None
    bounds = (await municipality(visit.api, here.id)).bounds
    return None if bounds is None else bounds.model_dump()


async def offered_shapes(
    visit: Visit, offered: dict[str, Any], *, places: bool = True
) -> dict[str, Any]:
    """The shapes of what a page's choices (web.choices) already hold: its areas, and its
    places unless ``places`` is false (the incidents' map: their names would crowd the
    markers at the whole municipality's scale)."""
    named = [p for _, listed in offered["places_by_area"] for p in listed] if places else []
    return map_shapes(offered["areas"], named, await acting_extent(visit))

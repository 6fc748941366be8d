"""What the forms and filters offer to choose from: the areas with their places, and the
categories by family, in the order people read them. Asked of the API for each page."""

from __future__ import annotations

from typing import Any

from web import format as fmt
from web.deps import Visit


async def choices(visit: Visit) -> dict[str, Any]:
    areas = fmt.by_name(await visit.api.areas())
    places = fmt.by_name(await visit.api.places())
    categories = await visit.api.categories()
    families = sorted((c for c in categories if c.parent_code is None), key=lambda c: c.sort_order)
    return {
        "areas": areas,
        "places_by_area": [(a, [p for p in places if p.area_id == a.id]) for a in areas],
        "families": [
            (
                f,
                sorted(
                    (c for c in categories if c.parent_code == f.code),
                    key=lambda c: c.sort_order,
                ),
            )
            for f in families
        ],
    }

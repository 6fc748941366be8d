"""The synthetic incidents live in ``api.synthetic`` (the demo data uses them too)."""

from api.synthetic import (
    AREA_CENTRES,
    BACKGROUND,
    HOT_SPOTS,
    HOURS,
    SEEN_BY,
    WEEKDAY,
    Generated,
    HotSpot,
    incidents,
)

__all__ = [
    "AREA_CENTRES",
    "BACKGROUND",
    "HOT_SPOTS",
    "HOURS",
    "SEEN_BY",
    "WEEKDAY",
    "Generated",
    "HotSpot",
    "incidents",
]

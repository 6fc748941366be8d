"""A map drawn on the server as SVG: an area's outline, a line (a walk's route) and numbered
marks. It needs no tiles, no script and no address outside the page, so it serves where a
slippy map cannot: a PDF, a printout, a page without JavaScript, a public page that may send
nothing to third parties.

A plain equirectangular projection with the longitude scaled by the cosine of the middle
latitude: over an area of a few kilometres nobody sees the difference from a real one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

# The marks' kinds and how they look (the page's CSS may restyle the classes).
KINDS = {
    "pin": ("#7a3db8", "circle"),  # a resident's input
    "pending": ("#ffffff", "ring"),  # a resident's input waiting for moderation
    "finding": ("#c0392b", "square"),  # a finding on the walk
    "meeting": ("#1f6f43", "circle"),  # the meeting point
    "place": ("#35516b", "circle"),  # a named place of the route
}
# Outside the drawing's edge, in pixels: a mark at the edge is not cut in half.
MARGIN = 28
# The least span shown, in degrees of latitude (about 400 m): a walk's few marks close
# together are not blown up to fill the map.
MIN_SPAN = 0.0036
# The least distance between two marks' centres, in pixels (a mark is 24 wide): closer, the
# later one is moved aside along a spiral, a line leading back to its point.
SPACING = 27
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


@dataclass(frozen=True)
class Mark:
    lat: float
    lon: float
    label: str  # drawn in the mark: a number or a letter, short
    kind: str = "finding"
    title: str = ""  # what it is, for a screen reader and as a tooltip


def outline_rings(boundary: dict[str, Any] | None) -> list[list[tuple[float, float]]]:
    """A GeoJSON Polygon's or MultiPolygon's outer rings, as (lat, lon)."""
    if not boundary:
        return []
    kind, coordinates = boundary.get("type"), boundary.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    return [[(float(p[1]), float(p[0])) for p in polygon[0]] for polygon in polygons if polygon]


class _Frame:
    """From (lat, lon) to the drawing's pixels, fitted to every point drawn."""

    def __init__(self, points: Sequence[tuple[float, float]], width: int, height: int) -> None:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        self.top, bottom = max(lats), min(lats)
        self.left, right = min(lons), max(lons)
        self.stretch = math.cos(math.radians((self.top + bottom) / 2))
        span_x = (right - self.left) * self.stretch
        span_y = self.top - bottom
        # Widened about the middle to the least span.
        if span_x < MIN_SPAN:
            self.left -= (MIN_SPAN - span_x) / 2 / self.stretch
            span_x = MIN_SPAN
        if span_y < MIN_SPAN:
            self.top += (MIN_SPAN - span_y) / 2
            span_y = MIN_SPAN
        self.scale = min((width - 2 * MARGIN) / span_x, (height - 2 * MARGIN) / span_y)
        # Centred: the space left over goes to both sides alike.
        self.dx = (width - span_x * self.scale) / 2
        self.dy = (height - span_y * self.scale) / 2

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        x = self.dx + (lon - self.left) * self.stretch * self.scale
        y = self.dy + (self.top - lat) * self.scale
        return round(x, 1), round(y, 1)

    def path(self, points: Iterable[tuple[float, float]]) -> str:
        return " ".join(f"{x},{y}" for x, y in (self.xy(lat, lon) for lat, lon in points))


def spread(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Where each mark is drawn: at its point, or, when an earlier mark is drawn closer than
    SPACING, at the first free place on a spiral around it, so that no mark hides another."""
    drawn: list[tuple[float, float]] = []
    for x0, y0 in points:
        x, y, step = x0, y0, 0
        while step < 60 and any(math.hypot(x - a, y - b) < SPACING for a, b in drawn):
            step += 1
            radius = SPACING * math.sqrt(step)
            x = round(x0 + radius * math.cos(step * GOLDEN_ANGLE), 1)
            y = round(y0 + radius * math.sin(step * GOLDEN_ANGLE), 1)
        drawn.append((x, y))
    return drawn


def _mark(mark: Mark, at: tuple[float, float], point: tuple[float, float]) -> str:
    colour, shape = KINDS.get(mark.kind, KINDS["finding"])
    x, y = at
    # Moved aside: a line leads back to the point it marks.
    leader = (
        f'<line x1="{point[0]}" y1="{point[1]}" x2="{x}" y2="{y}" stroke="#333333" '
        f'stroke-width="1.5"/><circle cx="{point[0]}" cy="{point[1]}" r="3" fill="#333333"/>'
        if at != point
        else ""
    )
    if shape == "square":
        body = (
            f'<rect x="{x - 12}" y="{y - 12}" width="24" height="24" rx="3" fill="{colour}" '
            'stroke="#ffffff" stroke-width="2"/>'
        )
    elif shape == "ring":
        body = (
            f'<circle cx="{x}" cy="{y}" r="12" fill="{colour}" stroke="#7a3db8" '
            'stroke-width="3" stroke-dasharray="4 2"/>'
        )
    else:
        body = (
            f'<circle cx="{x}" cy="{y}" r="12" fill="{colour}" stroke="#ffffff" stroke-width="2"/>'
        )
    text_colour = "#4a1f7a" if shape == "ring" else "#ffffff"
    size = 14 if len(mark.label) < 2 else 11
    title = f"<title>{escape(mark.title)}</title>" if mark.title else ""
    return (
        f'<g class="map-mark map-{escape(mark.kind)}">{title}{leader}{body}'
        f'<text x="{x}" y="{y + size / 3:.1f}" text-anchor="middle" font-size="{size}" '
        f'font-weight="bold" fill="{text_colour}" font-family="sans-serif">'
        f"{escape(mark.label)}</text></g>"
    )


def _name(frame: _Frame, place: Mark) -> str:
    """A named place: a dot and its name beside it, haloed to read over the route."""
    x, y = frame.xy(place.lat, place.lon)
    return (
        f'<g class="map-place"><circle cx="{x}" cy="{y}" r="4" fill="#35516b"/>'
        f'<text x="{x + 7}" y="{y - 6}" font-size="12" fill="#1d2b38" font-family="sans-serif" '
        'stroke="#ffffff" stroke-width="3" paint-order="stroke">'
        f"{escape(place.label)}</text></g>"
    )


def svg_map(
    *,
    label: str,
    outline: dict[str, Any] | None = None,
    line: Sequence[Sequence[float]] = (),
    marks: Sequence[Mark] = (),
    names: Sequence[Mark] = (),
    width: int = 640,
    height: int = 420,
    ident: str = "svg-map",
) -> Markup:
    """The map as an inline ``<svg>`` (``label``: what a screen reader hears), fitted to the
    line and the marks (the outline around them, cut at the edge), or to the outline alone
    when there are none; ``names``: named places (their label is the name), drawn under the
    marks. Marks that would fall on each other are spread apart (``spread``). Nothing to
    draw: an empty string, for the page to say so in words."""
    rings = outline_rings(outline)
    route = [(float(p[0]), float(p[1])) for p in line]
    points = route + [(m.lat, m.lon) for m in (*marks, *names)] or [
        p for ring in rings for p in ring
    ]
    if not points:
        return Markup()
    frame = _Frame(points, width, height)
    parts = [
        f'<svg class="svg-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(label)}">',
        f'<rect width="{width}" height="{height}" fill="#f4f1ea"/>',
        # The outline runs on past the edge where the map is fitted to the walk: cut there.
        f'<clipPath id="{escape(ident)}-edge"><rect width="{width}" height="{height}"/></clipPath>',
        f'<g clip-path="url(#{escape(ident)}-edge)">',
    ]
    parts += [
        f'<polygon points="{frame.path(ring)}" fill="#e3ecd9" stroke="#6b7f5a" '
        'stroke-width="2" stroke-dasharray="6 4"/>'
        for ring in rings
    ]
    if len(route) > 1:
        parts.append(
            f'<polyline points="{frame.path(route)}" fill="none" stroke="#1f5fa8" '
            'stroke-width="4" stroke-linejoin="round" stroke-linecap="round"/>'
        )
    parts += [_name(frame, place) for place in names]
    at = [frame.xy(m.lat, m.lon) for m in marks]
    parts += [_mark(m, drawn, point) for m, drawn, point in zip(marks, spread(at), at, strict=True)]
    parts.append("</g></svg>")
    # Every text that goes in is escaped (_mark, escape) and every number formatted here.
    return Markup("".join(parts))  # noqa: S704

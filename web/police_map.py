"""The police area's map (#21): its municipalities' outlines side by side and what each
shares at its agreement's precision: exact points as dots, 250 m cells shaded by their count,
and nothing placed for a municipality that shares by area only (the legend says so). Drawn on
the server like the lägesbild's maps (``web.charts``): no tiles, no script, the same on a
phone, a projector and paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from web.charts import HOT, INK, MUTED, Fit, round_distance, svg_figure, svg_text
from web.format import count_sv
from web.svg_map import outline_rings

WIDTH, PAD = 800, 18
# The drawing's height follows the municipalities' shape, within these bounds.
LOWEST, HIGHEST = 360, 640
# A 250 m cell is a few pixels wide over a whole police area: drawn at least this wide.
LEAST_CELL = 9
# One pale ground per municipality, told apart by the outline's dash too (not colour alone).
GROUNDS = ("#e3ebf3", "#efe6d8", "#e2eee0", "#f0e2ea", "#ecebe0")
DASHES = ("", "8 4", "3 3", "12 4 3 4", "1 3")
POINT_RADIUS = 3.5


def _placed(picture: Any) -> list[tuple[str, list[tuple[float, float]], int]]:
    """A picture's features as (kind, ring or point as (lon, lat) pairs, count)."""
    shapes: list[tuple[str, list[tuple[float, float]], int]] = []
    for feature in picture.geojson.get("features", []):
        geometry = feature.get("geometry") or {}
        if geometry.get("type") == "Point":
            lon, lat = geometry["coordinates"][:2]
            shapes.append(("point", [(float(lon), float(lat))], 1))
        elif geometry.get("type") == "Polygon":
            ring = [(float(p[0]), float(p[1])) for p in geometry["coordinates"][0]]
            shapes.append(("cell", ring, int((feature.get("properties") or {}).get("count", 1))))
    return shapes


def _said(picture: Any, shapes: Sequence[tuple[str, Any, int]]) -> str:
    name = picture.municipality.name
    cells = sum(1 for kind, _, _ in shapes if kind == "cell")
    points = len(shapes) - cells
    if picture.agreement.precision == "area":
        return f"{name}: delar bara antal per område, inga platser på kartan"
    if cells:
        squares = count_sv(cells, "ruta", "rutor")
        return (
            f"{name}: {squares} om 250 meter med {count_sv(picture.total, 'händelse', 'händelser')}"
        )
    return f"{name}: {count_sv(points, 'händelse', 'händelser')} som punkter"


def police_area_map(pictures: Sequence[Any], ident: str = "polisomradeskarta") -> Markup:
    """The map as an inline ``<svg>``, or an empty string when there is nothing to draw
    (no outline and nothing shared with a place): the page then says it in words."""
    outlines = [(p, outline_rings(p.outline)) for p in pictures]
    shapes = [(p, _placed(p)) for p in pictures]
    # (lat, lon) from outline_rings; (lon, lat) from the features.
    lats = [pt[0] for _, rings in outlines for r in rings for pt in r]
    lons = [pt[1] for _, rings in outlines for r in rings for pt in r]
    for _, placed in shapes:
        for _, ring, _ in placed:
            lons += [pt[0] for pt in ring]
            lats += [pt[1] for pt in ring]
    if not lats:
        return Markup()
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    shape = Fit((west, south, east, north), WIDTH, LOWEST, PAD)
    # As high as the municipalities' shape asks for, within the bounds.
    height = round((WIDTH - 2 * PAD) * shape.span_y / shape.span_x) + 2 * PAD
    fit = Fit((west, south, east, north), WIDTH, min(HIGHEST, max(LOWEST, height)), PAD)
    scale, xy, height = fit.scale, fit.xy, fit.height

    def points(ring: Sequence[tuple[float, float]]) -> str:
        return " ".join("{:.1f},{:.1f}".format(*xy(lon, lat)) for lon, lat in ring)

    def square(ring: Sequence[tuple[float, float]]) -> str:
        """A cell's corners, widened about its middle to LEAST_CELL where it is smaller."""
        corners = [xy(lon, lat) for lon, lat in ring]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        if max(xs) - min(xs) >= LEAST_CELL:
            return points(ring)
        mx, my, half = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, LEAST_CELL / 2
        box = [(mx - half, my - half), (mx + half, my - half), (mx + half, my + half)]
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in [*box, (mx - half, my + half)])

    body = [f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#f6f8fa"/>']
    names: list[str] = []
    for k, (picture, rings) in enumerate(outlines):
        dash = DASHES[k % len(DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        for ring in rings:
            body.append(
                f'<polygon class="map-outline" points="{points([(b, a) for a, b in ring])}" '
                f'fill="{GROUNDS[k % len(GROUNDS)]}" stroke="{MUTED}" stroke-width="2"{dashed} '
                'stroke-linejoin="round"/>'
            )
        flat = [pt for ring in rings for pt in ring]
        if flat:
            x, y = xy(
                (min(p[1] for p in flat) + max(p[1] for p in flat)) / 2,
                (min(p[0] for p in flat) + max(p[0] for p in flat)) / 2,
            )
            names.append(
                svg_text(
                    x,
                    y,
                    picture.municipality.name,
                    text_anchor="middle",
                    fill=INK,
                    font_size="26",
                    font_weight="700",
                    stroke="#ffffff",
                    stroke_width="5",
                    paint_order="stroke",
                    class_="map-area",
                )
            )
    most = max((n for _, placed in shapes for kind, _, n in placed if kind == "cell"), default=1)
    for _, placed in shapes:
        for kind, ring, count in placed:
            if kind == "cell":
                shade = 0.3 + 0.7 * count / most
                body.append(
                    f'<polygon class="map-cell" points="{square(ring)}" fill="{HOT}" '
                    f'fill-opacity="{shade:.2f}" stroke="{HOT}" stroke-width="1">'
                    f"<title>{count_sv(count, 'händelse', 'händelser')}</title></polygon>"
                )
            else:
                x, y = xy(*ring[0])
                body.append(
                    f'<circle class="map-point" cx="{x:.1f}" cy="{y:.1f}" r="{POINT_RADIUS}" '
                    f'fill="{HOT}" fill-opacity="0.85" stroke="#ffffff" stroke-width="1"/>'
                )
    # The names over the marks, so that no dot hides a municipality's name.
    body += names
    metres_per_px = 111_320 / scale
    bar_m = round_distance(metres_per_px * WIDTH / 5)
    bar_px = bar_m / metres_per_px
    label = f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m:.0f} m"
    y = height + 18
    body.append(
        f'<line x1="8" x2="{8 + bar_px:.1f}" y1="{y}" y2="{y}" stroke="{INK}" stroke-width="4"/>'
    )
    body.append(svg_text(14 + bar_px, y + 7, label, fill=INK, font_size="20"))
    desc = "; ".join(_said(p, placed) for p, placed in shapes) + "."
    return svg_figure(
        ident, WIDTH, height + 36, "Karta över lokalpolisområdet", desc, body, ' data-map="police"'
    )

"""The lägesbild's pictures, drawn on the server as SVG: they show the same on a phone, a
projector and in the PDF, need no script, and print sharp.

Each chart is an ``<svg role="img">`` with a title and a description that says what it shows
in words; the figures themselves are also in tables beside it, for screen readers and for
those who would rather read numbers. Colours are presentation attributes, not style
attributes, so the pages' content security policy (no inline styles) lets them through.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup, escape

from api import localtime, swedish
from web import map_layout

INK = "#1b1f24"
MUTED = "#4f5660"
LINE = "#cfd5dc"
CURRENT = "#0b5cad"
EARLIER = "#9fb8d3"
HOT = "#a4161a"


def svg_figure(
    ident: str,
    width: int,
    height: int,
    title: str,
    desc: str,
    body: list[str],
    data: str = "",
) -> Markup:
    # Every text that goes in is escaped (svg_text, escape) and every number is formatted here.
    return Markup(  # noqa: S704
        f'<svg class="chart"{data} viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-t" aria-describedby="{ident}-d" '
        'xmlns="http://www.w3.org/2000/svg" '
        f'font-family="DejaVu Sans, system-ui, sans-serif" font-size="13">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def svg_text(x: float, y: float, text: Any, **attrs: Any) -> str:
    # "class_" for "class", "font_size" for "font-size".
    extra = " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" {extra}>{escape(text)}</text>'


def _nice_max(value: int) -> int:
    """The top of an axis with four whole, round steps at or above ``value``."""
    step = max(1, math.ceil(value / 4))
    magnitude = 10 ** math.floor(math.log10(step))
    for nice in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if nice * magnitude >= step and float(nice * magnitude).is_integer():
            return int(nice * magnitude * 4)
    return step * 4


def _partial(week: Any) -> bool:
    # Lägesbilder published before weeks said whether they were whole have no "complete".
    return getattr(week, "complete", True) is False


def _through(week: Any) -> str:
    if _partial(week) and week.through:
        return f" t.o.m. {swedish.day_sv(week.through, year=False)}"
    return ""


def weeks_chart(weeks: Sequence[Any], ident: str = "veckor") -> Markup:
    """Incidents per week, with the same week a year earlier beside each bar. A week not
    counted to its end (under way, or cut by the period's end) is drawn pale with a dashed
    edge and says up to which day it counts, so that it does not read as a drop."""
    width, height, left, bottom, top = 720, 272, 44, 48, 28
    plot_w, plot_h = width - left - 12, height - bottom - top
    peak = _nice_max(max([1, *(max(w.current, w.last_year) for w in weeks)]))
    slot = plot_w / max(1, len(weeks))
    bar = slot * 0.36
    body = [
        f'<rect x="{left}" y="{top - 22}" width="12" height="12" fill="{CURRENT}"/>',
        svg_text(left + 18, top - 12, "dessa veckor", fill=INK),
        f'<rect x="{left + 120}" y="{top - 22}" width="12" height="12" fill="{EARLIER}"/>',
        svg_text(left + 138, top - 12, "samma veckor ett år tidigare", fill=INK),
    ]
    partial = next((w for w in weeks if _partial(w)), None)
    if partial is not None:
        through = swedish.day_sv(partial.through, year=False) if partial.through else ""
        under_way = partial.through is not None and partial.through >= localtime.today()
        what = "pågående vecka" if under_way else "del av vecka"
        body.append(
            f'<rect x="{left + 364}" y="{top - 22}" width="12" height="12" fill="{CURRENT}" '
            f'fill-opacity="0.3" stroke="{CURRENT}" stroke-dasharray="3 2"/>'
        )
        body.append(svg_text(left + 382, top - 12, f"{what}, t.o.m. {through}", fill=INK))
    for k in range(5):
        value = peak * k / 4
        y = top + plot_h - plot_h * k / 4
        body.append(
            f'<line x1="{left}" x2="{width - 12}" y1="{y:.1f}" y2="{y:.1f}" stroke="{LINE}"/>'
        )
        body.append(svg_text(left - 6, y + 4, f"{value:.0f}", text_anchor="end", fill=MUTED))
    for i, w in enumerate(weeks):
        x = left + i * slot + slot * 0.12
        cut = _partial(w)
        note = _through(w)
        for offset, value, colour in ((0, w.current, CURRENT), (bar, w.last_year, EARLIER)):
            h = plot_h * value / peak
            look = (
                f'class="week-partial" fill-opacity="0.3" stroke="{colour}" '
                'stroke-width="1.5" stroke-dasharray="4 3" '
                if cut and offset == 0
                else ""
            )
            body.append(
                f'<rect {look}x="{x + offset:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>v. {w.week}: {value}{note if offset == 0 else ''}</title></rect>"
            )
        body.append(
            svg_text(
                x + bar, height - bottom + 18, f"v. {w.week}", text_anchor="middle", fill=MUTED
            )
        )
        if cut and w.through:
            day = swedish.WEEKDAYS[w.through.weekday()]
            body.append(
                svg_text(
                    x + bar,
                    height - bottom + 34,
                    f"t.o.m. {day}",
                    text_anchor="middle",
                    fill=MUTED,
                    font_size="11",
                )
            )
    total, earlier = sum(w.current for w in weeks), sum(w.last_year for w in weeks)
    desc = (
        f"Händelser per vecka de senaste {len(weeks)} veckorna: {total}, mot {earlier} samma "
        "veckor ett år tidigare. "
        + "; ".join(f"v. {w.week}{_through(w)}: {w.current} ({w.last_year})" for w in weeks)
    )
    return svg_figure(ident, width, height, "Händelser per vecka", desc, body)


def _heat(value: int, peak: int) -> str:
    if value == 0:
        return "#f3f5f7"
    # From light to dark blue; the darkest still carries white text.
    share = value / peak
    light, dark = (222, 235, 247), (8, 48, 107)
    rgb = [round(a + (b - a) * share) for a, b in zip(light, dark, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def heatmap(
    matrix: Sequence[Sequence[int]], unknown: Sequence[int], ident: str = "tider"
) -> Markup:
    """Weekday × hour of day, local time, with a column for incidents without a known hour."""
    cell, left, top = 26, 48, 26
    width = left + cell * 25 + 16
    height = top + cell * 7 + 8
    peak = max([1, *(v for row in matrix for v in row), *unknown])
    body = []
    for hour in range(0, 24, 3):
        body.append(
            svg_text(
                left + hour * cell + cell / 2,
                top - 8,
                f"{hour:02d}",
                text_anchor="middle",
                fill=MUTED,
            )
        )
    body.append(
        svg_text(left + 24 * cell + cell / 2, top - 8, "?", text_anchor="middle", fill=MUTED)
    )
    for d, row in enumerate(matrix):
        y = top + d * cell
        body.append(
            svg_text(left - 8, y + cell * 0.65, swedish.WEEKDAYS[d], text_anchor="end", fill=INK)
        )
        for hour, value in enumerate([*row, unknown[d]]):
            x = left + hour * cell + (4 if hour == 24 else 0)
            label = "tid okänd" if hour == 24 else f"kl. {hour:02d}"
            body.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" rx="3" '
                f'fill="{_heat(value, peak)}"><title>{swedish.WEEKDAYS_LONG[d]} {label}: {value}'
                "</title></rect>"
            )
            if value:
                colour = "#ffffff" if value / peak > 0.5 else INK
                body.append(
                    svg_text(
                        x + (cell - 2) / 2,
                        y + cell * 0.62,
                        value,
                        text_anchor="middle",
                        fill=colour,
                        font_size="11",
                    )
                )
    busiest = max(
        ((v, d, h) for d, row in enumerate(matrix) for h, v in enumerate(row)), default=(0, 0, 0)
    )
    per_day = "; ".join(
        f"{swedish.WEEKDAYS_LONG[d]} {sum(row) + unknown[d]}" for d, row in enumerate(matrix)
    )
    desc = (
        f"Händelser per veckodag och timme. Flest: {swedish.WEEKDAYS_LONG[busiest[1]]} kl. "
        f"{busiest[2]:02d} ({busiest[0]}). {sum(unknown)} utan känd timme. Per dag: {per_day}."
        if busiest[0]
        else "Inga händelser med känd tid."
    )
    return svg_figure(ident, width, height, "Veckodag och tid på dygnet", desc, body)


def category_bars(families: Sequence[Any], ident: str = "kategorier") -> Markup:
    """Each category family this period, with the previous period as a thin bar beneath."""
    rows = list(families)[:10]
    left, row_h, width = 250, 34, 720
    height = 16 + row_h * max(1, len(rows))
    peak = max([1, *(max(f.current, f.previous) for f in rows)])
    plot_w = width - left - 60
    body = []
    for i, f in enumerate(rows):
        y = 8 + i * row_h
        name = f.name if len(f.name) <= 30 else f.name[:29] + "…"
        body.append(svg_text(left - 8, y + 15, name, text_anchor="end", fill=INK))
        w = plot_w * f.current / peak
        body.append(
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="16" fill="{CURRENT}">'
            f"<title>{escape(f.name)}: {f.current}</title></rect>"
        )
        body.append(svg_text(left + w + 6, y + 15, f.current, fill=INK))
        wp = plot_w * f.previous / peak
        body.append(
            f'<rect x="{left}" y="{y + 21}" width="{wp:.1f}" height="6" fill="{EARLIER}">'
            f"<title>Föregående period: {f.previous}</title></rect>"
        )
    if not rows:
        body.append(svg_text(left, 30, "Inga händelser i perioden.", fill=MUTED))
    desc = "; ".join(f"{f.name} {f.current} (förra perioden {f.previous})" for f in rows)
    return svg_figure(
        ident, width, height, "Händelser per kategori", desc or "Inga händelser.", body
    )


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


class Fit:
    """From (lon, lat) to a drawing's units: the box (west, south, east, north) fitted into
    width × height within ``pad``, centred, the longitude shrunk with the latitude so that the
    map keeps its shape."""

    def __init__(
        self, box: tuple[float, float, float, float], width: int, height: int, pad: float
    ) -> None:
        self.west, self.south, east, north = box
        self.squeeze = math.cos(math.radians((north + self.south) / 2))
        self.span_x = max((east - self.west) * self.squeeze, 1e-6)
        self.span_y = max(north - self.south, 1e-6)
        self.height, self.pad = height, pad
        self.scale = min((width - 2 * pad) / self.span_x, (height - 2 * pad) / self.span_y)
        # Centred: the spare width or height split on both sides.
        self.off_x = (width - 2 * pad - self.span_x * self.scale) / 2
        self.off_y = (height - 2 * pad - self.span_y * self.scale) / 2

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            self.pad + self.off_x + (lon - self.west) * self.squeeze * self.scale,
            self.height - self.pad - self.off_y - (lat - self.south) * self.scale,
        )


def round_distance(metres: float) -> float:
    for nice in (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000):
        if nice >= metres:
            return nice
    return 50000


# The map's variants: its size in user units and its text sizes. The projector's is drawn
# 800 units wide with 20-unit labels and ranks, so its words are at least 18 CSS
# px wherever it is shown 720 px wide or more: on the lägesbild's projector view it takes
# the column's width up to 50rem (est.css "Hot-spot map": 880–1100 px on screens from 1024
# to 1920 px wide); a meeting's projector column of about 790 px at 1920 gives 19.7 px. The
# page's and the print's are 720 units wide, shown 600–700 px wide.
MAP_VARIANTS: dict[str, tuple[int, int, map_layout.Sizes]] = {
    "page": (720, 460, map_layout.Sizes(14, 13, 16, 11, 20, 3)),
    "print": (720, 460, map_layout.Sizes(13, 12, 15, 10, 18, 3)),
    "projector": (800, 440, map_layout.Sizes(20, 20, 22, 16, 26, 4)),
}


# The most hot spots on the map: a list beside it shows the same ones (and says "visar N av
# M" when there are more), so that every number on the map is in the list.
SHOWN_SPOTS = 15


def _anchor(area: Any, rings: list[list[list[float]]]) -> tuple[float, float] | None:
    """Where an area's name goes: its stated centre, else the middle of its outline."""
    if area.center:
        return area.center.coordinates[0], area.center.coordinates[1]
    points = [p for ring in rings for p in ring]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


# A significant cell's fill: surer (a smaller q-value) darker.
CELL_FILLS = ((0.001, "#7a0c10"), (0.01, "#c0392b"), (1.0, "#f08a5d"))


def _cells(
    cells: Sequence[Any],
    cell_m: float,
    xy: Callable[[float, float], tuple[float, float]],
    scale: float,
) -> list[str]:
    """Squares of the significant cells, at least a few pixels wide to be seen at all."""
    side = max(4.0, cell_m / 111_320 * scale)
    body = []
    for c in cells:
        x, y = xy(c.lon, c.lat)
        fill = next(colour for limit, colour in CELL_FILLS if c.q < limit)
        body.append(
            f'<rect class="map-cell" x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" '
            f'width="{side:.1f}" height="{side:.1f}" fill="{fill}" fill-opacity="0.8">'
            f"<title>{c.count} i rutan, {c.neighbourhood} i grannskapet</title></rect>"
        )
    return body


def _place_name(spot: Any) -> str:
    return str(spot.place or f"Vid {spot.area}")


def _legend(
    entries: list[tuple[str, str]], top: float, width: int, pad: int, size: float
) -> tuple[list[str], float]:
    """What found no room on the map, in columns below it; returns the SVG and its height."""
    if not entries:
        return [], 0.0
    columns = 2 if width < 1000 else 3
    col_w = (width - 2 * pad) / columns
    row_h = size * 1.6
    body = [
        svg_text(pad, top + size * 1.2, "Utan plats på kartan:", fill=MUTED, font_size=f"{size:g}")
    ]
    for i, (mark, name) in enumerate(entries):
        row, col = divmod(i, columns)
        text = f"{mark}. {name}" if mark else f"Område {name}"
        while map_layout.text_width(text, size) > col_w - size and len(text) > 4:
            text = text[:-2] + "…"
        x, y = pad + col * col_w, top + size * 1.2 + row_h * (row + 1)
        body.append(svg_text(x, y, text, fill=INK, font_size=f"{size:g}", class_="map-legend"))
    rows = math.ceil(len(entries) / columns)
    return body, size * 1.2 + row_h * rows + size


def hot_spot_map(
    areas: Sequence[Any],
    spots: Sequence[Any],
    ident: str = "karta",
    variant: str = "page",
    *,
    cells: Sequence[Any] = (),
    cell_m: float = 100.0,
) -> Markup:
    """The areas' outlines and the hot spots, numbered by rank: a sketch map that needs no
    tiles (the PDF and a projector without network show it too). ``variant``: "page",
    "print" or "projector" (bigger text, see MAP_VARIANTS). Markers and words never cover
    each other (``web.map_layout``). ``cells``: the analysis's significant grid cells
    (``cell_m`` wide), drawn under the hot spots, darker the surer."""
    width, height, sizes = MAP_VARIANTS[variant]
    pad = round(sizes.radius_max) + 4
    shown = list(spots)[:SHOWN_SPOTS]
    outlined = [(a, _rings(a.boundary) if a.boundary else []) for a in areas]
    anchors = [(a.name, _anchor(a, rings)) for a, rings in outlined]
    lons = [p[0] for _, rings in outlined for r in rings for p in r] + [s.lon for s in shown]
    lats = [p[1] for _, rings in outlined for r in rings for p in r] + [s.lat for s in shown]
    if cells:
        # The cells are a hundred metres wide: the map shows where they and the hot spots
        # are, not the whole municipality, where they would be specks.
        lons = [c.lon for c in cells] + [s.lon for s in shown]
        lats = [c.lat for c in cells] + [s.lat for s in shown]
    lons += [c[0] for _, c in anchors if c]
    lats += [c[1] for _, c in anchors if c]
    if not lons:
        return svg_figure(
            ident,
            width,
            60,
            "Karta över heta platser",
            "Ingen karta att visa.",
            [svg_text(pad, 36, "Inga områden eller heta platser att visa.", fill=MUTED)],
        )
    # A margin around what is shown, at least a few hundred metres.
    margin_lat = max(0.004, (max(lats) - min(lats)) * 0.08)
    margin_lon = max(0.008, (max(lons) - min(lons)) * 0.08)
    west, east = min(lons) - margin_lon, max(lons) + margin_lon
    south, north = min(lats) - margin_lat, max(lats) + margin_lat
    fit = Fit((west, south, east, north), width, height, pad)
    scale, xy = fit.scale, fit.xy
    frame = map_layout.Box(2, 2, width - 2, height - 2)
    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f6f8fa"/>']
    # A scale bar: a round distance about a fifth of the map's width, in a strip below the
    # map, where no marker can fall on it.
    metres_per_px = 111_320 / scale
    bar_m = round_distance(metres_per_px * width / 5)
    bar_px = bar_m / metres_per_px
    label = f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m:.0f} m"
    size = sizes.number  # as big as the ranks: read from the back of the room too
    bar_y = height + size * 0.9
    strip = size * 1.8
    body.append(
        f'<line x1="8" x2="{8 + bar_px:.1f}" y1="{bar_y:.1f}" y2="{bar_y:.1f}" '
        f'stroke="{INK}" stroke-width="3"/>'
    )
    body.append(
        svg_text(14 + bar_px, bar_y + size * 0.35, label, fill=INK, font_size=f"{size:.1f}")
    )
    stroke = 2.5 if variant == "projector" else 2
    for a, rings in outlined:
        for ring in rings:
            points = " ".join("{:.1f},{:.1f}".format(*xy(p[0], p[1])) for p in ring)
            body.append(
                f'<polygon class="map-outline" points="{points}" fill="#e3ebf3" '
                f'stroke="{MUTED}" stroke-width="{stroke}" stroke-linejoin="round">'
                f"<title>{escape(a.name)}</title></polygon>"
            )
    body += _cells(cells, cell_m, xy, scale)
    placed = map_layout.layout(
        [map_layout.Spot(*xy(s.lon, s.lat), s.rank, s.count, _place_name(s)) for s in shown],
        [(name, *xy(*c)) for name, c in anchors if c],
        frame,
        sizes,
    )
    by_rank = {s.rank: s for s in shown}
    for label_ in placed.labels:
        area = label_.kind == "area"
        b = label_.box
        if not area:
            # A pale ground under a place's name, so that outlines do not cross it.
            body.append(
                f'<rect x="{b.x0:.1f}" y="{b.y0:.1f}" width="{b.x1 - b.x0:.1f}" '
                f'height="{b.y1 - b.y0:.1f}" rx="3" fill="#ffffff" fill-opacity="0.85"/>'
            )
        body.append(
            svg_text(
                label_.x,
                label_.y,
                label_.text,
                text_anchor=label_.anchor,
                fill=MUTED if area else INK,
                font_size=f"{label_.size:g}",
                font_weight="700" if area else "400",
                class_="map-area" if area else "map-label",
            )
        )
    for m in reversed(placed.markers):
        b = m.box
        about = "; ".join(
            f"{s.rank}. {escape(_place_name(by_rank[s.rank]))}: {s.count} händelser "
            f"({swedish.TRENDS.get(by_rank[s.rank].trend, by_rank[s.rank].trend)})"
            for s in m.spots
        )
        body.append(
            f'<rect class="map-marker" x="{b.x0:.1f}" y="{b.y0:.1f}" width="{b.x1 - b.x0:.1f}" '
            f'height="{b.y1 - b.y0:.1f}" rx="{m.r:.1f}" fill="{HOT}" stroke="#ffffff" '
            f'stroke-width="2"><title>{about}</title></rect>'
        )
        body.append(
            svg_text(
                m.x,
                m.y + sizes.number * 0.36,
                m.text,
                text_anchor="middle",
                fill="#ffffff",
                font_size=f"{sizes.number:g}",
                font_weight="700",
                class_="map-number",
            )
        )
    legend, extra = _legend(placed.legend, height + strip, width, 8, sizes.label)
    body += legend
    desc = (
        "; ".join(f"{s.rank}. {_place_name(s)}: {s.count}" for s in shown)
        or "Inga heta platser i perioden."
    )
    if cells:
        desc += f" {len(cells)} signifikant heta rutor (Gi*)."
    total_h = math.ceil(height + strip + extra)
    # Which variant, for the style sheets and tests: class="chart" stays the charts' one class.
    data = f' data-map="{variant}"'
    return svg_figure(ident, width, total_h, "Karta över heta platser", desc, body, data)


def _figure(value: float) -> str:
    return f"{value:.1f}".replace(".", ",").removesuffix(",0")


def indicator_chart(indicator: Any, ident: str) -> Markup:
    """An indicator over time: a bar per quarter or year, the period under way paler, and
    no bar where there is no figure."""
    points = list(indicator.series)
    known = [p.value for p in points if p.value is not None]
    width, height, left, bottom, top = 720, 200, 52, 34, 16
    plot_w, plot_h = width - left - 12, height - bottom - top
    axis = _nice_max(math.ceil(max([1.0, *(abs(v) for v in known)])))
    slot = plot_w / max(1, len(points))
    body = []
    for k in range(5):
        y = top + plot_h - plot_h * k / 4
        body.append(
            f'<line x1="{left}" x2="{width - 12}" y1="{y:.1f}" y2="{y:.1f}" stroke="{LINE}"/>'
        )
        body.append(svg_text(left - 6, y + 4, _figure(axis * k / 4), text_anchor="end", fill=MUTED))
    for i, p in enumerate(points):
        x = left + i * slot + slot * 0.2
        body.append(
            svg_text(
                x + slot * 0.3, height - bottom + 18, p.label, text_anchor="middle", fill=MUTED
            )
        )
        if p.value is None:
            body.append(svg_text(x + slot * 0.3, top + plot_h - 6, "–", text_anchor="middle"))
            continue
        h = plot_h * max(0.0, p.value) / axis
        colour = EARLIER if p.partial else CURRENT
        note = " (hittills)" if p.partial else ""
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.6:.1f}" '
            f'height="{h:.1f}" fill="{colour}"><title>{escape(p.label)}: '
            f"{_figure(p.value)}{note}</title></rect>"
        )
    if not known:
        body.append(svg_text(left + 8, top + plot_h / 2, "Inga värden ännu.", fill=MUTED))
    desc = "; ".join(
        f"{p.label}: "
        + ("inga uppgifter" if p.value is None else _figure(p.value))
        + (" hittills" if p.partial else "")
        for p in points
    )
    return svg_figure(ident, width, height, indicator.name, desc or "Inga värden ännu.", body)

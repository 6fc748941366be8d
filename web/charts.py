"""The lägesbild's pictures, drawn on the server as SVG: they show the same on a phone, a
projector and in the PDF, need no script, and print sharp.

Each chart is an ``<svg role="img">`` with a title and a description that says what it shows
in words; the figures themselves are also in tables beside it, for screen readers and for
those who would rather read numbers. Colours are presentation attributes, not style
attributes, so the pages' content security policy (no inline styles) lets them through.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from api import swedish

INK = "#1b1f24"
MUTED = "#4f5660"
LINE = "#cfd5dc"
CURRENT = "#0b5cad"
EARLIER = "#9fb8d3"
HOT = "#a4161a"


def _svg(ident: str, width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    # Every text that goes in is escaped (_text, escape) and every number is formatted here.
    return Markup(  # noqa: S704
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-t" aria-describedby="{ident}-d" '
        'xmlns="http://www.w3.org/2000/svg" '
        f'font-family="DejaVu Sans, system-ui, sans-serif" font-size="13">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: Any, **attrs: Any) -> str:
    extra = " ".join(f'{k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" {extra}>{escape(text)}</text>'


def _nice_max(value: int) -> int:
    """The top of an axis with four whole, round steps at or above ``value``."""
    step = max(1, math.ceil(value / 4))
    magnitude = 10 ** math.floor(math.log10(step))
    for nice in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if nice * magnitude >= step and float(nice * magnitude).is_integer():
            return int(nice * magnitude * 4)
    return step * 4


def weeks_chart(weeks: Sequence[Any], ident: str = "veckor") -> Markup:
    """Incidents per week, with the same week a year earlier beside each bar."""
    width, height, left, bottom, top = 720, 260, 44, 36, 28
    plot_w, plot_h = width - left - 12, height - bottom - top
    peak = _nice_max(max([1, *(max(w.current, w.last_year) for w in weeks)]))
    slot = plot_w / max(1, len(weeks))
    bar = slot * 0.36
    body = [
        f'<rect x="{left}" y="{top - 22}" width="12" height="12" fill="{CURRENT}"/>',
        _text(left + 18, top - 12, "dessa veckor", fill=INK),
        f'<rect x="{left + 120}" y="{top - 22}" width="12" height="12" fill="{EARLIER}"/>',
        _text(left + 138, top - 12, "samma veckor ett år tidigare", fill=INK),
    ]
    for k in range(5):
        value = peak * k / 4
        y = top + plot_h - plot_h * k / 4
        body.append(
            f'<line x1="{left}" x2="{width - 12}" y1="{y:.1f}" y2="{y:.1f}" stroke="{LINE}"/>'
        )
        body.append(_text(left - 6, y + 4, f"{value:.0f}", text_anchor="end", fill=MUTED))
    for i, w in enumerate(weeks):
        x = left + i * slot + slot * 0.12
        for offset, value, colour in ((0, w.current, CURRENT), (bar, w.last_year, EARLIER)):
            h = plot_h * value / peak
            body.append(
                f'<rect x="{x + offset:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>v. {w.week}: {value}</title></rect>'
            )
        body.append(
            _text(x + bar, height - bottom + 18, f"v. {w.week}", text_anchor="middle", fill=MUTED)
        )
    total, earlier = sum(w.current for w in weeks), sum(w.last_year for w in weeks)
    desc = (
        f"Händelser per vecka de senaste {len(weeks)} veckorna: {total}, mot {earlier} samma "
        "veckor ett år tidigare. "
        + "; ".join(f"v. {w.week}: {w.current} ({w.last_year})" for w in weeks)
    )
    return _svg(ident, width, height, "Händelser per vecka", desc, body)


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
            _text(
                left + hour * cell + cell / 2,
                top - 8,
                f"{hour:02d}",
                text_anchor="middle",
                fill=MUTED,
            )
        )
    body.append(_text(left + 24 * cell + cell / 2, top - 8, "?", text_anchor="middle", fill=MUTED))
    for d, row in enumerate(matrix):
        y = top + d * cell
        body.append(
            _text(left - 8, y + cell * 0.65, swedish.WEEKDAYS[d], text_anchor="end", fill=INK)
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
                    _text(
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
    return _svg(ident, width, height, "Veckodag och tid på dygnet", desc, body)


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
        body.append(_text(left - 8, y + 15, name, text_anchor="end", fill=INK))
        w = plot_w * f.current / peak
        body.append(
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="16" fill="{CURRENT}">'
            f"<title>{escape(f.name)}: {f.current}</title></rect>"
        )
        body.append(_text(left + w + 6, y + 15, f.current, fill=INK))
        wp = plot_w * f.previous / peak
        body.append(
            f'<rect x="{left}" y="{y + 21}" width="{wp:.1f}" height="6" fill="{EARLIER}">'
            f"<title>Föregående period: {f.previous}</title></rect>"
        )
    if not rows:
        body.append(_text(left, 30, "Inga händelser i perioden.", fill=MUTED))
    desc = "; ".join(f"{f.name} {f.current} (förra perioden {f.previous})" for f in rows)
    return _svg(ident, width, height, "Händelser per kategori", desc or "Inga händelser.", body)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def _round_distance(metres: float) -> float:
    for nice in (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000):
        if nice >= metres:
            return nice
    return 50000


def hot_spot_map(areas: Sequence[Any], spots: Sequence[Any], ident: str = "karta") -> Markup:
    """The areas' outlines and the hot spots, numbered by rank: a sketch map that needs no
    tiles (the PDF and a projector without network show it too)."""
    width, height, pad = 720, 460, 24
    rings = [(a.name, ring) for a in areas if a.boundary for ring in _rings(a.boundary)]
    centres = [a.center.coordinates for a in areas if a.center]
    lons = [p[0] for _, ring in rings for p in ring] + [s.lon for s in spots]
    lats = [p[1] for _, ring in rings for p in ring] + [s.lat for s in spots]
    lons += [c[0] for c in centres]
    lats += [c[1] for c in centres]
    if not lons:
        return _svg(
            ident,
            width,
            60,
            "Karta över heta platser",
            "Ingen karta att visa.",
            [_text(pad, 36, "Inga områden eller heta platser att visa.", fill=MUTED)],
        )
    # A margin around what is shown, at least a few hundred metres.
    margin_lat = max(0.004, (max(lats) - min(lats)) * 0.08)
    margin_lon = max(0.008, (max(lons) - min(lons)) * 0.08)
    west, east = min(lons) - margin_lon, max(lons) + margin_lon
    south, north = min(lats) - margin_lat, max(lats) + margin_lat
    # Longitude shrinks with latitude: scale it so the map keeps its shape.
    squeeze = math.cos(math.radians((north + south) / 2))
    span_x = max((east - west) * squeeze, 1e-6)
    span_y = max(north - south, 1e-6)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return pad + (lon - west) * squeeze * scale, height - pad - (lat - south) * scale

    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f6f8fa"/>']
    # A scale bar: a round distance about a fifth of the map's width.
    metres_per_px = 111_320 / scale
    bar_m = _round_distance(metres_per_px * width / 5)
    bar_px = bar_m / metres_per_px
    label = f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m:.0f} m"
    body.append(
        f'<line x1="{pad}" x2="{pad + bar_px:.1f}" y1="{height - 12}" y2="{height - 12}" '
        f'stroke="{INK}" stroke-width="3"/>'
    )
    body.append(_text(pad + bar_px + 6, height - 8, label, fill=INK))
    for name, ring in rings:
        points = " ".join("{:.1f},{:.1f}".format(*xy(p[0], p[1])) for p in ring)
        body.append(
            f'<polygon points="{points}" fill="#eef3f8" stroke="{MUTED}" stroke-width="1.5">'
            f"<title>{escape(name)}</title></polygon>"
        )
    for a in areas:
        if a.center:
            x, y = xy(a.center.coordinates[0], a.center.coordinates[1])
            body.append(_text(x, y, a.name, text_anchor="middle", fill=MUTED, font_size="15"))
    biggest = max([1, *(s.count for s in spots)])
    for s in reversed(list(spots)[:15]):
        x, y = xy(s.lon, s.lat)
        r = 9 + 14 * math.sqrt(s.count / biggest)
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{HOT}" fill-opacity="0.85" '
            f'stroke="#ffffff" stroke-width="2"><title>{s.rank}. {escape(s.place or s.area)}: '
            f"{s.count} händelser ({swedish.TRENDS.get(s.trend, s.trend)})</title></circle>"
        )
        body.append(
            _text(
                x,
                y + 4.5,
                s.rank,
                text_anchor="middle",
                fill="#ffffff",
                font_size="13",
                font_weight="700",
            )
        )
        if s.rank <= 8:
            # The place beside its number, so that the map reads without the table.
            body.append(_text(x + r + 4, y + 4, s.place or s.area, fill=INK, font_size="12"))
    desc = (
        "; ".join(f"{s.rank}. {s.place or s.area}: {s.count}" for s in list(spots)[:15])
        or "Inga heta platser i perioden."
    )
    return _svg(ident, width, height, "Karta över heta platser", desc, body)


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
        body.append(_text(left - 6, y + 4, _figure(axis * k / 4), text_anchor="end", fill=MUTED))
    for i, p in enumerate(points):
        x = left + i * slot + slot * 0.2
        body.append(
            _text(x + slot * 0.3, height - bottom + 18, p.label, text_anchor="middle", fill=MUTED)
        )
        if p.value is None:
            body.append(_text(x + slot * 0.3, top + plot_h - 6, "–", text_anchor="middle"))
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
        body.append(_text(left + 8, top + plot_h / 2, "Inga värden ännu.", fill=MUTED))
    desc = "; ".join(
        f"{p.label}: "
        + ("inga uppgifter" if p.value is None else _figure(p.value))
        + (" hittills" if p.partial else "")
        for p in points
    )
    return _svg(ident, width, height, indicator.name, desc or "Inga värden ännu.", body)

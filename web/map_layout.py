"""Where the hot-spot map puts its markers and words, so that none covers another.

Pure geometry, no drawing: ``web.charts.hot_spot_map`` projects the spots and areas to
points and draws what ``layout`` returns. Every marker and every word is an axis-aligned
box, and the layout promises that no two boxes intersect and that all lie inside the
map's frame:

1. markers whose boxes would touch are merged into one cluster marker (until none touch);
2. area names are put at their area's centre, or moved a little, clear of the markers;
3. each marker's place name is tried at twelve positions around it, in rank order, clear of
   everything placed before it;
4. what finds no free position goes into a legend below the map (number and name), so
   that nothing is lost and nothing overlaps.

Text widths are estimated from a per-character table of DejaVu Sans (the font the pages
and the PDF name first; the common fallbacks are narrower), rounded up, so that a box is
never narrower than the text drawn in it; ``tests/web/test_map_layout.py`` checks the
promise on many random maps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

# Advance widths of DejaVu Sans and DejaVu Sans Bold in thousandths of an em (read from
# the fonts, rounded up), for the characters in _CHARS; any other counts as a whole em.
_CHARS = "".join(chr(c) for c in range(32, 127)) + "åäöÅÄÖéÉüÜ–—…·«»"
# fmt: off
_REGULAR = (
    318, 401, 460, 838, 637, 951, 780, 275, 391, 391, 500, 838, 318, 361, 318, 337, 637, 637,
    637, 637, 637, 637, 637, 637, 637, 637, 337, 337, 838, 838, 838, 531, 1000, 685, 687, 699,
    771, 632, 576, 775, 752, 295, 295, 656, 558, 863, 749, 788, 604, 788, 695, 635, 611, 732,
    685, 989, 686, 611, 686, 391, 337, 391, 838, 500, 500, 613, 635, 550, 635, 616, 353, 635,
    634, 278, 278, 580, 278, 975, 634, 612, 635, 635, 412, 521, 393, 634, 592, 818, 592, 592,
    525, 637, 337, 637, 838, 613, 613, 612, 685, 685, 788, 616, 632, 634, 732, 500, 1000,
    1000, 318, 612, 612,
)
_BOLD = (
    349, 457, 521, 838, 696, 1002, 873, 307, 458, 458, 523, 838, 380, 416, 380, 366, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 581, 1000, 774, 763, 734,
    831, 684, 684, 821, 837, 373, 373, 775, 638, 996, 837, 851, 733, 851, 771, 721, 683, 813,
    774, 1104, 771, 725, 726, 458, 366, 458, 838, 500, 500, 675, 716, 593, 716, 679, 436, 716,
    712, 343, 343, 666, 343, 1042, 712, 688, 716, 716, 494, 596, 479, 712, 652, 924, 646, 652,
    583, 712, 366, 712, 838, 675, 675, 688, 774, 774, 851, 679, 684, 712, 813, 500, 1000,
    1000, 380, 646, 646,
)
# fmt: on
_WIDTHS = {
    False: dict(zip(_CHARS, _REGULAR, strict=True)),
    True: dict(zip(_CHARS, _BOLD, strict=True)),
}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An upper bound of the drawn width of ``text`` at font size ``size`` (3 % to spare,
    for a renderer's rounding; kerning only narrows)."""
    widths = _WIDTHS[bold]
    return sum(widths.get(ch, 1000) for ch in text) / 1000 * size * 1.03


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def intersects(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def inside(self, frame: Box) -> bool:
        return (
            self.x0 >= frame.x0
            and self.y0 >= frame.y0
            and self.x1 <= frame.x1
            and self.y1 <= frame.y1
        )

    def grown(self, by: float) -> Box:
        return Box(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)


def text_box(x: float, baseline: float, text: str, size: float, *, anchor: str = "start",
             bold: bool = False, pad: float = 0.0) -> Box:  # fmt: skip
    """The box of a text drawn at ``x`` (its start, middle or end) on ``baseline``: from the
    font's ascent above to its descent below (DejaVu Sans: 0.93 and 0.24 em)."""
    w = text_width(text, size, bold)
    left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
    return Box(
        left - pad, baseline - 0.96 * size - pad, left + w + pad, baseline + 0.26 * size + pad
    )


@dataclass(frozen=True)
class Sizes:
    """The sizes of one variant of the map, in the SVG's user units."""

    label: float  # a place's name beside its marker
    number: float  # the rank inside a marker
    area: float  # an area's name
    radius_min: float
    radius_max: float
    gap: float  # the least space between two boxes


@dataclass
class Spot:
    """A hot spot as the layout sees it: projected position, rank, count and name."""

    x: float
    y: float
    rank: int
    count: int
    name: str


@dataclass
class Marker:
    x: float
    y: float
    spots: list[Spot]
    text: str  # what is written in it: a rank, or a cluster's ranks
    r: float  # a circle's radius; a cluster is a pill of half-height r
    box: Box = field(default=Box(0, 0, 0, 0))

    @property
    def cluster(self) -> bool:
        return len(self.spots) > 1


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float  # baseline
    size: float
    anchor: str
    box: Box
    kind: str  # "place" or "area"
    bold: bool = False


@dataclass
class Layout:
    markers: list[Marker]
    labels: list[Label]
    # What found no place on the map: (marker text or "", name), in order.
    legend: list[tuple[str, str]]


def ranks_text(ranks: Sequence[int]) -> str:
    """``[1, 2, 3, 5]`` as "1–3,5": a cluster's ranks, short enough for its marker."""
    runs: list[list[int]] = []
    for k in ranks:
        if runs and k == runs[-1][-1] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return ",".join(
        str(r[0]) if len(r) == 1 else f"{r[0]}{'–' if len(r) > 2 else ','}{r[-1]}" for r in runs
    )


def _marker(spots: list[Spot], sizes: Sizes, biggest: int, frame: Box) -> Marker:
    count = sum(s.count for s in spots)
    weight = max(1, count)
    x = sum(s.x * max(1, s.count) for s in spots) / weight
    y = sum(s.y * max(1, s.count) for s in spots) / weight
    r = sizes.radius_min + (sizes.radius_max - sizes.radius_min) * math.sqrt(
        min(1.0, count / max(1, biggest))
    )
    text = ranks_text(sorted(s.rank for s in spots))
    half_w = max(r, text_width(text, sizes.number, bold=True) / 2 + sizes.number * 0.45)
    # Kept inside the frame: a spot at the edge is drawn just inside it.
    # (Half a unit more, so that rounding cannot put an edge outside it.)
    x = min(max(x, frame.x0 + half_w + 0.5), frame.x1 - half_w - 0.5)
    y = min(max(y, frame.y0 + r + 0.5), frame.y1 - r - 0.5)
    return Marker(x, y, spots, text, r, Box(x - half_w, y - r, x + half_w, y + r))


def _clusters(spots: Sequence[Spot], sizes: Sizes, frame: Box) -> list[Marker]:
    """One marker per spot, merged while any two would touch (the result no longer
    depends on the order they merge in more than the centroid's rounding)."""
    biggest = max([1, *(s.count for s in spots)])
    markers = [_marker([s], sizes, biggest, frame) for s in spots]
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(markers):
            for b in markers[i + 1 :]:
                if a.box.grown(sizes.gap / 2).intersects(b.box.grown(sizes.gap / 2)):
                    markers.remove(a)
                    markers.remove(b)
                    markers.append(_marker(a.spots + b.spots, sizes, biggest, frame))
                    merged = True
                    break
            if merged:
                break
    return sorted(markers, key=lambda m: min(s.rank for s in m.spots))


def _free(box: Box, frame: Box, taken: Sequence[Box], gap: float) -> bool:
    wider = box.grown(gap / 2)
    return box.inside(frame) and not any(wider.intersects(t.grown(gap / 2)) for t in taken)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def layout(
    spots: Sequence[Spot],
    areas: Sequence[tuple[str, float, float]],
    frame: Box,
    sizes: Sizes,
    obstacles: Sequence[Box] = (),
) -> Layout:
    """Markers, labels and legend for ``spots`` and ``areas`` (name and projected centre)
    inside ``frame``, clear of ``obstacles`` (a scale bar)."""
    markers = _clusters(spots, sizes, frame)
    taken: list[Box] = [*obstacles, *(m.box for m in markers)]
    labels: list[Label] = []
    legend: list[tuple[str, str]] = []
    gap = sizes.gap

    # Area names: at the centre, else stepped outwards in eight directions.
    for name, cx, cy in areas:
        s = sizes.area
        steps = [(0.0, 0.0)] + [
            (dx * k * s * 0.9, dy * k * s * 0.9)
            for k in range(1, 7)
            for dx, dy in ((0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1))
        ]
        for dx, dy in steps:
            box = text_box(cx + dx, cy + dy + s * 0.35, name, s, anchor="middle", bold=True)
            if _free(box, frame, taken, gap):
                labels.append(
                    Label(name, cx + dx, cy + dy + s * 0.35, s, "middle", box, "area", True)
                )
                taken.append(box)
                break
        else:
            legend.append(("", name))

    # Place names beside their markers, in rank order: right, left, above, below, corners,
    # above and below flush with an edge.
    s = sizes.label
    for m in markers:
        first = m.spots[0] if not m.cluster else min(m.spots, key=lambda p: p.rank)
        name = _shorten(first.name, 30) + (f" m.fl. ({len(m.spots)} platser)" if m.cluster else "")
        half_w = (m.box.x1 - m.box.x0) / 2
        off = gap + 2
        mid = m.y + s * 0.35
        candidates = [
            (m.x + half_w + off, mid, "start"),
            (m.x - half_w - off, mid, "end"),
            (m.x, m.box.y0 - off - s * 0.26, "middle"),
            (m.x, m.box.y1 + off + s * 0.96, "middle"),
            (m.x + half_w * 0.7 + off, m.box.y0 - off, "start"),
            (m.x - half_w * 0.7 - off, m.box.y0 - off, "end"),
            (m.x + half_w * 0.7 + off, m.box.y1 + off + s * 0.7, "start"),
            (m.x - half_w * 0.7 - off, m.box.y1 + off + s * 0.7, "end"),
            # Above and below, flush with the marker's left or right edge.
            (m.box.x0, m.box.y0 - off - s * 0.26, "start"),
            (m.box.x1, m.box.y0 - off - s * 0.26, "end"),
            (m.box.x0, m.box.y1 + off + s * 0.96, "start"),
            (m.box.x1, m.box.y1 + off + s * 0.96, "end"),
        ]
        for x, y, anchor in candidates:
            box = text_box(x, y, name, s, anchor=anchor)
            if _free(box, frame, taken, gap):
                labels.append(Label(name, x, y, s, anchor, box, "place"))
                taken.append(box)
                break
        else:
            legend.append((m.text, name))
    return Layout(markers, labels, legend)

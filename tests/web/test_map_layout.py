"""The hot-spot map's layout keeps its promise on many random maps: no marker, place name or
area name covers another, all lie inside the map, and every hot spot and area is either on
the map with its name or in the legend. And the text widths it estimates are never
narrower than DejaVu Sans draws them (read from the font file itself)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import localtime
from web import charts, map_layout
from web.map_layout import Box, Spot

NAMES = [
    "Bro centrum",
    "Brunna centrum",
    "Kungsängens station",
    "Brunna industriområde",
    "Skolan vid Råbyvägen, södra entrén mot parkeringen",
    "Vid Kungsängen",
    "WWW MMM ÅÄÖ",
    "iiiiiiiiii lllll",
    "Torget 1",
]
FRAME = Box(2, 2, 718, 458)
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _spots(draw: Any) -> list[Spot]:
    n = draw(st.integers(0, 15))
    centres = draw(
        st.lists(st.tuples(st.floats(0, 720), st.floats(0, 460)), min_size=1, max_size=3)
    )
    spread = draw(st.sampled_from([2.0, 15.0, 60.0, 400.0]))
    out = []
    for rank in range(1, n + 1):
        cx, cy = draw(st.sampled_from(centres))
        dx, dy = draw(st.floats(-spread, spread)), draw(st.floats(-spread, spread))
        name = draw(st.sampled_from(NAMES) | st.text("abcåäö ABC", min_size=1, max_size=40))
        count = draw(st.integers(3, 60))
        out.append(Spot(cx + dx, cy + dy, rank, count, name))
    return out


spot_sets = st.composite(_spots)()
area_sets = st.lists(
    st.tuples(
        st.sampled_from(["Bro", "Brunna", "Kungsängen", "Upplands-Bro kommun"]),
        st.floats(0, 720),
        st.floats(0, 460),
    ),
    max_size=4,
)


def _check(result: map_layout.Layout, spots: list[Spot], areas: list[Any], frame: Box) -> None:
    boxes = [("marker " + m.text, m.box) for m in result.markers]
    boxes += [(f"{label.kind} {label.text}", label.box) for label in result.labels]
    for name, box in boxes:
        assert box.inside(frame), (name, box)
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.intersects(box_b), (a, box_a, b, box_b)
    # Every spot in exactly one marker; every marker and area named on the map or in the legend.
    ranks = sorted(s.rank for m in result.markers for s in m.spots)
    assert ranks == [s.rank for s in spots]
    named = {label.text for label in result.labels} | {name for _, name in result.legend}
    assert {name for name, _, _ in areas} <= named
    assert len(result.labels) + len(result.legend) == len(result.markers) + len(areas)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spots=spot_sets, areas=area_sets, variant=st.sampled_from(sorted(charts.MAP_VARIANTS)))
def test_nothing_on_the_map_covers_anything_else(
    spots: list[Spot], areas: list[Any], variant: str
) -> None:
    width, height, sizes = charts.MAP_VARIANTS[variant]
    sx, sy = width / 720, height / 460
    spots = [Spot(s.x * sx, s.y * sy, s.rank, s.count, s.name) for s in spots]
    areas = [(name, x * sx, y * sy) for name, x, y in areas]
    frame = Box(2, 2, width - 2, height - 2)
    _check(map_layout.layout(spots, areas, frame, sizes), spots, areas, frame)


def test_twelve_spots_in_one_square_become_clusters_clear_of_the_area_name() -> None:
    spots = [Spot(360 + (k % 4) * 6, 230 + (k // 4) * 6, k + 1, 10 - k % 5, "Bro centrum")
             for k in range(12)]  # fmt: skip
    areas = [("Bro", 362.0, 232.0)]
    result = map_layout.layout(spots, areas, FRAME, charts.MAP_VARIANTS["page"][2])
    _check(result, spots, areas, FRAME)
    assert len(result.markers) < 12
    assert any(m.cluster for m in result.markers)


def _advance(path: Path) -> Any:
    fonttools = pytest.importorskip("fontTools.ttLib")
    if not path.exists():
        pytest.skip(f"{path} is not installed")
    font = fonttools.TTFont(str(path))
    cmap, hmtx, em = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm

    def width(text: str, size: float) -> float:
        return float(sum(hmtx[cmap[ord(ch)]][0] for ch in text) / em * size)

    return width


@pytest.mark.parametrize("bold", [False, True])
def test_estimated_widths_are_never_narrower_than_the_font(bold: bool) -> None:
    real = _advance(FONT_BOLD if bold else FONT)
    alphabet = (
        "abcdefghijklmnopqrstuvwxyzåäöéü ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖÉ0123456789.,:;-–()/&'·…"
    )
    texts = [*NAMES, alphabet, *alphabet, "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"]
    for text in texts:
        assert map_layout.text_width(text, 20, bold) >= real(text, 20), text


def _area(name: str, lon: float, lat: float, boundary: dict[str, Any] | None = None) -> Any:
    centre = SimpleNamespace(coordinates=[lon, lat])
    return SimpleNamespace(name=name, center=centre, boundary=boundary)


def _spot(rank: int, lat: float, lon: float, place: str | None) -> Any:
    return SimpleNamespace(
        rank=rank, lat=lat, lon=lon, count=20 - rank, place=place, area="Bro", trend="new"
    )


BRO = _area(
    "Bro",
    17.6364,
    59.5117,
    {
        "type": "Polygon",
        "coordinates": [
            [[17.60, 59.50], [17.67, 59.50], [17.67, 59.53], [17.60, 59.53], [17.60, 59.50]]
        ],
    },
)


@pytest.mark.parametrize("variant", sorted(charts.MAP_VARIANTS))
def test_the_drawn_map_has_outlines_markers_and_names(variant: str) -> None:
    spots = [
        _spot(k, 59.5117 + k * 0.0004, 17.6364 + k * 0.0003, f"Plats {k}") for k in range(1, 9)
    ]
    areas = [BRO, _area("Kungsängen", 17.7506, 59.4786)]  # one with an outline, one without
    svg = str(charts.hot_spot_map(areas, spots, variant=variant))
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.find("s:title", ns) is not None and root.find("s:desc", ns) is not None
    assert root.get("class") == "chart" and root.get("data-map") == variant
    # The outline of Bro only: Kungsängen has none, and its name stands at its centre.
    assert len(root.findall(".//s:polygon[@class='map-outline']", ns)) == 1
    areas_drawn = [t.text for t in root.findall(".//s:text[@class='map-area']", ns)]
    legend = " ".join(t.text or "" for t in root.findall(".//s:text[@class='map-legend']", ns))
    assert "Kungsängen" in areas_drawn and ("Bro" in areas_drawn or "Område Bro" in legend)
    numbers = " ".join(t.text or "" for t in root.findall(".//s:text[@class='map-number']", ns))
    covered = [
        k
        for first, last in re.findall(r"(\d+)(?:–(\d+))?", numbers)
        for k in range(int(first), int(last or first) + 1)
    ]
    assert sorted(covered) == list(range(1, 9))
    # The old signature still works and means the page.
    assert 'data-map="page"' in str(charts.hot_spot_map(areas, spots, "k"))


def _week(monday: dt.date, current: int, last_year: int, through: dt.date | None) -> Any:
    return SimpleNamespace(
        monday=monday,
        week=monday.isocalendar().week,
        current=current,
        last_year=last_year,
        complete=through is None,
        through=through,
    )


def test_weeks_chart_marks_a_week_cut_by_the_periods_end() -> None:
    weeks = [
        _week(dt.date(2026, 11, 16), 9, 7, None),
        _week(dt.date(2026, 11, 23), 8, 6, None),
        _week(dt.date(2026, 11, 30), 2, 5, dt.date(2026, 12, 2)),
    ]
    svg = str(charts.weeks_chart(weeks))
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert len(root.findall(".//s:rect[@class='week-partial']", ns)) == 1
    assert "del av vecka, t.o.m. 2 december" in svg and "t.o.m. ons" in svg
    assert "v. 49 t.o.m. 2 december: 2 (5)" in (root.findtext("s:desc", "", ns))
    # Whole weeks are drawn as before, and so are those of a lägesbild without the field.
    for w in weeks:
        del w.complete, w.through
    assert "week-partial" not in str(charts.weeks_chart(weeks))
    assert "t.o.m." not in str(charts.weeks_chart(weeks))


def test_weeks_chart_marks_the_week_under_way() -> None:
    today = localtime.today()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = [_week(monday - dt.timedelta(weeks=1), 4, 4, None), _week(monday, 1, 4, today)]
    svg = str(charts.weeks_chart(weeks))
    assert "pågående vecka, t.o.m." in svg and 'class="week-partial"' in svg


def test_a_clusters_ranks_are_written_short() -> None:
    assert map_layout.ranks_text([4]) == "4"
    assert map_layout.ranks_text([1, 2]) == "1,2"
    assert map_layout.ranks_text([1, 2, 3, 5, 7, 8, 9, 10, 12]) == "1–3,5,7–10,12"

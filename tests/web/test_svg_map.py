"""The server-drawn map (web/svg_map.py): marks that fall on each other are spread apart, each
still seen, with a line back to its point; the route's named places are named."""

from __future__ import annotations

import re

from web.svg_map import SPACING, Mark, spread, svg_map


def test_marks_on_one_point_are_each_drawn_apart() -> None:
    here = (59.5117, 17.6364)
    drawn = svg_map(
        label="Karta",
        marks=[
            Mark(*here, "B", "pin"),
            Mark(*here, "2", "finding"),
            Mark(*here, "V1", "pending"),
            Mark(here[0] + 0.0001, here[1], "3", "finding"),
        ],
        names=[Mark(here[0] + 0.001, here[1], "Brohuset", "place")],
    )
    centres = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle"', drawn)
    assert len(centres) == 4 and len(set(centres)) == 4, centres
    # The ones moved aside lead back to their point.
    assert drawn.count("<line ") == 3
    assert ">Brohuset</text>" in drawn


def test_spread_keeps_every_mark_clear_of_the_others() -> None:
    placed = spread([(100.0, 100.0)] * 12 + [(110.0, 100.0)] * 3)
    for index, (x, y) in enumerate(placed):
        for a, b in placed[:index]:
            assert ((x - a) ** 2 + (y - b) ** 2) ** 0.5 >= SPACING
    assert placed[0] == (100.0, 100.0)

"""The analysis page as a browser without JavaScript (and htmx) uses it: the significant hot
spots on the map beside the lägesbild's, the emerging classes, each method explained, a bad
period told beside its field, and the lägesbild's link to it."""

from __future__ import annotations

import datetime as dt
import random
import re

from tests.support.pages import browser_for
from tests.support.people import People
from tests.support.planted import TZ, Spec, World, insert, offset
from tests.support.servers import Server

COORDINATION = "EST samordningsgrupp"
LAST = dt.date(2025, 6, 15)
FIRST = LAST - dt.timedelta(days=13)


def _plant(server: Server, people: People) -> None:
    """Fifteen incidents within 40 m in Bro in the period: a new, significant hot spot."""
    world = World.of(server, people)
    rng = random.Random(5)
    hot = offset(world.centres["Bro"], 300, 45)
    specs = [
        Spec(
            at=dt.datetime(2025, 6, rng.randint(2, 15), rng.randrange(24), tzinfo=TZ),
            where=offset(hot, rng.uniform(0, 40), rng.uniform(0, 360)),
        )
        for _ in range(15)
    ]
    insert(server, world, specs)


def test_the_analysis_page_shows_and_explains_both_methods(server: Server, people: People) -> None:
    _plant(server, people)
    group = people["groups"][COORDINATION]["id"]
    period = {"fran": FIRST.isoformat(), "till": LAST.isoformat()}
    with browser_for(server, people, "coordination") as convener:
        situation = convener.get(f"/grupper/{group}/lagesbild", params=period)
        page = convener.get(f"/grupper/{group}/analys", params=period)
        fragment = convener.get(
            f"/grupper/{group}/analys", params=period, headers={"HX-Request": "true"}
        )
        bad = convener.get(
            f"/grupper/{group}/analys", params={"fran": LAST.isoformat(), "till": FIRST.isoformat()}
        )
    assert f'href="/grupper/{group}/analys?fran={FIRST}&amp;till={LAST}"' in situation.text
    assert page.status_code == 200, page.text[:500]
    text = page.text
    assert "<h1>Analys för EST samordningsgrupp</h1>" in text
    # The map draws the significant cells beside the lägesbild's numbered hot spot.
    chart = re.search(r'<svg class="chart".*?</svg>', text, re.S)
    assert chart and 'class="map-cell"' in chart[0] and 'class="map-marker"' in chart[0]
    assert "signifikant heta rutor (Gi*)" in chart[0]
    zones = re.search(r"varandra, den starkaste först</caption>.*?</table>", text, re.S)
    assert zones and zones[0].count("<tr>") >= 2
    # Named by the nearest place, not by a coordinate.
    assert "Ruta vid" not in zones[0] and "(Bro)" in zones[0], zones[0]
    assert "<strong>Ny: " in text  # the emerging class, in Swedish, with its meaning
    assert "het bara i det senaste tidssteget" in text
    for explained in ("Getis-Ord Gi*", "Benjamini", "Mann–Kendall", "binomialfördelningen"):
        assert explained in text, explained
    # htmx swaps the analysis alone.
    assert fragment.status_code == 200
    assert "<h1>" not in fragment.text and 'id="analysis"' in fragment.text
    # A period that ends before it begins is told beside its field.
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text and "före" in bad.text

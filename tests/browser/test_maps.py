"""The signed-in maps start over the municipality the person acts in (web/map_shapes.py,
map_shapes.js): its areas, else its extent — never over another municipality's town, as
every map once did (a fixed view over Upplands-Bro)."""

from __future__ import annotations

import math

import httpx
import pytest
from playwright.sync_api import Browser, Route

from tests.support.policeareas import make_pair
from tests.support.servers import Server

pytestmark = pytest.mark.browser

# Kommun Öst's extent in the test: far from every demo town (around Kiruna).
FAR = {"west": 20.1, "south": 67.8, "east": 20.4, "north": 67.9}


def tile_centre(url: str) -> tuple[float, float]:
    """(lat, lon) of the middle of an OpenStreetMap tile, from its …/z/x/y.png address."""
    z, x, y = (int(part) for part in url.rsplit(".", 1)[0].split("/")[-3:])
    n = 2**z
    lon = (x + 0.5) / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 0.5) / n))))
    return lat, lon


@pytest.mark.parametrize("backend", ["sqlite"], scope="session")
def test_the_incident_map_starts_over_the_municipality_acted_in(
    browser: Browser, server: Server, api: httpx.Client
) -> None:
    pair = make_pair(server, api)
    with server.client(server.token_for(pair.b.admin)) as admin:
        changed = admin.patch(f"/api/v1/municipalities/{pair.b.id}", json={"extent": FAR})
        assert changed.status_code == 200, changed.text
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE")
    context.add_cookies(
        [{"name": "est_session", "value": server.token_for(pair.b.member), "url": server.url}]
    )
    page = context.new_page()
    tiles: list[str] = []

    def no_tiles(route: Route) -> None:
        tiles.append(route.request.url)
        route.abort()

    page.route("https://tile.openstreetmap.org/**", no_tiles)
    try:
        page.goto(f"{server.url}/karta")
        page.wait_for_function("() => document.getElementById('map').dataset.markers === '0'")
        assert tiles, "the map asked for no tiles"
        for lat, lon in map(tile_centre, tiles):
            assert 66 < lat < 70 and 18 < lon < 23, (lat, lon)
    finally:
        context.close()

"""Where a point lies: areas' boundaries with Shapely (holes, multipolygons, validity), the
demo's constructed boundaries, the point deciding the area, and the nearest named place
where a municipality's areas have no boundaries."""

from __future__ import annotations

import json
import math
import random
from importlib import resources
from typing import Any

import httpx
import pytest
import shapely

from api import synthetic
from api.demo_boundaries import demo_boundaries
from api.incidents import geo
from api.interventions.effect import _distances, _Seen
from api.seed import load_demo
from tests.support.people import People
from tests.support.servers import Server

V1 = "/api/v1"

# A square around Bro centrum with a hole around Råby, and a second square far off in the
# municipality (lon, lat).
SQUARE = [[17.60, 59.49], [17.68, 59.49], [17.68, 59.53], [17.60, 59.53], [17.60, 59.49]]
HOLE = [[17.625, 59.514], [17.632, 59.514], [17.632, 59.519], [17.625, 59.519], [17.625, 59.514]]
FAR = [[17.40, 59.60], [17.45, 59.60], [17.45, 59.63], [17.40, 59.63], [17.40, 59.60]]
RABY = (59.5165, 17.6282)
BRO_CENTRUM = (59.5117, 17.6364)
# A bow tie: the ring crosses itself at (17.64, 59.51).
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[17.60, 59.49], [17.68, 59.53], [17.68, 59.49], [17.60, 59.53], [17.60, 59.49]]
    ],
}


def incident(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "skadegorelse.klotter",
        "occurred_from": "2026-11-20T21:30",
        "assessment": "medium",
        **overrides,
    }


def file_one(client: httpx.Client, **fields: Any) -> httpx.Response:
    return client.post(f"{V1}/reports", json={"incidents": [incident(**fields)]})


def test_containment_counts_holes_and_every_part_of_a_multipolygon() -> None:
    polygon = {"type": "Polygon", "coordinates": [SQUARE, HOLE]}
    assert geo.in_polygon(polygon, *BRO_CENTRUM)
    assert not geo.in_polygon(polygon, *RABY)  # in the hole
    assert not geo.in_polygon(polygon, 59.60, 17.42)
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE], [FAR]]}
    assert geo.in_polygon(multi, *BRO_CENTRUM)
    assert geo.in_polygon(multi, 59.61, 17.42)  # the second part
    assert not geo.in_polygon(multi, *RABY)
    assert not geo.in_polygon(multi, 59.45, 17.75)
    # A point on the edge counts: a border two areas share puts it in one of them.
    assert geo.in_polygon(polygon, 59.49, 17.64)
    # The same boundary is prepared once and kept.
    assert geo.boundary_shape(polygon) is geo.boundary_shape({**polygon})
    assert shapely.is_prepared(geo.boundary_shape(polygon))


def test_an_invalid_boundary_is_refused_with_a_reason_in_swedish(
    api: httpx.Client, people: People
) -> None:
    bro = people["areas"]["Bro"]
    response = api.patch(f"{V1}/areas/{bro['id']}", json={"boundary": BOW_TIE})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    (error,) = response.json()["errors"]
    assert error["code"] == "invalid_boundary"
    assert error["field"].startswith("boundary")
    assert "korsar sig själv vid (59.51000, 17.64000)" in error["message"]
    # A hole outside its polygon is no surface either; a new area is refused the same way.
    response = api.post(
        f"{V1}/areas",
        json={
            "municipality_id": people["municipality"]["id"],
            "name": "Håtuna",
            "boundary": {"type": "Polygon", "coordinates": [SQUARE, FAR]},
        },
    )
    assert response.status_code == 422, response.text
    assert "ett hål ligger utanför ytan" in response.json()["errors"][0]["message"]
    # The stored boundary is still the demo's, and a valid one with a hole is taken.
    assert api.get(f"{V1}/areas/{bro['id']}").json()["boundary"] == demo_boundaries()["Bro"]
    good = {"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE], [FAR]]}
    response = api.patch(f"{V1}/areas/{bro['id']}", json={"boundary": good})
    assert response.status_code == 200, response.text


def test_the_demo_boundaries_hold_the_demo_places_and_the_synthetic_points(
    api: httpx.Client, people: People, server: Server
) -> None:
    areas = {a["name"]: a for a in api.get(f"{V1}/areas").json()["items"]}
    assert set(areas) == {"Bro", "Brunna", "Kungsängen"}
    shapes = {name: shapely.geometry.shape(a["boundary"]) for name, a in areas.items()}
    outline = shapely.Polygon(written_outline())
    for name, shape in shapes.items():
        assert shape.is_valid and shape.area > 0, name
        assert outline.buffer(1e-6).contains(shape), name
    # They do not overlap, and together they cover the outline.
    names = sorted(shapes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert shapes[a].intersection(shapes[b]).area < 1e-9, (a, b)
    assert shapely.union_all(list(shapes.values())).area == pytest.approx(outline.area, rel=1e-4)
    places = api.get(f"{V1}/places", params={"limit": 200}).json()["items"]
    assert len(places) == 14
    by_id = {a["id"]: name for name, a in areas.items()}
    for place in places:
        assert place["point"] is not None, place["name"]
        lon, lat = place["point"]["coordinates"]
        holding = [n for n, a in areas.items() if geo.in_polygon(a["boundary"], lat, lon)]
        assert holding == [by_id[place["area_id"]]], place["name"]
    for item in synthetic.incidents(3000, seed=7):
        if item.lat is not None and item.lon is not None:
            assert geo.in_polygon(areas[item.area]["boundary"], item.lat, item.lon), item

    # A database seeded before the boundaries: seeding again gives them, and the places'
    # positions.
    api.patch(f"{V1}/areas/{areas['Bro']['id']}", json={"boundary": None})
    raby = next(p for p in places if p["name"] == "Råby")
    api.patch(f"{V1}/places/{raby['id']}", json={"point": None})
    with server.database.session(write=True) as session:
        load_demo(session)
    assert (
        api.get(f"{V1}/areas/{areas['Bro']['id']}").json()["boundary"] == (demo_boundaries()["Bro"])
    )
    assert api.get(f"{V1}/places/{raby['id']}").json()["point"]["coordinates"] == [17.6282, 59.5165]


def written_outline() -> list[list[float]]:
    """The municipality's outline as api/seed_data writes it down (lon, lat)."""
    text = resources.files("api.seed_data").joinpath("upplands-bro.json").read_text("utf-8")
    outline: list[list[float]] = json.loads(text)["boundaries"]["outline"]
    return outline


@pytest.mark.parametrize(
    ("where", "area"),
    [
        ((59.5165, 17.6282), "Bro"),  # Råby
        ((59.5030, 17.7900), "Brunna"),  # Brunna industriområde
        ((59.4779, 17.7533), "Kungsängen"),  # Kungsängens station
        ((59.60, 17.60), "Bro"),  # Håtuna way, far from any place: the boundary says
    ],
)
def test_a_position_alone_files_the_incident_in_the_demo_area_that_holds_it(
    server: Server, people: People, where: tuple[float, float], area: str
) -> None:
    with server.client(people["tokens"]["reporter"]) as reporter:
        response = file_one(reporter, position={"lat": where[0], "lon": where[1]})
        assert response.status_code == 201, response.text
        (filed,) = response.json()["incidents"]
        assert filed["area"]["name"] == area
        assert (filed["area_from"], filed["area_from_place"]) == ("boundary", None)
        # Read back, it still says so.
        again = reporter.get(f"{V1}/incidents/{filed['id']}").json()
        assert again["area_from"] == "boundary"
        # The area chosen alone, and a named place, say so too.
        chosen = file_one(reporter, area_id=people["areas"][area]["id"]).json()["incidents"][0]
        assert chosen["area_from"] == "chosen"
        # A point in one area's boundary said to be in another is refused, as before.
        other = "Bro" if area != "Bro" else "Brunna"
        response = file_one(
            reporter,
            position={"lat": where[0], "lon": where[1]},
            area_id=people["areas"][other]["id"],
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["code"] == "mismatch"


def test_without_boundaries_the_nearest_named_place_within_reach_decides(
    server: Server, people: People, api: httpx.Client
) -> None:
    # Upplands-Bro before its GIS delivers: no area has a boundary.
    for area in people["areas"].values():
        response = api.patch(f"{V1}/areas/{area['id']}", json={"boundary": None})
        assert response.status_code == 200, response.text
    places = {p["name"]: p for p in api.get(f"{V1}/places", params={"limit": 200}).json()["items"]}
    # A place without a position decides nothing: Råby loses its own.
    api.patch(f"{V1}/places/{places['Råby']['id']}", json={"point": None})
    with server.client(people["tokens"]["reporter"]) as reporter:
        # 200 m west of Råbyskolan (Råby itself has no position now).
        near = file_one(reporter, position={"lat": 59.5148, "lon": 17.6255 - 200 / 56_600})
        assert near.status_code == 201, near.text
        (filed,) = near.json()["incidents"]
        assert filed["area"]["name"] == "Bro"
        assert (filed["area_from"], filed["area_from_place"]) == ("nearest_place", "Råbyskolan")
        assert filed["place"] is None  # the place decided the area; it is not where it was
        assert reporter.get(f"{V1}/incidents/{filed['id']}").json()["area_from_place"] == (
            "Råbyskolan"
        )
        # Between Kungsängen and Brunna, nearer Brunna centrum's 700 m than the station's.
        between = file_one(reporter, position={"lat": 59.4950, "lon": 17.7700})
        assert between.status_code == 201, between.text
        assert between.json()["incidents"][0]["area"]["name"] == "Brunna"
        # A correction of the text keeps what decided; a new point decides again.
        edited = reporter.patch(f"{V1}/incidents/{filed['id']}", json={"description": "Ny text"})
        assert edited.status_code == 200, edited.text
        assert edited.json()["area_from"] == "nearest_place"
        moved = reporter.patch(
            f"{V1}/incidents/{filed['id']}", json={"position": {"lat": 59.4781, "lon": 17.7530}}
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["area"]["name"] == "Kungsängen"
        assert moved.json()["area_from_place"] == "Kungsängens station"
        # Further than EST_NEAREST_PLACE_METRES (1500) from every place: refused, and said why.
        far = file_one(reporter, position={"lat": 59.60, "lon": 17.60})
        assert far.status_code == 422
        (error,) = far.json()["errors"]
        assert (error["field"], error["code"]) == ("incidents.0.area_id", "required")
        assert "ingen namngiven plats finns inom 1 500 meter" in error["message"]
        assert "Välj område eller plats" in error["message"]
        # The area chosen with the point: chosen, whatever the nearest place.
        chosen = file_one(
            reporter,
            position={"lat": 59.60, "lon": 17.60},
            area_id=people["areas"]["Kungsängen"]["id"],
        )
        assert chosen.status_code == 201, chosen.text
        assert chosen.json()["incidents"][0]["area_from"] == "chosen"


def test_the_zone_and_ring_distances_are_the_metres_measured_by_hand() -> None:
    """Shapely's distances in SWEREF 99 TM are those the effect measured by hand before."""
    rng = random.Random(5)
    centre = (674_000.0, 6_599_000.0)
    seen = [
        _Seen(
            1,
            None,
            (centre[0] + rng.uniform(-900, 900), centre[1] + rng.uniform(-900, 900)),
            i % 2 == 0,
        )
        if i % 7
        else _Seen(1, None, None, False)
        for i in range(300)
    ]
    measured = _distances(shapely.Point(*centre), seen)
    for s, d in zip(seen, measured, strict=True):
        if s.xy is None:
            assert d is None
        else:
            assert d == pytest.approx(
                math.hypot(s.xy[0] - centre[0], s.xy[1] - centre[1]), abs=1e-9
            )
    assert _distances(shapely.Point(*centre), []) == []


@pytest.mark.parametrize(
    ("where", "name"),
    [((59.58, 17.55), "Håtuna"), ((59.52, 17.45), "Låssa"), ((59.50, 17.38), "Ådö")],
)
def test_the_demo_outline_holds_the_municipalitys_outlying_parts(
    server: Server, people: People, where: tuple[float, float], name: str
) -> None:
    """The user trial's refused points: inside Upplands-Bro, and now inside the outline."""
    assert shapely.Polygon(written_outline()).contains(shapely.Point(where[1], where[0])), name
    with server.client(people["tokens"]["reporter"]) as reporter:
        response = file_one(reporter, position={"lat": where[0], "lon": where[1]})
        assert response.status_code == 201, response.text
        (filed,) = response.json()["incidents"]
        assert (filed["area"]["name"], filed["area_from"]) == ("Bro", "boundary"), name


def test_just_past_the_outline_the_nearest_area_decides_and_further_out_is_outside(
    server: Server, people: People
) -> None:
    outline = shapely.Polygon(written_outline())
    # 500 m east of the outline's eastern corner (17.91, 59.52), and 5 km.
    near, far = (59.52, 17.91 + 500 / 56_500), (59.52, 17.91 + 5000 / 56_500)
    assert not outline.contains(shapely.Point(near[1], near[0]))
    with server.client(people["tokens"]["reporter"]) as reporter:
        response = file_one(reporter, position={"lat": near[0], "lon": near[1]})
        assert response.status_code == 201, response.text
        (filed,) = response.json()["incidents"]
        assert (filed["area"]["name"], filed["area_from"]) == ("Brunna", "nearest_area")
        response = file_one(reporter, position={"lat": far[0], "lon": far[1]})
        assert response.status_code == 422, response.text
        # Beside the position; an area is then asked for, as for a point outside the extent.
        said = {e["field"]: e for e in response.json()["errors"]}
        error = said["incidents.0.position"]
        assert error["code"] == "outside_municipality"
        assert "ligger utanför Upplands-Bro kommun" in error["message"]


def test_every_point_the_municipality_accepts_is_filed_in_an_area(
    server: Server, people: People
) -> None:
    """Property: a random point over the municipality's extent is either refused as outside
    it or filed with an area; never "in no boundary and near no place"."""
    extent = people["municipality"]["extent"]
    rng = random.Random(18)
    points = [
        (rng.uniform(extent["south"], extent["north"]), rng.uniform(extent["west"], extent["east"]))
        for _ in range(150)
    ]
    accepted: list[tuple[float, float]] = []
    with server.client(people["tokens"]["reporter"]) as reporter:
        for start in range(0, len(points), 50):
            batch = points[start : start + 50]
            items = [incident(position={"lat": lat, "lon": lon}) for lat, lon in batch]
            response = reporter.post(f"{V1}/reports", json={"incidents": items})
            errors = response.json().get("errors", []) if response.status_code == 422 else []
            assert response.status_code in (201, 422), response.text
            refused = set()
            for error in errors:
                assert "ingen namngiven plats" not in error["message"], error
                if error["code"] == "outside_municipality":
                    refused.add(int(error["field"].split(".")[1]))
            # Every point with an error was refused as outside the municipality.
            assert {int(e["field"].split(".")[1]) for e in errors} == refused
            accepted += [p for i, p in enumerate(batch) if i not in refused]
        assert 20 < len(accepted) < len(points)  # both kinds were drawn
        for start in range(0, len(accepted), 50):
            items = [
                incident(position={"lat": a, "lon": o}) for a, o in accepted[start : start + 50]
            ]
            response = reporter.post(f"{V1}/reports", json={"incidents": items})
            assert response.status_code == 201, response.text
            for filed in response.json()["incidents"]:
                assert filed["area"]["name"] in {"Bro", "Brunna", "Kungsängen"}
                assert filed["area_from"] in {"boundary", "nearest_area"}, filed


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"place": "Råby", "area": "Kungsängen"}, "Platsen och området"),
        ({"point": BRO_CENTRUM, "area": "Kungsängen"}, "Punkten och området"),
        ({"place": "Kungsängens station", "point": BRO_CENTRUM}, "Platsen och punkten"),
        (
            {"place": "Råby", "point": BRO_CENTRUM, "area": "Kungsängen"},
            "Platsen, punkten och området",
        ),
    ],
)
def test_a_mismatch_names_only_what_was_given(
    server: Server, people: People, api: httpx.Client, given: dict[str, Any], named: str
) -> None:
    places = {p["name"]: p for p in api.get(f"{V1}/places", params={"limit": 200}).json()["items"]}
    fields: dict[str, Any] = {}
    if "place" in given:
        fields["place_id"] = places[given["place"]]["id"]
    if "point" in given:
        fields["position"] = {"lat": given["point"][0], "lon": given["point"][1]}
    if "area" in given:
        fields["area_id"] = people["areas"][given["area"]]["id"]
    with server.client(people["tokens"]["reporter"]) as reporter:
        response = file_one(reporter, **fields)
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["code"] == "mismatch"
    assert error["message"] == f"{named} pekar på olika områden: Bro och Kungsängen."

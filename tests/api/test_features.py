"""OGC API – Features over HTTP: the landing page, conformance, the collection, items with
bbox, datetime, limit, next links and CRS; under the list's access rules; and a real GIS
client, GDAL's ogrinfo, reading the layer off a running server."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import httpx
import pytest

from api.incidents import geo
from tests.support.factories import file_report
from tests.support.people import People
from tests.support.servers import Server, http_client

V1 = "/api/v1"
FEATURES = f"{V1}/features"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
SWEREF_TM = "http://www.opengis.net/def/crs/EPSG/0/3006"
# Three points in Bro, one in Kungsängen, and one incident without a point.
BRO = [(59.5089, 17.6431), (59.5161, 17.6285), (59.5102, 17.6398)]
KUNGSANGEN = (59.4786, 17.7506)


def filed(server: Server, people: People) -> list[int]:
    areas = people["areas"]
    incidents = [
        {"area_id": areas["Bro"]["id"], "position": {"lat": lat, "lon": lon},
         "occurred_from": f"2025-06-0{i + 1}T21:30"}
        for i, (lat, lon) in enumerate(BRO)
    ] + [
        {"area_id": areas["Kungsängen"]["id"],
         "position": {"lat": KUNGSANGEN[0], "lon": KUNGSANGEN[1]},
         "occurred_from": "2025-07-01T12:00"},
        {"area_id": areas["Bro"]["id"], "occurred_from": "2025-08-01T12:00"},
    ]  # fmt: skip
    report = file_report(server, people["tokens"]["coordination"], *incidents)
    return [i["id"] for i in report["incidents"]]


def get(client: httpx.Client, path: str, **params: Any) -> Any:
    # httpx replaces a link's own query with params, even empty ones.
    response = client.get(path, params=params) if params else client.get(path)
    assert response.status_code == 200, response.text
    return response


def test_the_landing_page_conformance_and_collection(server: Server, people: People) -> None:
    filed(server, people)
    with server.client(people["tokens"]["viewer"]) as viewer:
        landing = get(viewer, FEATURES).json()
        rels = {link["rel"]: link["href"] for link in landing["links"]}
        assert {"self", "service-desc", "conformance", "data"} <= set(rels)
        assert rels["data"] == f"{server.url}{FEATURES}/collections"
        assert get(viewer, rels["service-desc"]).json()["openapi"].startswith("3.")
        conforms = get(viewer, rels["conformance"]).json()["conformsTo"]
        assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conforms
        assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conforms
        (collection,) = get(viewer, rels["data"]).json()["collections"]
        assert collection["id"] == "incidents"
        assert collection["extent"]["spatial"]["bbox"][0][0] < 17.6 < collection["extent"][
            "spatial"]["bbox"][0][2]  # fmt: skip
        assert collection["extent"]["temporal"]["interval"][0][0].startswith("2025-06-01T19:30")
        assert SWEREF_TM in collection["crs"]
        assert get(viewer, f"{FEATURES}/collections/incidents").json()["id"] == "incidents"
        assert viewer.get(f"{FEATURES}/collections/other").status_code == 404


def test_items_page_by_limit_and_filter_by_bbox_and_datetime(
    server: Server, people: People
) -> None:
    ids = filed(server, people)
    items = f"{FEATURES}/collections/incidents/items"
    with server.client(people["tokens"]["viewer"]) as viewer:
        first = get(viewer, items, limit=2)
        assert first.headers["content-type"].startswith("application/geo+json")
        assert first.headers["content-crs"] == f"<{CRS84}>"
        page = first.json()
        assert (page["type"], page["numberMatched"], page["numberReturned"]) == (
            "FeatureCollection", 5, 2,
        )  # fmt: skip
        seen = [f["id"] for f in page["features"]]
        while following := [lnk for lnk in page["links"] if lnk["rel"] == "next"]:
            page = get(viewer, following[0]["href"]).json()
            seen += [f["id"] for f in page["features"]]
        assert sorted(seen) == sorted(ids)
        # GeoJSON: longitude first.
        feature = get(viewer, f"{items}/{ids[0]}").json()
        assert feature["geometry"]["coordinates"] == [BRO[0][1], BRO[0][0]]
        assert "description" not in feature["properties"]
        # Bro's points only: the box holds them, not Kungsängen's, nor what has no point.
        box = get(viewer, items, bbox="17.62,59.50,17.65,59.52").json()
        assert sorted(f["id"] for f in box["features"]) == sorted(ids[:3])
        # June, as an interval and open-ended.
        june = get(viewer, items, datetime="2025-06-01T00:00:00Z/2025-06-30T23:59:59Z").json()
        assert sorted(f["id"] for f in june["features"]) == sorted(ids[:3])
        since = get(viewer, items, datetime="2025-07-01T00:00:00Z/..").json()
        assert sorted(f["id"] for f in since["features"]) == sorted(ids[3:])
        instant = get(viewer, items, datetime="2025-06-02T19:30:00Z").json()
        assert [f["id"] for f in instant["features"]] == [ids[1]]
        # SWEREF 99 TM, northing first as the EPSG system has it, and a bbox in it.
        tm = get(viewer, f"{items}/{ids[0]}", crs=SWEREF_TM)
        assert tm.headers["content-crs"] == f"<{SWEREF_TM}>"
        northing, easting = geo.from_wgs84("EPSG:3006", *BRO[0])
        assert tm.json()["geometry"]["coordinates"] == pytest.approx([northing, easting], abs=0.01)
        boxed = get(viewer, items, bbox=f"{northing - 50},{easting - 50},{northing + 50},"
                    f"{easting + 50}", **{"bbox-crs": SWEREF_TM}).json()  # fmt: skip
        assert [f["id"] for f in boxed["features"]] == [ids[0]]
        for params in (
            {"bbox": "1,2,3"}, {"bbox": "17.7,59.5,17.6,59.6"}, {"datetime": "igår"},
            {"datetime": "2025-07-01T00:00:00Z/2025-06-01T00:00:00Z"},
            {"crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, {"limit": 0},
            {"limit": 10001}, {"cursor": "x"},
        ):  # fmt: skip
            refused = viewer.get(items, params=params)
            assert refused.status_code in (400, 422), (params, refused.text)
            assert refused.headers["content-type"].startswith("application/problem+json")


def test_an_area_groups_member_sees_their_area(server: Server, people: People) -> None:
    ids = filed(server, people)
    with server.client(people["tokens"]["kungsangen"]) as member:
        page = get(member, f"{FEATURES}/collections/incidents/items").json()
        assert [f["id"] for f in page["features"]] == [ids[3]]
        assert member.get(f"{FEATURES}/collections/incidents/items/{ids[0]}").status_code == 404
    with http_client(base_url=server.url) as anonymous:
        assert anonymous.get(f"{FEATURES}/collections/incidents/items").status_code == 401


def test_gdal_reads_the_layer(server: Server, people: People) -> None:
    """GDAL's OGC API – Features driver, as QGIS uses it: the landing page, the collection,
    then the items page by page (limit 2, so that it follows next links). `make test`
    installs Debian's gdal-bin."""
    assert shutil.which("ogrinfo"), "ogrinfo is missing: make test installs gdal-bin"
    filed(server, people)
    environment = {
        **os.environ,
        "GDAL_HTTP_HEADERS": f"Authorization: Bearer {people['tokens']['viewer']}",
        "OAPIF_PAGE_SIZE": "2",
    }
    done = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", f"OAPIF:{server.url}{FEATURES}", "incidents"],
        capture_output=True, text=True, env=environment, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Layer name: incidents" in done.stdout, done.stdout
    assert "Feature Count: 5" in done.stdout, done.stdout
    listed = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-q", f"OAPIF:{server.url}{FEATURES}", "incidents"],
        capture_output=True, text=True, env=environment, timeout=120, check=False,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("OGRFeature(incidents)") == 5, listed.stdout
    assert listed.stdout.count("area (String) = Bro") == 4, listed.stdout

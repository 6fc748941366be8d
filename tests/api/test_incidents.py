"""Filing reports of incidents and reading them back, within the access rules."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from api.incidents import geo
from tests.support.people import People
from tests.support.servers import Server

V1 = "/api/v1"


def client(server: Server, people: People, who: str) -> httpx.Client:
    return server.client(people["tokens"][who])


def incident(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "skadegorelse.klotter",
        "occurred_from": "2026-11-20T21:30",
        "assessment": "medium",
        **overrides,
    }


def test_a_reporter_files_two_incidents_in_one_report(server: Server, people: People) -> None:
    bro = people["areas"]["Bro"]
    # Bro centrum in SWEREF 99 18 00, the municipality's own system.
    north, east = geo.from_wgs84("EPSG:3011", 59.5117, 17.6364)
    with client(server, people, "reporter") as reporter:
        response = reporter.post(
            f"{V1}/reports",
            json={
                "incidents": [
                    incident(area_id=bro["id"], description="Klotter på busskuren."),
                    incident(
                        category="ordning.brak",
                        occurred_from="2026-11-21T20:00",
                        occurred_to="2026-11-21T23:00",
                        precision="part_of_day",
                        position={"crs": "EPSG:3011", "n": north, "e": east},
                        area_id=bro["id"],
                        assessment="high",
                        certainty="suspected",
                        police_reported="yes",
                    ),
                ]
            },
        )
        assert response.status_code == 201, response.text
        report = response.json()
        assert response.headers["location"] == f"{V1}/reports/{report['id']}"
        assert report["organisation"]["name"] == "Rapid Säkerhet"
        first, second = report["incidents"]
        # 21:30 in November is CET, UTC+1.
        assert first["occurred_from"].startswith("2026-11-20T20:30:00")
        assert first["occurred_to"] == first["occurred_from"]
        assert first["area"]["name"] == "Bro" and first["source"] == "api"
        assert second["lat"] == pytest.approx(59.5117, abs=1e-6)
        assert second["lon"] == pytest.approx(17.6364, abs=1e-6)
        assert second["family"] == "ordning" and second["police_reported"] == "yes"

        # The reporter reads their own report back, and its incidents in the list.
        assert reporter.get(f"{V1}/reports/{report['id']}").status_code == 200
        listed = reporter.get(f"{V1}/incidents").json()["items"]
        assert [i["id"] for i in listed] == [second["id"], first["id"]]


def test_a_day_is_the_whole_swedish_day_and_summer_time_counts(
    server: Server, people: People
) -> None:
    kungsangen = people["areas"]["Kungsängen"]
    with client(server, people, "kungsangen") as member:
        report = member.post(
            f"{V1}/reports",
            json={
                "incidents": [
                    incident(occurred_from="2026-07-04", precision="day", area_id=kungsangen["id"]),
                    # The night summer time ends: 02:30 comes twice; the first is meant.
                    incident(occurred_from="2026-10-25T02:30", area_id=kungsangen["id"]),
                ]
            },
        ).json()
        day, night = report["incidents"]
        assert day["occurred_from"].startswith("2026-07-03T22:00:00")  # CEST, UTC+2
        assert day["occurred_to"].startswith("2026-07-04T22:00:00")
        assert night["occurred_from"].startswith("2026-10-25T00:30:00")
        skipped = member.post(
            f"{V1}/reports",
            json={
                "incidents": [incident(occurred_from="2026-03-29T02:30", area_id=kungsangen["id"])]
            },
        )
        assert skipped.status_code == 422
        assert skipped.json()["errors"][0]["code"] == "nonexistent_time"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"category": "finns.inte"}, "incidents.0.category", "unknown_id"),
        ({"occurred_from": "2099-01-01T12:00"}, "incidents.0.occurred_from", "in_future"),
        ({"precision": "part_of_day"}, "incidents.0.occurred_to", "required"),
        ({"area_id": None}, "incidents.0.area_id", "required"),
        # Northing and easting swapped: a point far outside the municipality.
        (
            {"position": {"crs": "EPSG:3006", "n": 659_000, "e": 6_598_000}},
            "incidents.0.position",
            "outside_municipality",
        ),
        (
            {"position": {"lat": 59.33, "lon": 18.07}},
            "incidents.0.position",
            "outside_municipality",
        ),
    ],
)
def test_mistakes_are_named_beside_the_field_and_nothing_is_filed(
    server: Server, people: People, change: dict[str, Any], field: str, code: str
) -> None:
    bro = people["areas"]["Bro"]
    with client(server, people, "reporter") as reporter:
        good = incident(area_id=bro["id"])
        response = reporter.post(f"{V1}/reports", json={"incidents": [{**good, **change}, good]})
        assert response.status_code == 422, response.text
        errors = response.json()["errors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
        assert reporter.get(f"{V1}/incidents").json()["items"] == []


def test_who_reads_what(server: Server, people: People) -> None:
    areas = people["areas"]
    with client(server, people, "admin") as admin:
        filed = admin.post(
            f"{V1}/reports",
            json={
                "incidents": [
                    incident(area_id=areas["Bro"]["id"]),
                    incident(area_id=areas["Kungsängen"]["id"]),
                    incident(area_id=areas["Brunna"]["id"]),
                ]
            },
        ).json()
    bro, kungsangen, _brunna = (i["id"] for i in filed["incidents"])

    def seen(who: str) -> set[int]:
        with client(server, people, who) as c:
            return {i["id"] for i in c.get(f"{V1}/incidents").json()["items"]}

    everything = {i["id"] for i in filed["incidents"]}
    assert seen("steering") == seen("coordination") == seen("viewer") == everything
    assert seen("kungsangen") == {kungsangen}
    assert seen("reporter") == set()  # reads only their own reports
    with client(server, people, "kungsangen") as member:
        assert member.get(f"{V1}/incidents/{bro}").status_code == 404
        assert member.get(f"{V1}/incidents/{kungsangen}").status_code == 200
    with client(server, people, "viewer") as viewer:
        refused = viewer.post(
            f"{V1}/reports", json={"incidents": [incident(area_id=areas["Bro"]["id"])]}
        )
        assert refused.status_code == 403


def test_a_retry_with_the_same_key_files_nothing_new(server: Server, people: People) -> None:
    bro = people["areas"]["Bro"]
    key = str(uuid.uuid4())
    body = {"incidents": [incident(area_id=bro["id"])]}
    with client(server, people, "reporter") as reporter:
        first = reporter.post(f"{V1}/reports", json=body, headers={"Idempotency-Key": key})
        again = reporter.post(f"{V1}/reports", json=body, headers={"Idempotency-Key": key})
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        other = {"incidents": [incident(area_id=bro["id"], assessment="high")]}
        reused = reporter.post(f"{V1}/reports", json=other, headers={"Idempotency-Key": key})
        assert reused.status_code == 409
        assert reused.json()["code"] == "idempotency_key_reused"
        assert len(reporter.get(f"{V1}/incidents").json()["items"]) == 1


def test_one_key_sent_at_once_from_several_places_files_once(
    server: Server, people: People
) -> None:
    """Two tabs sending the same kept report, or a retry racing its first try: every send
    gets the one report, none a 409 or a 500."""
    body = {"incidents": [incident(area_id=people["areas"]["Bro"]["id"])]}
    for _ in range(3):
        key = str(uuid.uuid4())
        start = threading.Barrier(6)

        def send(_: int, key: str = key, start: threading.Barrier = start) -> httpx.Response:
            with client(server, people, "reporter") as reporter:
                start.wait()
                return reporter.post(f"{V1}/reports", json=body, headers={"Idempotency-Key": key})

        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(send, range(6)))
        assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
    with client(server, people, "reporter") as reporter:
        assert len(reporter.get(f"{V1}/incidents").json()["items"]) == 3


def test_possible_duplicates_are_pointed_out(server: Server, people: People) -> None:
    bro = people["areas"]["Bro"]
    here = {"lat": 59.5117, "lon": 17.6364}
    near = {"lat": 59.5117 + 50 / 111_320, "lon": 17.6364}  # 50 m north
    far = {"lat": 59.5117 + 300 / 111_320, "lon": 17.6364}
    with client(server, people, "admin") as admin:

        def file(**changes: Any) -> dict[str, Any]:
            filed: dict[str, Any] = admin.post(
                f"{V1}/reports", json={"incidents": [incident(area_id=bro["id"], **changes)]}
            ).json()["incidents"][0]
            return filed

        first = file(position=here)
        assert first["possible_duplicates"] == []
        twin = file(position=near, category="skadegorelse.glaskross")  # the same family
        assert twin["possible_duplicates"] == [first["id"]]
        assert file(position=far)["possible_duplicates"] == []
        assert file(position=near, category="ordning.brak")["possible_duplicates"] == []
        later = file(position=near, occurred_from="2026-11-22T12:00")
        assert later["possible_duplicates"] == []
        assert admin.get(f"{V1}/incidents/{first['id']}").json()["possible_duplicates"] == [
            twin["id"]
        ]


def test_filters(server: Server, people: People) -> None:
    areas = people["areas"]
    with client(server, people, "admin") as admin:
        admin.post(
            f"{V1}/reports",
            json={
                "incidents": [
                    incident(area_id=areas["Bro"]["id"], description="Sprayat på skolan"),
                    incident(
                        area_id=areas["Brunna"]["id"],
                        category="ordning.brak",
                        occurred_from="2026-10-01T12:00",
                        assessment="high",
                    ),
                ]
            },
        )

        def count(**params: Any) -> int:
            response = admin.get(f"{V1}/incidents", params=params)
            assert response.status_code == 200, response.text
            return len(response.json()["items"])

        assert count() == 2
        assert count(area=areas["Bro"]["id"]) == 1
        assert count(category="skadegorelse") == 1
        assert count(category="skadegorelse.klotter") == 1
        assert count(assessment="high") == 1
        assert count(q="skolan") == 1
        assert count(since="2026-11-01T00:00:00+01:00") == 1
        assert count(until="2026-11-01T00:00:00+01:00") == 1
        assert count(limit=1) == 1


def test_personal_data_is_pointed_out_until_confirmed(server: Server, people: People) -> None:
    bro = people["areas"]["Bro"]
    with client(server, people, "reporter") as reporter:
        text = "Ungdomar vid kiosken, ring 070-123 45 67 om det upprepas."
        warned = reporter.post(
            f"{V1}/reports", json={"incidents": [incident(area_id=bro["id"], description=text)]}
        )
        assert warned.status_code == 422
        (error,) = warned.json()["errors"]
        assert error["field"] == "incidents.0.description"
        assert error["code"] == "personal_data"
        assert "telefonnummer (070-123 45 67)" in error["message"]
        assert reporter.get(f"{V1}/incidents").json()["items"] == []
        for description in ("Han har personnummer 811218-9876.", "Mejla a.b@example.se"):
            refused = reporter.post(
                f"{V1}/reports",
                json={"incidents": [incident(area_id=bro["id"], description=description)]},
            )
            assert refused.json()["errors"][0]["code"] == "personal_data", description
        confirmed = reporter.post(
            f"{V1}/reports",
            json={
                "incidents": [
                    incident(area_id=bro["id"], description=text, confirm_personal_data=True)
                ]
            },
        )
        assert confirmed.status_code == 201


def test_corrections_keep_the_history_and_withdrawal_keeps_the_record(
    server: Server, people: People
) -> None:
    bro, kungsangen = people["areas"]["Bro"], people["areas"]["Kungsängen"]
    with client(server, people, "reporter") as reporter:
        filed = reporter.post(
            f"{V1}/reports", json={"incidents": [incident(area_id=bro["id"])]}
        ).json()["incidents"][0]
        url = f"{V1}/incidents/{filed['id']}"
        changed = reporter.patch(url, json={"assessment": "high", "description": "Två taggar."})
        assert changed.status_code == 200, changed.text
        assert changed.json()["assessment"] == "high" and changed.json()["version"] == 2
        (earlier,) = reporter.get(f"{url}/history").json()
        assert earlier["version"] == 1 and earlier["data"]["assessment"] == "medium"
        # Moving it to another area is a correction like any other.
        moved = reporter.patch(url, json={"area_id": kungsangen["id"]})
        assert moved.json()["area"]["name"] == "Kungsängen"
    with client(server, people, "kungsangen") as member:
        # A member (not a convener) of Kungsängen reads it now but may not change it.
        assert member.get(url).status_code == 200
        assert member.patch(url, json={"assessment": "low"}).status_code == 403
    with client(server, people, "coordination") as convener:
        withdrawn = convener.post(f"{url}/withdraw", json={"reason": "duplicate"})
        assert withdrawn.status_code == 200
        assert withdrawn.json()["withdrawn"] is True
        assert withdrawn.json()["withdrawn_reason"] == "duplicate"
        assert convener.post(f"{url}/withdraw", json={"reason": "duplicate"}).status_code == 200
        assert convener.patch(url, json={"assessment": "low"}).status_code == 409
        assert convener.get(f"{V1}/incidents").json()["items"] == []
        gone = convener.get(f"{V1}/incidents", params={"withdrawn": True}).json()["items"]
        assert [i["id"] for i in gone] == [filed["id"]]
    with client(server, people, "admin") as admin:
        log = admin.get(f"{V1}/audit-events", params={"action": "withdraw"}).json()["items"]
        assert [(e["object_id"], e["detail"]) for e in log] == [
            (str(filed["id"]), "reason=duplicate")
        ]


def test_geojson_of_the_filtered_incidents(server: Server, people: People) -> None:
    areas = people["areas"]
    with client(server, people, "admin") as admin:
        admin.post(
            f"{V1}/reports",
            json={
                "incidents": [
                    incident(
                        area_id=areas["Kungsängen"]["id"],
                        position={"lat": 59.4786, "lon": 17.7506},
                        description="Text som inte ska med på kartan.",
                    ),
                    incident(area_id=areas["Kungsängen"]["id"], category="ordning.brak"),
                    incident(area_id=areas["Bro"]["id"], position={"lat": 59.5117, "lon": 17.6364}),
                ]
            },
        )
    with client(server, people, "kungsangen") as member:
        response = member.get(f"{V1}/incidents.geojson")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/geo+json")
        collection = response.json()
        assert collection["type"] == "FeatureCollection"
        features = collection["features"]
        assert len(features) == 2  # only Kungsängen's
        with_point = next(f for f in features if f["geometry"])
        assert with_point["geometry"]["coordinates"] == [17.7506, 59.4786]  # lon, lat
        assert with_point["properties"]["category_label"] == "Klotter"
        assert "Text som" not in response.text
        only = member.get(f"{V1}/incidents.geojson", params={"category": "ordning"}).json()
        assert [f["geometry"] for f in only["features"]] == [None]
    with client(server, people, "admin") as admin:
        exports = admin.get(f"{V1}/audit-events", params={"action": "export"}).json()["items"]
        assert len(exports) == 2 and exports[0]["detail"] == "geojson"


def test_the_area_comes_from_the_boundary_that_holds_the_point(
    server: Server, people: People, api: httpx.Client
) -> None:
    bro = people["areas"]["Bro"]
    ring = [[17.60, 59.49], [17.68, 59.49], [17.68, 59.53], [17.60, 59.53], [17.60, 59.49]]
    response = api.patch(
        f"{V1}/areas/{bro['id']}", json={"boundary": {"type": "Polygon", "coordinates": [ring]}}
    )
    assert response.status_code == 200, response.text
    with client(server, people, "reporter") as reporter:
        inside = reporter.post(
            f"{V1}/reports",
            json={"incidents": [incident(position={"lat": 59.5117, "lon": 17.6364})]},
        )
        assert inside.status_code == 201, inside.text
        assert inside.json()["incidents"][0]["area"]["name"] == "Bro"
        # Inside Bro's boundary but said to be in Kungsängen: the two disagree.
        other = reporter.post(
            f"{V1}/reports",
            json={
                "incidents": [
                    incident(
                        position={"lat": 59.5117, "lon": 17.6364},
                        area_id=people["areas"]["Kungsängen"]["id"],
                    )
                ]
            },
        )
        assert other.status_code == 422
        assert other.json()["errors"][0]["code"] == "mismatch"


def test_what_a_review_found(server: Server, people: People) -> None:
    """Regressions of a review: a mixed report's other areas, line breaks, a day edited,
    far-off years, withdrawn personal data, case in search, near times as duplicates."""
    areas = people["areas"]
    with client(server, people, "admin") as admin:
        mixed = admin.post(
            f"{V1}/reports",
            json={
                "incidents": [
                    incident(area_id=areas["Kungsängen"]["id"]),
                    incident(area_id=areas["Bro"]["id"], description="Rad ett\r\nRad två"),
                    incident(
                        area_id=areas["Kungsängen"]["id"],
                        occurred_from="2026-01-20",
                        precision="day",
                    ),
                ]
            },
        )
        assert mixed.status_code == 201, mixed.text
        report = mixed.json()
        kungsangen, bro, day = (i["id"] for i in report["incidents"])
        for _ in range(2):
            edited = admin.patch(f"{V1}/incidents/{day}", json={"assessment": "high"})
            assert edited.status_code == 200
        assert edited.json()["occurred_from"].startswith("2026-01-19T23:00:00")
        assert edited.json()["occurred_to"].startswith("2026-01-20T23:00:00")
        for when in ("0001-01-01T00:30", "9999-12-31T23:59-01:00"):
            far = admin.post(
                f"{V1}/reports",
                json={"incidents": [incident(area_id=areas["Bro"]["id"], occurred_from=when)]},
            )
            assert far.status_code == 422, when
        assert (
            admin.get(f"{V1}/incidents", params={"since": "0001-01-01T00:00:00+01:00"}).status_code
            == 422
        )
        assert len(admin.get(f"{V1}/incidents", params={"q": "RAD ETT"}).json()["items"]) == 1
        near = admin.post(
            f"{V1}/reports",
            json={
                "incidents": [
                    incident(
                        area_id=areas["Bro"]["id"],
                        occurred_from="2026-11-20T21:55",
                        position={"lat": 59.5117, "lon": 17.6364},
                    )
                ]
            },
        ).json()["incidents"][0]
        twin = admin.post(
            f"{V1}/reports",
            json={
                "incidents": [
                    incident(
                        area_id=areas["Bro"]["id"],
                        occurred_from="2026-11-20T22:20",
                        position={"lat": 59.5117, "lon": 17.6364},
                    )
                ]
            },
        ).json()["incidents"][0]
        assert twin["possible_duplicates"] == [near["id"]]
    with client(server, people, "kungsangen") as member:
        seen = member.get(f"{V1}/reports/{report['id']}").json()["incidents"]
        assert {i["id"] for i in seen} == {kungsangen, day}  # not Bro's
        assert member.get(f"{V1}/incidents/{kungsangen}/history").status_code == 403
    with client(server, people, "admin") as admin:
        admin.post(f"{V1}/incidents/{kungsangen}/withdraw", json={"reason": "personal_data"})
        gone = admin.get(f"{V1}/incidents/{kungsangen}").json()
        assert gone["withdrawn"] and gone["description"] is None
    with client(server, people, "kungsangen") as member:
        assert member.get(f"{V1}/incidents/{kungsangen}").status_code == 404
        assert member.get(f"{V1}/incidents", params={"withdrawn": True}).json()["items"] == []
        again = member.post(f"{V1}/incidents/{kungsangen}/withdraw", json={"reason": "other"})
        assert again.status_code == 404
    assert bro


def test_an_old_incident_of_a_deactivated_category_can_still_be_corrected(
    server: Server, people: People, api: httpx.Client
) -> None:
    with client(server, people, "reporter") as reporter:
        filed = reporter.post(
            f"{V1}/reports", json={"incidents": [incident(area_id=people["areas"]["Bro"]["id"])]}
        ).json()["incidents"][0]
        assert api.post(f"{V1}/categories/skadegorelse.klotter/deactivate").status_code == 200
        fixed = reporter.patch(f"{V1}/incidents/{filed['id']}", json={"assessment": "high"})
        assert fixed.status_code == 200, fixed.text
        assert fixed.json()["category"]["code"] == "skadegorelse.klotter"
        # A new incident may not use it.
        new = reporter.post(
            f"{V1}/reports", json={"incidents": [incident(area_id=people["areas"]["Bro"]["id"])]}
        )
        assert new.status_code == 422 and new.json()["errors"][0]["code"] == "inactive"

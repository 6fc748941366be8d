"""Two requests that write at once both succeed: on SQLite that needs BEGIN IMMEDIATE
(see api.db), on PostgreSQL it is the database's own business."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.support.factories import V1, make_municipality
from tests.support.servers import Server, http_client


def test_concurrent_writes_all_succeed(server: Server, api: httpx.Client) -> None:
    municipality = make_municipality(api)
    rounds, width = 4, 16

    def create(n: int) -> httpx.Response:
        with http_client(base_url=server.url, timeout=60, headers=api.headers) as client:
            return client.post(
                f"{V1}/organisations",
                json={
                    "municipality_id": municipality["id"],
                    "name": f"Förening {n}",
                    "kind": "association",
                },
            )

    with ThreadPoolExecutor(max_workers=width) as pool:
        responses = list(pool.map(create, range(rounds * width)))
    failures = [(r.status_code, r.text) for r in responses if r.status_code != 201]
    assert failures == []
    listed = api.get(f"{V1}/organisations", params={"limit": 200}).json()["items"]
    assert len(listed) == rounds * width


def test_concurrent_updates_of_one_record(server: Server, api: httpx.Client) -> None:
    municipality = make_municipality(api)
    organisations = [
        api.post(
            f"{V1}/organisations",
            json={"municipality_id": municipality["id"], "name": f"Aktör {n}", "kind": "other"},
        ).json()
        for n in range(12)
    ]
    group = api.post(
        f"{V1}/groups",
        json={"municipality_id": municipality["id"], "name": "Samordning", "kind": "coordination"},
    ).json()

    def join(organisation: dict[str, Any]) -> httpx.Response:
        with http_client(base_url=server.url, timeout=60, headers=api.headers) as client:
            return client.put(f"{V1}/groups/{group['id']}/organisations/{organisation['id']}")

    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(join, organisations))
    assert [r.status_code for r in responses] == [200] * 12, [r.text for r in responses]
    members = api.get(f"{V1}/groups/{group['id']}").json()["organisations"]
    assert len(members) == 12


def test_a_name_taken_at_the_same_moment_is_saved_once(server: Server, api: httpx.Client) -> None:
    """Eight requests create the same area at once. The service's check cannot see the
    others' uncommitted rows; the unique constraint catches what it misses, the request is
    rolled back and answered 409, and exactly one area exists."""
    municipality = make_municipality(api)

    def create(_: int) -> httpx.Response:
        with http_client(base_url=server.url, timeout=60, headers=api.headers) as client:
            return client.post(
                f"{V1}/areas", json={"municipality_id": municipality["id"], "name": "Bro"}
            )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(create, range(8)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert all(
        r.headers["content-type"].startswith("application/problem+json")
        for r in responses
        if r.status_code == 409
    )
    areas = api.get(f"{V1}/areas").json()["items"]
    assert [a["name"] for a in areas] == ["Bro"]

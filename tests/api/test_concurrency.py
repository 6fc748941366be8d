"""Two requests that write at once both succeed: on SQLite that needs BEGIN IMMEDIATE
(see api.db), on PostgreSQL it is the database's own business."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.api.test_structure import V1, make_municipality
from tests.conftest import Server


def test_concurrent_writes_all_succeed(server: Server, api: httpx.Client) -> None:
    municipality = make_municipality(api)
    rounds, width = 4, 16

    def create(n: int) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=60) as client:
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
        with httpx.Client(base_url=server.url, timeout=60) as client:
            return client.put(f"{V1}/groups/{group['id']}/organisations/{organisation['id']}")

    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(join, organisations))
    # On PostgreSQL two inserts into one group can still race on the same key; the API then
    # answers 409 and the client may retry. On SQLite writers queue and all succeed.
    assert all(r.status_code in (200, 409) for r in responses), [r.text for r in responses]
    if server.backend == "sqlite":
        assert all(r.status_code == 200 for r in responses)
    retry = [o for o, r in zip(organisations, responses, strict=True) if r.status_code == 409]
    for organisation in retry:
        assert join(organisation).status_code == 200
    members = api.get(f"{V1}/groups/{group['id']}").json()["organisations"]
    assert len(members) == 12

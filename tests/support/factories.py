"""Records made through the API as a client would make them: each asserts the 201 it expects
and answers the record as JSON, so a test reads as the steps a person takes."""

from __future__ import annotations

from typing import Any

import httpx

from api.db import Database
from tests.support.people import adopt_municipality
from tests.support.servers import Server

V1 = "/api/v1"


# The database behind each administrator's client (the ``api`` fixture), so that a
# municipality made through the API can be adopted by the test administrator.
DATABASES: dict[int, Database] = {}


def make_municipality(api: httpx.Client, name: str = "Testkommun") -> dict[str, Any]:
    """A municipality made by the test administrator as platform operator; the first one
    made in a test is the one they administer (adopt_municipality)."""
    response = api.post(f"{V1}/municipalities", json={"name": name})
    assert response.status_code == 201, response.text
    record: dict[str, Any] = response.json()
    adopt_municipality(DATABASES[id(api)], record["id"])
    return record


def act_in(api: httpx.Client, municipality_id: int) -> None:
    """The test administrator administers ``municipality_id`` from now on (the next
    request), as another municipality's administrator would."""
    adopt_municipality(DATABASES[id(api)], municipality_id, instead=True)


def make(api: httpx.Client, path: str, **body: Any) -> dict[str, Any]:
    response = api.post(f"{V1}/{path}", json=body)
    assert response.status_code == 201, response.text
    record: dict[str, Any] = response.json()
    return record


def file_report(server: Server, token: str, *incidents: dict[str, Any]) -> dict[str, Any]:
    """A report filed through the API by the token's person: each incident is klotter on
    the evening of 20 November 2026, of medium assessment, unless it says otherwise (it must
    say where)."""
    body = {
        "incidents": [
            {
                "category": "skadegorelse.klotter",
                "occurred_from": "2026-11-20T21:30",
                "assessment": "medium",
                **incident,
            }
            for incident in incidents
        ]
    }
    with server.client(token) as client:
        response = client.post("/api/v1/reports", json=body)
    assert response.status_code == 201, response.text
    report: dict[str, Any] = response.json()
    return report

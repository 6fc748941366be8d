"""What the tests of a reporter's own reports (#18) set up through the API: the demo reporter's
observations in Bro, an intervention on some of them, and feedback on it."""

from __future__ import annotations

import httpx

from tests.support.factories import file_report
from tests.support.people import People
from tests.support.servers import Server

V1 = "/api/v1"


def filed(server: Server, people: People, *days: str) -> list[int]:
    """Observations of the demo reporter in Bro, one on the evening of each day; their ids."""
    bro = people["areas"]["Bro"]["id"]
    report = file_report(
        server,
        people["tokens"]["reporter"],
        *({"area_id": bro, "occurred_from": f"{day}T21:30"} for day in days),
    )
    return [i["id"] for i in report["incidents"]]


def intervention(client: httpx.Client, people: People, incident_ids: list[int]) -> int:
    """The coordination group's intervention in Bro on the incidents; its id."""
    response = client.post(
        f"{V1}/interventions",
        json={
            "group_id": people["groups"]["EST samordningsgrupp"]["id"],
            "title": "Klottersanering vid Bro centrum",
            "type": "graffiti_removal",
            "owner_organisation_id": people["organisations"]["Polisen, lokalpolisområde"]["id"],
            "target": {"kind": "area", "area_id": people["areas"]["Bro"]["id"]},
            "categories": ["skadegorelse.klotter"],
            "planned_start": "2025-09-20",
            "incident_ids": incident_ids,
        },
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


FEEDBACK_TEXT = "Klottret är sanerat, tack för rapporten!"


def feedback(client: httpx.Client, intervention_id: int, *, to_reporters: bool) -> None:
    """Feedback told to the reporters, or else to the writer's own organisation only."""
    own = int(client.get(f"{V1}/auth/me").json()["organisation"]["id"])
    response = client.post(
        f"{V1}/interventions/{intervention_id}/feedback",
        json={
            "told_on": "2025-10-02",
            "channel": "email",
            "text": FEEDBACK_TEXT,
            "to_reporters": to_reporters,
            **({} if to_reporters else {"organisation_ids": [own]}),
        },
    )
    assert response.status_code == 201, response.text

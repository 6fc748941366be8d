"""Night walks in tests: evenings inserted as rows (the evenings' own API is another's), the
people of an association (a reporter in the Bro area group, who files for it), and hosts and
walks made through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from api.evenings.models import Evening
from tests.support.people import People, oid
from tests.support.servers import Server

V1 = "/api/v1"
TZ = ZoneInfo("Europe/Stockholm")
WALKERS = "Nattvandrare (föreningar)"
SISTERS = "Systerskap i Bro"
PASSWORD = "vandra-tryggt-i-bro-2026"


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``hour`` o'clock on ``day``, local time; hours past 23 run into the next day."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=TZ) + dt.timedelta(
        hours=hour, minutes=minute
    )


def stamp(day: dt.date, hour: int, minute: int = 0) -> str:
    """The same as the API takes it: local time without an offset."""
    moment = local(day, hour, minute).astimezone(TZ)
    return moment.replace(tzinfo=None).isoformat(timespec="minutes")


def past_friday(weeks: int = 1) -> dt.date:
    """A Friday at least a week back, whose evening is over."""
    today = dt.datetime.now(TZ).date()
    return today - dt.timedelta(days=(today.weekday() - 4) % 7 + 7 * weeks)


def make_evening(server: Server, people: People, day: dt.date, *, area: str | None = None) -> int:
    """An evening of ``day``, 18:00 to 02:00, inserted as a row."""
    with server.database.session(write=True) as session:
        evening = Evening(
            municipality_id=int(people["municipality"]["id"]),
            area_id=int(people["areas"][area]["id"]) if area else None,
            kind="weekend",
            starts_at=local(day, 18).astimezone(dt.UTC),
            ends_at=local(day, 26).astimezone(dt.UTC),
            notes="",
            watch=[],
        )
        session.add(evening)
        session.flush()
        return int(evening.id)


def association_token(
    server: Server, api: httpx.Client, people: People, organisation: str, email: str
) -> str:
    """A session of a new person of ``organisation``, a reporter in the Bro area group."""
    created = api.post(
        f"{V1}/users",
        json={
            "name": f"Vandrare {email.split('@')[0]}",
            "email": email,
            "organisation_id": oid(people, organisation),
            "password": PASSWORD,
        },
    )
    assert created.status_code == 201, created.text
    group = int(people["groups"]["EST områdesgrupp Bro"]["id"])
    joined = api.put(
        f"{V1}/groups/{group}/memberships/{created.json()['id']}", json={"role": "reporter"}
    )
    assert joined.status_code in (200, 201), joined.text
    return server.token_for(email)


def add_host(
    client: httpx.Client, organisation_id: int, name: str, trained_on: dt.date
) -> dict[str, Any]:
    made = client.post(
        f"{V1}/associations/{organisation_id}/hosts",
        json={"name": name, "trained_on": trained_on.isoformat()},
    )
    assert made.status_code == 201, made.text
    host: dict[str, Any] = made.json()
    return host


def walk_body(
    evening_id: int,
    organisation_id: int,
    day: dt.date,
    host_ids: list[int],
    *,
    walkers: int = 4,
    start: int = 19,
    end: int = 23,
    **more: Any,
) -> dict[str, Any]:
    return {
        "evening_id": evening_id,
        "organisation_id": organisation_id,
        "walkers": walkers,
        "host_ids": host_ids,
        "starts_at": stamp(day, start),
        "ends_at": stamp(day, end),
        **more,
    }


def book(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    made = client.post(f"{V1}/night-walks", json=body)
    assert made.status_code == 201, made.text
    walk: dict[str, Any] = made.json()
    return walk

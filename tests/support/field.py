"""The evening in the field, planted straight into the database for tests that read what it
came to (#19): evenings, shifts, log posts and night walks as rows (their own API is tested
where it is built), observations filed through the API, and a guard company's service token."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from api.evenings.models import Evening, LogPost, Shift
from api.nightwalks.models import NightWalk
from tests.support.factories import file_report
from tests.support.people import People, oid
from tests.support.servers import Server

TZ = ZoneInfo("Europe/Stockholm")
GUARDS = "Rapid Säkerhet"


def aid(people: People, name: str) -> int:
    return int(people["areas"][name]["id"])


def local(day: dt.date, hour: float) -> dt.datetime:
    """``hour`` hours after the local midnight that begins ``day``, in UTC."""
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=TZ)
    return (midnight + dt.timedelta(hours=hour)).astimezone(dt.UTC)


def service_token(
    server: Server, people: People, source: str = "rapid", organisation: str = GUARDS
) -> str:
    with server.client(people["tokens"]["admin"]) as admin:
        created = admin.post(
            "/api/v1/service-tokens",
            json={"source": source, "organisation_id": oid(people, organisation)},
        )
    assert created.status_code == 201, created.text
    return str(created.json()["token"])


def evening(
    server: Server, people: People, day: dt.date, area: str | None, *, kind: str = "weekend"
) -> int:
    """An evening of ``area`` (None: the whole municipality), 18:00 to 02:00 local."""
    with server.database.session(write=True) as session:
        row = Evening(
            municipality_id=int(people["municipality"]["id"]),
            area_id=aid(people, area) if area else None,
            kind=kind,
            starts_at=local(day, 18),
            ends_at=local(day, 26),
        )
        session.add(row)
        session.flush()
        return row.id


def shift(
    server: Server, people: People, evening_id: int, organisation: str, *, persons: int = 1
) -> int:
    with server.database.session(write=True) as session:
        row = session.get(Evening, evening_id)
        assert row is not None
        added = Shift(
            evening_id=evening_id,
            organisation_id=oid(people, organisation),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            people=persons,
        )
        session.add(added)
        session.flush()
        return added.id


def post(server: Server, evening_id: int, *, incident_id: int | None = None) -> int:
    with server.database.session(write=True) as session:
        added = LogPost(evening_id=evening_id, text="Lugnt vid stationen.", incident_id=incident_id)
        session.add(added)
        session.flush()
        return added.id


def walk(
    server: Server,
    people: People,
    evening_id: int,
    *,
    walkers: int,
    hours: float,
    report_id: int | None = None,
    organisation: str = "Nattvandrare (föreningar)",
    cancelled: bool = False,
) -> int:
    with server.database.session(write=True) as session:
        row = session.get(Evening, evening_id)
        assert row is not None
        added = NightWalk(
            evening_id=evening_id,
            organisation_id=oid(people, organisation),
            walkers=walkers,
            starts_at=row.starts_at,
            ends_at=row.starts_at + dt.timedelta(hours=hours),
            report_id=report_id,
            reported_at=row.ends_at if report_id else None,
            cancelled_at=row.starts_at if cancelled else None,
        )
        session.add(added)
        session.flush()
        return added.id


def observed(
    server: Server, people: People, day: dt.date, *areas: str, who: str = "admin"
) -> dict[str, Any]:
    """A report of one observation in each of ``areas`` on the evening of ``day``, filed
    through the API; the report as it answers (``id``, ``incidents``)."""
    return file_report(
        server,
        people["tokens"][who],
        *(
            {"area_id": aid(people, area), "occurred_from": local(day, 21).isoformat()}
            for area in areas
        ),
    )


def guard_day(
    server: Server,
    token: str,
    day: dt.date,
    rounds: list[tuple[float, float, str]],
    observations: list[dict[str, Any]],
    source: str = "rapid",
) -> dict[str, Any]:
    """The day's guard report pushed by the company's token: rounds as (start, end, route)
    in hours after the day's midnight, observations as pushed; the answer (201: a new day)."""
    with server.client(token) as client:
        pushed = client.put(
            f"/api/v1/integrations/{source}/guard-reports/{day}",
            json={
                "rounds": [
                    {
                        "starts_at": local(day, start).isoformat(),
                        "ends_at": local(day, end).isoformat(),
                        "route": route,
                    }
                    for start, end, route in rounds
                ],
                "observations": observations,
            },
        )
    assert pushed.status_code == 201, pushed.text
    answer: dict[str, Any] = pushed.json()
    return answer


def today() -> dt.date:
    """The municipality's day now (Swedish time), as the API reckons it."""
    return dt.datetime.now(TZ).date()

"""Evenings for the tests of what happens on one (its live log), written straight into the
database: those tests do not wait for the API that plans evenings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from api.db import Database
from api.evenings.models import Evening, Shift
from api.localtime import utcnow


def make_evening(
    database: Database,
    *,
    municipality_id: int,
    area_id: int | None,
    shifts: Sequence[tuple[int, int | None]] = (),
    closed: bool = False,
    hours: float = 6,
) -> int:
    """An evening begun an hour ago (``closed``: closed already), with shifts as
    (organisation id, user id or None for everyone of the organisation); its id."""
    start = utcnow() - dt.timedelta(hours=1)
    with database.session(write=True) as session:
        evening = Evening(
            municipality_id=municipality_id,
            area_id=area_id,
            kind="weekend",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=hours),
            closed_at=utcnow() if closed else None,
        )
        session.add(evening)
        session.flush()
        evening_id = evening.id
    for organisation_id, user_id in shifts:
        add_shift(database, evening_id, organisation_id, user_id)
    return evening_id


def add_shift(
    database: Database, evening_id: int, organisation_id: int, user_id: int | None
) -> None:
    with database.session(write=True) as session:
        evening = session.get(Evening, evening_id)
        assert evening is not None
        session.add(
            Shift(
                evening_id=evening_id,
                organisation_id=organisation_id,
                user_id=user_id,
                starts_at=evening.starts_at,
                ends_at=evening.ends_at,
            )
        )


def close_evening(database: Database, evening_id: int) -> None:
    with database.session(write=True) as session:
        evening = session.scalar(select(Evening).where(Evening.id == evening_id))
        assert evening is not None
        evening.closed_at = utcnow()

"""Local time, one home: the zone a municipality keeps, "now", "today" and a day's midnight.

Times are stored in UTC and shown in the municipality's zone; a day, a week and an hour
(the lägesbild's periods, a meeting's weekday, "today" on a form) are the local ones. Every
module asks here rather than naming a zone itself, so that the day ends at the same moment
for a figure, a form and a due date. "Today" for a municipality, from its own zone, is
``api.structure.service.municipality_today``.

This module imports nothing of the domain, so that every layer and the web may use it.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Literal
from zoneinfo import ZoneInfo

# The zones a municipality may keep. One today; a municipality abroad would add its own.
ZoneName = Literal["Europe/Stockholm"]
SWEDISH_ZONE: ZoneName = "Europe/Stockholm"
STOCKHOLM = ZoneInfo(SWEDISH_ZONE)


@functools.cache
def zone(name: str | None) -> ZoneInfo:
    """The zone of that name; Swedish time where none is kept."""
    return ZoneInfo(name) if name else STOCKHOLM


def utcnow() -> dt.datetime:
    """The one clock: what is stored, compared and sent is this, in UTC."""
    return dt.datetime.now(dt.UTC)


def today(tz: ZoneInfo = STOCKHOLM) -> dt.date:
    """The local calendar day it is now."""
    return utcnow().astimezone(tz).date()


def midnight(day: dt.date, tz: ZoneInfo = STOCKHOLM) -> dt.datetime:
    """The local midnight that begins ``day`` (aware, in ``tz``)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)

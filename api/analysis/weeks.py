"""Counting by local week in the database: one grouped query per concern, whatever the
number of weeks.

A week is Monday to Sunday in the municipality's time zone (so 167 or 169 hours when the
clocks change). ``bucket`` numbers an incident's week by comparing its start with the weeks'
edges in a balanced tree of CASE expressions: a handful of comparisons per incident even for
hundreds of weeks, in SQLite as in PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, literal, or_

from api import localtime
from api.incidents.models import Incident


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def iso_week(day: dt.date) -> int:
    return day.isocalendar().week


def edges(mondays: Sequence[dt.date], tz: ZoneInfo) -> list[dt.datetime]:
    """The UTC instants where each week of ``mondays`` (ascending) begins, and where the last
    ends."""
    days = [*mondays, mondays[-1] + dt.timedelta(days=7)]
    return [localtime.midnight(d, tz).astimezone(dt.UTC) for d in days]


def bucket(bounds: Sequence[dt.datetime]) -> ColumnElement[int]:
    """The index k of the span [bounds[k], bounds[k + 1]) an incident's start lies in, for
    starts between the first and the last bound (the query's range says so)."""
    column = Incident.occurred_from

    def node(low: int, high: int) -> ColumnElement[int]:
        if high - low == 1:
            return literal(low)
        middle = (low + high) // 2
        return case((column < bounds[middle], node(low, middle)), else_=node(middle, high))

    return node(0, len(bounds) - 1)


def within(spans: Sequence[tuple[dt.datetime, dt.datetime]]) -> ColumnElement[bool]:
    """Incidents that start in any of the spans (each a range on the indexed start)."""
    return or_(*[(Incident.occurred_from >= a) & (Incident.occurred_from < b) for a, b in spans])

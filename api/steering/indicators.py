"""An indicator's series and its summary, computed: no session, no rules of access, plain
inputs to figures (as ``api.situation.figures`` is to a lägesbild).

- An indicator counted from the incidents has a point per calendar quarter: the quarters
  up to the one holding the day asked for, oldest first. A quarter before the first
  observation counted in the municipality has no figure (not a zero); the quarter holding
  today is partial.
- An indicator kept by hand has a point per year it has a value for, up to the year asked
  for.
- The summary sets the latest complete value against the one before it and says whether
  that is better, by the direction the indicator should move in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from api.steering import schemas
from api.steering.models import IndicatorValue

# A quarter: its year, its number (1–4), its first day and its last day.
Quarter = tuple[int, int, dt.date, dt.date]


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_span(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * quarter - 2, 1)
    after = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, after - dt.timedelta(days=1)


def quarters_up_to(day: dt.date, count: int) -> list[Quarter]:
    """The ``count`` quarters up to the one holding ``day``, oldest first."""
    year, quarter = quarter_of(day)
    found = []
    for _ in range(count):
        found.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return [(year, quarter, *quarter_span(year, quarter)) for year, quarter in found[::-1]]


def counted_series(
    quarters: Sequence[Quarter], counts: Sequence[int], *, first_day: dt.date, today: dt.date
) -> list[schemas.Point]:
    """Each quarter's count; none before ``first_day`` (the first observation counted)."""
    return [
        schemas.Point(
            label=f"{year} kv. {quarter}",
            first_day=first,
            last_day=last,
            value=None if last < first_day else float(count),
            partial=last >= today,
        )
        for (year, quarter, first, last), count in zip(quarters, counts, strict=True)
    ]


def kept_series(values: Iterable[IndicatorValue], until: dt.date) -> list[schemas.Point]:
    """The yearly values kept by hand, up to the year holding ``until``."""
    return [
        schemas.Point(
            label=str(v.year),
            first_day=dt.date(v.year, 1, 1),
            last_day=dt.date(v.year, 12, 31),
            value=v.value,
            source=v.source,
            note=v.note,
        )
        for v in values
        if v.year <= until.year
    ]


def _number(value: float) -> str:
    text = f"{value:.1f}".replace(".", ",")
    return text.removesuffix(",0")


def summary(direction: schemas.Direction, series: Sequence[schemas.Point]) -> str:
    """The latest complete value against the one before it, and whether that is better."""
    done = [p for p in series if not p.partial and p.value is not None]
    if not done:
        return "Inga värden ännu."
    latest = done[-1]
    assert latest.value is not None
    if len(done) == 1:
        return f"{latest.label}: {_number(latest.value)}."
    before = done[-2]
    assert before.value is not None
    if latest.value == before.value:
        judged = "oförändrat"
    else:
        lower = latest.value < before.value
        better = lower == (direction == schemas.Direction.decrease)
        judged = "bättre" if better else "sämre"
    return (
        f"{before.label}: {_number(before.value)} → {latest.label}: "
        f"{_number(latest.value)} ({judged})."
    )

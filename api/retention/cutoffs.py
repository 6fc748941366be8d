"""A retention run's cutoffs: what happened before them goes. The installation's come from
the EST_RETAIN_* settings; a municipality with periods (or a time zone) of its own (#21) has
its own, and each row is held against its municipality's (``Cutoffs.text``, ``.day``,
``.audit``): every job that removes a kind of data asks here, never the settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, literal, select
from sqlalchemy.orm import Session

from api import localtime
from api.settings import Settings
from api.structure.models import Municipality


@dataclass(frozen=True)
class Cutoffs:
    """What ended before ``text_before`` loses its text and point; audit events from before
    ``audit_before`` go. ``day_before`` is the local day of ``text_before``: a lägesbild
    whose last day is before it goes too. These are the installation's (EST_RETAIN_*, days
    in Swedish time); a municipality with periods or a time zone of its own (#21) has its
    cutoffs in ``own``."""

    text_before: dt.datetime
    day_before: dt.date
    audit_before: dt.datetime
    replay_before: dt.datetime
    # The local day of the run (a thinned text says when), and the periods the cutoffs
    # come from, for the command line to say.
    today: dt.date
    months: int
    years: int
    own: Mapping[int, Cutoffs] = field(default_factory=dict)

    def of(self, municipality_id: int | None) -> Cutoffs:
        """The cutoffs of one municipality (the installation's for None)."""
        return self.own.get(municipality_id, self) if municipality_id is not None else self

    def text(self, municipality: Any, moment: Any) -> Any:
        """SQL: ``moment`` (of a row of ``municipality``) is before its text cutoff."""
        return _before(moment, municipality, {k: v.text_before for k, v in self.own.items()},
                       self.text_before)  # fmt: skip

    def day(self, municipality: Any, day: Any) -> Any:
        return _before(day, municipality, {k: v.day_before for k, v in self.own.items()},
                       self.day_before)  # fmt: skip

    def audit(self, municipality: Any, moment: Any) -> Any:
        return _before(moment, municipality, {k: v.audit_before for k, v in self.own.items()},
                       self.audit_before)  # fmt: skip

    @property
    def latest_audit(self) -> dt.datetime:
        """The latest of the audit cutoffs: what the deletion permit allows."""
        return max([self.audit_before, *(c.audit_before for c in self.own.values())])


def _before(moment: Any, municipality: Any, own: Mapping[int, Any], default: Any) -> Any:
    """``moment < cutoff``, the cutoff the municipality's own where it has one."""
    kind = moment.type
    if not own:
        return moment < literal(default, kind)
    return moment < case(
        *((municipality == key, literal(value, kind)) for key, value in sorted(own.items())),
        else_=literal(default, kind),
    )


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day ``months`` calendar months earlier (the month's last day where it is
    shorter: 31 August less six months is 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = (following - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last))


def cutoffs(settings: Settings, now: dt.datetime, session: Session | None = None) -> Cutoffs:
    """The installation's cutoffs, and with ``session`` those of each municipality whose own
    differ: its own retention periods (api.structure: a municipality's settings win over
    EST_RETAIN_*), or its own time zone, where its days end."""
    default = _cutoffs(
        settings.retain_incident_text_months,
        settings.retain_audit_years,
        localtime.STOCKHOLM,
        settings,
        now,
    )
    own: dict[int, Cutoffs] = {}
    if session is not None:
        for municipality in session.scalars(select(Municipality).order_by(Municipality.id)):
            months, years = municipality.retention(settings)
            mine = _cutoffs(months, years, municipality.zone, settings, now)
            if mine != default:
                own[municipality.id] = mine
    return replace(default, own=own)


def _cutoffs(
    months: int, years: int, zone: ZoneInfo, settings: Settings, now: dt.datetime
) -> Cutoffs:
    text_before = months_before(now, months)
    return Cutoffs(
        text_before=text_before,
        day_before=text_before.astimezone(zone).date(),
        audit_before=months_before(now, 12 * years),
        replay_before=now - dt.timedelta(days=settings.retain_replay_days),
        today=now.astimezone(zone).date(),
        months=months,
        years=years,
    )

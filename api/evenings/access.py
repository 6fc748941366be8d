"""An evening as the caller may reach it: every service of the evening (its briefing, its log,
the walks on it) fetches it here, so that the policy's questions are asked one way."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.errors import Conflict, Hidden
from api.evenings.models import Evening, Shift
from api.localtime import STOCKHOLM, utcnow
from api.records import get_or_404, not_found_message
from api.swedish import day_sv

NONE_SUCH = "ingen kväll"

# The log takes posts until the evening is closed, or this long after it was planned to end
# (a late night runs over; no one needs to remember to close it).
LOG_OPEN_AFTER_END = dt.timedelta(hours=6)
# ... and from this long before it starts (the briefing, and the day's preparations), not
# from the day it was planned: a log weeks ahead would take what belongs to another evening.
LOG_OPEN_BEFORE_START = dt.timedelta(hours=4)


def is_on_shift(session: Session, evening_id: int, actor: Actor) -> bool:
    holders = session.execute(
        select(Shift.organisation_id, Shift.user_id).where(Shift.evening_id == evening_id)
    ).all()
    return policy.on_shift(actor, (policy.ShiftHolder(o, u) for o, u in holders))


def evening_for(
    session: Session,
    evening_id: int,
    actor: Actor,
    *,
    to: Literal["read", "post", "plan"] = "read",
) -> Evening:
    """The evening, if the caller reads it (else 404 as if there were none), and may do
    ``to``: post in its log (``post``) or plan it (``plan``), else 403 with the rule's words."""
    evening = get_or_404(session, Evening, evening_id, NONE_SUCH)
    shift = is_on_shift(session, evening.id, actor)
    if not policy.can_read_evening(actor, area_id=evening.area_id, shift=shift):
        raise Hidden(not_found_message(NONE_SUCH, evening_id))
    if to == "post":
        policy.require_post_in_log(actor, area_id=evening.area_id, shift=shift)
    elif to == "plan":
        policy.require_plan_evening(actor, area_id=evening.area_id)
    return evening


def log_open(evening: Evening, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return (
        evening.closed_at is None
        and evening.starts_at - LOG_OPEN_BEFORE_START <= now <= evening.ends_at + LOG_OPEN_AFTER_END
    )


def require_log_open(evening: Evening) -> None:
    if log_open(evening):
        return
    if evening.closed_at is None and utcnow() < evening.starts_at:
        opens = (evening.starts_at - LOG_OPEN_BEFORE_START).astimezone(STOCKHOLM)
        raise Conflict(
            f"Kvällen har inte börjat: loggen öppnar {day_sv(opens.date())} {opens:%H:%M}."
        )
    raise Conflict("Kvällen är avslutad: loggen tar inte emot fler inlägg.")

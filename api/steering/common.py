"""What the steering aggregates share: who reads and writes them, the steering group they
belong to, the order of a period, and a yearly record corrected rather than doubled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.errors import Forbidden, Invalid
from api.records import apply
from api.structure.models import Group
from api.structure.schemas import GroupKind


def check_writer(actor: Actor, group_id: int) -> None:
    """The steering group's goals, assignments and plans are written by its conveners and
    members (policy.require_write_in_group, in its words)."""
    policy.require_write_in_group(
        actor, group_id, "ändrar mål, uppdrag och planer", group="styrgruppens"
    )


def check_reader(actor: Actor) -> None:
    if not policy.can_read_steering(actor):
        raise Forbidden("Styrgruppens mål och planer läses av styrgruppen och samordningsgruppen.")


def check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise Invalid.field("period_end", "Slutet ligger före starten.", "period_order")


def authored(body: Any, actor: Actor) -> dict[str, Any]:
    return {**body.model_dump(), "created_by_id": actor.user_id}


def steering_group(session: Session, group_id: int, field: str = "group_id") -> Group:
    group = session.get(Group, group_id)
    if group is None or group.kind != GroupKind.steering:
        raise Invalid.field(field, "Välj styrgruppen: mål och planer är dess.", "not_steering")
    return group


def put_year(rows: list[Any], year: int, make: Any, values: dict[str, Any]) -> None:
    """A yearly record (a figure, a follow-up): the year's one is corrected, not doubled."""
    existing = next((r for r in rows if r.year == year), None)
    if existing is None:
        rows.append(make(year=year, **values))
    else:
        apply(existing, values)

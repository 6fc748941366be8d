"""What an intervention's read and its writes need that packages above interventions know (see
api/slots.py): the meeting that decided it (api.meetings), and the steering group's goal it
serves and the assignment it answers (api.steering), and the safety walk's finding it was
proposed from (api.safetywalks)."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from api.actor import Actor
from api.errors import FieldError
from api.interventions.schemas import DecidedAt, FromWalk
from api.schemas_common import Ref
from api.slots import Slot
from api.structure.models import Group


class Served(NamedTuple):
    goal: Ref | None
    assignment: Ref | None


# The meeting decision that created the intervention, if one did: (session, intervention id).
decided_at: Slot[[Session, int], DecidedAt | None] = Slot(
    "interventions.decided_at", provider="api.meetings"
)
# The safety walk's finding it was proposed from, if one was: (session, intervention id).
from_walk: Slot[[Session, int], FromWalk | None] = Slot(
    "interventions.from_walk", provider="api.safetywalks"
)
# The goal and the assignment, named: (session, goal id, assignment id).
served: Slot[[Session, int | None, int | None], Served] = Slot(
    "interventions.served", provider="api.steering"
)
# For an intervention of the group: the goal and assignment it is to serve, checked; the
# columns to write and the problems found. (session, group, goal id, assignment id, actor).
check_serves: Slot[
    [Session, Group, int | None, int | None, Actor], tuple[dict[str, Any], list[FieldError]]
] = Slot("interventions.check_serves", provider="api.steering")

"""What the lägesbild's figures carry that a package above situation knows (see api/slots.py):
the evenings in the field, night walks and guard reports of the period (#19), which
api.meetings composes from the packages between."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api.situation.figures import Scope
from api.situation.schemas import FieldSummary
from api.slots import Slot

# (session, the figures' scope, first day, last day): None when nothing happened in the field.
field_summary: Slot[[Session, Scope, dt.date, dt.date], FieldSummary | None] = Slot(
    "situation.field_summary", provider="api.meetings"
)

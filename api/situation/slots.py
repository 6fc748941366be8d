"""What the lägesbild carries that a package above situation knows (see api/slots.py): the
evenings in the field, night walks and guard reports of the period (#19), which api.meetings
composes from the packages between; for the yearly lägesbild (lag 2023:196) the steering
group's survey indicators and the action plans built on it (api.steering); and the analysis
a published one keeps (#23), which api.analysis computes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from api.actor import Actor
from api.situation.figures import Scope
from api.situation.schemas import FieldSummary, PlanLink, SurveyIndicator
from api.slots import Slot

# (session, the figures' scope, first day, last day): None when nothing happened in the field.
field_summary: Slot[[Session, Scope, dt.date, dt.date], FieldSummary | None] = Slot(
    "situation.field_summary", provider="api.meetings"
)

# (session, municipality, year, reader): the figures the steering group keeps by hand for the
# year and the year before (its survey indicators), for the yearly lägesbild's "annan relevant
# information"; none for a reader who does not read the steering group's goals.
survey_indicators: Slot[[Session, int, int, Actor], list[SurveyIndicator]] = Slot(
    "situation.survey_indicators", provider="api.steering"
)
# (session, a lägesbild's series, reader): the action plans that build on any of its versions.
action_plans: Slot[[Session, int, Actor], list[PlanLink]] = Slot(
    "situation.action_plans", provider="api.steering"
)
# (session, group id, first day, last day, the publishing convener, grid cell in metres): the
# group's analysis of the period as the convener reads it, as JSON (api.analysis: Analysis).
frozen_analysis: Slot[[Session, int, dt.date, dt.date, Actor, int], dict[str, Any]] = Slot(
    "situation.frozen_analysis", provider="api.analysis"
)

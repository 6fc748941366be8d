"""The guard company's daily reports (bevakningsrapport), as the API reads and writes them:
pushed by the company's integration (its service token) or filed on the form by its people."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from api.incidents.schemas import Assessment, CategoryRef, IncidentCreate, Precision
from api.integrations.schemas import ItemResult
from api.schemas_common import Exempt, Input, LocalTime, Name, Ref, Text
from api.situation.schemas import Day

MAX_ROUNDS = 40
MAX_OBSERVATIONS = 50

OBSERVATION_DOC = (
    "What was seen, each filed as an observation of the guard company, in the shape of a "
    "pushed incident (`POST /integrations/{source}/incidents:batch`): `external_id` "
    "(required, the company's own id: sent again, the observation is updated, never filed "
    "twice), `category`, `occurred_from` and `occurred_to` (the time window), `place` or "
    "`lat`/`lon` (or `n`/`e` with `crs`), `area`, `assessment` (Låg, Medel, Hög), "
    "`certainty`, `police_reported`, `description`, `withdrawn` (true withdraws one sent "
    "before). `organisation` and `report_id` are the report's own and may not be given."
)


class Round(Input):
    """A round of the day: when, and the route or area it covered."""

    starts_at: LocalTime
    ends_at: LocalTime
    route: Name = Field(description="The route or area, e.g. `Bro centrum – Finnsta – Råby`.")
    note: Text | None = None

    @model_validator(mode="after")
    def _order(self) -> Round:
        if self.ends_at <= self.starts_at:
            raise PydanticCustomError("window_reversed", "Rundan slutar innan den börjar.")
        return self


class RoundRead(BaseModel):
    starts_at: dt.datetime
    ends_at: dt.datetime
    route: str
    note: str | None = None


class GuardReportPush(Input):
    """The day's report as the company's system sends it; sent again, it replaces the day's
    rounds and summary, and its observations by their ids."""

    rounds: list[Round] = Field(default=[], max_length=MAX_ROUNDS)
    summary: Text = ""
    observations: Annotated[
        list[dict[str, Any]],
        Exempt("each observation is read by api.integrations.rows, whose POLICIES guard its texts"),
    ] = Field(default=[], max_length=MAX_OBSERVATIONS, description=OBSERVATION_DOC)


class GuardReportCreate(Input):
    """The day's report on the form, by the guard company's own people."""

    day: Day
    rounds: list[Round] = Field(default=[], max_length=MAX_ROUNDS)
    summary: Text = ""
    observations: list[IncidentCreate] = Field(default=[], max_length=MAX_OBSERVATIONS)


class Observation(BaseModel):
    """An observation filed from the report, briefly."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    category: CategoryRef
    area: Ref
    place: Ref | None
    occurred_from: dt.datetime
    occurred_to: dt.datetime
    precision: Precision
    assessment: Assessment | None
    description: str | None
    external_id: str | None = None


class GuardReportSummary(BaseModel):
    id: int
    organisation: Ref
    day: dt.date
    rounds: int
    observations: int
    source: str
    updated_at: dt.datetime


class GuardReportList(BaseModel):
    items: list[GuardReportSummary]
    may_file: bool = Field(
        description="Whether the caller may file a report on the form (the guard company's "
        "own people who file reports)."
    )


class GuardReportRead(BaseModel):
    id: int
    organisation: Ref
    day: dt.date
    rounds: list[RoundRead]
    summary: str
    source: str = Field(description="`web` (the form) or the integration's source.")
    report_id: int | None = Field(description="The report its observations were filed in.")
    observations: list[Observation]
    created_at: dt.datetime
    updated_at: dt.datetime


class GuardReportPushResult(BaseModel):
    guard_report: GuardReportRead
    created: bool = Field(description="True the first time the day was sent.")
    observations_created: int = 0
    observations_updated: int = 0
    observations_unchanged: int = 0
    observations_rejected: int = 0
    items: list[ItemResult] = Field(
        description="Every observation sent, by its index: created, updated, unchanged or "
        "rejected with the reason in Swedish."
    )

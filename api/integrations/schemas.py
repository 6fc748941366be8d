"""Integrations in: a pushed batch and its per-item answer, the sources' category names,
and an uploaded file's preview and import."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.accounts.schemas import SourceName
from api.incidents.schemas import CategoryCode, CategoryRef
from api.schemas_common import Exempt, Input, Name, Ref

MAX_BATCH = 500

ITEM_DOC = (
    "An incident as the tool has it, in snake_case: `external_id` (required, the tool's own "
    "id), `report_id`, `category` (our code, the Swedish label, or a name in the source's "
    "category mapping), `subcategory`, `occurred_from` (required; `2021-03-04 21:30`, "
    "`2021-03-04` for a whole day, or ISO 8601; without an offset, Swedish local time), "
    "`occurred_to`, `area` (Bro, Brunna, Kungsängen), `place`, `address`, `lat`/`lon` "
    "(WGS 84) or `n`/`e` with `crs` (`SWEREF 99 TM`, `SWEREF 99 18 00`), `assessment` "
    "(Låg, Medel, Hög or 1–3), `certainty` (Observerat, Misstänkt), `police_reported` (Ja, "
    "Nej), `description`, `organisation` (the token's own when left out), `reported_at`."
)


class Batch(Input):
    incidents: Annotated[
        list[dict[str, Any]],
        Exempt("each item is read by api.integrations.rows, whose POLICIES guard its texts"),
    ] = Field(description=f"Up to {MAX_BATCH} incidents; more are refused with 413. {ITEM_DOC}")


Result = Literal["created", "updated", "unchanged", "rejected"]


class ItemResult(BaseModel):
    index: int = Field(
        description="Where the item was: its index in a batch (from 0), or its line in a "
        "file (from 1; a GeoJSON file's feature number)."
    )
    external_id: str | None = None
    result: Result
    incident_id: int | None = None
    reason: str | None = Field(None, description="Why it was rejected, in Swedish.")


class Counts(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


class BatchResult(Counts):
    items: list[ItemResult]


class MappingPut(Input):
    source: SourceName
    name: Name = Field(description="The source's name of the category, as its export writes it.")
    category: CategoryCode = Field(description="Our category's (or family's) code.")


class MappingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    name: str
    category: CategoryRef
    created_at: dt.datetime
    updated_at: dt.datetime


class ImportSummary(Counts):
    rows: int = Field(0, description="Rows (or features) read.")
    rejected_rows: list[ItemResult] = Field(
        default=[], description="The rejected rows, the first thousand, with line and reason."
    )
    warnings: list[str] = Field(default=[], description="About the file as a whole.")


class ImportRead(BaseModel):
    id: int
    source: str
    filename: str
    format: Literal["csv", "geojson"]
    organisation: Ref | None
    status: Literal["preview", "imported"]
    preview: ImportSummary
    result: ImportSummary | None
    created_at: dt.datetime
    imported_at: dt.datetime | None


class Change(BaseModel):
    """An incident as it is here now, in the shape a batch item has (so that another
    instance can take it in as it is), with what a mirror needs besides."""

    id: int
    version: int
    updated_at: dt.datetime
    withdrawn: bool
    source: str
    external_id: str | None = Field(
        description="Our id (`id`) is the one to key on; this is the incident's id in the "
        "source it came from, if any."
    )
    category: str
    occurred_from: dt.datetime
    occurred_to: dt.datetime
    precision: str = Field(description="exact, part_of_day or day.")
    area: str
    place: str | None
    address: str | None
    lat: float | None
    lon: float | None
    assessment: str | None
    certainty: str | None
    police_reported: str
    description: str | None
    organisation: str
    reported_at: dt.datetime | None


class ChangePage(BaseModel):
    items: list[Change]
    next: str | None = Field(description="The next page, while there is one.")
    cursor: str = Field(
        description="Where this page ended: send it as `cursor` later to get only what "
        "changed since."
    )

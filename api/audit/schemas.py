from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas_common import ListQuery, QueryId, Timestamp

Short = Annotated[str, Field(max_length=64)]


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    action: str = Field(description="sign_in, sign_out, create, update, delete, refused, …")
    outcome: str = Field(description="ok, failed, refused or throttled.")
    actor_kind: str
    user_id: int | None
    service_token_id: int | None
    municipality_id: int | None = Field(
        None, description="The municipality acted in; null for the platform's own events."
    )
    actor_label: str
    object_type: str | None
    object_id: str | None
    method: str | None
    path: str | None
    status: int | None
    detail: str | None
    address: str | None
    query: str | None = Field(None, description="An export's filter, as a query string.")
    rows: int | None = Field(None, description="How many rows an export gave.")


class AuditFilter(ListQuery):
    action: Short | None = None
    outcome: Short | None = None
    user: QueryId | None = None
    object_type: Short | None = None
    object_id: Short | None = None
    address: Short | None = None
    since: Timestamp | None = Field(None, description="From this time (with offset).")
    until: Timestamp | None = Field(None, description="Before this time (with offset).")


# A read made for a printout ------------------------------------------------------- #17-d

# Why a read is made, where it makes it an export: for a PDF or a print view.
Purpose = Literal["pdf", "print"]
# The forms of an export (``detail`` of an ``export`` event): every one the API writes, so
# that the log's page can say each in Swedish (api.swedish.AUDIT_FORMS).
ExportForm = Literal["list", "geojson", "csv", "ogc", "feed", "report", "stream", "pdf", "print"]

# ------------------------------------------------------------------------------------ #17-d

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.localtime import utcnow


class AuditEvent(Base):
    """One line of the audit log. Append-only: triggers in the database refuse UPDATE and
    DELETE. Holds who, what object, when, from where and the outcome, and never free text
    from the records themselves (only their table and id)."""

    __tablename__ = "audit_events"
    __table_args__ = ({"sqlite_autoincrement": True},)
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # sign_in, sign_out, create, update, delete, refused, export, end_sessions, ...
    action: Mapped[str] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # ok, failed, refused, throttled
    actor_kind: Mapped[str] = mapped_column(String(16))
    # Plain ids, not foreign keys: the log outlives and never blocks what it describes.
    user_id: Mapped[int | None] = mapped_column(index=True)
    service_token_id: Mapped[int | None]
    # The municipality the actor acted in when the event was written (#21): its
    # administrators read the event. None for a platform event (an operator's sign-in, a
    # municipality created), which the platform's operators read.
    municipality_id: Mapped[int | None] = mapped_column(index=True)
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    object_type: Mapped[str | None] = mapped_column(String(64), index=True)
    object_id: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str | None] = mapped_column(String(10))
    path: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[int | None]
    # A short code that says more (a withdrawal's reason), never text someone wrote.
    detail: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    # An export (a read of many records): the filter it was asked with, as a query string,
    # and how many rows it gave. The filter is the reader's, never a record's text.
    query: Mapped[str | None] = mapped_column(String(1000))
    rows: Mapped[int | None]


class IncidentReading(Base):
    """One read of one incident's detail: who, which, when. Narrow, because every opened
    incident page adds one: the audit log's wide lines are for what happens less often.
    Kept beside the log, under the same rule (no text), to answer "who has read it?"."""

    __tablename__ = "incident_readings"
    __table_args__ = (
        Index("ix_incident_readings_incident_at", "incident_id", "at"),
        {"sqlite_autoincrement": True},
    )
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    # Plain ids, as in the log: it outlives what it names.
    incident_id: Mapped[int]
    user_id: Mapped[int | None]
    service_token_id: Mapped[int | None]
    # The municipality the reader acted in (#21), as in the log.
    municipality_id: Mapped[int | None]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

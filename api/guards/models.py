"""The guard company's daily reports (bevakningsrapport)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.records import TimestampMixin
from api.tenancy import Municipal


class GuardReport(Municipal, TimestampMixin, Base):
    """The guard company's report of a day: its rounds, and the observations filed from what
    was seen (``report_id``). One per organisation and day; sent again, it is replaced."""

    __tablename__ = "guard_reports"
    __table_args__ = (
        UniqueConstraint("organisation_id", "day"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    day: Mapped[dt.date] = mapped_column(index=True)
    # [{"starts_at", "ends_at", "route", "note"}]: the rounds of the day.
    rounds: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    # "api" (the integration, its service token) or "web" (the form).
    source: Mapped[str] = mapped_column(String(16), default="web")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class AuditDeletionPermit(Base):
    """The one way past the audit log's append-only triggers: while a row here says so, the
    database lets DELETE remove the events older than ``delete_before`` and nothing else
    (UPDATE stays refused). ``api.retention.service`` writes the row, deletes and removes the
    row in one transaction, so no other transaction ever sees it (migration 0012)."""

    __tablename__ = "audit_deletion_permits"
    __table_args__ = ({"sqlite_autoincrement": True},)
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    delete_before: Mapped[dt.datetime]

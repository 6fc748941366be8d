"""What the integrations keep: each source's names for our categories, and the files
uploaded for import, held between the preview and the confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.categories.models import Category
from api.db import Base
from api.localtime import utcnow
from api.records import TimestampMixin
from api.tenancy import Municipal


class CategoryMapping(Municipal, TimestampMixin, Base):
    """A source's name for a category ("Buskörning" → trafik.olovlig_korning)."""

    __tablename__ = "category_mappings"
    __table_args__ = (
        UniqueConstraint("municipality_id", "source", "name_key"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name as compared: case, spacing and Unicode forms folded (schemas_common.name_key).
    name_key: Mapped[str] = mapped_column(String(200))
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"))

    category: Mapped[Category] = relationship(lazy="joined")


class ImportFile(Municipal, Base):
    """An uploaded export, previewed and waiting to be confirmed: the content is kept until
    then (and dropped once imported), so that the API stays without state of its own."""

    __tablename__ = "import_files"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16))  # csv, geojson
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    preview: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    imported_at: Mapped[dt.datetime | None]
    # Read only where it is imported (api.integrations.imports), a piece at a time. The last
    # column, so that SQLite's zeroblob for it is not built in memory (migration 0016).
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class SyncState(Base):
    """Where `est sync` got to in a remote change feed: it resumes there."""

    __tablename__ = "sync_states"
    __table_args__ = (UniqueConstraint("source", "url"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(500))
    cursor: Mapped[str] = mapped_column(String(200))
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

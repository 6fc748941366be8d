from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.localtime import utcnow
from api.tenancy import Municipal


class Photo(Municipal, Base):
    """One photo of one record (``owner_kind`` + ``owner_id``: api.photos.schemas.PhotoOwner).
    The files (``key``.jpg and ``key``.thumb.jpg) stand in the photo directory; the row is what
    says they exist, so a photo whose row is gone is gone."""

    __tablename__ = "photos"
    __table_args__ = (
        Index("ix_photos_owner", "owner_kind", "owner_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int]
    # A random name of the files: nothing of the record or the person in it.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # None for a resident's (anonymous) photo.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

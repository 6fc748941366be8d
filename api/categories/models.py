from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from api.db import Base
from api.records import ActiveMixin, TimestampMixin


class Category(ActiveMixin, TimestampMixin, Base):
    __tablename__ = "categories"

    # "skadegorelse" (a family) or "skadegorelse.klotter" (a category in it).
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("categories.code"), index=True)
    label_sv: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str | None] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Category | None] = relationship(remote_side=[code])

    @validates("code")
    def _set_parent(self, _key: str, code: str) -> str:
        # The family is part of the code ("skadegorelse.klotter"), so it is never given apart.
        self.parent_code = code.rsplit(".", 1)[0] if "." in code else None
        return code

"""What the domain's records share: names with a normalised key, an active flag, timestamps,
and the service steps every resource takes (fetch or 404, unique names, partial updates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, validates
from sqlalchemy.orm.interfaces import ORMOption

from api.errors import Conflict, FieldError, NotFound
from api.localtime import utcnow
from api.schemas_common import MAX_NAME_KEY, name_key

R = TypeVar("R")


class NamedMixin:
    name: Mapped[str] = mapped_column(String(200))
    # Unique per scope; compared instead of name so that case and spacing do not make a twin.
    name_key: Mapped[str] = mapped_column(String(MAX_NAME_KEY))

    @validates("name")
    def _set_name_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class ActiveMixin:
    active: Mapped[bool] = mapped_column(default=True)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def get_or_404(
    session: Session,
    model: type[R],
    ident: Any,
    none_such: str,
    *,
    options: Sequence[ORMOption] = (),
    fresh: bool = False,
) -> R:
    """``none_such`` is the Swedish phrase for "no such record": "inget område", "ingen grupp".
    ``fresh`` reloads a record this session has already changed, relationships included."""
    record = session.get(model, ident, options=options, populate_existing=fresh)
    if record is None:
        raise NotFound(not_found_message(none_such, ident))
    return record


def not_found_message(none_such: str, ident: Any) -> str:
    return f"Det finns {none_such} med id {ident}."


def ensure_unique_name(
    session: Session,
    model: type[Any],
    name: str,
    *,
    scope: ColumnElement[bool] | None,
    record: Any,
    message: str,
) -> None:
    """Refuse a name already taken in the scope (by another record than ``record``), with a
    message beside the name field; ``{name}`` in it is the name as the other one spells it."""
    stmt = select(model.name).where(model.name_key == name_key(name))
    if scope is not None:
        stmt = stmt.where(scope)
    if record is not None:
        stmt = stmt.where(model.id != record.id)
    existing = session.scalar(stmt.limit(1))
    if existing is not None:
        text = message.replace("{name}", existing)
        raise Conflict(
            text, errors=[FieldError("name", text, "duplicate_name")], code="duplicate_name"
        )


def changes(data: BaseModel) -> dict[str, Any]:
    """The fields a PATCH body actually sent (absent fields are left as they are)."""
    return data.model_dump(exclude_unset=True)


def apply(record: Any, values: dict[str, Any]) -> None:
    for field, value in values.items():
        setattr(record, field, value)

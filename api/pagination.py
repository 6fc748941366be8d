"""Cursor pagination: stable order by key, an opaque cursor, a ``next`` link."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.errors import FieldError, Invalid

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class ListQuery(BaseModel):
    """Query parameters every list takes."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    cursor: str | None = Field(
        None, max_length=200, description="Opaque; take it from `next` of the previous page."
    )


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(description="Path and query of the next page; null on the last.")


@dataclass(frozen=True)
class PageResult(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


def encode_cursor(key: int | str) -> str:
    raw = json.dumps({"k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, key_type: type[int] | type[str]) -> int | str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data: Any = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        key = data["k"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeEncodeError):
        key = None
    # bool is an int to Python but never a key of ours.
    if not isinstance(key, key_type) or isinstance(key, bool):
        raise Invalid(
            "Ogiltig cursor. Använd länken i next från föregående sida, eller utelämna cursor "
            "för att börja från början.",
            errors=[FieldError("cursor", "Ogiltig cursor.", "invalid_cursor", "query")],
            code="invalid_cursor",
        )
    return key


def paginate(
    session: Session,
    stmt: Select[Any],
    key: InstrumentedAttribute[Any],
    query: ListQuery,
    key_type: type[int] | type[str] = int,
) -> PageResult[Any]:
    """One page of ``stmt`` in the order of ``key`` (a unique column), after ``query.cursor``."""
    if query.cursor is not None:
        stmt = stmt.where(key > decode_cursor(query.cursor, key_type))
    rows = list(session.scalars(stmt.order_by(key).limit(query.limit + 1)))
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        return PageResult(rows, encode_cursor(getattr(rows[-1], key.key)))
    return PageResult(rows, None)

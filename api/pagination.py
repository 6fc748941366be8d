"""Cursor pagination: stable order by key, an opaque cursor, a ``next`` link."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.errors import FieldError, Invalid
from api.schemas_common import MAX_ID, ListQuery

T = TypeVar("T")


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
    # bool is an int to Python but never a key of ours; an id past what the databases store
    # would fail in the query instead of here.
    valid = (
        isinstance(key, key_type)
        and not isinstance(key, bool)
        and (0 < key <= MAX_ID if isinstance(key, int) else 0 < len(key) <= 64)
    )
    if not valid:
        raise Invalid(
            "Ogiltig cursor. Använd länken i next från föregående sida, eller utelämna cursor "
            "för att börja från början.",
            errors=[FieldError("cursor", "Ogiltig cursor.", "invalid_cursor", "query")],
            code="invalid_cursor",
        )
    return key_type(key)


def paginate(
    session: Session,
    stmt: Select[Any],
    key: InstrumentedAttribute[Any],
    query: ListQuery,
    key_type: type[int] | type[str] = int,
    *,
    descending: bool = False,
) -> PageResult[Any]:
    """One page of ``stmt`` in the order of ``key`` (a unique column), after ``query.cursor``."""
    if query.cursor is not None:
        after = decode_cursor(query.cursor, key_type)
        stmt = stmt.where(key < after if descending else key > after)
    order = key.desc() if descending else key
    rows = list(session.scalars(stmt.order_by(order).limit(query.limit + 1)))
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        return PageResult(rows, encode_cursor(getattr(rows[-1], key.key)))
    return PageResult(rows, None)

"""The SCIM protocol's own parts (RFC 7644): its errors, its filters and PATCH paths, its
media type, and the documents a client discovers the service by."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.audit import service as audit
from api.errors import DomainError
from api.scim.schemas import (
    ENTERPRISE_SCHEMA,
    ERROR_SCHEMA,
    GROUP_SCHEMA,
    USER_SCHEMA,
)

SCIM_PREFIX = "/scim/v2"
# The scimType values of RFC 7644 3.12: a ScimError's code is one of them.
SCIM_TYPES = frozenset(
    {
        "invalidFilter",
        "tooMany",
        "uniqueness",
        "mutability",
        "invalidSyntax",
        "invalidPath",
        "noTarget",
        "invalidValue",
        "invalidVers",
        "sensitive",
    }
)
MAX_COUNT = 200


class ScimError(DomainError):
    """A refusal in SCIM's words: ``scim_type`` is the error's scimType."""

    def __init__(self, detail: str, *, scim_type: str, status: int = 400) -> None:
        super().__init__(detail, code=scim_type)
        self.status = status


def _scim_type(status: int, code: str) -> str | None:
    if code in SCIM_TYPES:
        return code
    if code == "invalid_json":
        return "invalidSyntax"
    if status == 422:
        return "invalidValue"
    if status == 409:
        return "uniqueness"
    return None


def scim_error_body(status: int, problem: dict[str, Any]) -> dict[str, Any]:
    """A problem+json answer (api.problems) said as a SCIM error (RFC 7644 3.12): a body
    that could not be read is a 400, as SCIM has it, not a 422."""
    code = str(problem.get("code", ""))
    shown = 400 if status == 422 else status
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(shown)}
    scim_type = _scim_type(status, code)
    if scim_type is not None:
        body["scimType"] = scim_type
    body["detail"] = str(problem.get("detail") or problem.get("title") or "")
    return body


# Filters and paths -------------------------------------------------------------------------

_FILTER = re.compile(r'^\s*([A-Za-z][\w.:-]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


def parse_filter(text: str | None, allowed: frozenset[str]) -> tuple[str, str] | None:
    """``attribute eq "value"`` (the filters a directory sends to find what it made); the
    attribute in lower case. Anything else is an invalidFilter."""
    if text is None or not text.strip():
        return None
    found = _FILTER.match(text)
    if found is None or found.group(1).lower() not in allowed:
        names = ", ".join(sorted(allowed))
        raise ScimError(
            f'Filtret stöds inte. Använd attribut eq "värde" med något av: {names}.',
            scim_type="invalidFilter",
        )
    return found.group(1).lower(), json.loads(f'"{found.group(2)}"')


@dataclass(frozen=True)
class Path:
    """A PATCH path: ``attribute``, its value filter ``[attr eq "x"]`` and sub-attribute,
    all in lower case but the filter's value."""

    attribute: str
    where: tuple[str, str] | None = None
    sub: str | None = None


_PATH = re.compile(r"^([A-Za-z][\w$-]*)(?:\[([^\]]+)\])?(?:\.([A-Za-z][\w$-]*))?$")


def parse_path(text: str) -> Path:
    text = text.strip()
    if text.lower().startswith("urn:"):
        schema, _, attribute = text.rpartition(":")
        if schema.lower() == ENTERPRISE_SCHEMA.lower():
            return Path("enterprise", sub=attribute.lower())
        if schema.lower() in (USER_SCHEMA.lower(), GROUP_SCHEMA.lower()):
            text = attribute
        else:
            return Path("urn", sub=text.lower())
    found = _PATH.match(text)
    if found is None:
        raise ScimError(f"Sökvägen {text!r} går inte att läsa.", scim_type="invalidPath")
    where = None
    if found.group(2) is not None:
        where = parse_filter(found.group(2), frozenset({"type", "value", "primary"}))
    sub = found.group(3).lower() if found.group(3) else None
    return Path(found.group(1).lower(), where, sub)


@dataclass(frozen=True)
class Listing:
    """A list request's filter and page (RFC 7644 3.4.2): ``startIndex`` counts from 1 (less
    is 1), ``count`` at most MAX_COUNT."""

    filter_text: str | None
    start_index: int
    count: int | None

    def page(
        self, session: Session, stmt: Select[Any], key: Any, object_type: str
    ) -> tuple[list[Any], int, int]:
        """The page's records, how many match in all, and the page's offset; the read is
        logged with its filter and its number of rows."""
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        start = max(1, self.start_index) - 1
        size = max(0, min(MAX_COUNT, MAX_COUNT if self.count is None else self.count))
        found = list(session.scalars(stmt.order_by(key).offset(start).limit(size)))
        asked = {"filter": self.filter_text, "startIndex": self.start_index, "count": self.count}
        audit.record_read(session, object_type=object_type, asked=asked, rows=len(found))
        return found, total, start


def list_response(resources: list[dict[str, Any]], total: int, start: int) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "startIndex": start + 1,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }

"""Writing the audit log. Every write a request makes is recorded in the same transaction as
the write itself (``record_writes``, from the changes the session flushed); sign-ins,
sign-outs, refusals and exports are recorded where they happen. Only tables and ids go in,
never the text of a record."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Engine, Select, event, inspect, or_
from sqlalchemy.orm import Session

from api import tenancy
from api.access import policy
from api.actor import ANONYMOUS, Actor
from api.audit import schemas
from api.audit.models import AuditEvent, IncidentReading
from api.db import WRITE_OPTION, Database
from api.localtime import utcnow
from api.resources import Resource


class Unset(enum.Enum):
    """An argument not given (None is a value: no municipality)."""

    UNSET = enum.auto()


UNSET = Unset.UNSET

_CONTEXT = "est_audit"
_CHANGES = "est_audit_changes"


@dataclass
class AuditContext:
    actor: Actor
    method: str | None = None
    path: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def bind(session: Session, context: AuditContext) -> None:
    """From here on, the session's writes are recorded as done by ``context.actor``."""
    session.info[_CONTEXT] = context


def record(
    session: Session,
    *,
    action: str,
    outcome: str = "ok",
    actor: Actor | None = None,
    user_id: int | None = None,
    label: str | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    status: int | None = None,
    detail: str | None = None,
    query: str | None = None,
    rows: int | None = None,
    municipality_id: int | Unset | None = UNSET,
) -> None:
    """``municipality_id``: the municipality the event belongs to, where it is not the
    one the actor acts in (a sign-in: the person's home municipality)."""
    context: AuditContext | None = session.info.get(_CONTEXT)
    actor = actor or (context.actor if context else ANONYMOUS)
    session.add(
        AuditEvent(
            at=utcnow(),
            action=action,
            outcome=outcome,
            actor_kind=actor.kind,
            user_id=user_id if user_id is not None else actor.user_id,
            service_token_id=actor.token_id if actor.kind == "service" else None,
            municipality_id=actor.municipality_id
            if isinstance(municipality_id, Unset)
            else municipality_id,
            actor_label=(label if label is not None else actor.label)[:254],
            object_type=object_type,
            object_id=None if object_id is None else str(object_id)[:64],
            method=context.method if context else None,
            path=context.path[:500] if context and context.path else None,
            status=status,
            detail=detail,
            address=actor.address,
            query=query,
            rows=rows,
        )
    )


# Reads ---------------------------------------------------------------------------- #17-d

QUERY_LENGTH = 1000


def query_text(asked: Mapping[str, Any]) -> str:
    """A filter as a query string, in the order of its names, without what was not asked:
    ``area=3&since=2026-01-01T00:00:00+00:00``. Cut at the column's length, marked ``…``."""
    given = sorted((k, _plain(v)) for k, v in asked.items() if v is not None and v != "")
    text = urlencode(given, safe=":+,/.")
    return text if len(text) <= QUERY_LENGTH else text[: QUERY_LENGTH - 1] + "…"


def _plain(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    return str(getattr(value, "value", value))


def record_export(
    session: Session,
    *,
    object_type: str,
    form: schemas.ExportForm,
    asked: Mapping[str, Any],
    rows: int,
    object_id: Any = None,
) -> None:
    """A read of many records (a file, a map layer, a feed page, a PDF or print view) as an
    ``export``: in what form, with which filter, how many rows."""
    with _trace(session) as where:
        record(
            where,
            action="export",
            object_type=object_type,
            object_id=object_id,
            detail=form,
            query=query_text(asked),
            rows=rows,
        )


def record_printout(
    session: Session,
    purpose: schemas.Purpose | None,
    *,
    object_type: str,
    object_id: Any,
    asked: Mapping[str, Any],
    rows: int,
) -> None:
    """A read the web makes for a PDF or a print view (``purpose``) leaves the product on
    paper: an export. Any other read of the same record is not."""
    if purpose is not None:
        record_export(
            session, object_type=object_type, object_id=object_id, form=purpose, asked=asked,
            rows=rows,
        )  # fmt: skip


def record_read(
    session: Session,
    *,
    object_type: str,
    object_id: Any = None,
    asked: Mapping[str, Any] | None = None,
    rows: int | None = None,
) -> None:
    """A read of records that are not incidents (a guard report, #19; a list of them, with
    its filter and how many rows), as a ``read``, in the read's trace (``_trace``)."""
    with _trace(session) as where:
        record(
            where,
            action="read",
            object_type=object_type,
            object_id=object_id,
            query=query_text(asked) if asked is not None else None,
            rows=rows,
        )


def record_readings(session: Session, incident_ids: list[int]) -> None:
    """Who read these incidents' detail, now: one narrow line each."""
    context: AuditContext | None = session.info.get(_CONTEXT)
    actor = context.actor if context else ANONYMOUS
    now = utcnow()
    with _trace(session) as where:
        where.add_all(
            IncidentReading(
                incident_id=incident_id,
                user_id=actor.user_id,
                service_token_id=actor.token_id if actor.kind == "service" else None,
                municipality_id=actor.municipality_id,
                at=now,
            )
            for incident_id in incident_ids
        )


@contextmanager
def _trace(session: Session) -> Iterator[Session]:
    """Where a read's trace is written: in the request's own transaction when it writes
    anyway, else in a short write transaction beside it. A read's transaction on SQLite
    begins deferred, and one that has read and then writes after another has committed is
    refused at once (a stale snapshot, which no busy timeout waits out)."""
    writes = session.connection().get_execution_options().get(WRITE_OPTION, False)
    if writes:
        yield session
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with Database(engine).session(write=True) as aside:
        if _CONTEXT in session.info:
            aside.info[_CONTEXT] = session.info[_CONTEXT]
        yield aside


# ------------------------------------------------------------------------------------ #17-d


@event.listens_for(Session, "after_flush")
def _collect_changes(session: Session, _flush_context: Any) -> None:
    if _CONTEXT not in session.info:
        return
    changes: dict[tuple[str, str], tuple[str, int | Unset | None]] = session.info.setdefault(
        _CHANGES, {}
    )
    touched = [
        *((obj, "create") for obj in session.new),
        *((obj, "update") for obj in session.dirty if session.is_modified(obj)),
        *((obj, "delete") for obj in session.deleted),
    ]
    for obj, action in touched:
        if not getattr(type(obj), "__audit__", True):
            continue
        mapper = inspect(obj).mapper
        ident = "/".join(str(v) for v in mapper.primary_key_from_instance(obj))
        # A record of a municipality is logged in its municipality, which is not always the
        # one the actor acts in (a report filed across the boundary, #21).
        where = obj.municipality_id if isinstance(obj, tenancy.Municipal) else UNSET
        # A record created and then changed in one request was created.
        changes.setdefault((mapper.local_table.name, ident), (action, where))


def record_writes(session: Session) -> None:
    """One audit event per record the request created, changed or deleted."""
    session.flush()
    for (table, ident), (action, where) in session.info.pop(_CHANGES, {}).items():
        record(session, action=action, object_type=table, object_id=ident, municipality_id=where)
    session.flush()


# Reading the log ---------------------------------------------------------------------------


def _filter(stmt: Select[Any], f: schemas.AuditFilter) -> Select[Any]:
    conditions = [
        AuditEvent.action == f.action if f.action else None,
        AuditEvent.outcome == f.outcome if f.outcome else None,
        AuditEvent.user_id == f.user if f.user is not None else None,
        AuditEvent.object_type == f.object_type if f.object_type else None,
        AuditEvent.object_id == f.object_id if f.object_id else None,
        AuditEvent.address == f.address if f.address else None,
        AuditEvent.at >= f.since if f.since is not None else None,
        AuditEvent.at < f.until if f.until is not None else None,
    ]
    return stmt.where(*(c for c in conditions if c is not None))


def _scope(stmt: Select[Any], actor: Actor) -> Select[Any]:
    """What the reader reads of the log (policy.audit_scope)."""
    scope = policy.audit_scope(actor)
    if scope.municipality_ids is None:
        return stmt
    readable: list[ColumnElement[bool]] = [
        AuditEvent.municipality_id.in_(sorted(scope.municipality_ids))
    ]
    if scope.platform:
        readable += [AuditEvent.municipality_id.is_(None), AuditEvent.object_type == MUNICIPALITIES]
    return stmt.where(or_(*readable))


# Events about a municipality's own record (its settings): the platform's operators read them.
MUNICIPALITIES = "municipalities"

# Newest first: the cursor walks down the ids.
AUDIT_EVENTS = Resource(
    AuditEvent, "ingen logghändelse", AuditEvent.id, _filter, descending=True, scope=_scope
)

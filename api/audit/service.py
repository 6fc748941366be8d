"""Writing the audit log. Every write a request makes is recorded in the same transaction as
the write itself (``record_writes``, from the changes the session flushed); sign-ins,
sign-outs, refusals and exports are recorded where they happen. Only tables and ids go in,
never the text of a record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, event, inspect
from sqlalchemy.orm import Session

from api.actor import ANONYMOUS, Actor
from api.audit import schemas
from api.audit.models import AuditEvent
from api.localtime import utcnow
from api.resources import Resource

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
) -> None:
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
            actor_label=(label if label is not None else actor.label)[:254],
            object_type=object_type,
            object_id=None if object_id is None else str(object_id)[:64],
            method=context.method if context else None,
            path=context.path[:500] if context and context.path else None,
            status=status,
            detail=detail,
            address=actor.address,
        )
    )


@event.listens_for(Session, "after_flush")
def _collect_changes(session: Session, _flush_context: Any) -> None:
    if _CONTEXT not in session.info:
        return
    changes: dict[tuple[str, str], str] = session.info.setdefault(_CHANGES, {})
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
        # A record created and then changed in one request was created.
        changes.setdefault((mapper.local_table.name, ident), action)


def record_writes(session: Session) -> None:
    """One audit event per record the request created, changed or deleted."""
    session.flush()
    for (table, ident), action in session.info.pop(_CHANGES, {}).items():
        record(session, action=action, object_type=table, object_id=ident)
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


# Newest first: the cursor walks down the ids.
AUDIT_EVENTS = Resource(AuditEvent, "ingen logghändelse", AuditEvent.id, _filter, descending=True)

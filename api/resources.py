"""The service steps every resource of the structure shares: list with filters and a cursor,
get, create, update and (de)activate. Records are deactivated, never deleted: history refers
to them. What differs between resources is said in their ``Resource``: above all ``check``,
which sees the record as it would be after the change, so that one function guards both
create and update."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.interfaces import ORMOption

from api import tenancy
from api.actor import Actor
from api.errors import Conflict, Hidden, Invalid
from api.pagination import PageResult, paginate
from api.records import apply, changes, get_or_404, not_found_message
from api.schemas_common import ListQuery, name_key

M = TypeVar("M")
# (session, the record's fields as they would become, the record or None when new)
Check = Callable[[Session, dict[str, Any], Any], None]


@dataclass(frozen=True)
class Resource(Generic[M]):
    model: type[M]
    # "inget område", "ingen grupp": what the 404 says is missing.
    none_such: str
    key: InstrumentedAttribute[Any]
    filter: Callable[[Select[Any], Any], Select[Any]]
    check: Check | None = None
    # The fields ``check`` reads, taken from the record where an update leaves them alone.
    fields: tuple[str, ...] = ()
    key_type: type[int] | type[str] = int
    load: Sequence[ORMOption] = ()
    # Raises when the record may not be deactivated (something active still needs it).
    before_deactivate: Callable[[Session, M], None] | None = None
    # What must be active before the record may be: (model, the record's field holding its
    # key, the message when it is not, with {name} for its name).
    needs_active: Sequence[tuple[type[Any], str, str]] = ()
    # Narrows a select to the records the actor may see (api.access.policy says which); a
    # record outside answers 404 like one that does not exist. None: all signed-in see all.
    scope: Callable[[Select[Any], Actor], Select[Any]] | None = None
    # Narrows further the records the actor may change (a municipality: its own
    # administrator's, or any for a platform operator); None: those ``scope`` shows.
    write_scope: Callable[[Select[Any], Actor], Select[Any]] | None = None
    # Lists newest first (the audit log).
    descending: bool = False
    # What the caller may do with a record, answered beside its fields (a group's
    # ``may_write``); api.access.policy decides. None: the record says nothing of it.
    rights: Callable[[Any, Actor], dict[str, Any]] | None = None
    # The municipality a record is of, for a table the tenancy lock (api.tenancy) does not
    # narrow since it is no ``Municipal`` table: the municipalities themselves. A session
    # bound to other municipalities finds such a record no more than one that does not
    # exist. None: the lock narrows the table, or its records are everyone's.
    municipality_of: Callable[[M], int] | None = None


def list_records(
    session: Session, resource: Resource[M], query: ListQuery, *, actor: Actor
) -> PageResult[M]:
    stmt = resource.filter(select(resource.model).options(*resource.load), query)
    if resource.scope is not None:
        stmt = resource.scope(stmt, actor)
    return paginate(
        session, stmt, resource.key, query, resource.key_type, descending=resource.descending
    )


def get_record(
    session: Session,
    resource: Resource[M],
    ident: Any,
    *,
    actor: Actor,
    fresh: bool = False,
    write: bool = False,
) -> M:
    """``fresh`` reloads a record this request changed, with its relationships; ``write``
    finds it only where the actor may change it."""
    record = get_or_404(
        session, resource.model, ident, resource.none_such, options=resource.load, fresh=fresh
    )
    scopes = [resource.scope, resource.write_scope if write else None]
    for scope in filter(None, scopes):
        visible = scope(select(resource.key).where(resource.key == ident), actor)
        if session.scalar(visible) is None:
            raise Hidden(not_found_message(resource.none_such, ident))
    return record


def create_record(session: Session, resource: Resource[M], data: BaseModel, *, actor: Actor) -> M:
    values = data.model_dump()
    if resource.check is not None:
        resource.check(session, values, None)
    record = resource.model(**values)
    session.add(record)
    session.flush()
    return _reloaded(session, resource, record, actor)


def update_record(
    session: Session, resource: Resource[M], ident: Any, data: BaseModel, *, actor: Actor
) -> M:
    record = get_record(session, resource, ident, actor=actor, write=True)
    values = changes(data)
    if resource.check is not None:
        state = {field: getattr(record, field) for field in resource.fields} | values
        resource.check(session, state, record)
    apply(record, values)
    session.flush()
    return _reloaded(session, resource, record, actor)


def _reloaded(session: Session, resource: Resource[M], record: M, actor: Actor) -> M:
    if not resource.load:
        return record
    return get_record(session, resource, getattr(record, resource.key.key), actor=actor, fresh=True)


def set_active(
    session: Session, resource: Resource[M], ident: Any, active: bool, *, actor: Actor
) -> M:
    record = get_record(session, resource, ident, actor=actor, write=True)
    if active:
        for model, field, message in resource.needs_active:
            key = getattr(record, field)
            needed = session.get(model, key) if key is not None else None
            if needed is not None and not needed.active:
                name = getattr(needed, "name", None) or needed.label_sv
                raise Conflict(message.replace("{name}", name), code="needs_inactive")
    elif resource.before_deactivate is not None:
        resource.before_deactivate(session, record)
    record.active = active  # type: ignore[attr-defined]
    session.flush()
    return _reloaded(session, resource, record, actor)


def changed(state: dict[str, Any], record: Any, field: str) -> bool:
    """Whether a create or an update sets ``field`` to something new."""
    return record is None or getattr(record, field) != state[field]


def name_contains(column: InstrumentedAttribute[str], text: str | None) -> Any:
    """A filter on part of a name, case- and space-insensitive; None when there is no text."""
    if text is None or not text.strip():
        return None
    return column.contains(name_key(text), autoescape=True)


NOT_A_PARTNER = "Allmänheten är ingen samverkanspart och kan inte väljas här."


def reference(
    session: Session,
    resource: Resource[M],
    ident: int,
    *,
    field_name: str,
    municipality_id: int | None = None,
) -> M:
    """A record another one refers to: it must exist, be active and (where given) belong to the
    same municipality. Answered as a field error, since the field is what is wrong."""
    record = session.get(resource.model, ident)
    scope = tenancy.bound(session)
    of = resource.municipality_of
    if record is not None and scope is not None and of is not None and of(record) not in scope:
        record = None  # another municipality than the request's: as if there were none
    if record is None:
        message = not_found_message(resource.none_such, ident)
        raise Invalid.field(field_name, message, "unknown_id")
    if not getattr(record, "active", True):
        name = getattr(record, "name", ident)
        raise Invalid.field(field_name, f"{name} är avaktiverad.", "inactive")
    if municipality_id is not None and record.municipality_id != municipality_id:  # type: ignore[attr-defined]
        raise Invalid.field(field_name, "Hör till en annan kommun.", "other_municipality")
    if getattr(record, "residents", False):
        # The organisation residents' accepted tips are filed for is no partner (#20).
        raise Invalid.field(field_name, NOT_A_PARTNER, "not_partner")
    return record

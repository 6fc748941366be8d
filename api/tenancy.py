"""Tenancy: every record of a municipality's safety work belongs to one municipality, and a
request sees the municipalities its actor acts in, nothing else (issue #21).

Two locks, both set up here once rather than in each query:

1. **The ORM** (every backend). A session is *bound* to the municipalities of its request
   (``bind``); every ORM statement it runs then carries ``municipality_id IN (…)`` for every
   municipal table in it (``with_loader_criteria`` on the ``Municipal`` mixin), relationship
   loads included, and a flush refuses a row of another municipality. New rows take their
   municipality from the parent they hang on (``_owner_of``), so the services need not
   repeat it.
2. **PostgreSQL's row-level security** (``migrations/versions/0020b_row_level_security.py``).
   A bound session's transactions run as the role ``est_tenant`` with the setting
   ``est.municipalities`` naming its municipalities; a policy on every municipal table lets
   through only their rows, so even a hand-written query that forgets the first lock sees
   nothing of another municipality. SQLite has no such lock and relies on the first.

A session that is not bound (the command line, migrations, the seed, the sign-in lookup
before anyone is known) sees every municipality: it acts as the system.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, ForeignKey, event, inspect, select
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    UOWTransaction,
    mapped_column,
    with_loader_criteria,
)

from api.actor import Actor
from api.db import MUNICIPALITIES_KEY, Base
from api.errors import Hidden

# PostgreSQL: the role a bound transaction runs as, and the setting its policies read.
TENANT_ROLE = "est_tenant"
SETTING = "est.municipalities"
HIDDEN = "Det finns inte, eller hör till en annan kommun."


class Municipal:
    """A table of municipal data: its rows belong to one municipality."""

    # Indexed where a table is read by its municipality (areas, groups…), not everywhere: a
    # child row is reached through its parent.
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id"), default=lambda context: parent_municipality(context)
    )


def municipal_tables() -> list[str]:
    """The tables holding municipal data (row-level security guards each on PostgreSQL)."""
    return sorted(_municipal_tables())


def scope_of(actor: Actor) -> frozenset[int] | None:
    """The municipalities a request of ``actor`` sees: the one it acts in; none for a
    platform operator without one; every one (None) for the system and for the public
    routes, whose rules and services say what they show of which municipality."""
    if actor.kind in ("user", "service", "pending", "scim"):
        return frozenset() if actor.municipality_id is None else frozenset({actor.municipality_id})
    return None


def bind(session: Session, municipality_ids: Iterable[int]) -> None:
    """From now on ``session`` sees and writes only these municipalities (none: nothing)."""
    session.info[MUNICIPALITIES_KEY] = frozenset(municipality_ids)


def bound(session: Session) -> frozenset[int] | None:
    """The municipalities ``session`` is bound to; None for an unbound (system) session."""
    value: frozenset[int] | None = session.info.get(MUNICIPALITIES_KEY)
    return value


def rebind(session: Session, municipality_ids: Iterable[int]) -> None:
    """For the rest of its transaction ``session`` sees and writes these municipalities
    instead (a report filed across the boundary, in another of the person's municipalities,
    where a rule allows it: policy.files_in)."""
    bind(session, municipality_ids)
    _set_database_scope(session)


@contextmanager
def widened(session: Session, municipality_ids: Iterable[int]) -> Iterator[None]:
    """For a read across municipalities that a rule allows (the police area's lägesbild
    reads what each municipality's sharing agreement gives it): the session sees these
    municipalities inside the block, its own again after it."""
    before = bound(session)
    bind(session, municipality_ids)
    _set_database_scope(session)
    try:
        yield
    finally:
        if before is None:
            session.info.pop(MUNICIPALITIES_KEY, None)
        else:
            bind(session, before)
        _set_database_scope(session)


@contextmanager
def as_database_user(session: Session) -> Iterator[None]:
    """For upkeep that the tenant role may not do and that reads or writes no municipal
    row: PostgreSQL's ``ANALYZE`` of a table (the table's owner's alone, and skipped with a
    mere warning for anyone else). Inside the block a bound transaction runs as the
    database user it connected as; the role and the setting again after it."""
    connection = session.connection()
    ids = bound(session)
    if ids is None or connection.dialect.name != "postgresql":
        yield
        return
    connection.exec_driver_sql("RESET ROLE")
    try:
        yield
    finally:
        _scope_connection(connection, ids)


def setting_value(municipality_ids: Iterable[int]) -> str:
    # ",1,2,": what the policies of migration 0020b read (the commas trimmed, then split).
    return "," + ",".join(str(i) for i in sorted(municipality_ids)) + ","


def _set_database_scope(session: Session) -> None:
    if session.in_transaction() and session.bind is not None:
        connection = session.connection()
        connection.info[MUNICIPALITIES_KEY] = bound(session)
        if connection.dialect.name == "postgresql":
            _scope_connection(connection, bound(session))


def _scope_connection(connection: Any, ids: frozenset[int] | None) -> None:
    if ids is None:
        connection.exec_driver_sql("RESET ROLE")
        connection.exec_driver_sql(f"SELECT set_config('{SETTING}', '', true)")
        return
    connection.exec_driver_sql(f"SET LOCAL ROLE {TENANT_ROLE}")
    connection.exec_driver_sql(f"SELECT set_config('{SETTING}', '{setting_value(ids)}', true)")


@event.listens_for(Session, "after_begin")
def _on_begin(session: Session, _transaction: Any, connection: Any) -> None:
    ids = bound(session)
    # For parent_municipality, which sees the connection and not the session; set at every
    # transaction, since a pooled connection serves sessions of other municipalities next.
    connection.info[MUNICIPALITIES_KEY] = ids
    if ids is not None and connection.dialect.name == "postgresql":
        _scope_connection(connection, ids)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    ids = bound(state.session)
    if ids is None or not (state.is_select or state.is_update or state.is_delete):
        return
    allowed = tuple(sorted(ids))
    state.statement = state.statement.options(
        with_loader_criteria(
            Municipal,
            lambda cls: cls.municipality_id.in_(allowed),
            include_aliases=True,
            track_closure_variables=False,
        )
    )


@functools.cache
def _municipal_tables() -> frozenset[str]:
    return frozenset(
        str(getattr(mapper.local_table, "name", ""))
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, Municipal)
    )


def _in_memory_owner(obj: Any, seen: set[int], session: Session) -> int | None:
    """The municipality of the record ``obj`` hangs on, where that parent is in memory (a
    row being added with its parent, or with the id of a parent the session has read, as a
    service reads what a request names before it files under it): no query."""
    if id(obj) in seen:
        return None
    seen.add(id(obj))
    state = inspect(obj)
    for relationship in state.mapper.relationships:
        if relationship.direction.name != "MANYTOONE":
            continue
        parent = obj.__dict__.get(relationship.key)
        if parent is None:
            parent = _held_parent(state, relationship, session)
        if isinstance(parent, Municipal):
            owner = parent.__dict__.get("municipality_id") or _in_memory_owner(
                parent, seen, session
            )
            if owner is not None:
                return int(owner)
    return None


def parent_municipality(context: Any) -> int:
    """The column default of ``municipality_id``: the municipality of the row the new one
    refers to, read at its INSERT, when its parent is already written. It serves the rows
    no flush sees (an association table's, a bulk insert's) as well as the ORM's whose
    parent the session does not hold (``_on_flush`` takes the others' from memory, no
    query).

    A session bound to municipalities files the row only under a parent it can see there:
    a parent of another municipality, which the read does not find under PostgreSQL's
    row-level security, or finds elsewhere on SQLite, is refused as if it did not exist
    (``Hidden``), as a flush refuses a row of another municipality."""
    ids = context.connection.info.get(MUNICIPALITIES_KEY)
    table = context.current_column.table
    values = context.get_current_parameters()
    for column in table.columns:
        for key in column.foreign_keys:
            target = key.column.table
            if target.name not in _municipal_tables() or target is table:
                continue
            value = values.get(column.key)
            if value is None:
                continue
            owner = context.connection.execute(
                select(target.c.municipality_id).where(key.column == value)
            ).scalar()
            if ids is not None and owner not in ids:
                raise Hidden(HIDDEN)
            if owner is not None:
                return int(owner)
    if ids is not None and len(ids) == 1:
        return int(next(iter(ids)))
    raise ValueError(f"{table.name}: no municipality to file the row in")


@event.listens_for(Engine, "handle_error")
def _refusal_as_itself(context: ExceptionContext) -> BaseException | None:
    """A refusal of parent_municipality's, raised inside a statement, as itself rather than
    wrapped in SQLAlchemy's StatementError: a 404 like a flush's, never a 500."""
    if isinstance(context.original_exception, Hidden):
        return context.original_exception
    return None


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    ids = bound(session)
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Municipal):
            continue
        if obj.__dict__.get("municipality_id") is None and obj in session.new:
            # Else the column default finds it at the INSERT (parent_municipality).
            owner = _in_memory_owner(obj, set(), session)
            if owner is not None:
                obj.municipality_id = owner
        given = obj.__dict__.get("municipality_id")
        if ids is not None and given is not None and given not in ids:
            # A reference into another municipality: as if the record did not exist.
            raise Hidden(HIDDEN)


def _held_parent(state: Any, relationship: Any, session: Session) -> Any:
    """The parent ``relationship`` names by the foreign key ``state`` holds, where the
    session holds that parent already (its identity map), else None."""
    target = relationship.mapper
    pairs = relationship.local_remote_pairs
    if [remote.key for _, remote in pairs] != [column.key for column in target.primary_key]:
        return None  # a key other than the parent's primary key: not in the identity map
    key = [state.dict.get(state.mapper.get_property_by_column(local).key) for local, _ in pairs]
    if None in key:
        return None
    return session.identity_map.get(target.identity_key_from_primary_key(key))

"""Municipalities (#21): whose own record (name, outline, settings) a caller reads and
changes. Part of the access policy (api.access.policy reads it from here); which
municipality's *data* a request sees is api.tenancy's, from the Actor."""

from __future__ import annotations

from dataclasses import dataclass

from api.actor import Actor


def readable_municipality_ids(actor: Actor) -> frozenset[int] | None:
    """The municipalities whose own record (name, outline, settings) the actor reads: a
    platform operator and the system every one (None); a person those they may act in."""
    if actor.is_operator or actor.kind == "system":
        return None
    return frozenset(actor.municipality_ids) | (
        frozenset({actor.municipality_id}) if actor.municipality_id is not None else frozenset()
    )


def managed_municipality_ids(actor: Actor) -> frozenset[int] | None:
    """The municipalities whose settings the actor changes: every one for a platform
    operator (None), the one they administer for an administrator, else none."""
    if actor.is_operator or actor.kind == "system":
        return None
    if actor.is_admin and actor.municipality_id is not None:
        return frozenset({actor.municipality_id})
    return frozenset()


@dataclass(frozen=True)
class AuditScope:
    """The audit events a reader reads: those written in ``municipality_ids`` (None: every
    one), and with ``platform`` the platform's own (written in no municipality: operators'
    sign-ins, municipalities made) and every event about a municipality's own record."""

    municipality_ids: frozenset[int] | None
    platform: bool


def audit_scope(actor: Actor) -> AuditScope:
    """An administrator reads their municipality's log; a platform operator the platform's
    events, never a municipality's reads and writes of its data; the system all."""
    if actor.kind == "system":
        return AuditScope(None, platform=True)
    own = (
        frozenset({actor.municipality_id})
        if actor.is_admin and actor.municipality_id is not None
        else frozenset()
    )
    return AuditScope(own, platform=actor.is_operator)


def may_manage_municipality(actor: Actor, municipality_id: int) -> bool:
    managed = managed_municipality_ids(actor)
    return managed is None or municipality_id in managed


def may_configure_sign_in(actor: Actor, municipality_id: int) -> bool:
    """A municipality's single sign-on (its identity provider, the provider's groups mapped
    to EST groups): its own administrator alone, who knows its directory and its groups."""
    return actor.kind == "user" and actor.is_admin and actor.municipality_id == municipality_id


def may_mark_break_glass(actor: Actor, municipality_id: int) -> bool:
    """Who marks a municipality's administrators break-glass (they keep password sign-in,
    with a second factor, when it is turned off, #22): its own administrator alone, as they
    configure its sign-in; never a platform operator, who reads none of its people."""
    return may_configure_sign_in(actor, municipality_id)


def can_read_police_statistics(actor: Actor, municipality_id: int) -> bool:
    """The police's statistics of reported crime entered for the yearly lägesbild: public
    figures, read by everyone who acts in the municipality."""
    return actor.kind == "user" and actor.municipality_id == municipality_id


def can_write_police_statistics(actor: Actor, municipality_id: int) -> bool:
    """Entered (or imported from Brå) by the municipality's administrators and the conveners
    of the groups that write its yearly lägesbild: the steering and coordination groups."""
    return can_read_police_statistics(actor, municipality_id) and (
        actor.is_admin
        or any(
            g.role == "convener" and g.group_kind in {"steering", "coordination"}
            for g in actor.grants
        )
    )

"""The police area (#21): part of the access policy (api.access.policy reads it from here,
as the rules of an aggregate of its own).

A police area (lokalpolisområde) spans municipalities and has a group of its own (the
Actor's ``police_area_grants``). A platform operator makes it and names its municipalities;
its convener manages its group; each municipality's administrator reads and changes the
municipality's own sharing agreement with it; the group reads every agreement of its police
area and the federated lägesbild, which holds only what the agreements share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from api.actor import Actor
from api.errors import Forbidden

POLICE_AREA_READERS = frozenset({"convener", "member", "viewer"})


def police_area_role(actor: Actor, police_area_id: int) -> str | None:
    if actor.kind != "user":
        return None
    return next((role for pid, role in actor.police_area_grants if pid == police_area_id), None)


def can_manage_police_areas(actor: Actor) -> bool:
    """Make police areas, name them and the municipalities they serve."""
    return actor.is_operator or actor.kind == "system"


def administers(actor: Actor, municipality_id: int) -> bool:
    return actor.kind == "user" and actor.is_admin and actor.municipality_id == municipality_id


def can_read_police_area(
    actor: Actor, police_area_id: int, municipality_ids: Iterable[int]
) -> bool:
    """The police area itself (its name and municipalities): the platform operator, its
    group, and the administrators of the municipalities it serves."""
    return (
        can_manage_police_areas(actor)
        or police_area_role(actor, police_area_id) in POLICE_AREA_READERS
        or any(administers(actor, m) for m in municipality_ids)
    )


@dataclass(frozen=True)
class PoliceAreaScope:
    """``can_read_police_area`` as a list's filter: every police area, or those of these
    ids and those serving this municipality."""

    every: bool
    police_area_ids: frozenset[int]
    administered_municipality_id: int | None


def readable_police_areas(actor: Actor) -> PoliceAreaScope:
    return PoliceAreaScope(
        every=can_manage_police_areas(actor),
        police_area_ids=frozenset(
            pid for pid, role in actor.police_area_grants if role in POLICE_AREA_READERS
        )
        if actor.kind == "user"
        else frozenset(),
        administered_municipality_id=actor.municipality_id
        if actor.municipality_id is not None and administers(actor, actor.municipality_id)
        else None,
    )


def can_read_police_area_situation(actor: Actor, police_area_id: int) -> bool:
    """The federated lägesbild: the police area's group alone."""
    return police_area_role(actor, police_area_id) in POLICE_AREA_READERS


def can_see_police_area_members(
    actor: Actor, police_area_id: int, municipality_ids: Iterable[int]
) -> bool:
    """Who is in the police area's group: the platform operator, the group, and the
    administrators of its municipalities, read-only (they decide what the group receives
    of their municipality: exact points, free text)."""
    return (
        can_manage_police_areas(actor)
        or can_read_police_area_situation(actor, police_area_id)
        or any(administers(actor, m) for m in municipality_ids)
    )


def require_read_police_area_situation(actor: Actor, police_area_id: int) -> None:
    """Asked of someone who may see the police area: an honest refusal, not a 404."""
    if not can_read_police_area_situation(actor, police_area_id):
        raise Forbidden(
            "Bara lokalpolisområdets grupp läser dess lägesbild. Kommunens administratör "
            "bestämmer i delningsavtalet vad gruppen får se."
        )


def can_manage_police_area_members(actor: Actor, police_area_id: int) -> bool:
    """The group's convener; the platform operator names the first one."""
    return can_manage_police_areas(actor) or police_area_role(actor, police_area_id) == "convener"


def can_read_agreement(actor: Actor, police_area_id: int, municipality_id: int) -> bool:
    """An agreement is visible to both sides: the police area's group and the
    municipality's administrator."""
    return can_read_police_area_situation(actor, police_area_id) or administers(
        actor, municipality_id
    )


def require_read_agreement(actor: Actor, police_area_id: int, municipality_id: int) -> None:
    """Asked of someone who may see the police area: an honest refusal, not a 404."""
    if not can_read_agreement(actor, police_area_id, municipality_id):
        raise Forbidden(
            "Ett delningsavtal läser bara kommunens administratörer och lokalpolisområdets grupp."
        )


def can_edit_agreement(actor: Actor, municipality_id: int) -> bool:
    """What a municipality shares is its own administrator's decision."""
    return administers(actor, municipality_id)


def require_edit_agreement(actor: Actor, municipality_id: int) -> None:
    if not can_edit_agreement(actor, municipality_id):
        raise Forbidden("Bara kommunens administratörer ändrar vad kommunen delar.")


def reads_police_areas(actor: Actor) -> bool:
    """Whether some police area may be the caller's to read (the menu)."""
    return actor.kind == "user" and (
        actor.is_operator or actor.is_admin or bool(actor.police_area_grants)
    )


def police_area_rights(
    actor: Actor, police_area_id: int, municipality_ids: Iterable[int]
) -> dict[str, object]:
    return {
        "may_read_situation": can_read_police_area_situation(actor, police_area_id),
        "may_manage_members": can_manage_police_area_members(actor, police_area_id),
        "may_manage": can_manage_police_areas(actor),
        "edits_agreements_of": [m for m in municipality_ids if can_edit_agreement(actor, m)],
    }

"""SCIM provisioning (#22): which accounts a municipality's directory reads and changes.
Part of the access policy (api.access.policy reads it from here)."""

from __future__ import annotations

from dataclasses import dataclass

from api.actor import Actor


@dataclass(frozen=True)
class ProvisioningScope:
    """The accounts a SCIM token reads, changes and deactivates: those whose home is
    ``municipality_id`` (None: none at all). Administrators and platform operators are
    never the directory's, so that the break-glass administrator stays whatever the
    directory does (README "Provisioning with SCIM")."""

    municipality_id: int | None
    administrators: bool = False


def provisioning_scope(actor: Actor) -> ProvisioningScope:
    if actor.kind != "scim" or actor.municipality_id is None:
        return ProvisioningScope(None)
    return ProvisioningScope(actor.municipality_id)


def may_provision(
    actor: Actor, *, municipality_id: int | None, is_admin: bool, operator: bool
) -> bool:
    """Whether the SCIM token may read and change this one account."""
    scope = provisioning_scope(actor)
    if scope.municipality_id is None or municipality_id != scope.municipality_id:
        return False
    return scope.administrators or not (is_admin or operator)

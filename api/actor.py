"""Who is asking. Every service takes an ``actor``; ``api.deps.authenticate`` fills it in
from a bearer token. The access rules (``api.access.policy``) read only this, never how the
actor signed in, so a single sign-on (OpenID Connect) can later build the same Actor from an
ID token without a change to the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Grant:
    """A membership as the rules need it: the group, where it works, and the role."""

    group_id: int
    group_kind: str  # steering, coordination, area
    area_id: int | None
    role: str  # convener, member, reporter, viewer
    municipality_id: int | None = None


@dataclass(frozen=True)
class Actor:
    # "pending": a person half signed in (the password right, the second factor to come),
    # who reaches only the routes that complete the sign-in (policy.Rule.SECOND_FACTOR).
    # "scim": a municipality's directory provisioning accounts (api.scim), nothing else.
    kind: Literal["anonymous", "user", "service", "system", "pending", "scim"]
    user_id: int | None = None
    label: str = ""
    organisation_id: int | None = None
    # The municipality this request acts in (#21): the person's home one, or another where
    # they hold a grant, as the request chose (api.deps.MUNICIPALITY_HEADER). The grants
    # and ``is_admin`` are those in it alone; every record read or written is of it.
    municipality_id: int | None = None
    # Every municipality the person may act in (home first), for the choice in the menu.
    municipality_ids: tuple[int, ...] = field(default=())
    # Administrator of ``municipality_id``.
    is_admin: bool = False
    # Manages municipalities (create, name, outline, settings) and reads no municipal data.
    is_operator: bool = False
    grants: tuple[Grant, ...] = field(default=())
    # The person's police areas (#21), whatever municipality they act in: (police area id,
    # role: convener, member, viewer).
    police_area_grants: tuple[tuple[int, str], ...] = field(default=())
    # The person's grants in their other municipalities: read only where a point lies across
    # the boundary, in one of them (policy.files_in, #21).
    elsewhere: tuple[Grant, ...] = field(default=())
    # A service token's source ("embrace") and id; a user session's id.
    source: str | None = None
    token_id: int | None = None
    # Where the request came from, for the audit log and the sign-in throttle.
    address: str | None = None
    # A bearer token was sent but is unknown, expired or revoked.
    token_rejected: bool = False
    # The person signed in with a password someone else set (a temporary one): they reach
    # only the routes that change it (policy.PASSWORD_CHANGE_ROUTES).
    password_change_required: bool = False


ANONYMOUS = Actor("anonymous", label="anonym")
# The command line (migrate, seed, token create) acts as the system itself.
SYSTEM = Actor("system", label="system", is_admin=True)

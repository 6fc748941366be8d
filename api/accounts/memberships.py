"""Memberships: who is in a group, with which role (beside api.accounts.service)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.access import policy
from api.accounts import schemas
from api.accounts.models import Membership, User
from api.accounts.schemas import Role
from api.actor import Actor
from api.errors import Conflict, FieldError, Forbidden, Invalid
from api.resources import get_record
from api.structure.models import Group
from api.structure.service import GROUPS

# Memberships --------------------------------------------------------------------------------


def _group_for_members(session: Session, group_id: int, actor: Actor, *, manage: bool) -> Group:
    group = get_record(session, GROUPS, group_id, actor=actor)
    if not policy.can_see_members(actor, group_id) and not manage:
        raise Forbidden("Bara gruppens medlemmar ser vilka som ingår i den.")
    if manage and not policy.can_manage_members(actor, group_id):
        raise Forbidden("Bara gruppens sammankallande och administratörer ändrar medlemmarna.")
    return group


def list_memberships(
    session: Session, group_id: int, query: schemas.MembershipFilter, *, actor: Actor
) -> list[Membership]:
    _group_for_members(session, group_id, actor, manage=False)
    stmt = select(Membership).join(User).where(Membership.group_id == group_id)
    if query.role is not None:
        stmt = stmt.where(Membership.role == query.role)
    return list(session.scalars(stmt.order_by(func.lower(User.name), Membership.id)))


def put_membership(
    session: Session, group_id: int, user_id: int, data: schemas.MembershipPut, *, actor: Actor
) -> tuple[Membership, bool]:
    """The membership with the role; True when it is new."""
    group = _group_for_members(session, group_id, actor, manage=True)
    if not group.active:
        raise Conflict(f"{group.name} är avaktiverad.", code="inactive")
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Invalid(
            f"Det finns ingen aktiv användare med id {user_id}.",
            errors=[FieldError("user_id", "Okänd användare.", "unknown_id", "path")],
            code="unknown_id",
        )
    membership = session.scalar(
        select(Membership).where(Membership.group_id == group_id, Membership.user_id == user_id)
    )
    created = membership is None
    if membership is None:
        membership = Membership(group_id=group_id, user_id=user_id, role=data.role)
        session.add(membership)
    else:
        membership.role = data.role
    session.flush()
    return membership, created


def remove_membership(session: Session, group_id: int, user_id: int, *, actor: Actor) -> None:
    _group_for_members(session, group_id, actor, manage=True)
    membership = session.scalar(
        select(Membership).where(Membership.group_id == group_id, Membership.user_id == user_id)
    )
    if membership is not None:
        session.delete(membership)
        session.flush()


def bring_given(
    session: Session,
    user: User,
    municipality_id: int,
    wanted: Mapping[int, Role],
    *,
    by: Literal["sso", "scim"],
) -> None:
    """Bring the memberships an identity provider's sign-in (``sso``) or the directory
    (``scim``) gave ``user`` in the municipality to ``wanted`` (group id → role): added,
    changed, and removed where they gave one and want it no more. A membership an
    administrator gave is never changed; the directory takes over one a sign-in gave, a
    sign-in leaves the directory's alone."""
    left = dict(wanted)
    flag = f"from_{by}"
    for membership in list(user.memberships):
        if membership.municipality_id != municipality_id:
            continue
        role = left.pop(membership.group_id, None)
        given = getattr(membership, flag) or (by == "scim" and membership.from_sso)
        if not given:
            continue
        if role is None:
            if getattr(membership, flag):
                session.delete(membership)
        else:
            membership.role = role
            membership.from_sso, membership.from_scim = by == "sso", by == "scim"
    for group_id, role in left.items():
        session.add(
            Membership(
                user_id=user.id,
                group_id=group_id,
                role=role,
                from_sso=by == "sso",
                from_scim=by == "scim",
                municipality_id=municipality_id,
            )
        )
    session.flush()
    session.expire(user, ["memberships"])

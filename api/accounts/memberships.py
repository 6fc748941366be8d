"""Memberships: who is in a group, with which role (beside api.accounts.service)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.access import policy
from api.accounts import schemas
from api.accounts.models import Membership, User
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

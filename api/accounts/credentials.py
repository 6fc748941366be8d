"""A person's password (#21 trial): the one place one is set, whoever sets it, and what
makes it temporary; the person's own change, which ends a temporary one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from api.accounts import schemas
from api.accounts.models import AuthSession, User
from api.accounts.passwords import hash_password, verify_password, weakness
from api.accounts.throttle import as_utc
from api.actor import Actor
from api.errors import Forbidden, Invalid
from api.localtime import utcnow
from api.settings import Settings


def signed_in_user(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise Forbidden("Bara en inloggad person har ett konto.")
    return user


def change_password(session: Session, data: schemas.PasswordChange, *, actor: Actor) -> None:
    """The person's own new password; it ends a temporary one (set_password)."""
    user = signed_in_user(session, actor)
    if not verify_password(user.password_hash, data.current_password):
        raise Invalid.field("current_password", "Nuvarande lösenord stämmer inte.", "wrong")
    if data.new_password == data.current_password:
        raise Invalid.field(
            "new_password",
            "Välj ett annat lösenord än det du har nu."
            if not user.password_temporary
            else "Välj ett eget lösenord, inte det tillfälliga du fick.",
            "same_password",
        )
    set_password(user, data.new_password, "new_password", actor=actor)
    # Every other session ends; this one goes on.
    session.execute(
        update(AuthSession)
        .where(
            AuthSession.user_id == user.id,
            AuthSession.id != actor.token_id,
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


def set_password(user: User, password: str, field: str, *, actor: Actor) -> None:
    """The one place a password is set. Set by anyone but the person themselves (an
    administrator, a platform operator, the command line) it is temporary: the person must
    choose their own before they reach anything else (api.deps.authorize), and an unused
    one expires (temporary_expired)."""
    problem = weakness(password, personal=(user.name, user.email))
    if problem:
        raise Invalid.field(field, problem, "weak_password")
    user.password_hash = hash_password(password)
    # A new account has no id yet: whoever makes it is someone else.
    user.password_temporary = user.id is None or actor.user_id != user.id
    user.password_set_at = utcnow()


def temporary_expired(user: User, settings: Settings) -> bool:
    """Whether a temporary password has gone unused too long (EST_TEMPORARY_PASSWORD_DAYS)."""
    days = settings.temporary_password_days
    if not user.password_temporary or days == 0 or user.password_set_at is None:
        return False
    return utcnow() - as_utc(user.password_set_at) >= dt.timedelta(days=days)

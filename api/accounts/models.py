from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from api.accounts.schemas import Role
from api.db import Base, text_enum
from api.localtime import utcnow
from api.records import ActiveMixin, TimestampMixin
from api.structure.models import Group, Organisation
from api.tenancy import Municipal


def email_key(email: str) -> str:
    # Sign-in compares this, so that "Anna@Kommun.se " and "anna@kommun.se" are one account.
    return email.strip().casefold()


class User(ActiveMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("email_key"),
        # An administrator of the system may stand outside the EST organisations (the
        # municipality's IT); everyone else acts for an organisation.
        # A platform operator (#21) and an administrator need not represent an organisation.
        CheckConstraint(
            "is_admin OR is_operator OR organisation_id IS NOT NULL", name="organisation"
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Administrator of their home municipality (``municipality_id``) alone (#21).
    is_admin: Mapped[bool] = mapped_column(default=False)
    # Where the person works: their organisation's municipality, or the one they administer.
    # None for a platform operator alone, who manages municipalities and reads none.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    is_operator: Mapped[bool] = mapped_column(default=False, server_default=false())
    # None for an account that signs in elsewhere only (single sign-on, later).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # Set by someone other than the person (an administrator, an operator, the command
    # line): until they choose their own, they reach nothing but that (api.deps.authorize).
    password_temporary: Mapped[bool] = mapped_column(default=False, server_default=false())
    # When the password was set: an unused temporary one expires
    # (EST_TEMPORARY_PASSWORD_DAYS).
    password_set_at: Mapped[dt.datetime | None]
    # An e-mail when feedback is recorded on something the person reported (#18); their own
    # choice (PATCH /auth/me), on unless they turn it off.
    feedback_email: Mapped[bool] = mapped_column(default=True, server_default=true())
    # A break-glass administrator keeps password sign-in (with a second factor) where their
    # municipality turned it off (api.accounts.password_sign_in).
    break_glass: Mapped[bool] = mapped_column(default=False, server_default=false())

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", lazy="selectin", order_by="Membership.id"
    )

    @validates("email")
    def _set_email_key(self, _key: str, value: str) -> str:
        self.email_key = email_key(value)
        return value


class Membership(Municipal, TimestampMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "group_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    role: Mapped[Role] = mapped_column(text_enum(Role, "membership_role"))
    # Given by the identity provider's group claims (api.sso): a sign-in changes and removes
    # these, and leaves the memberships an administrator gave alone.
    from_sso: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Given by a directory group through SCIM provisioning (api.scim): only SCIM changes and
    # removes these; a sign-in leaves them alone.
    from_scim: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped[User] = relationship(back_populates="memberships")
    group: Mapped[Group] = relationship(lazy="joined")

    @property
    def from_identity_provider(self) -> bool:
        """As the API answers it (schemas.GroupGrant, schemas.MembershipRead)."""
        return self.from_sso


class AuthSession(Base):
    """A signed-in session: the bearer token's hash, never the token."""

    __tablename__ = "auth_sessions"
    __table_args__ = ({"sqlite_autoincrement": True},)
    __audit__ = False  # sign-in and sign-out are audited as such

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The absolute end, however active the session is.
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    address: Mapped[str | None] = mapped_column(String(64))
    # Half a sign-in: the password was right, the second factor is still to come. Such a
    # session reaches only the routes that complete it (policy.Rule.SECOND_FACTOR).
    pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    # How it began: "password", or the identity provider's protocol ("oidc"); None before
    # this was kept (taken as a password). An identity provider's session is not held to a
    # temporary password: the provider vouched for the person.
    via: Mapped[str | None] = mapped_column(String(16))

    user: Mapped[User] = relationship(lazy="joined")


class ServiceToken(Base):
    """A token for an integration: one organisation, one source, shown once."""

    __tablename__ = "service_tokens"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class SignInFailure(Base):
    """One failed sign-in, kept for the throttle's window. ``account`` is a keyed hash of the
    e-mail address typed, so made-up accounts are counted like real ones."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_at", "at"), {"sqlite_autoincrement": True})
    __audit__ = False  # the failure itself is audited as a failed sign-in

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    account: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


class TotpFactor(Base):
    """A person's second factor: a TOTP secret (RFC 6238). Without ``confirmed_at`` it is an
    enrolment under way, which counts for nothing until a code from it is confirmed."""

    __tablename__ = "totp_factors"
    __table_args__ = ({"sqlite_autoincrement": True},)
    # Enrolment, reset and failed codes are audited as such; last_step moves at every sign-in.
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    # Sealed (api.accounts.totp.seal); never answered after the enrolment.
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[dt.datetime | None]
    # The time step of the last code taken: a code is never taken twice (replay).
    last_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(Base):
    """A single-use code for a lost phone: ``selector`` finds the row, the rest of the code is
    checked against ``code_hash`` (argon2, like a password)."""

    __tablename__ = "recovery_codes"
    __table_args__ = (
        UniqueConstraint("user_id", "selector"),
        {"sqlite_autoincrement": True},
    )
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    selector: Mapped[str] = mapped_column(String(8))
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[dt.datetime | None]

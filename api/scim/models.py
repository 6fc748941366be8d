"""What SCIM provisioning keeps beside the accounts (api.accounts): the municipality's SCIM
tokens, which accounts the directory made or took over (with its own id for them), and the
directory's groups with their members. Every table holds one municipality's rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.accounts.models import User
from api.db import Base
from api.localtime import utcnow
from api.records import TimestampMixin
from api.structure.models import Organisation
from api.tenancy import Municipal


class ScimToken(Municipal, Base):
    """The bearer token a municipality's directory (Entra ID's provisioning) sends: its
    hash, never the token, which is shown once. It reaches the SCIM routes of its own
    municipality and nothing else; a new account goes to ``organisation``."""

    __tablename__ = "scim_tokens"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class ScimUser(Municipal, Base):
    """An account the directory made or took over (found by its ``userName``), with the
    directory's own id for the person (``externalId``: Entra ID's mailNickname or object id).
    ``deleted_at``: the directory deleted it; the account is kept, deactivated, and is no
    longer the directory's to read, until it provisions the same person again."""

    __tablename__ = "scim_users"
    __table_args__ = (UniqueConstraint("user_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    external_id: Mapped[str | None] = mapped_column(String(300), index=True)
    # The names and the work address as the directory sent them (the account's name is
    # made of them: api.scim.service.account_name).
    display_name: Mapped[str | None] = mapped_column(String(200))
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    work_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class ScimGroup(Municipal, TimestampMixin, Base):
    """A directory group. Its ``externalId`` (Entra ID: the group's object id, the value of
    the ``groups`` claim) or else its ``displayName`` is looked up among the group mappings
    of single sign-on (api.sso OidcGroupMapping): its members get those EST memberships."""

    __tablename__ = "scim_groups"
    __table_args__ = (
        UniqueConstraint("municipality_id", "display_name"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(256))
    external_id: Mapped[str | None] = mapped_column(String(300))

    members: Mapped[list[ScimGroupMember]] = relationship(
        back_populates="group", lazy="selectin", cascade="all, delete-orphan"
    )


class ScimGroupMember(Municipal, Base):
    __tablename__ = "scim_group_members"
    __table_args__ = (UniqueConstraint("group_id", "user_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("scim_groups.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    group: Mapped[ScimGroup] = relationship(back_populates="members")

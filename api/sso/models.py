from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.accounts.schemas import Role
from api.db import Base, text_enum
from api.localtime import utcnow
from api.records import TimestampMixin
from api.structure.models import Group
from api.tenancy import Municipal


class SignInProvider:
    """What every kind of identity provider has: turned on or off, and just-in-time accounts
    (api.sso.people), whatever the protocol."""

    # Offered on the sign-in page only when on.
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Just-in-time accounts: a person the provider vouches for and EST does not know gets an
    # account in this organisation. Off unless the administrator turns it on.
    provision_accounts: Mapped[bool] = mapped_column(default=False, server_default=false())
    provision_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))


class OidcProvider(SignInProvider, Municipal, TimestampMixin, Base):
    """A municipality's OpenID Connect identity provider (Entra ID or another): one at most
    per municipality. The client secret is kept sealed (api.sealing) and never answered."""

    __tablename__ = "oidc_providers"
    __table_args__ = (UniqueConstraint("municipality_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret: Mapped[str] = mapped_column(String(1000))


class SamlProvider(SignInProvider, Municipal, TimestampMixin, Base):
    """A municipality's SAML 2.0 identity provider (a Sambi member's IdP, Entra ID as a SAML
    app): one at most per municipality. EST is its service provider with a key pair of its
    own, made when the provider is first saved; the private key is kept sealed."""

    __tablename__ = "saml_providers"
    __table_args__ = (UniqueConstraint("municipality_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    idp_entity_id: Mapped[str] = mapped_column(String(500))
    # Where AuthnRequests go (the HTTP-Redirect binding).
    idp_sso_url: Mapped[str] = mapped_column(String(1000))
    # The IdP's signing certificates (base64 DER): more than one while it rolls its key over.
    idp_certificates: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Where the IdP's metadata was read from, when it was.
    metadata_url: Mapped[str | None] = mapped_column(String(1000))
    # The attributes' names to read, each the first of its list that the IdP sends.
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sp_private_key: Mapped[str] = mapped_column(Text)
    sp_certificate: Mapped[str] = mapped_column(Text)


class SamlUsedAssertion(Municipal, Base):
    """An assertion that signed someone in, kept until it expires so that it cannot be
    posted again (a replayed response)."""

    __tablename__ = "saml_used_assertions"
    __table_args__ = (UniqueConstraint("assertion_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    assertion_id: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class OidcIdentity(Municipal, Base):
    """Who a person is at an identity provider: its issuer (an OpenID issuer, or a SAML
    IdP's entity id) and the subject it names them by (Entra ID: the tenant and the object id,
    ``tid/oid``), linked at the first sign-in."""

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[dt.datetime | None]


class OidcGroupMapping(Municipal, TimestampMixin, Base):
    """A value of the provider's groups (OpenID Connect's ``groups`` claim, a SAML groups
    attribute; an Entra ID group's object id) that gives membership of an EST group with a
    role, at each sign-in, whichever protocol the person signs in by."""

    __tablename__ = "oidc_group_mappings"
    __table_args__ = (
        UniqueConstraint("municipality_id", "claim_value", "group_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_value: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    role: Mapped[Role] = mapped_column(text_enum(Role, "oidc_mapping_role"))

    group: Mapped[Group] = relationship(lazy="joined")

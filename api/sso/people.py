"""Who signs in through an identity provider, whichever the protocol (api.sso.service for
OpenID Connect, api.sso.saml for SAML 2.0): the account the provider names, linked at the
first sign-in, or made just in time where the administrator allows it; the memberships the
provider's groups give; and the end of it all, a session or a refusal in the audit log."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts import memberships
from api.accounts import service as account_service
from api.accounts.models import User
from api.accounts.models import email_key as make_email_key
from api.accounts.schemas import Role
from api.actor import Actor
from api.audit import service as audit
from api.errors import DomainError, Forbidden
from api.localtime import utcnow
from api.settings import Settings
from api.sso.models import OidcGroupMapping, OidcIdentity, OidcProvider, SamlProvider

# Where several mappings give one group, the strongest role wins.
_ROLE_STRENGTH = {Role.viewer: 0, Role.reporter: 1, Role.member: 2, Role.convener: 3}


@dataclass(frozen=True)
class Vouched:
    """What an identity provider vouches for, once its answer is checked: who the person is
    there (``issuer`` and ``subject``), the e-mail address to find their account by, their
    name, and their groups (None: the provider did not say, and memberships stay)."""

    issuer: str
    subject: str
    login: str
    name: str
    groups: Sequence[str] | None


Provider = OidcProvider | SamlProvider


# Who the person is ----------------------------------------------------------------------------


def subject_of(claims: dict[str, Any]) -> str:
    """The provider's name for the person: Entra ID's tenant and object id where it sends
    them (the same in every application of the tenant), else ``sub``."""
    tid, oid = claims.get("tid"), claims.get("oid")
    if isinstance(tid, str) and isinstance(oid, str) and tid and oid:
        return f"{tid}/{oid}"
    return str(claims["sub"])


def login_name(claims: dict[str, Any]) -> str:
    """The e-mail address the provider vouches for: a verified ``email``, else
    ``preferred_username`` where it is an address (Entra ID's user principal name)."""
    email = claims.get("email")
    if isinstance(email, str) and "@" in email and claims.get("email_verified") is True:
        return email.strip()[:254]
    username = claims.get("preferred_username")
    if isinstance(username, str) and "@" in username:
        return username.strip()[:254]
    return ""


def oidc_vouched(claims: dict[str, Any], groups: Sequence[str] | None) -> Vouched:
    """What an OpenID provider's checked ID token vouches for, with the person's ``groups``
    as read from it or from the endpoint it names (api.sso.groups: None where Entra ID left
    them out and they could not be read, so memberships stay)."""
    name = claims.get("name")
    return Vouched(
        issuer=str(claims["iss"]),
        subject=subject_of(claims),
        login=login_name(claims),
        name=name if isinstance(name, str) else "",
        groups=groups,
    )


def refused(
    session: Session,
    error: DomainError,
    *,
    via: str,
    municipality_id: int | None,
    label: str = "",
) -> DomainError:
    """A refused sign-in, in the audit log (``detail``: the protocol and the reason)."""
    audit.record(
        session,
        action="sign_in",
        outcome="failed",
        label=label,
        status=error.status,
        detail=f"{via}: {error.code}",
        municipality_id=municipality_id,
    )
    return error


def sign_in(
    session: Session,
    provider: Provider,
    vouched: Vouched,
    *,
    via: str,
    actor: Actor,
    settings: Settings,
) -> account_service.SignedIn | DomainError:
    """The person the provider vouched for, their groups brought up to date, and a session
    as after a password sign-in; or the refusal, in the audit log."""
    municipality_id = provider.municipality_id
    user = person(session, provider, vouched)
    if isinstance(user, DomainError):
        return refused(session, user, via=via, municipality_id=municipality_id, label=vouched.login)
    if vouched.groups is not None:
        apply_groups(session, user, municipality_id, vouched.groups)
    return account_service.begin_session(session, user, actor=actor, settings=settings, via=via)


def person(session: Session, provider: Provider, vouched: Vouched) -> User | DomainError:
    municipality_id = provider.municipality_id
    issuer, subject = vouched.issuer, vouched.subject
    identity = session.scalar(
        select(OidcIdentity).where(OidcIdentity.issuer == issuer, OidcIdentity.subject == subject)
    )
    if identity is not None:
        user = session.get(User, identity.user_id)
        if user is None or not user.active or user.municipality_id != municipality_id:
            return Forbidden(
                "Ditt konto i EST Lägesbild är avstängt. Kontakta kommunens EST-administratör.",
                code="sso_account_inactive",
            )
        identity.last_sign_in_at = utcnow()
        return user
    login = vouched.login
    user = (
        session.scalar(select(User).where(User.email_key == make_email_key(login)))
        if login
        else None
    )
    if user is not None and (not user.active or user.municipality_id != municipality_id):
        return Forbidden(
            "Ditt konto i EST Lägesbild är avstängt eller hör till en annan kommun. Kontakta "
            "kommunens EST-administratör.",
            code="sso_account_inactive",
        )
    if user is None and provider.provision_accounts and login:
        user = _provision(session, provider, vouched)
    if user is None:
        return Forbidden(
            "Du är inloggad hos kommunen, men har inget konto i EST Lägesbild. Be kommunens "
            "EST-administratör lägga upp ett konto med din e-postadress"
            + (f" ({login})." if login else "."),
            code="sso_unknown_account",
        )
    linked = session.scalar(
        select(OidcIdentity.id).where(
            OidcIdentity.issuer == issuer, OidcIdentity.user_id == user.id
        )
    )
    if linked is not None:
        # The account is someone else's at this provider: an address reused or renamed.
        return Forbidden(
            "Kontot med din e-postadress är redan kopplat till en annan person hos kommunens "
            "inloggningstjänst. Kontakta kommunens EST-administratör.",
            code="sso_account_linked",
        )
    session.add(
        OidcIdentity(
            municipality_id=municipality_id,
            user_id=user.id,
            issuer=issuer,
            subject=subject,
            last_sign_in_at=utcnow(),
        )
    )
    session.flush()
    return user


def _provision(session: Session, provider: Provider, vouched: Vouched) -> User:
    user = User(
        name=(vouched.name.strip() or vouched.login)[:200],
        email=vouched.login,
        organisation_id=provider.provision_organisation_id,
        municipality_id=provider.municipality_id,
        password_hash=None,
    )
    session.add(user)
    session.flush()
    return user


def wanted_of(mappings: Iterable[OidcGroupMapping], claims: Collection[str]) -> dict[int, Role]:
    """The EST memberships the administrator's mappings give for these claim values (group
    id → role); where several give one group, the strongest role."""
    wanted: dict[int, Role] = {}
    for mapping in mappings:
        if mapping.claim_value in claims and mapping.group.active:
            best = wanted.get(mapping.group_id)
            if best is None or _ROLE_STRENGTH[mapping.role] > _ROLE_STRENGTH[best]:
                wanted[mapping.group_id] = mapping.role
    return wanted


def apply_groups(session: Session, user: User, municipality_id: int, groups: Iterable[str]) -> None:
    """The memberships the administrator's mappings give for these claim values: added,
    changed and removed where a mapping gave them; an administrator's own left alone."""
    mappings = session.scalars(
        select(OidcGroupMapping).where(OidcGroupMapping.municipality_id == municipality_id)
    )
    memberships.bring_given(
        session, user, municipality_id, wanted_of(mappings, set(groups)), by="sso"
    )

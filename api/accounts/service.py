"""Accounts: sign-in and sessions, users and their memberships, service tokens.

Tokens are opaque random strings; only their SHA-256 is stored (they carry 256 bits of
randomness, so a fast hash is enough, unlike a password). The prefix tells a user's session
token (``estu_``) from a service token (``ests_``), for secret scanners and for the lookup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session, object_session

from api.access import capabilities, policy
from api.accounts import schemas
from api.accounts import slots as account_slots
from api.accounts.closing import MunicipalityClosed, closed_municipalities
from api.accounts.closing import municipality_closed as municipality_closed
from api.accounts.credentials import change_password as change_password
from api.accounts.credentials import set_password as set_password
from api.accounts.credentials import signed_in_user, temporary_expired
from api.accounts.models import (
    AuthSession,
    Membership,
    ServiceToken,
    User,
)
from api.accounts.models import email_key as make_email_key
from api.accounts.password_sign_in import PASSWORD as PASSWORD
from api.accounts.password_sign_in import has_second_factor as has_second_factor
from api.accounts.password_sign_in import keep_a_way_in
from api.accounts.password_sign_in import refusal as password_refusal
from api.accounts.passwords import hash_password, needs_rehash, verify_password
from api.accounts.throttle import account_key, as_utc, count_failure, forget_failures, throttle
from api.actor import Actor, Grant
from api.audit import service as audit
from api.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    Invalid,
    NotAuthenticated,
)
from api.localtime import utcnow
from api.records import apply, changes
from api.resources import Resource, get_record, name_contains, reference
from api.settings import Settings
from api.structure.models import Organisation
from api.structure.service import ORGANISATIONS, municipality_refs

USER_PREFIX = "estu_"
SERVICE_PREFIX = "ests_"
# last_used_at is written at most this often, not on every request.
TOUCH_EVERY = dt.timedelta(seconds=60)
WRONG_CREDENTIALS = "Fel e-postadress eller lösenord."


def new_token(prefix: str) -> tuple[str, str]:
    token = prefix + secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Who a token belongs to ---------------------------------------------------------------------


def actor_for(
    user: User,
    *,
    session_id: int | None,
    address: str | None,
    municipality_id: int | None = None,
    vouched: bool = False,
) -> Actor:
    """The person acting in ``municipality_id`` (their home municipality when None) with
    their grants there; a municipality where they hold no grant is refused. ``vouched``: an
    identity provider signed them in (vouched_for), so a temporary password does not hold
    them up."""
    grants = [
        Grant(m.group_id, m.group.kind.value, m.group.area_id, m.role.value, m.municipality_id)
        for m in user.memberships
        if m.group.active
    ]
    session = object_session(user)
    # A deactivated municipality is no one's to act in (README "Deactivating a
    # municipality"): not its administrator's, not its people's.
    closed = set() if session is None else closed_municipalities(session)
    home = user.municipality_id if user.municipality_id not in closed else None
    others = sorted(
        {g.municipality_id for g in grants if g.municipality_id is not None}
        - {home, user.municipality_id}
        - closed
    )
    allowed = ([home] if home is not None else []) + others
    if municipality_id is not None and municipality_id in closed:
        raise MunicipalityClosed(nowhere=not allowed and not user.is_operator)
    if not allowed and user.municipality_id is not None and not user.is_operator:
        raise MunicipalityClosed(nowhere=True)
    chosen = (allowed[0] if allowed else None) if municipality_id is None else municipality_id
    if chosen is not None and chosen not in allowed:
        raise NotMember()
    police_areas = () if session is None else account_slots.police_area_grants(session, user.id)
    return Actor(
        "user",
        user_id=user.id,
        label=user.email,
        organisation_id=user.organisation_id,
        municipality_id=chosen,
        municipality_ids=tuple(i for i in allowed if i is not None),
        is_admin=user.is_admin and chosen is not None and chosen == home,
        is_operator=user.is_operator,
        grants=tuple(g for g in grants if g.municipality_id == chosen),
        police_area_grants=police_areas,
        elsewhere=tuple(g for g in grants if g.municipality_id != chosen),
        token_id=session_id,
        address=address,
        password_change_required=user.password_temporary and not vouched,
    )


def vouched_for(auth: AuthSession) -> bool:
    """Whether an identity provider began the session (not a password)."""
    return auth.via not in (None, PASSWORD)


class NotMember(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Du har ingen roll i den kommunen: välj en av dina kommuner.",
            code="not_in_municipality",
        )


@dataclass(frozen=True)
class Resolved:
    actor: Actor
    # The session's row to touch (last_used_at), when it has not been touched for a while.
    touch: tuple[type[Any], int] | None


def resolve_token(
    session: Session,
    token: str,
    *,
    settings: Settings,
    address: str | None,
    municipality_id: int | None = None,
) -> Resolved | None:
    """The actor a bearer token stands for; None when it is unknown, expired or revoked."""
    now = utcnow()
    digest = token_hash(token)
    if token.startswith(USER_PREFIX):
        auth = session.scalar(select(AuthSession).where(AuthSession.token_hash == digest))
        if auth is None or auth.revoked_at is not None or not auth.user.active:
            return None
        idle = dt.timedelta(minutes=settings.session_idle_minutes)
        last_used = as_utc(auth.last_used_at)
        if now >= as_utc(auth.expires_at) or now - last_used >= idle:
            return None
        stale = now - last_used >= TOUCH_EVERY
        try:
            actor = actor_for(
                auth.user,
                session_id=auth.id,
                address=address,
                municipality_id=municipality_id,
                vouched=vouched_for(auth),
            )
        except MunicipalityClosed as closed:
            if closed.nowhere:
                return None  # the session has ended (municipality_closed ends it for good)
            raise
        if second_factor_stage(session, actor, pending=auth.pending) is not None:
            actor = half(actor)
        return Resolved(actor, (AuthSession, auth.id) if stale else None)
    if token.startswith(SERVICE_PREFIX):
        service = session.scalar(select(ServiceToken).where(ServiceToken.token_hash == digest))
        if service is None or service.revoked_at is not None:
            return None
        if now >= as_utc(service.expires_at) or not service.organisation.active:
            return None
        if service.organisation.municipality_id in closed_municipalities(session):
            return None
        last = service.last_used_at
        actor = Actor(
            "service",
            label=f"tjänstetoken {service.id} ({service.source})",
            organisation_id=service.organisation_id,
            municipality_id=service.organisation.municipality_id,
            municipality_ids=(service.organisation.municipality_id,),
            source=service.source,
            token_id=service.id,
            address=address,
        )
        stale = last is None or now - as_utc(last) >= TOUCH_EVERY
        return Resolved(actor, (ServiceToken, service.id) if stale else None)
    directory = account_slots.scim_token(session, token, address)
    return None if directory is None else Resolved(*directory)


def second_factor_stage(
    session: Session, actor: Actor, *, pending: bool
) -> schemas.SecondFactorStage | None:
    """What a session of ``actor`` (the person as a whole sign-in makes them) still needs:
    ``verify`` when it is half a sign-in and the person has a second factor, ``enrol`` when
    their role requires one (policy.requires_second_factor) and they have none. Read at
    every request, so a person who must enrol (newly an administrator, or reset) reaches
    nothing else, whatever session they held before."""
    required = policy.requires_second_factor(actor)
    if not pending and not required:
        return None
    if actor.user_id is not None and has_second_factor(session, actor.user_id):
        return "verify" if pending else None
    return "enrol" if required else None


def half(actor: Actor) -> Actor:
    """A person half signed in: who they are, and none of their rights."""
    return Actor(
        "pending",
        user_id=actor.user_id,
        label=actor.label,
        municipality_id=actor.municipality_id,
        token_id=actor.token_id,
        address=actor.address,
    )


def touch(session: Session, model: type[Any], ident: int) -> None:
    session.execute(update(model).where(model.id == ident).values(last_used_at=utcnow()))


# Sign-in ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    token: str
    auth: AuthSession
    # A half session's stage (second_factor_stage); None for a whole one.
    stage: schemas.SecondFactorStage | None = None


def sign_in(
    session: Session, email: str, password: str, *, actor: Actor, settings: Settings
) -> SignedIn | DomainError:
    """A new session for the right e-mail and password (begin_session). A failure is
    returned, not raised, so that the request's transaction keeps its record (throttle,
    audit log).

    The answer is the same for an unknown account, a wrong password and a disabled account,
    and takes the same time (one argon2 verification each)."""
    account = account_key(email, settings.secret_key.get_secret_value())
    refused = throttle(session, account, actor=actor, settings=settings)
    if refused is not None:
        return refused
    user = session.scalar(select(User).where(User.email_key == make_email_key(email)))
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.active or temporary_expired(user, settings):
        count_failure(session, account, actor=actor, settings=settings)
        audit.record(
            session,
            action="sign_in",
            outcome="failed",
            user_id=user.id if user else None,
            label=user.email if user else "",
            status=401,
            # The person's municipality reads it; an unknown account's, the platform.
            municipality_id=user.municipality_id if user else None,
        )
        return NotAuthenticated(WRONG_CREDENTIALS, code="wrong_credentials")
    assert user.password_hash is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    refused_here = password_refusal(session, user)
    if refused_here is not None:
        return refused_here  # the right password, where it is turned off: not a failure
    signed_in = begin_session(session, user, actor=actor, settings=settings)
    if isinstance(signed_in, SignedIn) and signed_in.stage is None:
        # A half sign-in leaves the failures counted: the codes are throttled with them.
        forget_failures(session, account)
    return signed_in


def begin_session(
    session: Session, user: User, *, actor: Actor, settings: Settings, via: str | None = None
) -> SignedIn | MunicipalityClosed:
    """The session of a sign-in that succeeded (``via``: how, for the audit log): whole, or
    half when the person has a second factor or must set one up (second_factor_stage);
    refused when the person's only municipality is closed (api.accounts.closing)."""
    try:
        person = actor_for(user, session_id=None, address=actor.address)
    except MunicipalityClosed as closed:
        # The right credentials: said plainly, and not counted as a failure.
        audit.record(
            session,
            action="sign_in",
            outcome="refused",
            user_id=user.id,
            label=user.email,
            status=403,
            detail=via,
            municipality_id=user.municipality_id,
        )
        return closed
    stage = second_factor_stage(session, person, pending=True)
    token, auth = start_session(
        session,
        user,
        settings=settings,
        address=actor.address,
        pending=stage is not None,
        via=via or PASSWORD,
    )
    audit.record(
        session,
        action="sign_in",
        outcome="ok" if stage is None else "pending",
        user_id=user.id,
        label=user.email,
        object_type="auth_sessions",
        object_id=auth.id,
        status=201,
        detail=via,
        municipality_id=user.municipality_id,
    )
    return SignedIn(token, auth, stage)


# A half session is for typing a code or setting up the app, not for working in.
PENDING_LIFETIME = dt.timedelta(minutes=15)


def start_session(
    session: Session,
    user: User,
    *,
    settings: Settings,
    address: str | None,
    pending: bool = False,
    via: str = PASSWORD,
) -> tuple[str, AuthSession]:
    """A new session with a new token: never one that existed before the sign-in."""
    token, digest = new_token(USER_PREFIX)
    lifetime = dt.timedelta(hours=settings.session_max_hours)
    auth = AuthSession(
        token_hash=digest,
        user_id=user.id,
        expires_at=utcnow() + (min(lifetime, PENDING_LIFETIME) if pending else lifetime),
        address=address,
        pending=pending,
        via=via,
    )
    session.add(auth)
    session.flush()
    return token, auth


def sign_out(session: Session, *, actor: Actor) -> None:
    if actor.kind not in {"user", "pending"} or actor.token_id is None:
        raise Forbidden("Bara en inloggad person kan logga ut.")
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == actor.token_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    audit.record(session, action="sign_out", object_type="auth_sessions", object_id=actor.token_id)


def end_sessions(session: Session, user_id: int, *, actor: Actor) -> int:
    get_record(session, USERS, user_id, actor=actor)
    count = _revoke_sessions(session, user_id)
    audit.record(session, action="end_sessions", object_type="users", object_id=user_id)
    return count


def _revoke_sessions(session: Session, user_id: int) -> int:
    result = session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def me(session: Session, *, actor: Actor) -> schemas.Me:
    """The signed-in person, with what the policy lets them do: overall (``can``) and in
    each of their groups."""
    user = signed_in_user(session, actor)
    auth = session.get(AuthSession, actor.token_id) if actor.token_id else None
    read = schemas.UserRead.model_validate(user).model_dump()
    grants = [
        {**grant, **capabilities.grant_rights(actor, grant["group"]["id"])}
        for grant in read["memberships"]
    ]
    return schemas.Me.model_validate(
        {
            **read,
            "memberships": grants,
            "can": capabilities.capabilities(
                actor, organisation_kind=user.organisation.kind if user.organisation else None
            ),
            "session_expires_at": auth.expires_at if auth else None,
            "second_factor_enrolled": has_second_factor(session, user.id),
            "second_factor_required": policy.requires_second_factor(actor),
            "password_change_required": user.password_temporary
            and not (auth is not None and vouched_for(auth)),
            "feedback_email": user.feedback_email,
            "municipality": next(iter(municipality_refs(session, [actor.municipality_id])), None),
            "municipalities": municipality_refs(session, actor.municipality_ids),
            "police_areas": _own_police_areas(session, actor),
        }
    )


def _own_police_areas(session: Session, actor: Actor) -> list[dict[str, Any]]:
    own = actor.police_area_grants
    names = account_slots.police_area_names(session, tuple(pid for pid, _ in own))
    return [{"police_area": {"id": p, "name": names[p]}, "role": r} for p, r in own if p in names]


def update_me(session: Session, data: schemas.MeUpdate, *, actor: Actor) -> None:
    user = signed_in_user(session, actor)
    if data.feedback_email is not None:
        user.feedback_email = data.feedback_email
    session.flush()


# Users ------------------------------------------------------------------------------------


_EXACT_EMAIL = "est_exact_email"


def _filter_users(stmt: Select[Any], f: schemas.UserFilter) -> Select[Any]:
    conditions = [
        name_contains(User.name, f.q),
        User.email_key == make_email_key(f.email) if f.email else None,
        User.organisation_id == f.organisation if f.organisation is not None else None,
        User.id.in_(select(Membership.user_id).where(Membership.group_id == f.group))
        if f.group is not None
        else None,
        User.active == f.active if f.active is not None else None,
    ]
    stmt = stmt.where(*(c for c in conditions if c is not None))
    if f.email:
        # Read by _scope_users, which sees the statement but not the query.
        stmt = stmt.execution_options(**{_EXACT_EMAIL: True})
    return stmt


def _scope_users(stmt: Select[Any], actor: Actor) -> Select[Any]:
    """Administrators see every account; others their own and those of the groups whose
    members they may see (policy.visible_user_groups)."""
    groups = policy.visible_user_groups(actor)
    if groups is None:
        if actor.kind == "system":
            return stmt
        # An administrator: the accounts of their municipality, and those of other
        # municipalities' people in its groups (the memberships are of this one alone).
        return stmt.where(
            or_(
                User.municipality_id == actor.municipality_id,
                User.id.in_(select(Membership.user_id)),
            )
        )
    if stmt.get_execution_options().get(_EXACT_EMAIL) and policy.can_look_up_by_email(actor):
        # A convener finds whom to add to the group by the exact address, and no one else.
        return stmt
    seen = or_(
        User.id == actor.user_id,
        User.id.in_(select(Membership.user_id).where(Membership.group_id.in_(groups))),
    )
    return stmt.where(seen)


def check_user(session: Session, state: dict[str, Any], record: User | None) -> None:
    # An administrator or a platform operator need not represent an organisation.
    if (
        not state.get("is_admin")
        and not state.get("is_operator")
        and state.get("organisation_id") is None
    ):
        raise Invalid.field(
            "organisation_id", "Ange organisationen personen företräder.", "required"
        )
    if state.get("organisation_id") is not None and (
        record is None or record.organisation_id != state["organisation_id"]
    ):
        reference(
            session,
            ORGANISATIONS,
            state["organisation_id"],
            field_name="organisation_id",
        )
    key = make_email_key(state["email"])
    taken = select(User.id).where(User.email_key == key)
    if record is not None:
        taken = taken.where(User.id != record.id)
    if session.scalar(taken) is not None:
        raise Conflict(
            "Det finns redan ett konto med den e-postadressen.",
            code="duplicate_email",
            errors=[FieldError("email", "E-postadressen används redan.", "duplicate_email")],
        )


USERS = Resource(
    User,
    "ingen användare",
    User.id,
    _filter_users,
    check=check_user,
    fields=("email", "organisation_id", "is_admin"),
    scope=_scope_users,
)


def _home(session: Session, values: dict[str, Any], actor: Actor) -> int | None:
    """A person's home municipality: their organisation's, else the administrator's who
    adds them (#21)."""
    if values.get("organisation_id") is not None:
        organisation = session.get(Organisation, values["organisation_id"])
        if organisation is not None:
            return organisation.municipality_id
    return actor.municipality_id


def create_user(session: Session, data: schemas.UserCreate, *, actor: Actor) -> User:
    values = data.model_dump(exclude={"password"})
    check_user(session, values, None)
    user = User(**values, municipality_id=_home(session, values, actor))
    if data.password is not None:
        set_password(user, data.password, "password", actor=actor)
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, user_id: int, data: schemas.UserUpdate, *, actor: Actor) -> User:
    user = get_record(session, USERS, user_id, actor=actor)
    values = changes(data)
    password = values.pop("password", None)
    state = {f: getattr(user, f) for f in USERS.fields} | values
    check_user(session, state, user)
    if user.id == actor.user_id and values.get("is_admin") is False:
        raise Conflict("Du kan inte ta bort din egen administratörsroll.", code="own_admin")
    if values.get("is_admin") is False and user.is_admin:
        keep_a_way_in(session, user)
    apply(user, values)
    if "organisation_id" in values:
        user.municipality_id = _home(session, values, actor)
    if password is not None:
        set_password(user, password, "password", actor=actor)
        _revoke_sessions(session, user.id)
    if values.get("is_admin") is False:
        _revoke_sessions(session, user.id)
    session.flush()
    return user


def set_user_active(session: Session, user_id: int, active: bool, *, actor: Actor) -> User:
    user = get_record(session, USERS, user_id, actor=actor)
    if not active and user.id == actor.user_id:
        raise Conflict("Du kan inte avaktivera ditt eget konto.", code="own_account")
    if not active and user.active:
        keep_a_way_in(session, user)
    user.active = active
    if not active:
        _revoke_sessions(session, user.id)
    session.flush()
    return user


# Memberships: api.accounts.memberships (re-exported: the routes and the seed call them here).
from api.accounts.memberships import list_memberships as list_memberships  # noqa: E402
from api.accounts.memberships import put_membership as put_membership  # noqa: E402
from api.accounts.memberships import remove_membership as remove_membership  # noqa: E402

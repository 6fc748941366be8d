"""Two-factor sign-in: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, as every
authenticator app reads it) through pyotp, the enrolment's QR code drawn here as SVG with
segno (no outside service sees the secret), and single-use recovery codes.

How a sign-in goes (api.accounts.service.sign_in): the right password gives a *half*
session when the person has a second factor or must set one up (policy.requires_second_
factor); it reaches only the routes of this module (policy.Rule.SECOND_FACTOR). A right
code, or a recovery code, ends the half session and answers a new, whole one. A code is
taken in the step it was made for and one either side (clocks drift), and never twice: the
last step taken is kept, and moved forward in one conditional UPDATE, so two requests with
the same code cannot both pass. Wrong codes count in the sign-in throttle like wrong
passwords, per account and per address.

The secret is kept sealed (AES-GCM under a key derived from EST_SECRET_KEY, bound to the
person's id), so a copy of the database alone does not give the codes away. A new
EST_SECRET_KEY makes the sealed secrets unreadable: everyone then sets the app up again
after a reset (``DELETE /users/{id}/totp``, or ``est user reset-second-factor``).

Recovery codes are 12 characters: the first 4 find the code's row (``selector``), the whole
code is checked against an argon2 hash, as a password is (api.accounts.passwords).
"""

from __future__ import annotations

import hmac
import re
import secrets

import pyotp
import segno
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from api import sealing
from api.access import policy
from api.accounts import schemas
from api.accounts.models import AuthSession, RecoveryCode, TotpFactor, User
from api.accounts.password_sign_in import keep_a_way_in
from api.accounts.passwords import hash_password, verify_password
from api.accounts.service import (
    PASSWORD,
    USERS,
    SignedIn,
    actor_for,
    end_sessions,
    second_factor_stage,
    start_session,
    vouched_for,
)
from api.accounts.throttle import account_key, count_failure, forget_failures, throttle
from api.actor import Actor
from api.audit import service as audit
from api.errors import Conflict, DomainError, Forbidden, Invalid
from api.localtime import utcnow
from api.resources import get_record
from api.settings import Settings

ISSUER = "EST Lägesbild"
RECOVERY_CODES = 10
# Letters and digits that cannot be read as one another (no 0/o, 1/l/i).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_SELECTOR = 4
_RECOVERY_LENGTH = 12
_SIX_DIGITS = re.compile(r"^[0-9]{6}$")
WRONG_CODE = "Koden stämmer inte. Skriv de sex siffrorna som appen visar nu, eller en reservkod."


# The secret, sealed (api.sealing) ---------------------------------------------------------

_PURPOSE = b"est totp secret"


def seal(secret: str, *, user_id: int, secret_key: str) -> str:
    return sealing.seal(secret, purpose=_PURPOSE, context=str(user_id), secret_key=secret_key)


def _opened(factor: TotpFactor, secret_key: str) -> str:
    plain = sealing.unseal(
        factor.secret, purpose=_PURPOSE, context=str(factor.user_id), secret_key=secret_key
    )
    if plain is None:
        raise Conflict(
            "Tvåstegsverifieringen går inte att läsa, eftersom tjänstens hemliga nyckel har "
            "bytts. Be en administratör återställa den.",
            code="second_factor_unreadable",
        )
    return plain


# Who is asking, as the person they signed in as ----------------------------------------------


def _person(session: Session, actor: Actor) -> tuple[User, Actor, AuthSession | None]:
    """The signed-in person, as a whole sign-in makes them (a half session's actor has no
    rights to read the requirement from), and their session."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or actor.kind not in {"user", "pending"}:
        raise Forbidden("Bara en inloggad person har tvåstegsverifiering.")
    auth = session.get(AuthSession, actor.token_id) if actor.token_id is not None else None
    return user, actor_for(user, session_id=actor.token_id, address=actor.address), auth


def _factor(session: Session, user_id: int) -> TotpFactor | None:
    return session.scalar(select(TotpFactor).where(TotpFactor.user_id == user_id))


def _stage(session: Session, person: Actor, auth: AuthSession | None) -> str | None:
    return second_factor_stage(session, person, pending=bool(auth and auth.pending))


def status(session: Session, *, actor: Actor) -> schemas.TotpStatus:
    user, person, auth = _person(session, actor)
    factor = _factor(session, user.id)
    enrolled = factor is not None and factor.confirmed_at is not None
    left = session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return schemas.TotpStatus(
        enrolled=enrolled,
        required=policy.requires_second_factor(person),
        stage=_stage(session, person, auth),
        enrolled_at=factor.confirmed_at if factor and enrolled else None,
        recovery_codes_left=int(left or 0) if enrolled else 0,
    )


# Enrolment -----------------------------------------------------------------------------------


def start_enrolment(session: Session, *, actor: Actor, settings: Settings) -> schemas.TotpEnrolment:
    """A new secret, kept unconfirmed until a code from it comes back (confirm_enrolment);
    starting again replaces it."""
    user, _, _ = _person(session, actor)
    factor = _factor(session, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict(
            "Tvåstegsverifiering är redan påslagen. Stäng av den först om du vill byta app.",
            code="already_enrolled",
        )
    secret = pyotp.random_base32(32)
    sealed = seal(secret, user_id=user.id, secret_key=settings.secret_key.get_secret_value())
    if factor is None:
        session.add(TotpFactor(user_id=user.id, secret=sealed))
    else:
        factor.secret, factor.created_at, factor.last_step = sealed, utcnow(), None
    session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return schemas.TotpEnrolment(secret=secret, otpauth_uri=uri, qr_svg=qr_svg(uri))


def qr_svg(uri: str) -> str:
    """The QR code as an inline SVG element, dark on light with a quiet zone, named for a
    screen reader (the secret beside it is the text alternative a person can type)."""
    return str(
        segno.make(uri, error="m").svg_inline(
            scale=5, border=4, dark="#000", light="#fff", title="QR-kod för autentiseringsappen"
        )
    )


def confirm_enrolment(
    session: Session, code: str, *, actor: Actor, settings: Settings
) -> schemas.TotpConfirmed:
    """Turns the second factor on with a first code from it, and answers the recovery codes
    (once). When it completes a half sign-in, the half session ends and a whole one is
    answered."""
    user, _, auth = _person(session, actor)
    factor = _factor(session, user.id)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict(
            "Det finns ingen påbörjad registrering. Börja om med en ny QR-kod.",
            code="no_enrolment",
        )
    key = settings.secret_key.get_secret_value()
    typed = _normalised(code)
    if not _SIX_DIGITS.match(typed) or not _take_code(session, factor, typed, key):
        raise Invalid.field("code", WRONG_CODE, "wrong_code")
    factor.confirmed_at = utcnow()
    codes = _new_recovery_codes(session, user.id)
    audit.record(session, action="totp_enrol", object_type="users", object_id=user.id)
    signed_in = None
    if actor.kind == "pending" and auth is not None:
        signed_in = _complete(session, user, auth, settings=settings, actor=actor)
    return schemas.TotpConfirmed(
        recovery_codes=codes,
        session=signed_in and token_read(signed_in, settings),
    )


def _new_recovery_codes(session: Session, user_id: int) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes: list[str] = []
    while len(codes) < RECOVERY_CODES:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        if any(c[:_SELECTOR] == code[:_SELECTOR] for c in codes):
            continue  # the selector finds one code
        codes.append(code)
        session.add(
            RecoveryCode(user_id=user_id, selector=code[:_SELECTOR], code_hash=hash_password(code))
        )
    session.flush()
    return ["-".join((c[:4], c[4:8], c[8:])) for c in codes]


# The second step of a sign-in ----------------------------------------------------------------


def verify(
    session: Session, code: str, *, actor: Actor, settings: Settings
) -> SignedIn | DomainError:
    """A whole session for a right code (or an unused recovery code) on a half one. A
    failure is returned, not raised, so that its record in the throttle and the audit log is
    committed with the answer."""
    user, person, auth = _person(session, actor)
    if actor.kind != "pending" or auth is None or _stage(session, person, auth) != "verify":
        return Conflict(
            "Den här inloggningen väntar inte på någon kod.", code="no_second_factor_pending"
        )
    account = account_key(user.email, settings.secret_key.get_secret_value())
    refused = throttle(session, account, actor=actor, settings=settings, action="totp_verify")
    if refused is not None:
        return refused
    factor = _factor(session, user.id)
    assert factor is not None  # the stage is "verify"
    typed = _normalised(code)
    if _SIX_DIGITS.match(typed):
        right = _take_code(session, factor, typed, settings.secret_key.get_secret_value())
    else:
        right = _take_recovery_code(session, user.id, typed)
    if not right:
        count_failure(session, account, actor=actor, settings=settings)
        audit.record(session, action="totp_verify", outcome="failed", status=422)
        return Invalid.field("code", WRONG_CODE, "wrong_code")
    forget_failures(session, account)
    return _complete(session, user, auth, settings=settings, actor=actor)


def _complete(
    session: Session, user: User, auth: AuthSession, *, settings: Settings, actor: Actor
) -> SignedIn:
    """The half session ends and a whole one, with a new token, begins."""
    auth.revoked_at = utcnow()
    token, whole = start_session(
        session, user, settings=settings, address=actor.address, via=auth.via or PASSWORD
    )
    audit.record(
        session,
        action="sign_in",
        user_id=user.id,
        label=user.email,
        object_type="auth_sessions",
        object_id=whole.id,
        status=201,
    )
    return SignedIn(token, whole)


def token_read(signed_in: SignedIn, settings: Settings) -> schemas.TokenRead:
    """The answer for a session begun (by the password, a code or an enrolment)."""
    return schemas.TokenRead(
        access_token=signed_in.token,
        expires_at=signed_in.auth.expires_at,
        idle_timeout_seconds=settings.session_idle_minutes * 60,
        second_factor=signed_in.stage,
        password_change_required=signed_in.auth.user.password_temporary
        and not vouched_for(signed_in.auth),
    )


def _normalised(code: str) -> str:
    # As people copy them: with spaces, dashes, capitals.
    return re.sub(r"[\s\-]", "", code).lower()


def _take_code(session: Session, factor: TotpFactor, code: str, secret_key: str) -> bool:
    """Whether ``code`` is the factor's for the current step or one either side, and was not
    taken before; the step is taken in the same statement that checks it."""
    totp = pyotp.TOTP(_opened(factor, secret_key))
    now = totp.timecode(utcnow())
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            taken = session.execute(
                update(TotpFactor)
                .where(
                    TotpFactor.id == factor.id,
                    or_(TotpFactor.last_step.is_(None), TotpFactor.last_step < step),
                )
                .values(last_step=step)
                .execution_options(synchronize_session=False)
            )
            return bool(taken.rowcount)  # type: ignore[attr-defined]
    return False


def _take_recovery_code(session: Session, user_id: int, code: str) -> bool:
    if len(code) != _RECOVERY_LENGTH:
        return False
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.selector == code[:_SELECTOR],
            RecoveryCode.used_at.is_(None),
        )
    )
    # One argon2 verification either way, so the time does not tell a selector that exists.
    if not verify_password(row.code_hash if row else None, code) or row is None:
        return False
    used = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(used.rowcount)  # type: ignore[attr-defined]


# Turning it off --------------------------------------------------------------------------------


def disable(session: Session, *, actor: Actor) -> None:
    """One's own second factor off, where one's role does not require it."""
    user, person, _auth = _person(session, actor)
    if policy.requires_second_factor(person):
        raise Conflict(
            "Din roll kräver tvåstegsverifiering, så den kan inte stängas av. En administratör "
            "kan återställa den om du har bytt telefon.",
            code="second_factor_required",
        )
    keep_a_way_in(session, user)
    if _remove(session, user.id):
        audit.record(session, action="totp_disable", object_type="users", object_id=user.id)


def reset(session: Session, user_id: int, *, actor: Actor) -> None:
    """An administrator takes away someone's second factor (a lost phone and no recovery
    codes): their sessions end, and they set it up again at their next sign-in if their role
    requires it."""
    keep_a_way_in(session, get_record(session, USERS, user_id, actor=actor))
    _remove(session, user_id)
    end_sessions(session, user_id, actor=actor)
    # The actor named: the command line resets outside a request too.
    audit.record(session, action="totp_reset", actor=actor, object_type="users", object_id=user_id)


def _remove(session: Session, user_id: int) -> bool:
    # A half sign-in waiting for a code never turns whole because the factor went away.
    session.execute(
        update(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            AuthSession.pending.is_(True),
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    removed = session.execute(delete(TotpFactor).where(TotpFactor.user_id == user_id))
    return bool(removed.rowcount)  # type: ignore[attr-defined]


def enrol_with_secret(session: Session, user_id: int, secret: str, *, secret_key: str) -> None:
    """A confirmed second factor with a secret known beforehand: for the demo accounts
    (api.seed) and the tests only, never for a real person."""
    factor = _factor(session, user_id)
    sealed = seal(secret, user_id=user_id, secret_key=secret_key)
    if factor is None:
        session.add(TotpFactor(user_id=user_id, secret=sealed, confirmed_at=utcnow()))
    elif factor.confirmed_at is None:  # an enrolment begun and left
        factor.secret, factor.confirmed_at, factor.last_step = sealed, utcnow(), None
    session.flush()

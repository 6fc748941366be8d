"""Password sign-in turned off per municipality (#22): where the municipality's identity
provider signs its people in, its administrator turns the password off, and one more way
past the municipality's single sign-on is closed.

- **Who is refused.** A password sign-in (POST /auth/token) is refused with 403
  ``password_sign_in_off`` when *any* active municipality the person belongs to (their home,
  and every municipality where they hold a membership) has turned it off: strict, so that a
  person of two municipalities cannot keep a password the stricter one has done away with.
  The refusal names the identity provider to use (``sign_in_through``). It comes after the
  password is checked, so it tells nothing to someone who does not know it.
- **Break-glass administrators.** An administrator their municipality's administrator
  marked break-glass keeps password sign-in, with their second factor always: one who has
  not set it up is refused until they have (through the identity provider). They are how
  the municipality gets in on the day its identity provider is down.
- **Who is not concerned.** The platform's operators (they belong to no municipality);
  passwords are still set (an administrator's temporary one for a break-glass account) and
  changed as before.
- **Turning it off** needs an identity provider turned on and a break-glass administrator
  with a second factor (409 otherwise, and the last break-glass mark cannot go while it is
  off). The sessions begun with a password of those it now refuses end at once. Every
  change is in the audit log.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from api.access import policy
from api.accounts import schemas
from api.accounts import slots as account_slots
from api.accounts.models import AuthSession, Membership, TotpFactor, User
from api.actor import Actor
from api.audit import service as audit
from api.errors import Conflict, DomainError, Forbidden, NotFound
from api.localtime import utcnow
from api.schemas_common import Ref
from api.structure.models import Municipality

PASSWORD = "password"  # noqa: S105 (how a session began, not a password)


class PasswordSignInOff(Forbidden):
    code = "password_sign_in_off"

    def __init__(self, detail: str, *, sign_in_through: Ref | None) -> None:
        super().__init__(detail)
        self.sign_in_through = sign_in_through


# Signing in ------------------------------------------------------------------------------------


def has_second_factor(session: Session, user_id: int) -> bool:
    enrolled = select(TotpFactor.id).where(
        TotpFactor.user_id == user_id, TotpFactor.confirmed_at.is_not(None)
    )
    return session.scalar(enrolled) is not None


def _municipalities_of(user: User) -> set[int]:
    home = {user.municipality_id} if user.municipality_id is not None else set()
    return home | {m.municipality_id for m in user.memberships}


def refusal(session: Session, user: User) -> DomainError | None:
    """Why the right password does not sign ``user`` in (None: it does), in the audit log."""
    refused = _refusal(session, user)
    if refused is not None:
        audit.record(
            session,
            action="sign_in",
            outcome="refused",
            user_id=user.id,
            label=user.email,
            status=refused.status,
            detail=refused.code,
            municipality_id=user.municipality_id,
        )
    return refused


def _refusal(session: Session, user: User) -> DomainError | None:
    if user.is_operator:
        return None
    ids = _municipalities_of(user)
    if not ids:
        return None
    off = session.scalars(
        select(Municipality)
        .where(
            Municipality.id.in_(ids),
            Municipality.active.is_(True),
            Municipality.password_sign_in.is_(False),
        )
        .order_by(Municipality.id != user.municipality_id, Municipality.name)
    ).first()
    if off is None:
        return None
    providers = account_slots.identity_providers(session, off.id)
    through = f"”{providers[0]}”" if providers else "kommunens identitetsleverantör"
    if user.break_glass and user.is_admin:
        if has_second_factor(session, user.id):
            return None
        return Forbidden(
            f"Lösenordsinloggning är avstängd i {off.name}. Som reservadministratör loggar du "
            "in med lösenord bara med tvåstegsverifiering, och den har du inte slagit på än. "
            f"Logga in med {through} och slå på tvåstegsverifiering under Konto först.",
            code="break_glass_without_second_factor",
        )
    return PasswordSignInOff(
        f"{off.name} har stängt av inloggning med lösenord. Logga in med {through} i stället.",
        sign_in_through=Ref(id=off.id, name=off.name),
    )


# The administrator's settings ------------------------------------------------------------------


def _municipality(session: Session, municipality_id: int, actor: Actor) -> Municipality:
    municipality = session.get(Municipality, municipality_id)
    if municipality is None or not policy.may_configure_sign_in(actor, municipality_id):
        raise NotFound("Ingen sådan kommun.", code="not_found")
    return municipality


def _administrators(session: Session, municipality_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(
                User.municipality_id == municipality_id,
                User.is_admin.is_(True),
                User.active.is_(True),
            )
            .order_by(User.name, User.id)
        )
    )


def _break_glass_ready(session: Session, municipality_id: int, *, but: int | None = None) -> bool:
    """Whether a break-glass administrator with a second factor stands ready (``but``
    that one)."""
    return any(
        user.break_glass and user.id != but and has_second_factor(session, user.id)
        for user in _administrators(session, municipality_id)
    )


def keep_a_way_in(session: Session, user: User) -> None:
    """Refuse (409) to take away — by deactivating, demoting or removing their second
    factor — the last break-glass administrator ready to sign in while password sign-in is
    off: the municipality would have no way in but its identity provider."""
    if not user.break_glass or user.municipality_id is None:
        return
    municipality = session.get(Municipality, user.municipality_id)
    if municipality is None or municipality.password_sign_in:
        return
    if not _break_glass_ready(session, municipality.id, but=user.id):
        raise Conflict(
            "Lösenordsinloggning är avstängd, och det här är den sista reservadministratören "
            "med tvåstegsverifiering. Slå på lösenordsinloggning först, eller gör någon annan "
            "till reservadministratör.",
            code="last_break_glass_administrator",
        )


def get_settings(
    session: Session, municipality_id: int, *, actor: Actor
) -> schemas.PasswordSignInRead:
    municipality = _municipality(session, municipality_id, actor)
    return schemas.PasswordSignInRead(
        municipality_id=municipality.id,
        enabled=municipality.password_sign_in,
        identity_providers=account_slots.identity_providers(session, municipality.id),
        administrators=[
            schemas.BreakGlassAdmin(
                user=Ref(id=user.id, name=user.name),
                break_glass=user.break_glass,
                second_factor_enrolled=has_second_factor(session, user.id),
            )
            for user in _administrators(session, municipality.id)
        ],
    )


def put_settings(
    session: Session, municipality_id: int, data: schemas.PasswordSignInWrite, *, actor: Actor
) -> schemas.PasswordSignInRead:
    municipality = _municipality(session, municipality_id, actor)
    if data.enabled != municipality.password_sign_in:
        if not data.enabled:
            if not account_slots.identity_providers(session, municipality.id):
                raise Conflict(
                    "Lösenordsinloggning kan inte stängas av förrän kommunen har en "
                    "identitetsleverantör som är påslagen: annars kan ingen logga in.",
                    code="no_identity_provider",
                )
            if not _break_glass_ready(session, municipality.id):
                raise Conflict(
                    "Lösenordsinloggning kan inte stängas av förrän minst en administratör är "
                    "reservadministratör och har slagit på tvåstegsverifiering: den som "
                    "kommer in den dag identitetsleverantören inte svarar.",
                    code="no_break_glass_administrator",
                )
        municipality.password_sign_in = data.enabled
        if not data.enabled:
            _end_password_sessions(session, municipality.id)
        audit.record(
            session,
            action="password_sign_in_on" if data.enabled else "password_sign_in_off",
            object_type="municipalities",
            object_id=municipality.id,
        )
        session.flush()
    return get_settings(session, municipality_id, actor=actor)


def _end_password_sessions(session: Session, municipality_id: int) -> None:
    """The sessions begun with a password of those now refused one end at once."""
    belongs = or_(
        User.municipality_id == municipality_id,
        User.id.in_(
            select(Membership.user_id).where(Membership.municipality_id == municipality_id)
        ),
    )
    refused = select(User.id).where(
        belongs,
        User.is_operator.is_(False),
        ~(User.break_glass.is_(True) & User.is_admin.is_(True)),
    )
    session.execute(
        update(AuthSession)
        .where(
            AuthSession.user_id.in_(refused),
            AuthSession.revoked_at.is_(None),
            or_(AuthSession.via.is_(None), AuthSession.via == PASSWORD),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def mark_break_glass(
    session: Session,
    municipality_id: int,
    user_id: int,
    data: schemas.BreakGlassWrite,
    *,
    actor: Actor,
) -> schemas.BreakGlassAdmin:
    municipality = _municipality(session, municipality_id, actor)
    if not policy.may_mark_break_glass(actor, municipality_id):
        raise NotFound("Ingen sådan kommun.", code="not_found")
    user = next((u for u in _administrators(session, municipality.id) if u.id == user_id), None)
    if user is None:
        raise NotFound(
            "Bara en aktiv administratör i kommunen kan vara reservadministratör.",
            code="not_an_administrator",
        )
    if user.break_glass != data.break_glass:
        last = not _break_glass_ready(session, municipality.id, but=user.id)
        if not data.break_glass and not municipality.password_sign_in and last:
            raise Conflict(
                "Lösenordsinloggning är avstängd, och då måste minst en reservadministratör "
                "med tvåstegsverifiering finnas kvar. Slå på lösenordsinloggning först, eller "
                "gör någon annan till reservadministratör.",
                code="last_break_glass_administrator",
            )
        user.break_glass = data.break_glass
        audit.record(
            session,
            action="break_glass_on" if data.break_glass else "break_glass_off",
            object_type="users",
            object_id=user.id,
        )
    return schemas.BreakGlassAdmin(
        user=Ref(id=user.id, name=user.name),
        break_glass=user.break_glass,
        second_factor_enrolled=has_second_factor(session, user.id),
    )

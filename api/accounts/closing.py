"""A deactivated municipality, as accounts see it (README "Deactivating a municipality"):
no one acts in it, and the sessions of those who act in it alone end."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.accounts.models import AuthSession, Membership, ServiceToken, User
from api.errors import Forbidden
from api.localtime import utcnow
from api.structure.models import Municipality, Organisation
from api.tenancy import widened


def closed_municipalities(session: Session) -> set[int]:
    """The deactivated municipalities (few, usually none)."""
    return set(session.scalars(select(Municipality.id).where(Municipality.active.is_(False))))


class MunicipalityClosed(Forbidden):
    """The municipality is deactivated; ``nowhere``: the person acts in no other."""

    def __init__(self, *, nowhere: bool) -> None:
        super().__init__(
            "Din kommun är avaktiverad i EST Lägesbild, så du kan inte logga in. Fråga "
            "kommunens administratör eller plattformens förvaltare."
            if nowhere
            else "Kommunen är avaktiverad i EST Lägesbild: välj en av dina andra kommuner.",
            code="municipality_inactive",
        )
        self.nowhere = nowhere


def municipality_closed(session: Session, municipality_id: int) -> None:
    """A municipality is deactivated: the sessions of those who act in no other active
    municipality, and its organisations' service tokens, end at once (never to come back
    when it is activated again). Those who act in another keep their sessions there
    (actor_for leaves the closed one out)."""
    now = utcnow()
    everywhere = session.scalars(select(Municipality.id)).all()
    # Its organisations and memberships are municipal rows: read across, as the system.
    with widened(session, everywhere):
        closed = closed_municipalities(session) | {municipality_id}
        elsewhere = select(Membership.user_id).where(Membership.municipality_id.not_in(closed))
        # A platform operator acts on the platform, whatever their home.
        users = select(User.id).where(
            User.municipality_id == municipality_id,
            User.id.not_in(elsewhere),
            User.is_operator.is_(False),
        )
        organisations = select(Organisation.id).where(
            Organisation.municipality_id == municipality_id
        )
        session.execute(
            update(AuthSession)
            .where(AuthSession.user_id.in_(users), AuthSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        session.execute(
            update(ServiceToken)
            .where(
                ServiceToken.organisation_id.in_(organisations), ServiceToken.revoked_at.is_(None)
            )
            .values(revoked_at=now)
        )

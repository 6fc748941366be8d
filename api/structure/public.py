"""Which municipality a resident addresses on the public pages (a tip, the privacy notice),
who has not signed in and so acts in none. Where the installation holds one active
municipality, it is that one; where it holds several, the resident names it, and nothing
falls back to whichever municipality came first (#21)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import Invalid, NotFound
from api.resources import reference
from api.structure.models import Municipality
from api.structure.service import MUNICIPALITIES

CHOOSE = "Välj vilken kommun det gäller: här finns flera."


def municipalities(session: Session) -> list[Municipality]:
    """The active municipalities, by name: those a resident may address."""
    stmt = select(Municipality).where(Municipality.active.is_(True))
    return list(session.scalars(stmt.order_by(Municipality.name_key, Municipality.id)))


def addressed(
    session: Session, municipality_id: int | None, *, field_name: str = "municipality_id"
) -> Municipality:
    """The municipality named (422, beside the field, where there is no such active one),
    else the installation's only active one (422 where there are several to choose
    between; 404 where there is none yet)."""
    if municipality_id is not None:
        return reference(session, MUNICIPALITIES, municipality_id, field_name=field_name)
    active = list(
        session.scalars(
            select(Municipality)
            .where(Municipality.active.is_(True))
            .order_by(Municipality.id)
            .limit(2)
        )
    )
    if not active:
        raise NotFound("Det finns ingen kommun ännu.")
    if len(active) > 1:
        raise Invalid.field(field_name, CHOOSE, "choose_municipality")
    return active[0]

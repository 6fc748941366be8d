"""An observation filed in another of the reporter's municipalities (#21): their own
organisation as the municipality they act in knows it, and a report whose point lies across
the boundary, in a municipality where they may file too, filed there instead."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import tenancy
from api.access import policy
from api.actor import Actor
from api.incidents import areas, geo, schemas
from api.incidents.models import Report
from api.structure.models import Municipality, Organisation


def wgs84(position: schemas.Wgs84Point | schemas.SwerefPoint) -> tuple[float, float]:
    if isinstance(position, schemas.Wgs84Point):
        return position.lat, position.lon
    return geo.to_wgs84(position.crs, position.n, position.e)


def _same_organisation(
    session: Session, organisation: Organisation, municipality_id: int
) -> Organisation | None:
    """The organisation as another municipality knows it: the one of the same name there."""
    found: Organisation | None = session.scalar(
        select(Organisation).where(
            Organisation.municipality_id == municipality_id,
            Organisation.name_key == organisation.name_key,
        )
    )
    return found


def guest_organisation(session: Session, actor: Actor, organisation_id: int) -> Organisation | None:
    """The reporter's own organisation as the municipality they act in knows it, when that is
    not their home one (#21): their home organisation is not this municipality's record."""
    home = actor.municipality_ids[0] if actor.municipality_ids else None
    if organisation_id != actor.organisation_id or home in (None, actor.municipality_id):
        return None
    assert home is not None and actor.municipality_id is not None
    with tenancy.widened(session, {home}):
        own = session.get(Organisation, organisation_id)
    return _same_organisation(session, own, actor.municipality_id) if own is not None else None


def across_boundary(
    session: Session,
    data: schemas.ReportCreate,
    municipality: Municipality,
    organisation: Organisation,
    actor: Actor,
) -> tuple[Municipality, Organisation] | None:
    """Where a report whose first point lies in a neighbouring municipality is filed
    instead (#21): there, when the reporter may file there too (policy.files_in), for their
    organisation as that municipality knows it (the same name), and the request's session
    acts there from now on. None: filed where asked, and such a point is refused naming the
    municipality it lies in (areas.refusal)."""
    for item in data.incidents:
        if item.position is None:
            continue
        refused = areas.refusal(session, municipality, *wgs84(item.position))
        if refused is None or refused.neighbour is None:
            return None
        if policy.files_in(actor, refused.neighbour.id) is None:
            return None
        neighbour = refused.neighbour
        tenancy.rebind(session, {neighbour.id})
        yours = _same_organisation(session, organisation, neighbour.id)
        if yours is None:
            tenancy.rebind(session, {municipality.id})
            return None
        return neighbour, yours
    return None


def filed_elsewhere(session: Session, report: Report, actor: Actor) -> str | None:
    """What the answer says of a report filed in another of the reporter's municipalities
    than the one they acted in (its point lay there)."""
    if actor.municipality_id is None or report.municipality_id == actor.municipality_id:
        return None
    there = session.get(Municipality, report.municipality_id)
    name = there.name if there is not None else "en annan kommun"
    return f"Platsen ligger i {name}: observationen registrerades där."

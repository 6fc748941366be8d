"""An association's register of trained night-walk hosts (vandravärdar). Their names are
personal data by nature: read and written only by those who manage the association's walks
(policy.can_manage_walks: its own people, the coordination group, administrators)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.errors import Forbidden, Invalid, NotFound
from api.nightwalks import schemas
from api.nightwalks.models import Host
from api.pagination import PageResult, paginate
from api.records import get_or_404, not_found_message
from api.schemas_common import ListQuery
from api.structure.models import Organisation
from api.structure.schemas import OrganisationKind

MANAGERS = "Bara föreningens egna, samordningsgruppen och administratörer"


def association(
    session: Session, organisation_id: int, *, field: str | None = None
) -> Organisation:
    """The organisation, which must be an association: a path's 404 or 422, or a body
    field's 422 where ``field`` names it."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        message = not_found_message("ingen organisation", organisation_id)
        if field is not None:
            raise Invalid.field(field, message, "unknown_id")
        raise NotFound(message)
    if organisation.kind != OrganisationKind.association:
        message = f"{organisation.name} är ingen förening: nattvandringar görs av föreningar."
        if field is not None:
            raise Invalid.field(field, message, "not_an_association")
        raise Invalid(message, code="not_an_association")
    return organisation


def require_manage(actor: Actor, organisation_id: int, does: str) -> None:
    if not policy.can_manage_walks(actor, organisation_id):
        raise Forbidden(f"{MANAGERS} {does}.")


def list_hosts(
    session: Session, organisation_id: int, query: ListQuery, *, actor: Actor
) -> PageResult[Host]:
    """The association's hosts in the order they were registered."""
    organisation = association(session, organisation_id)
    require_manage(actor, organisation.id, "ser föreningens vandravärdar")
    return paginate(
        session, select(Host).where(Host.organisation_id == organisation.id), Host.id, query
    )


def active_hosts(session: Session, organisation_id: int, *, actor: Actor) -> list[Host]:
    """The association's active hosts, by name: those a walk is booked with."""
    organisation = association(session, organisation_id)
    require_manage(actor, organisation.id, "ser föreningens vandravärdar")
    return list(
        session.scalars(
            select(Host)
            .where(Host.organisation_id == organisation.id, Host.active.is_(True))
            .order_by(Host.name, Host.id)
        )
    )


def create_host(
    session: Session, organisation_id: int, body: schemas.HostCreate, *, actor: Actor
) -> Host:
    organisation = association(session, organisation_id)
    require_manage(actor, organisation.id, "för föreningens register över vandravärdar")
    host = Host(
        organisation_id=organisation.id,
        name=body.name,
        trained_on=body.trained_on,
        active=body.active,
    )
    session.add(host)
    session.flush()
    return host


def update_host(
    session: Session,
    organisation_id: int,
    host_id: int,
    body: schemas.HostUpdate,
    *,
    actor: Actor,
) -> Host:
    organisation = association(session, organisation_id)
    require_manage(actor, organisation.id, "för föreningens register över vandravärdar")
    host = get_or_404(session, Host, host_id, "ingen vandravärd")
    if host.organisation_id != organisation.id:
        raise NotFound(not_found_message("ingen vandravärd", host_id))
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(host, field, value)
    session.flush()
    return host


def qualifies(host: Host, day: dt.date) -> bool:
    """A host counts for a walk on ``day``: active, and trained on or before it."""
    return host.active and host.trained_on <= day


def hosts_named(
    session: Session, organisation_id: int, host_ids: Sequence[int]
) -> list[Host] | None:
    """The association's hosts of these ids, or None when one is not of it."""
    wanted = list(dict.fromkeys(host_ids))
    if not wanted:
        return []
    found = list(
        session.scalars(
            select(Host)
            .where(Host.id.in_(wanted), Host.organisation_id == organisation_id)
            .order_by(Host.name, Host.id)
        )
    )
    return found if len(found) == len(wanted) else None

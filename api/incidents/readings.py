"""Who has read an incident: the narrow lines api.audit.service.record_readings writes,
named by the accounts they came from, for those who read the audit log."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.audit.models import IncidentReading
from api.incidents import schemas
from api.incidents.models import Incident
from api.pagination import PageResult, paginate
from api.records import get_or_404
from api.schemas_common import ListQuery


def readers(
    session: Session, incident_id: int, query: ListQuery
) -> PageResult[schemas.IncidentReaderRead]:
    """The reads of an incident, newest first; a withdrawn incident's too."""
    get_or_404(session, Incident, incident_id, "ingen händelse")
    stmt = select(IncidentReading).where(IncidentReading.incident_id == incident_id)
    found = paginate(session, stmt, IncidentReading.id, query, descending=True)
    ids = {r.user_id for r in found.items if r.user_id is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    items = []
    for reading in found.items:
        user = users.get(reading.user_id) if reading.user_id is not None else None
        items.append(
            schemas.IncidentReaderRead(
                at=reading.at,
                user_id=reading.user_id,
                name=user.name if user else None,
                email=user.email if user else None,
                service_token_id=reading.service_token_id,
            )
        )
    return PageResult(items, found.next_cursor)

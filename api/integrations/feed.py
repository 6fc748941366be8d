"""The change feed: the municipality's incidents changed since a point, oldest change first,
for a source's tool to pull back with its service token. A page ends at a cursor (the last
change's time and id, opaque to the caller), so that the next page starts after it and
nothing is missed or given twice. What changed in the last ``lag`` is left out: a
transaction that began earlier may still commit a change with an earlier time."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from api.actor import Actor
from api.audit import service as audit
from api.errors import FieldError, Forbidden, Invalid
from api.incidents.models import Incident
from api.incidents.thinning import served_reference
from api.integrations import engine, schemas
from api.localtime import utcnow
from api.schemas_common import MAX_ID


def _feed_cursor(updated_at: dt.datetime, incident_id: int) -> str:
    raw = json.dumps([updated_at.astimezone(dt.UTC).isoformat(), incident_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _feed_position(cursor: str) -> tuple[dt.datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, incident_id = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        at = dt.datetime.fromisoformat(moment)
        if at.tzinfo is None or not isinstance(incident_id, int) or isinstance(incident_id, bool):
            raise ValueError(cursor)
        return at, incident_id
    except (ValueError, TypeError, binascii.Error, UnicodeEncodeError):
        raise Invalid(
            "Ogiltig cursor: ta den från förra svaret, eller börja med updated_since.",
            errors=[FieldError("cursor", "Ogiltig cursor.", "invalid_cursor", "query")],
            code="invalid_cursor",
        ) from None


def changes(
    session: Session,
    source: str,
    *,
    actor: Actor,
    updated_since: dt.datetime | None,
    cursor: str | None,
    limit: int,
    lag: dt.timedelta,
) -> tuple[list[Incident], str]:
    """The municipality's incidents changed since a point (oldest change first), for the
    source's tool to pull back; and the cursor where the page ends."""
    if actor.kind != "service" or actor.source != source or actor.organisation_id is None:
        raise Forbidden("Bara en tjänstenyckel för källan läser ändringarna här.")
    municipality = engine.municipality_of(session, actor.organisation_id)
    stmt = select(Incident).where(
        Incident.municipality_id == municipality.id, Incident.updated_at <= utcnow() - lag
    )
    if cursor is not None:
        at, after = _feed_position(cursor)
        stmt = stmt.where(
            or_(Incident.updated_at > at, and_(Incident.updated_at == at, Incident.id > after))
        )
    elif updated_since is not None:
        stmt = stmt.where(Incident.updated_at >= updated_since)
    rows = list(session.scalars(stmt.order_by(Incident.updated_at, Incident.id).limit(limit)))
    audit.record_export(
        session,
        object_type="incidents",
        form="feed",
        asked={"source": source, "updated_since": updated_since, "cursor": cursor, "limit": limit},
        rows=len(rows),
    )
    if rows:
        end = _feed_cursor(rows[-1].updated_at, rows[-1].id)
    elif cursor is not None:
        end = cursor
    else:
        # Nothing yet: begin where the caller asked, so that nothing before it comes later.
        start = updated_since or dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
        end = _feed_cursor(start - dt.timedelta(microseconds=1), MAX_ID)
    return rows, end


# What a tombstone leaves out: the text, the place and the point. A withdrawn incident is
# read only by those who may change it (policy.incident_edit_scope), and an integration is
# not one of them. What kind of event, when and in which area stay, so that a mirror reading
# it as a batch item (api.integrations.sync) finds the item whole and withdraws its copy.
TOMBSTONE_BLANK = (
    "external_id", "place", "address", "lat", "lon", "assessment", "certainty", "description",
    "reported_at",
)  # fmt: skip


def change(incident: Incident) -> schemas.Change:
    """The incident as the feed gives it; a withdrawn one as a tombstone (``TOMBSTONE_BLANK``)."""
    full = schemas.Change(
        id=incident.id,
        version=incident.version,
        updated_at=incident.updated_at,
        withdrawn=incident.withdrawn_at is not None,
        source=incident.source,
        external_id=served_reference(incident.external_id),
        category=incident.category_code,
        occurred_from=incident.occurred_from,
        occurred_to=incident.occurred_to,
        precision=incident.precision.value,
        area=incident.area.name,
        place=incident.place.name if incident.place else None,
        address=incident.address,
        lat=incident.lat,
        lon=incident.lon,
        assessment=incident.assessment.value if incident.assessment else None,
        certainty=incident.certainty.value if incident.certainty else None,
        police_reported=incident.police_reported.value,
        description=incident.description,
        organisation=incident.organisation.name,
        reported_at=incident.reported_at,
    )
    if not full.withdrawn:
        return full
    return full.model_copy(update=dict.fromkeys(TOMBSTONE_BLANK))

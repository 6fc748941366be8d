"""Photos of an observation (#20), taken with a phone's camera: read by whoever reads the
incident (``service.get_incident``, which answers 404 outside the reader's scope), added and
removed by whoever may correct it (policy.can_edit_incident).

The position a photo's EXIF held is never kept with the photo. It becomes the incident's
point only when the person asks for it and the incident has none, and then through the
incident's own correction (``service.update_incident``): a version is kept, and the area
is decided again by the point, as when a point is given on the form."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.actor import Actor
from api.errors import Conflict, Invalid
from api.incidents import photo_reads, schemas, service
from api.incidents.models import Incident
from api.photos import service as photo_service
from api.photos import storage
from api.photos.schemas import PhotoRead, PhotoSize
from api.settings import Settings

OWNER = photo_reads.OWNER


def _changeable(session: Session, incident_id: int, actor: Actor) -> Incident:
    # The same refusals as a correction's: not theirs to change, or withdrawn.
    incident = service.editable(session, incident_id, actor)
    if incident.thinned_at is not None:
        raise Conflict(
            "Händelsen är gallrad: dess bilder och exakta plats är borttagna och den tar inte "
            "emot nya bilder.",
            code="thinned",
        )
    return incident


def add(
    session: Session,
    incident_id: int,
    data: bytes,
    *,
    use_position: bool,
    actor: Actor,
    settings: Settings,
) -> schemas.IncidentPhotoAdded:
    incident = _changeable(session, incident_id, actor)
    photo, offered = photo_service.add(
        session,
        data,
        owner=OWNER,
        owner_id=incident.id,
        municipality_id=incident.municipality_id,
        user_id=actor.user_id,
        settings=settings,
    )
    added = schemas.IncidentPhotoAdded(
        **photo_reads.shown(photo).model_dump(), offered_point=offered
    )
    if use_position and offered is not None and incident.lat is None:
        change = schemas.IncidentUpdate.model_validate(
            {
                "position": {"lat": offered.lat, "lon": offered.lon},
                # The point decides the area, unless a named place does (as on the form).
                **({"area_id": None} if incident.place_id is None else {}),
            }
        )
        try:
            service.update_incident(session, incident.id, change, actor=actor)
            added.point_used = True
        except Invalid as exc:
            # The photo is kept all the same; the person is told why the point was not.
            added.point_refused = exc.errors[0].message if exc.errors else exc.detail
    return added


def photos(session: Session, incident_id: int, *, actor: Actor) -> list[PhotoRead]:
    incident = service.get_incident(session, incident_id, actor=actor)
    return photo_reads.reads(session, [incident.id])[incident.id]


def content(
    session: Session,
    incident_id: int,
    photo_id: int,
    size: PhotoSize,
    *,
    actor: Actor,
    settings: Settings,
) -> bytes:
    incident = service.get_incident(session, incident_id, actor=actor)
    photo = photo_service.get(session, OWNER, incident.id, photo_id)
    return photo_service.content(photo, size, settings)


def remove(
    session: Session, incident_id: int, photo_id: int, *, actor: Actor, settings: Settings
) -> None:
    incident = _changeable(session, incident_id, actor)
    photo = photo_service.get(session, OWNER, incident.id, photo_id)
    session.delete(photo)
    session.flush()
    storage.remove(settings, photo.key)

"""An observation's photos as its readers see them: where the API serves each one. Apart
from api.incidents.photos so that the incident's read (service.read) can show them without
importing what adds them, which imports the service."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from api.photos import service as photo_service
from api.photos.models import Photo
from api.photos.schemas import PhotoOwner, PhotoRead
from api.routing import API_PREFIX

OWNER = PhotoOwner.incident


def url(incident_id: int, photo_id: int) -> str:
    return f"{API_PREFIX}/incidents/{incident_id}/photos/{photo_id}"


def shown(photo: Photo) -> PhotoRead:
    return PhotoRead(
        id=photo.id,
        width=photo.width,
        height=photo.height,
        size_bytes=photo.size_bytes,
        created_at=photo.created_at,
        url=url(photo.owner_id, photo.id),
    )


def reads(session: Session, incident_ids: Iterable[int]) -> dict[int, list[PhotoRead]]:
    """The photos of many incidents in one query (a list that shows them)."""
    found = photo_service.for_owners(session, OWNER, incident_ids)
    return {owner: [shown(p) for p in photos] for owner, photos in found.items()}

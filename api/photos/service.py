"""Photos of records. The record's own service decides who may add or read its photos and
calls these; nothing here checks access, and no route serves a photo but through its record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.errors import NotFound
from api.photos import processing, storage
from api.photos.models import Photo
from api.photos.schemas import OfferedPoint, PhotoOwner, PhotoSize
from api.settings import Settings

# A record holds at most this many photos: enough for a finding, not an album.
MAX_PER_RECORD = 5


def add(
    session: Session,
    data: bytes,
    *,
    owner: PhotoOwner,
    owner_id: int,
    municipality_id: int,
    user_id: int | None,
    settings: Settings,
) -> tuple[Photo, OfferedPoint | None]:
    held = len(for_owner(session, owner, owner_id))
    if held >= MAX_PER_RECORD:
        raise processing.refused(f"Högst {MAX_PER_RECORD} bilder per uppgift.")
    done = processing.process(
        data,
        max_bytes=settings.photo_max_bytes,
        max_side=settings.photo_max_side,
        thumb_side=settings.photo_thumb_side,
    )
    key = storage.new_key()
    storage.write(settings, key, done.full, done.thumb)
    photo = Photo(
        municipality_id=municipality_id,
        owner_kind=owner.value,
        owner_id=owner_id,
        key=key,
        width=done.width,
        height=done.height,
        size_bytes=len(done.full),
        created_by_id=user_id,
    )
    session.add(photo)
    session.flush()
    return photo, done.offered_point


def for_owner(session: Session, owner: PhotoOwner, owner_id: int) -> list[Photo]:
    return list(
        session.scalars(
            select(Photo)
            .where(Photo.owner_kind == owner.value, Photo.owner_id == owner_id)
            .order_by(Photo.id)
        )
    )


def for_owners(
    session: Session, owner: PhotoOwner, owner_ids: Iterable[int]
) -> dict[int, list[Photo]]:
    ids = list(owner_ids)
    found: dict[int, list[Photo]] = {i: [] for i in ids}
    if not ids:
        return found
    for photo in session.scalars(
        select(Photo)
        .where(Photo.owner_kind == owner.value, Photo.owner_id.in_(ids))
        .order_by(Photo.id)
    ):
        found[photo.owner_id].append(photo)
    return found


def get(session: Session, owner: PhotoOwner, owner_id: int, photo_id: int) -> Photo:
    photo = session.get(Photo, photo_id)
    if photo is None or photo.owner_kind != owner.value or photo.owner_id != owner_id:
        raise NotFound(f"Det finns ingen bild {photo_id} här.")
    return photo


def content(photo: Photo, size: PhotoSize, settings: Settings) -> bytes:
    data = storage.read(settings, photo.key, size)
    if data is None:
        raise NotFound("Bilden finns inte längre.")
    return data


def remove_for(
    session: Session, owner: PhotoOwner, owner_ids: Iterable[int], settings: Settings
) -> int:
    """Removes the photos of these records (retention, a withdrawal): rows and files."""
    photos = [p for group in for_owners(session, owner, owner_ids).values() for p in group]
    if not photos:
        return 0
    session.execute(delete(Photo).where(Photo.id.in_([p.id for p in photos])))
    for photo in photos:
        storage.remove(settings, photo.key)
    return len(photos)


def move(session: Session, owner: PhotoOwner, owner_id: int, to: PhotoOwner, to_id: int) -> None:
    """Hands a record's photos to the record made of it (an accepted tip's observation)."""
    for photo in for_owner(session, owner, owner_id):
        photo.owner_kind, photo.owner_id = to.value, to_id
    session.flush()


def count_for(session: Session, owner: PhotoOwner, owner_ids: Iterable[int]) -> int:
    """How many photos these records hold (retention's dry run)."""
    ids = list(owner_ids)
    if not ids:
        return 0
    stmt = select(func.count(Photo.id)).where(
        Photo.owner_kind == owner.value, Photo.owner_id.in_(ids)
    )
    return session.scalar(stmt) or 0


# A photo's row is committed within moments of its files being written: files this old
# that no row holds were left by a transaction that rolled back.
UNHELD_AFTER = dt.timedelta(hours=1)


def sweep(session: Session, settings: Settings, now: dt.datetime, *, dry_run: bool = False) -> int:
    """Removes the photo files no row holds and written more than UNHELD_AFTER before
    ``now``; how many photos' files went (or, ``dry_run``, would go)."""
    old = storage.written_before(settings, (now - UNHELD_AFTER).timestamp())
    keys = list(old)
    held: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        held.update(session.scalars(select(Photo.key).where(Photo.key.in_(chunk))))
    unheld = [key for key in keys if key not in held]
    if not dry_run:
        for key in unheld:
            for path in old[key]:
                path.unlink(missing_ok=True)
    return len(unheld)

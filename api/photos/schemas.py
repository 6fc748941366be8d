from __future__ import annotations

import datetime as dt
import enum

from pydantic import BaseModel


class PhotoOwner(enum.StrEnum):
    """What a photo is of (no label: never shown, the page of the record shows it)."""

    incident = "incident"
    tip = "tip"
    walk_input = "walk_input"
    finding = "finding"


class PhotoSize(enum.StrEnum):
    """Which file of a photo: as kept (longest side photo_max_side) or the thumbnail."""

    full = "full"
    thumb = "thumb"


class OfferedPoint(BaseModel):
    """The position the photo's EXIF held: offered to the person as the record's point,
    used only if they agree; the stored photo keeps no EXIF."""

    lat: float
    lon: float


class PhotoRead(BaseModel):
    id: int
    width: int
    height: int
    size_bytes: int
    created_at: dt.datetime
    # Where the API serves the photo (and ``?size=thumb``): under the record it belongs to.
    url: str


class PhotoAdded(PhotoRead):
    """A photo just stored, with the point its EXIF held (kept nowhere)."""

    offered_point: OfferedPoint | None = None

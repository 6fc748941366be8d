"""How every route that serves a photo answers, whatever record it belongs to: the JPEG,
kept private to the reader's browser, never sniffed as anything else."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Query, UploadFile
from fastapi.responses import Response

from api.photos.schemas import PhotoSize
from api.problems import problem_responses
from api.settings import Settings

# A photo is read under its record's scope: a browser may keep it a while for this reader,
# no shared cache may.
HEADERS = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
        "description": "The photo, as JPEG without EXIF.",
    },
    **problem_responses(401, 403, 404, 422, 503),
}
SizeQuery = Annotated[PhotoSize, Query(description="`full` (default) or `thumb`.")]
# The photo of an upload (multipart ``file``), as the phone's camera took it.
PhotoFile = Annotated[UploadFile, File(description="The photo: JPEG, PNG or WebP.")]


def sent_bytes(file: UploadFile, settings: Settings) -> bytes:
    """The upload's bytes, read from where the server spooled it, one past the limit at
    most: a larger file is refused by processing without being read whole."""
    return file.file.read(settings.photo_max_bytes + 1)


def photo_response(data: bytes) -> Response:
    return Response(data, media_type="image/jpeg", headers=HEADERS)

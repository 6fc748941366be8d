"""How every route that serves a photo answers, whatever record it belongs to: the JPEG,
kept private to the reader's browser, never sniffed as anything else."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import Response

from api.photos.schemas import PhotoSize
from api.problems import problem_responses

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


def photo_response(data: bytes) -> Response:
    return Response(data, media_type="image/jpeg", headers=HEADERS)

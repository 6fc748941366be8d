"""Photos on the pages (#20), of any record: ``/bilder/…`` passes a photo on from the API
to a signed-in person (the browser holds no API token), for the API to decide whether they
may see it; the reading of a photo a form sent; the refusals in Swedish; and the photos of
a PDF as data: URIs (``embedded``), since the PDF fetches nothing.

The templates show a photo with the global ``photo_src(photo.url, thumb=True)``
(web.client_photos): the page route's address of a ``PhotoRead.url``. In a PDF's template:
``photo_src(photo.url, thumb=True, embedded=photos)`` with ``photos = await
embedded(visit.api, [p.url for p in …])`` in its context."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.photos.schemas import PhotoSize
from api.schemas_common import Problem
from api.settings import Settings
from web.client import V1, ApiClient, ApiError
from web.client_photos import PHOTO_PATH, THUMB, photo_bytes, photo_data_uri
from web.deps import VisitDep

router = APIRouter()

# A photo never changes under its address; the person's browser may keep it a while, no
# shared cache may (the API says the same).
PHOTO_HEADERS = {"Cache-Control": "private, max-age=3600"}


@router.get("/bilder/{api_path:path}", name="photo")
async def photo(api_path: str, visit: VisitDep, storlek: str = "") -> Response:
    if not PHOTO_PATH.match(api_path):
        raise StarletteHTTPException(404, "Det finns ingen sådan bild.")
    size = PhotoSize.thumb if storlek == THUMB else PhotoSize.full
    data = await photo_bytes(visit.api, api_path, size)
    return Response(data, media_type="image/jpeg", headers=PHOTO_HEADERS)


async def embedded(api: ApiClient, urls: Iterable[str], *, thumb: bool = True) -> dict[str, str]:
    """The photos (``PhotoRead.url``) as data: URIs by their url, for a PDF; one the API
    no longer has, or no longer shows this reader, is left out."""
    size = PhotoSize.thumb if thumb else PhotoSize.full
    found: dict[str, str] = {}
    for url in urls:
        path = url.removeprefix(f"{V1}/")
        if not PHOTO_PATH.match(path):
            continue
        try:
            found[url] = photo_data_uri(await photo_bytes(api, path, size))
        except ApiError as exc:
            if exc.status not in (403, 404):
                raise
    return found


@dataclass(frozen=True)
class Sent:
    """A photo a form sent: its bytes (at most one past the limit) and its name."""

    data: bytes
    filename: str


async def sent_photo(value: Any, settings: Settings) -> Sent | None:
    """The photo of a form's file field, or None when none was chosen (an empty part)."""
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    data = await value.read(settings.photo_max_bytes + 1)
    return Sent(data, value.filename) if data else None


# Why a photo was not taken, by a word that can stand in an address (the receipt page's
# ?bildfel=): the report was filed all the same.
REFUSALS = {
    "storlek": "Bilden togs inte emot: den är större än {mb} MB.",
    "typ": "Bilden togs inte emot: filen är inte ett foto i JPEG, PNG eller WebP som går att läsa.",
    "annat": "Bilden kunde inte sparas.",
}


def refusal_word(status: int) -> str:
    return {413: "storlek", 422: "typ"}.get(status, "annat")


def refusal_message(word: str, settings: Settings) -> str:
    text = REFUSALS.get(word, REFUSALS["annat"])
    return text.format(mb=settings.photo_max_bytes // (1024 * 1024))


def problem_message(status: int, problem: Problem, settings: Settings) -> str:
    """The API's refusal of a photo, for beside the form's file field."""
    if status == 413:
        return refusal_message("storlek", settings)
    return problem.errors[0].message if problem.errors else problem.detail

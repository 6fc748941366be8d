"""The API calls of photos (#20), of any record: an observation's, a tip's, a finding's.
``api_path`` is the photos' place below ``/api/v1``: ``incidents/5/photos`` to add one,
``incidents/5/photos/7`` to read or remove one (what ``PhotoRead.url`` says, without the
prefix). The pages of tips and findings use these as the incident's do."""

from __future__ import annotations

import base64
import re

from api.photos.schemas import PhotoAdded, PhotoSize
from web.client import V1, ApiClient

# The photos the page route /bilder/… passes on (web.pages.photos): an observation's, a
# tip's, a safety walk's finding's. Nothing else of the API is reached through it.
PHOTO_PATH = re.compile(r"^(incidents/\d+|tips/\d+|safety-walks/\d+/findings/\d+)/photos/\d+$")
# The page route's word for the thumbnail (?storlek=miniatyr).
THUMB = "miniatyr"


def photo_src(url: str, thumb: bool = False, embedded: dict[str, str] | None = None) -> str:
    """Where a page shows a photo whose ``PhotoRead.url`` is ``url``: the page route that
    passes it on with the signed-in person's token (the browser holds none). ``embedded``
    (``web.pages.photos.embedded``, for a PDF, which fetches nothing): the photos as data:
    URIs by their url; one not there is left out (an empty src)."""
    if embedded is not None:
        return embedded.get(url, "")
    path = url.removeprefix(f"{V1}/")
    if path == url or not PHOTO_PATH.match(path):
        return ""
    return f"/bilder/{path}" + (f"?storlek={THUMB}" if thumb else "")


def photo_data_uri(data: bytes) -> str:
    """A JPEG as a data: URI: how a photo stands in a PDF (web.rendering.render_pdf fetches
    data: URIs and nothing else)."""
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


async def upload_photo(
    api: ApiClient,
    api_path: str,
    data: bytes,
    filename: str,
    use_position: bool = False,
    *,
    key: str | None = None,
) -> PhotoAdded:
    """Sends a photo as the phone took it (the API sniffs, re-encodes and strips it).
    ``key``: an Idempotency-Key, so that a retry of the same upload adds it once."""
    response = await api._request(
        "POST",
        f"{V1}/{api_path}",
        files={"file": (filename or "bild.jpg", data, "application/octet-stream")},
        data={"use_position": "true" if use_position else "false"},
        headers={"Idempotency-Key": key} if key else None,
    )
    return PhotoAdded.model_validate_json(response.content)


async def photo_bytes(api: ApiClient, api_path: str, size: PhotoSize = PhotoSize.full) -> bytes:
    """The photo's JPEG (``size`` thumb: its thumbnail), as the API serves it to this reader."""
    response = await api._request("GET", f"{V1}/{api_path}", params={"size": size.value})
    return response.content


async def delete_photo(api: ApiClient, api_path: str) -> None:
    await api._request("DELETE", f"{V1}/{api_path}")

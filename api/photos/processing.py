"""A phone's photo made safe to keep: the type sniffed from the content (never the name or
the header the client sent), decoded within a pixel limit, turned upright, re-encoded as JPEG
without EXIF or other metadata, scaled. The EXIF position is read first and handed back, to
be offered to the person as the record's point; it is not kept with the photo."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.errors import FieldError, Invalid, TooLarge
from api.photos.schemas import OfferedPoint

if TYPE_CHECKING:
    from PIL import Image

# What phones' cameras and browsers send (an iPhone's file input hands over JPEG).
FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
# 40 megapixels: above any phone camera, far below what a crafted file would need to exhaust
# memory when decoded (a decompression bomb).
MAX_PIXELS = 40_000_000
GPS_IFD = 0x8825


@dataclass(frozen=True)
class Processed:
    full: bytes
    thumb: bytes
    width: int
    height: int
    offered_point: OfferedPoint | None


def refused(message: str, field: str = "photo") -> Invalid:
    return Invalid(
        message, errors=[FieldError(field, message, "invalid_photo")], code="invalid_photo"
    )


def _degrees(value: object) -> float | None:
    try:
        parts = list(value)  # type: ignore[call-overload]
        return float(parts[0]) + float(parts[1]) / 60 + float(parts[2]) / 3600
    except (IndexError, TypeError, ValueError, ZeroDivisionError):
        return None


def gps_point(image: Image.Image) -> OfferedPoint | None:
    """The position in the photo's EXIF GPS block, if it holds a plausible one."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:  # a broken EXIF block is only a missing position
        return None
    lat, lon = _degrees(gps.get(2)), _degrees(gps.get(4))
    if lat is None or lon is None:
        return None
    if str(gps.get(1, "N")).upper().startswith("S"):
        lat = -lat
    if str(gps.get(3, "E")).upper().startswith("W"):
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return OfferedPoint(lat=round(lat, 6), lon=round(lon, 6))


def _jpeg(image: Image.Image, side: int) -> tuple[bytes, int, int]:
    from PIL import Image

    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif=, icc_profile= or comment: the encoder writes none of the original's metadata.
    copy.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), copy.width, copy.height


def process(data: bytes, *, max_bytes: int, max_side: int, thumb_side: int) -> Processed:
    # Pillow is loaded by the first photo, not by every server process at start: the
    # processes that never see a photo (an import's, a worker's) keep their memory.
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > max_bytes:
        raise TooLarge(f"Bilden är för stor: högst {max_bytes // (1024 * 1024)} MB.")
    if not data:
        raise refused("Filen är tom.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                if kind not in FORMATS:
                    raise refused("Bilden måste vara ett foto i JPEG, PNG eller WebP.")
                if probe.width * probe.height > MAX_PIXELS:
                    raise refused("Bilden har för många bildpunkter.")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                offered = gps_point(image)
                image.load()
                upright = ImageOps.exif_transpose(image)
                rgb = upright.convert("RGB")
    except Invalid:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise refused("Filen är inte en bild som går att läsa.") from None
    full, width, height = _jpeg(rgb, max_side)
    thumb, _, _ = _jpeg(rgb, thumb_side)
    return Processed(full=full, thumb=thumb, width=width, height=height, offered_point=offered)

"""Photos as phones send them, made with Pillow: a JPEG with an EXIF GPS position and
other metadata, and files that only pretend to be images."""

from __future__ import annotations

import io
from fractions import Fraction

from PIL import Image

GPS_IFD = 0x8825


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes_float = (value - degrees) * 60
    minutes = int(minutes_float)
    seconds = Fraction(round((minutes_float - minutes) * 60 * 10_000), 10_000)
    return Fraction(degrees), Fraction(minutes), seconds


def photo(
    *,
    lat: float | None = None,
    lon: float | None = None,
    size: tuple[int, int] = (1200, 900),
    image_format: str = "JPEG",
    orientation: int | None = None,
) -> bytes:
    """A photo of ``size``; with ``lat``/``lon`` its EXIF holds that position (and a camera
    make, model and time, as a phone writes them)."""
    image = Image.new("RGB", size, (40, 90, 160))
    for x in range(0, size[0], 50):
        image.paste((230, 200, 40), (x, 0, x + 10, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "TestPhone"  # Make
    exif[0x0110] = "Model 7"  # Model
    exif[0x0132] = "2026:12:05 21:30:00"  # DateTime
    if orientation is not None:
        exif[0x0112] = orientation
    if lat is not None and lon is not None:
        exif[GPS_IFD] = {
            1: "N" if lat >= 0 else "S",
            2: _dms(lat),
            3: "E" if lon >= 0 else "W",
            4: _dms(lon),
        }
    out = io.BytesIO()
    image.save(out, format=image_format, exif=exif.tobytes())
    return out.getvalue()


def exif_of(data: bytes) -> dict[int, object]:
    """Every EXIF tag the file holds (empty when it holds none)."""
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif())


def not_an_image() -> bytes:
    """A script named and sent as a JPEG."""
    return b"<script>alert(1)</script>" + b" " * 200

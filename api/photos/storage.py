"""Where photos' files are kept: a directory (``EST_PHOTO_DIR``). One place that writes,
reads and removes them, so that an object store can take its place."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from api.photos.schemas import PhotoSize
from api.settings import Settings


def _root(settings: Settings) -> Path:
    root = Path(settings.photo_dir)
    root.mkdir(parents=True, exist_ok=True)
    return root


def _path(settings: Settings, key: str, size: PhotoSize) -> Path:
    suffix = ".jpg" if size is PhotoSize.full else ".thumb.jpg"
    return _root(settings) / f"{key}{suffix}"


def new_key() -> str:
    return secrets.token_hex(16)


def write(settings: Settings, key: str, full: bytes, thumb: bytes) -> None:
    # Written under a temporary name and moved: a reader never sees half a file.
    for size, data in ((PhotoSize.full, full), (PhotoSize.thumb, thumb)):
        target = _path(settings, key, size)
        temporary = target.with_suffix(".part")
        temporary.write_bytes(data)
        os.replace(temporary, target)


def read(settings: Settings, key: str, size: PhotoSize) -> bytes | None:
    try:
        return _path(settings, key, size).read_bytes()
    except FileNotFoundError:
        return None


def remove(settings: Settings, key: str) -> None:
    for size in PhotoSize:
        _path(settings, key, size).unlink(missing_ok=True)


def keys(settings: Settings) -> set[str]:
    """Every photo's key with a file in the directory (to find files no row holds)."""
    return {p.name.split(".", 1)[0] for p in _root(settings).glob("*.jpg")}


def written_before(settings: Settings, moment: float) -> dict[str, list[Path]]:
    """The directory's files (half-written ones too) last changed before ``moment`` (a POSIX
    time), by their key: to find those no row holds."""
    found: dict[str, list[Path]] = {}
    for path in _root(settings).iterdir():
        try:
            if not path.is_file() or path.stat().st_mtime >= moment:
                continue
        except FileNotFoundError:  # removed meanwhile
            continue
        found.setdefault(path.name.split(".", 1)[0], []).append(path)
    return found

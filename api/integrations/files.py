"""A mapping tool's export as a person downloads it, read row by row: CSV as the tool or a
Swedish Excel writes it (``;`` or ``,``, quoted fields with line breaks, UTF-8 with or
without a byte-order mark, or Windows-1252), or a GeoJSON FeatureCollection. Files are
streamed: a million rows take the memory of one.

Each row comes out as an ``Item`` with its line number (the line the row starts on, as a
text editor counts) or, for GeoJSON, its feature's number; what cannot be read at all
carries the reason instead of its fields.

Every reading is bounded while it reads, so that no file within the upload limit can make
the server build more than a few megabytes of it at once: a CSV row's length, its number
of fields and each field's length; a GeoJSON file's depth, its strings, each feature's size
and number of properties (``api.json_limits`` scans the text ahead of ijson).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import ijson

from api import spreadsheets
from api.integrations import rows
from api.integrations.rows import Item
from api.json_limits import JsonLimitExceeded, JsonLimits, LimitedReader
from api.schemas_common import name_key

REQUIRED = ("external_id", "category", "occurred_from")
# A field longer than this is a broken file (an unclosed quote), not an incident.
MAX_FIELD = 100_000
# A row (with its quoted line breaks) longer than this, or with more fields, is not an
# incident either: an incident has some twenty fields, the longest of them 2,000 characters.
MAX_ROW = 1_000_000
MAX_FIELDS = 200
# A GeoJSON feature: the same, counted in bytes and properties.
MAX_FEATURE = 1024 * 1024
MAX_PROPERTIES = 200
_SAMPLE = 64 * 1024


class FileProblem(Exception):
    """The file as a whole cannot be read (no header we know, not CSV or GeoJSON at all,
    past a limit of what is read)."""


class _RowTooLong(csv.Error):
    """Raised to the csv reader by ``_Lines``: the reader gives it up and starts afresh on
    the next line."""


@dataclass
class Reading:
    """A file being read: its rows, and what was said about the file as a whole."""

    format: str
    items: Iterator[Item]
    warnings: list[str] = field(default_factory=list)


def format_of(filename: str, head: bytes) -> str:
    lowered = filename.lower()
    if lowered.endswith((".geojson", ".json")):
        return "geojson"
    if lowered.endswith((".csv", ".txt")):
        return "csv"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return "geojson" if stripped.startswith(b"{") else "csv"


def read(stream: IO[bytes], filename: str) -> Reading:
    """The file's rows; ``stream`` must be seekable (a file on disk, or bytes in memory)."""
    head = stream.read(_SAMPLE)
    stream.seek(0)
    if format_of(filename, head) == "geojson":
        return Reading("geojson", _geojson(stream))
    return _csv(stream)


def _csv(stream: IO[bytes]) -> Reading:
    encoding = spreadsheets.encoding_of(stream)
    # Windows-1252 leaves five bytes undefined: shown as "�" rather than stopping the file.
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    first = text.readline(MAX_ROW + 1)
    while first and not first.strip():
        first = text.readline(MAX_ROW + 1)
    if not first:
        raise FileProblem("Filen är tom.")
    delimiter = spreadsheets.delimiter_of(first)
    # The header again, now through the csv reader, so that quoted headers read right.
    text.seek(0)
    csv.field_size_limit(MAX_FIELD)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"')
    header: list[str] = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                header = cells
                break
            lines.row_done()
    except csv.Error as exc:
        raise FileProblem(f"Rubrikraden kan inte läsas som CSV: {_csv_problem(exc)}.") from None
    lines.row_done()
    if len(header) > MAX_FIELDS:
        raise FileProblem(
            f"Rubrikraden har {len(header)} kolumner; det går att läsa högst {MAX_FIELDS}."
        )
    columns: list[str | None] = []
    unknown: list[str] = []
    for cell in header:
        key = name_key(cell.replace("\ufeff", ""))
        if not key:
            columns.append(None)  # a trailing empty column
        elif key in rows.CSV_HEADERS:
            columns.append(rows.CSV_HEADERS[key])
        else:
            columns.append(None)
            unknown.append(cell.strip())
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        names = ", ".join(rows.LABELS[f] for f in missing)
        raise FileProblem(
            f"Filen saknar kolumnen {names}. Rubrikraden ska ha Händelse-ID, Kategori och "
            f"Inträffade från (avgränsade med {delimiter!r})."
        )
    warnings = []
    if unknown:
        warnings.append(f"Kolumner som inte läses: {', '.join(unknown[:10])}.")
    if encoding == "cp1252":
        warnings.append("Filen är inte UTF-8 och lästes som Windows-1252.")
    return Reading("csv", _detached_after(text, _csv_rows(reader, lines, columns)), warnings)


def _detached_after(text: io.TextIOWrapper, items: Iterator[Item]) -> Iterator[Item]:
    """``items``, and then the file let go of by its text reader, which would otherwise
    close it when it goes: the caller still has the file to keep."""
    try:
        yield from items
    finally:
        text.detach()


class _Lines:
    """The file's lines for the csv reader, at most ``MAX_ROW`` characters of them for one
    row: past that the reader is told the row cannot be read before it has built it, and
    the rest of that line is skipped. A class, not a generator: after an exception it goes
    on with the next line."""

    def __init__(self, text: IO[str]) -> None:
        self.text = text
        self.in_row = 0
        # Lines read so far, those skipped too (the reader's line_num counts only its own).
        self.number = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_ROW + 1)
        if not line:
            raise StopIteration
        self.in_row += len(line)
        self.number += 1
        if self.in_row > MAX_ROW:
            while line and not line.endswith(("\n", "\r")):
                line = self.text.readline(MAX_ROW + 1)
            self.in_row = 0
            raise _RowTooLong(f"raden är längre än {MAX_ROW:,} tecken".replace(",", " "))
        return line

    def row_done(self) -> None:
        """The reader has made a row of the lines it took."""
        self.in_row = 0


def _csv_problem(exc: csv.Error) -> str:
    """The csv module's reason, in Swedish."""
    if isinstance(exc, _RowTooLong):
        return str(exc)
    if "field limit" in str(exc):
        return (
            f"ett fält är längre än {MAX_FIELD:,} tecken (kanske ett citattecken som inte "
            "stängs)".replace(",", " ")
        )
    return f"den följer inte CSV-formatet ({exc})"


def _csv_rows(reader: Any, lines: _Lines, columns: list[str | None]) -> Iterator[Item]:
    while True:
        start = lines.number + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            lines.row_done()
            yield Item(start, None, f"raden kan inte läsas som CSV: {_csv_problem(exc)}.")
            continue
        lines.row_done()
        if not any(c.strip() for c in cells):
            continue  # a blank line
        if len(cells) > MAX_FIELDS:
            yield Item(
                start, None, f"raden har {len(cells)} fält; det går att läsa högst {MAX_FIELDS}."
            )
            continue
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            yield Item(start, None, f"fler fält ({len(cells)}) än rubriker ({len(columns)}).")
            continue
        raw = {
            name: value
            for name, value in zip(columns, cells, strict=False)
            if name is not None and value.strip()
        }
        yield Item(start, raw)


def _geojson(stream: IO[bytes]) -> Iterator[Item]:
    """The features of a FeatureCollection, one at a time (ijson), numbered from 1. ijson
    reads the file through the scan of its limits (a feature is a value below level 2: in
    the collection's ``features`` array); a file past one is refused as a whole."""
    limits = JsonLimits(max_string=MAX_FIELD, max_value=MAX_FEATURE, value_level=2)
    number = 0
    try:
        for feature in ijson.items(LimitedReader(stream, limits), "features.item", use_float=True):
            number += 1
            yield _feature(number, feature)
    except JsonLimitExceeded as exc:
        raise FileProblem(f"Filen läses inte vidare efter objekt {number}: {exc}") from None
    except ijson.JSONError as exc:
        yield Item(number + 1, None, f"filen är inte giltig GeoJSON efter objekt {number} ({exc}).")
        return
    if number == 0:
        yield Item(1, None, "filen har inga objekt: en FeatureCollection med features väntades.")


def _feature(number: int, feature: Any) -> Item:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return Item(number, None, "objektet är inte en Feature.")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        return Item(number, None, "properties ska vara ett objekt.")
    if len(properties) > MAX_PROPERTIES:
        return Item(
            number, None, f"objektet har {len(properties)} egenskaper; det går att läsa högst "
            f"{MAX_PROPERTIES}.",
        )  # fmt: skip
    raw: dict[str, Any] = {}
    for key, value in properties.items():
        field_name = rows.CSV_HEADERS.get(name_key(str(key)), str(key))
        if isinstance(value, dict | list):
            # Kept no further than here: an incident's fields are text, numbers and truth
            # values, and a chunk of rows is held at once.
            label = rows.LABELS.get(field_name, str(key)[:100])
            return Item(number, None, f"{label}: ska vara text eller ett tal.")
        if value is not None and value != "":
            raw[field_name] = value
    geometry = feature.get("geometry")
    if geometry is not None:
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            return Item(number, None, "geometrin ska vara en punkt (Point).")
        coordinates = geometry.get("coordinates")
        if (
            not isinstance(coordinates, list)
            or len(coordinates) < 2
            or not all(isinstance(c, int | float) for c in coordinates[:2])
        ):
            return Item(number, None, "punkten ska ha två tal: longitud och latitud.")
        # RFC 7946: longitude first, in WGS 84.
        raw["lon"], raw["lat"] = float(coordinates[0]), float(coordinates[1])
    if "external_id" not in raw and feature.get("id") is not None:
        raw["external_id"] = str(feature["id"])
    return Item(number, raw)

"""CSV that stays inert in a spreadsheet: every file of ours that Excel or LibreOffice may
open is written through ``writer``, which neutralises each cell with ``inert``.

Why: a cell beginning with ``=``, ``+``, ``-`` or ``@`` is a formula to a spreadsheet
(``=HYPERLINK(…)`` sends the reader's data away, ``=cmd|' /C calc'!A0`` runs a program in
old Excel), and a tab or carriage return before one hides it. Such text reaches our files
from outside: an id or an address pushed by a mapping tool, a place's or an
organisation's name. OWASP's remedy: a single quote before the cell, which the
spreadsheet shows as text and does not evaluate. A plain number (``-12,5``, ``+46``) is
left as it is: it is no formula, and a sheet should add it up.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable
from typing import IO, Any, TextIO

# What a spreadsheet reads as the start of a formula, or a hidden one.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A number as a spreadsheet reads one, with a decimal point or comma.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def inert(cell: object) -> str:
    """The cell as text a spreadsheet will not evaluate."""
    text = "" if cell is None else str(cell)
    # Spaces before the sign do not make it text to every spreadsheet.
    if text.lstrip(" \u00a0").startswith(TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text.strip()):
        return "'" + text
    return text


class InertWriter:
    """``csv.writer``'s writerow and writerows, each cell through ``inert``."""

    def __init__(self, out: TextIO, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([inert(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: TextIO, **options: Any) -> InertWriter:
    """The one CSV writer of the product (options as ``csv.writer`` takes them)."""
    return InertWriter(out, **options)


def encoding_of(stream: IO[bytes]) -> str:
    """UTF-8 (with or without a byte-order mark) when the whole file decodes as it, else
    Windows-1252, which Swedish Excel writes: read through once to know before the first
    row is imported, rather than finding a stray byte on row 900,000."""
    start = stream.read(3)
    stream.seek(0)
    if start == codecs.BOM_UTF8:
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        stream.seek(0)
    return "utf-8"


def delimiter_of(header: str) -> str:
    counts = {d: 0 for d in (";", ",", "\t")}
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"

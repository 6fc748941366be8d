"""JSON read within bounds: a linear scan that goes ahead of the real parser (``json`` for
request bodies, ijson for an uploaded GeoJSON file) and refuses the text as soon as it nests
deeper than a limit, holds a longer string than a limit, or holds a value (below a given
level) longer than a limit, before the parser has built anything of it.

Why ahead of the parser: what a parser builds can be far larger than the text. A
GeoJSON file nested a million levels deep took ijson past 20 GB (it keeps the path to
every level, so its memory grows with the square of the depth), ``[[],[],…]`` is 20 times
its size as Python lists, and the standard library stops at about a thousand levels with
an error it reports in English.

The scan keeps three numbers and a flag between chunks, so that a file is checked as it
is read; each chunk is worked through with a few passes in C (the regular expression
module and ``bytes.translate``), not a Python loop per character.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import IO

# Deep enough for any document of ours: a GeoJSON MultiPolygon in a FeatureCollection is 8
# levels, a pushed batch 3.
MAX_DEPTH = 32
# The scan works on pieces of at most this many bytes: the lengths below are kept to within
# one piece.
PIECE = 64 * 1024

# A string from its opening quote to its closing one; and the rest of a string begun in an
# earlier piece, up to (not including) its closing quote.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
_BRACKETS = b"[]{}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)
# Outside strings, anything but structure and whitespace is part of a number or a word
# (true, false, null), and none is longer than this.
MAX_WORD = 1000
_NOT_WORD = b"[]{},: \t\n\r\x0b\x0c"
_WORD_BYTES = bytes(b for b in range(256) if b not in _NOT_WORD)
_WORD_RUN = re.compile(rb"[^\[\]{},:\s]*")
_LONG_WORD = re.compile(rb"[^\[\]{},:\s]{%d}" % (MAX_WORD + 1))
_STEP = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))


class JsonLimitExceeded(ValueError):
    """The text goes past a limit; the message says which, in Swedish, for a person."""


class JsonLimits:
    """A scan of one JSON text fed piece by piece (``feed``); raises ``JsonLimitExceeded``.

    ``max_string``: the longest string, in bytes. ``max_value`` with ``value_level``: the
    longest value nested below that level, in bytes (a GeoJSON file's features are the
    values below level 2: the collection is level 1, its ``features`` array level 2).
    Malformed JSON is left to the parser to report, except for more closing brackets than
    opening ones, which would hide depth from the count."""

    def __init__(
        self,
        *,
        max_depth: int = MAX_DEPTH,
        max_string: int | None = None,
        max_value: int | None = None,
        value_level: int = 0,
    ) -> None:
        self.max_depth = max_depth
        self.max_string = max_string
        self.max_value = max_value
        self.value_level = value_level
        self.depth = 0
        self._in_string = False
        self._escaped = False
        self._string_bytes = 0
        self._value_bytes = 0
        self._word_bytes = 0

    def feed(self, data: bytes) -> None:
        for start in range(0, len(data), PIECE):
            self._piece(data[start : start + PIECE])

    def _piece(self, piece: bytes) -> None:
        start_depth = self.depth
        outside = self._outside_strings(piece)
        lowest = start_depth
        if outside:
            self._words(outside)
            lowest = self._brackets(outside)
        if self.max_value is not None:
            self._count_value(len(piece), lowest)

    def _outside_strings(self, piece: bytes) -> bytes:
        """The part of ``piece`` outside strings, with the complete strings taken out (the
        scan then sees only brackets, numbers and words)."""
        position = 0
        if self._in_string:
            if self._escaped:
                position, self._escaped = 1, False
            end = _STRING_REST.match(piece, position).end()  # type: ignore[union-attr]
            if end < len(piece) and piece[end] == ord("\\"):
                # The piece ends between a backslash and the character it escapes.
                self._escaped = True
                end += 1
            self._string_bytes += end
            self._check_string()
            if end == len(piece):
                return b""
            self._in_string = False
            self._string_bytes = 0
            position = end + 1
        outside = _STRING.sub(b"", piece[position:])
        opened = outside.find(b'"')
        if opened >= 0:
            # A string that goes on in the next piece: what follows its quote is its text.
            # Its trailing backslashes pair up from their first (what precedes them is no
            # backslash), so an odd number leaves the last one escaping the next piece's
            # first byte.
            self._in_string = True
            self._string_bytes = len(outside) - opened - 1
            self._escaped = (len(piece) - len(piece.rstrip(b"\\"))) % 2 == 1
            self._check_string()
            outside = outside[:opened]
        return outside

    def _check_string(self) -> None:
        if self.max_string is not None and self._string_bytes > self.max_string:
            raise JsonLimitExceeded(
                f"En text i JSON är längre än {_size(self.max_string)}, det längsta som tas emot."
            )

    def _words(self, outside: bytes) -> None:
        """A number, true, false or null is short; a long one would be buffered whole by
        the parser. Counted across pieces: the run a piece ends with goes on in the next."""
        leading = _WORD_RUN.match(outside).end()  # type: ignore[union-attr]
        longest = self._word_bytes + leading
        if leading == len(outside):
            self._word_bytes = longest
        else:
            if _LONG_WORD.search(outside):
                longest = MAX_WORD + 1
            self._word_bytes = len(outside) - len(outside.rstrip(_WORD_BYTES))
        if longest > MAX_WORD:
            raise JsonLimitExceeded(
                f"Ett tal eller ord i JSON är längre än {MAX_WORD} tecken; det är inte giltig JSON."
            )

    def _brackets(self, outside: bytes) -> int:
        """Follows the depth through the piece; the lowest level it was at."""
        brackets = outside.translate(None, _NOT_BRACKETS)
        if not brackets:
            return self.depth
        levels = list(accumulate(map(_STEP.__getitem__, brackets), initial=self.depth))
        if max(levels) > self.max_depth:
            raise JsonLimitExceeded(
                f"JSON är nästlad djupare än {self.max_depth} nivåer, det djupaste som tas emot."
            )
        lowest = min(levels)
        if lowest < 0:
            raise JsonLimitExceeded(
                "Det är inte giltig JSON: en hakparentes stängs som aldrig öppnats."
            )
        self.depth = levels[-1]
        return lowest

    def _count_value(self, size: int, lowest: int) -> None:
        assert self.max_value is not None
        if lowest <= self.value_level:
            # A value ended or began in this piece: the one open now is counted from its
            # start, at most this whole piece.
            self._value_bytes = size if self.depth > self.value_level else 0
        else:
            self._value_bytes += size
        if self._value_bytes > self.max_value:
            raise JsonLimitExceeded(
                f"Ett objekt i filen är större än {_size(self.max_value)}, det största som "
                "tas emot."
            )


def _size(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB"
    return f"{limit:,} byte".replace(",", " ")


class LimitedReader:
    """A binary file whose text is scanned by ``limits`` as it is read: the parser reading
    it gets no byte past the first limit gone past."""

    def __init__(self, stream: IO[bytes], limits: JsonLimits) -> None:
        self.stream = stream
        self.limits = limits

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.limits.feed(data)
        return data

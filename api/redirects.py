"""Where this product may send a browser or a client: the one check of every ``next`` after
signing in and of every ``Location`` and ``HX-Redirect`` header the API and the web write
(``SecurityHeaders`` in api/middleware.py passes every such header through it).

Only a path on this site passes. Judged as the most lenient reader would read it: after
percent-decoding again and again until nothing changes (a proxy or a framework may decode
once more), without whitespace and control characters (a browser drops a tab or a line
break inside a URL, so ``/<TAB>/evil.example`` is ``//evil.example`` to it) and with
look-alike characters folded (NFKC: a full-width ``／`` is a ``/``). What is written out is
the target itself, without those characters and percent-encoded to plain ASCII, so that the
browser reads exactly what was judged.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote

# Longer than any address of ours with its filters.
MAX_TARGET = 2000
# More rounds of percent-encoding than this is no address of ours.
_MAX_DECODING_ROUNDS = 8
# Kept as they are when the target is written out: RFC 3986's reserved and unreserved
# characters, and the "%" of escapes already there.
_KEPT = "/?#[]@!$&'()*+,;=:-._~%"
# Whitespace, control and format characters (zero-width, bidi): no path of ours has them.
_DROPPED_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}
HOME = "/"


def safe_path(target: str | None) -> str:
    """``target`` if it is a path on this site (percent-encoded to ASCII), else ``/``."""
    if not target or len(target) > MAX_TARGET:
        return HOME
    decoded = target
    for _ in range(_MAX_DECODING_ROUNDS):
        once = unquote(decoded, errors="replace")
        if once == decoded:
            break
        decoded = once
    else:
        return HOME
    if not _on_this_site(unicodedata.normalize("NFKC", _without_invisibles(decoded))):
        return HOME
    written = quote(_without_invisibles(target), safe=_KEPT)
    return written if _on_this_site(written) else HOME


def _without_invisibles(text: str) -> str:
    return "".join(
        c for c in text if not c.isspace() and unicodedata.category(c) not in _DROPPED_CATEGORIES
    )


def _on_this_site(path: str) -> bool:
    """A path-absolute reference: one slash, then not another (``//host``) nor a backslash,
    which browsers read as a slash."""
    return path.startswith("/") and not path.startswith(("//", "/\\"))

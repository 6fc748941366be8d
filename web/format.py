"""How things are shown in Swedish on the pages: dates and times, changes and shares,
Swedish alphabetical order, and what people type read back (dates, times, numbers, ids).
The words themselves (every enum's name, months, weekdays) are api.swedish's, shared with
the API's own texts."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from api import localtime, swedish
from api.localtime import STOCKHOLM
from api.swedish import day_sv

_ORDINALS = {3: "tredje", 4: "fjärde", 5: "femte", 6: "sjätte", 8: "åttonde"}

# Swedish alphabetical order: å, ä, ö come last, in that order; é and ü as e and y.
_SWEDISH = str.maketrans(
    {"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "é": "e", "è": "e", "ü": "y"}
)


def sort_key(text: str) -> str:
    return text.casefold().translate(_SWEDISH)


def by_name(items: Iterable[Any]) -> list[Any]:
    """Records in Swedish alphabetical order of their names."""
    return sorted(items, key=lambda item: sort_key(item.name))


def today_iso() -> str:
    """Today in Swedish time, as a date field's value."""
    return localtime.today().isoformat()


def datetime_sv(value: dt.datetime | None) -> str:
    """``4 mars 2021 21:30`` in Swedish local time."""
    if value is None:
        return ""
    local = value.astimezone(STOCKHOLM)
    return f"{day_sv(local.date())} {local:%H:%M}"


def date_sv(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(STOCKHOLM).date()
    return day_sv(value)


def cadence_sv(weeks: int | None) -> str:
    if weeks is None:
        return ""
    if weeks == 1:
        return "varje vecka"
    if weeks == 2:
        return "varannan vecka"
    if weeks in _ORDINALS:
        return f"var {_ORDINALS[weeks]} vecka"
    return f"var {weeks}:e vecka"


def owner_sv(organisation: str, responsible: str | None) -> str:
    """An intervention's owner and who answers for it there, each named once: a role typed
    with its organisation ("Platschef, Rapid Säkerhet") does not name the owner again."""
    kept = [
        part.strip()
        for part in (responsible or "").split(",")
        if part.strip() and part.strip().casefold() != organisation.casefold()
    ]
    return ", ".join([organisation, *kept])


def plural(n: int, one: str, many: str) -> str:
    """The word that agrees with a count: ``plural(1, "ny", "nya")`` is "ny"."""
    return one if n == 1 else many


def count_sv(n: int, one: str, many: str) -> str:
    """A count and its word: "1 ny", "2 nya"."""
    return f"{n} {plural(n, one, many)}"


def parse_number(text: str) -> float | None:
    """A decimal number as people type it (decimal comma, spaces); None for anything else,
    "nan" and "inf" included."""
    try:
        value = float(text.strip().replace(",", ".").replace(" ", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) < 1e9 else None


def parse_id(text: str) -> int | None:
    """A record's number from a form; None for anything else. str.isdigit() would pass "²"
    and other digits that int() refuses."""
    text = text.strip()
    return int(text) if re.fullmatch(r"[0-9]{1,15}", text) else None


def parse_ids(values: Iterable[object]) -> list[int]:
    """The record numbers among a form's repeated field, in order, once each."""
    found = (parse_id(str(v)) for v in values)
    return list(dict.fromkeys(i for i in found if i is not None))


def parse_date(text: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None
    # Years far off are typing mistakes, and would overflow a day later.
    return day if day is None or 1900 <= day.year <= 2099 else None


def start_of_day(day: dt.date, *, days: int = 0) -> str:
    """Midnight in Stockholm (``days`` later), with its offset, as the API takes times."""
    return localtime.midnight(day + dt.timedelta(days=days)).isoformat()


def window_sv(start: dt.datetime, end: dt.datetime, precision: str) -> str:
    """When, as a person says it: "4 mars 2021 21:30", "4 mars 2021", "4 mars 2021 18:00–23:00"."""
    if precision == "day":
        last = (end - dt.timedelta(seconds=1)).astimezone(STOCKHOLM).date()
        first = start.astimezone(STOCKHOLM).date()
        return date_sv(first) if first == last else f"{date_sv(first)} – {date_sv(last)}"
    if end <= start:
        return datetime_sv(start)
    local_start, local_end = start.astimezone(STOCKHOLM), end.astimezone(STOCKHOLM)
    if local_start.date() == local_end.date():
        return f"{datetime_sv(start)}–{local_end:%H:%M}"
    return f"{datetime_sv(start)} – {datetime_sv(end)}"


def slug(text: str) -> str:
    """A file name people can read: "EST områdesgrupp Bro" → "est-omradesgrupp-bro"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "fil"


def percent_change(current: int, earlier: int) -> str:
    """ "+25 %", "−40 %"; nothing when there is nothing to compare with."""
    return "" if earlier == 0 else change_sv((current - earlier) / earlier)


def change_sv(change: float | None) -> str:
    """A relative change the API computed (−0.4) as "−40 %"; "–" where it gave none."""
    if change is None:
        return "–"
    value = round(100 * change)
    # A no-break space: "−14 %" never breaks between the figure and its sign.
    return f"{'+' if value > 0 else '−' if value < 0 else '±'}{abs(value)}\u00a0%"


def share_sv(value: float | None) -> str:
    return "–" if value is None else f"{round(100 * value)}\u00a0%"


def parse_time(text: str) -> dt.time | None:
    """``21:30`` or ``21.30``; None for anything else."""
    match = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return dt.time(int(match[1]), int(match[2]))


def number_sv(value: float | None, decimals: int = 1) -> str:
    """12.5 → "12,5"; 9.0 → "9": as a figure is written in Swedish. Hours for a grant keep two
    decimals (4.25 → "4,25"), as the CSV and the API give them."""
    if value is None:
        return "–"
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").removesuffix(".")
    return text.replace(".", ",").replace("-", "−")


def integer_sv(value: int) -> str:
    """41200 → "41 200": thousands apart by a space that does not break."""
    return f"{value:,}".replace(",", "\u00a0").replace("-", "−")


def probability_sv(value: float) -> str:
    """A p- or q-value as a reader takes it in: "< 0,001" below a thousandth, else three
    decimals."""
    return "<\u00a00,001" if value < 0.001 else number_sv(value, 3)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Two versions of a text word by word, as the pages show them side by side:
    ("=", same), ("-", only before), ("+", only after)."""
    a, b = before.split(), after.split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", " ".join(b[j1:j2])))
    return out


def audit_rows(event: Any) -> str:
    """What a read of many records held, for the audit log's "Begäran" column: its form in
    Swedish (an export's; a read has none), how many rows, its filter. Never "None"."""
    form = swedish.AUDIT_FORMS.get(event.detail, event.detail) if event.detail else ""
    rows = count_sv(event.rows or 0, "rad", "rader")
    said = f"{form}: {rows}" if form else rows
    return f"{said}, urval {event.query}" if event.query else said

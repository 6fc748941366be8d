"""The personal data guard: EST is about places and situations, not persons. A description
that looks like it names someone (a personal identity number that passes the checksum, a
phone number, an e-mail address) is pointed out before it is saved."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PERSONNUMMER = re.compile(r"(?<![\d-])(?:19|20)?(\d{6})[-+ ]?(\d{4})(?![\d-])")
# Swedish numbers: 07x mobiles and area codes, with spaces or dashes, or +46.
_PHONE = re.compile(r"(?<![\d+])(?:\+46[\s-]?|0)\d(?:[\s-]?\d){6,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Finding:
    kind: str  # what it looks like, in Swedish
    text: str


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _personnummer(date: str, rest: str) -> bool:
    month, day = int(date[2:4]), int(date[4:6])
    # A coordination number (samordningsnummer) has 60 added to the day.
    valid_day = 1 <= day <= 31 or 61 <= day <= 91
    return 1 <= month <= 12 and valid_day and _luhn(date + rest)


def findings(text: str) -> list[Finding]:
    found: list[Finding] = []
    numbers: list[tuple[int, int]] = []
    for match in _PERSONNUMMER.finditer(text):
        if _personnummer(match[1], match[2]):
            found.append(Finding("ett personnummer", match[0]))
            numbers.append(match.span())
    for match in _PHONE.finditer(text):
        if not any(start <= match.start() < end for start, end in numbers):
            found.append(Finding("ett telefonnummer", match[0].strip()))
    found.extend(Finding("en e-postadress", m[0]) for m in _EMAIL.finditer(text))
    return found


def warning(items: list[Finding]) -> str:
    what = ", ".join(f"{f.kind} ({f.text})" for f in items[:3])
    return (
        f"Beskrivningen ser ut att innehålla {what}. EST handlar om platser och situationer, "
        "inte om personer: ta bort uppgiften, eller bekräfta att den verkligen behövs."
    )

"""The personal data guard: EST is about places and situations, not persons. A description
that looks like it names someone (a personal identity number that passes the checksum, a
phone number, an e-mail address) is pointed out before it is saved."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PERSONNUMMER = re.compile(r"(?<![\d-])(?:19|20)?(\d{6}) ?[-+ ]? ?(\d{4})(?![\d-])")
# Swedish numbers: 07x mobiles and area codes, with spaces, dashes, slashes or dots, or +46.
_PHONE = re.compile(r"(?<![\d+])(?:\+46[\s-]?|0)\d(?:[\s./-]{0,3}\d){6,10}(?!\d)")
# Written ways of the same thing: dashes of all kinds, 0046 for +46, "+46 (0)70".
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                         "\u2014": "-", "\u2212": "-"})  # fmt: skip
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


def _normalised(text: str) -> str:
    text = text.translate(_DASHES)
    text = re.sub(r"(?<![\d+])0046", "+46", text)
    return re.sub(r"(\+46)\s*\(0\)\s*", r"\1 ", text)


def findings(text: str) -> list[Finding]:
    text = _normalised(text)
    found: list[Finding] = []
    numbers: list[tuple[int, int]] = []
    for match in _PERSONNUMMER.finditer(text):
        if _personnummer(match[1], match[2]):
            found.append(Finding("ett personnummer", match[0]))
            numbers.append(match.span())
    for match in _PHONE.finditer(text):
        digits = sum(c.isdigit() for c in match[0])
        # Nine digits or more (08-123 45 67 has nine): "0930-1100" is a time, not a number.
        if digits >= 9 and not any(start <= match.start() < end for start, end in numbers):
            found.append(Finding("ett telefonnummer", match[0].strip()))
    found.extend(Finding("en e-postadress", m[0]) for m in _EMAIL.finditer(text))
    return found


def warning(
    items: list[Finding],
    subject: str = "Beskrivningen",
    then: str = "ta bort uppgiften, eller bekräfta att den verkligen behövs",
) -> str:
    what = ", ".join(f"{f.kind} ({f.text})" for f in items[:3])
    return (
        f"{subject} ser ut att innehålla {what}. EST handlar om platser och situationer, "
        f"inte om personer: {then}."
    )

"""The personal data guard: EST is about places and situations, not persons. A text that looks
like it names someone (a personal identity or coordination number, a phone number, an e-mail
address) is pointed out before it is saved.

The text is first brought to one plain form, so that what a person reads as the same number
is matched as the same number: compatibility forms (full-width digits, ligatures) folded by
NFKC, other scripts' digits made ASCII, characters that show nothing (zero-width, bidi
controls) removed, every dash made ``-``, every space ``" "``, and ``/`` or ``.`` between
digits made ``-``. Then well-kept libraries judge the candidates: ``python-stdnum`` the
personnummer (with the coordination number's day + 60 added here, which it does not know) and
libphonenumber's matcher the phone numbers, at the leniency that takes only numbers valid for
their region (so "0930-1100", a time, and "2026-03-04", a date, are not numbers).

Kept free of the domain (no storage, no schema): ``api.schemas_common`` declares the guard on
field types with it, and the web may load it."""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from stdnum import luhn
from stdnum.se import personnummer

# What shows nothing: zero-width spaces and joiners, marks of direction, the bidi controls,
# the word joiner and invisible operators, the byte order mark, the Mongolian vowel separator.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
# Phone numbers looked for at most: the warning names three.
MAX_EACH = 3
# A digit group's separator a person may write between the parts of one number.
_BETWEEN_DIGITS = re.compile(r"(?<=\d)[/.](?=\d)")
# Date (6 or 8 digits), then at most one separator with spaces around, then four digits; not
# glued to a word ("EMB-20260304-0003"), which makes it a tool's identifier: one in ten of
# those would pass the check digit by chance and refuse the mapping tool's row. The date may
# also be read out in groups, as a person says it: "85 03 12", "85-03-12", "1985 03 12",
# "1985 0312" (the serial then "12 34" after a dash as well): written so, the phone matcher
# took it for a phone number and named it one. A date of eight digits in dashed groups is
# left out: "2026-03-04 2130" is an ISO date and a time, not a person.
_PERSONNUMMER = re.compile(
    r"(?<!\w)(?<!\w-)"
    r"(?P<date>\d{6}|\d{8}|\d\d(?P<sep>[ -])\d\d(?P=sep)\d\d|\d{4} \d\d ?\d\d)"
    r"(?: ?[-+]? ?(?P<serial>\d{4})| ?[-+] ?(?P<pair>\d\d) (?P<pair2>\d\d))"
    r"(?!\d)(?!-\d)"
)
# Starting only where a run of such characters starts: tried from inside one as well, a long
# run without an @ ("a.a.a.…", "12-34-56-…") takes time with the square of its length.
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")


# What a finding looks like, in Swedish, as the warning names it.
PERSONNUMMER = "ett personnummer"
SAMORDNINGSNUMMER = "ett samordningsnummer"
PHONE = "ett telefonnummer"
EMAIL = "en e-postadress"


@dataclass(frozen=True)
class Finding:
    kind: str  # what it looks like: one of the four above
    text: str  # what was found, as normalised


def _plain_char(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Pd" or char == "\u2212":  # every dash, and the minus sign
        return "-"
    if category in ("Zs", "Zl", "Zp") or char in "\t\r\n\v\f":
        return " "
    if category == "Nd" and not char.isascii():
        return str(unicodedata.decimal(char))
    return char


def normalised(text: str) -> str:
    """``text`` as the guard reads it (see the module's doc)."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    text = "".join(_plain_char(char) for char in text)
    return _BETWEEN_DIGITS.sub("-", text)


def _identity_kind(date: str, serial: str) -> str | None:
    """``PERSONNUMMER`` or ``SAMORDNINGSNUMMER`` when the digits are one, else None."""
    if personnummer.is_valid(f"{date}-{serial}"):
        return PERSONNUMMER
    # A coordination number (samordningsnummer) has 60 added to the day of birth; the check
    # digit is computed over the number as written.
    day = int(date[-2:])
    if not 61 <= day <= 91 or not luhn.is_valid((date + serial)[-10:]):
        return None
    born = f"{date[:-2]}{day - 60:02d}"
    try:
        personnummer.get_birth_date(f"{born}-{serial}")
    except personnummer.ValidationError:
        return None
    return SAMORDNINGSNUMMER


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def findings(text: str) -> list[Finding]:
    """What in ``text`` looks like personal data, in the order of the kinds: identity
    numbers, phone numbers, e-mail addresses. Where two kinds read the same characters, the
    more specific names them: an identity number (a date and a check digit) before an
    e-mail address (an @) before a phone number (any number valid in a region), so that
    "0701234567@sms.example" is an e-mail address and "85 03 12-1234" a personnummer."""
    text = normalised(text)
    identities: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for match in _PERSONNUMMER.finditer(text):
        date = match["date"].replace(" ", "").replace("-", "")
        kind = _identity_kind(date, match["serial"] or match["pair"] + match["pair2"])
        if kind:
            identities.append(Finding(kind, match[0]))
            taken.append(match.span())
    emails: list[Finding] = []
    for match in _EMAIL.finditer(text):
        if not _overlaps(match.span(), taken):
            emails.append(Finding(EMAIL, match[0]))
            taken.append(match.span())
    phones = phonenumbers.PhoneNumberMatcher(text, "SE", phonenumbers.Leniency.VALID)
    # A text full of numbers stops early.
    found = [
        Finding(PHONE, number.raw_string)
        for number in itertools.islice(phones, MAX_EACH)
        if not _overlaps((number.start, number.end), taken)
    ]
    return identities + found + emails


# Each guarded field by the word a message starts with: "Ansvarig ser ut att innehålla …".
SUBJECTS = {
    "address": "Adressen",
    "adopted_by": "Antagen av",
    "agenda": "Dagordningen",
    "analysis": "Analysen",
    "assessment": "Bedömningen",
    "briefing_place": "Samlingsplatsen",
    "child_perspective": "Barnperspektivet",
    "comment": "Synpunkten",
    "description": "Beskrivningen",
    "display_name": "Namnet",
    "done": "Det som gjorts",
    "external_id": "Händelse-ID",
    "label": "Platsens namn",
    "label_en": "Den engelska benämningen",
    "label_sv": "Benämningen",
    "location": "Platsen",
    "meeting_point": "Mötesplatsen",
    "minutes": "Protokollet",
    "name": "Namnet",
    "note": "Anteckningen",
    "notes": "Anteckningarna",
    "offence": "Brottstypen",
    "other_information": "Den andra relevanta informationen",
    "partners_other": "Andra samarbetsparter",
    "proposals": "Förslagen",
    "reason": "Skälet",
    "report_id": "Rapport-ID",
    "responsible": "Ansvarig",
    "responsible_office": "Ansvarig förvaltning",
    "route": "Sträckan",
    "seen": "Det som setts",
    "source": "Källan",
    "status_note": "Anteckningen om statusen",
    "summary": "Sammanfattningen",
    "text": "Texten",
    "theme": "Temaområdet",
    "title": "Rubriken",
    "unit": "Enheten",
}


def subject(field: str | None) -> str:
    return SUBJECTS.get(field or "", "Texten")


def warning(items: list[Finding], subject: str = "Texten", then: str | None = None) -> str:
    """``subject`` ("Ansvarig") names the field; ``then`` what the writer can do (by default:
    take it out or confirm it)."""
    what = ", ".join(f"{f.kind} ({f.text})" for f in items[:3])
    then = then or "ta bort uppgiften, eller bekräfta att den verkligen behövs"
    return (
        f"{subject} ser ut att innehålla {what}. EST handlar om platser och situationer, "
        f"inte om personer: {then}."
    )

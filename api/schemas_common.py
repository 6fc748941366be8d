"""Field types and base classes the domain's schemas share."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from api import privacy
from api.localtime import STOCKHOLM, SWEDISH_ZONE

# The schema says in patterns what the validators check, so that a client (and the
# property-based tests) can tell valid input from the schema alone; the validators give the
# Swedish message. Controls include the bidirectional overrides, which can make a name
# display as something else than it is.
_CONTROLS = r"\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069"
# Tab, line feed and carriage return are allowed in text: browsers send a textarea's line
# breaks as CRLF.
_TEXT_CONTROLS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069"
# What a name may not consist of alone: space and characters that show nothing.
_BLANK = _CONTROLS + r"\s\u200b-\u200f\u2060-\u2065\ufeff"
_NAME_PATTERN = rf"^[^{_CONTROLS}]*[^{_BLANK}][^{_CONTROLS}]*$"
_TEXT_PATTERN = rf"^[^{_TEXT_CONTROLS}]*$"
# Folding can lengthen a name ("ﷺ" becomes 18 letters); the key column holds this much.
MAX_NAME_KEY = 400
# Ids are 32-bit integers in both databases.
MAX_ID = 2**31 - 1


def name_key(name: str) -> str:
    """Two names that a person would call the same ("Bro", " bro ") have the same key."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _name(value: str) -> str:
    if re.search(f"[{_CONTROLS}]", value):
        raise ValueError("Får inte innehålla styrtecken eller radbrytningar.")
    if not re.fullmatch(_NAME_PATTERN, value):
        raise ValueError("Får inte vara tomt.")
    if len(name_key(value)) > MAX_NAME_KEY:
        # A rule JSON Schema cannot state, hence its own error type.
        raise PydanticCustomError("name_too_long", "Namnet är för långt.")
    return value


def fit_name(text: str) -> str:
    """``text`` shortened until it is a valid ``Name``: for names made up of others."""
    text = text[:200].strip()
    while len(name_key(text)) > MAX_NAME_KEY:
        text = text[:-1].rstrip()
    return text


def _text(value: str) -> str:
    if re.search(f"[{_TEXT_CONTROLS}]", value):
        raise ValueError("Får inte innehålla styrtecken.")
    return value


# Personal data ---------------------------------------------------------------------------
# Every text a request body carries declares what the personal data guard (api.privacy) does
# with it, on its type: ``Guarded()`` looks at it, ``Exempt(reason)`` says why not. Name, Text,
# FilledText and LongText are guarded, so a new text field is guarded unless it says
# otherwise; tests/api/test_privacy_guard_coverage.py fails on a string field of a request
# body that declares neither.


class PersonalDataPolicy:
    """What the guard does with a text field (one of the two below)."""


class Guarded(PersonalDataPolicy):
    """Text that looks like it names someone is refused, beside its field. Where the body
    has ``confirm_personal_data`` (an incident, a lägesbild), true in it lets the text
    through; elsewhere nothing does."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_after_validator_function(_guard, handler(source))

    def __repr__(self) -> str:
        return "Guarded()"


class Exempt(PersonalDataPolicy):
    """Not looked at, for ``reason``: a password, an account's own name or address (which
    is account data), a code, a search that is not stored."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Exempt({self.reason!r})"


# Whether the body being read confirmed personal data: None where it cannot (no
# confirm_personal_data field), else its value. Set by Input while it validates, read by the
# guarded fields inside it, nested models included.
_CONFIRMED: ContextVar[bool | None] = ContextVar("personal_data_confirmed", default=None)
CONFIRM_FIELD = "confirm_personal_data"


_STORED: ContextVar[bool] = ContextVar("stored_text", default=False)


@contextmanager
def stored_text() -> Iterator[None]:
    """Inside (or on a function, as a decorator): schemas built from text that is already
    stored (an agenda built from the group's records) are not looked at again. The text was
    looked at when it was written; a newer detector (new number ranges in libphonenumber) must
    not make a stored record unreadable."""
    token = _STORED.set(True)
    try:
        yield
    finally:
        _STORED.reset(token)


def _guard(value: Any, info: ValidationInfo) -> Any:
    confirmed = _CONFIRMED.get()
    if not isinstance(value, str) or confirmed or _STORED.get():
        return value
    found = privacy.findings(value)
    if found:
        then = "ta bort uppgiften" if confirmed is None else None
        raise PydanticCustomError(
            "personal_data",
            privacy.warning(found, privacy.subject(info.field_name), then),
        )
    return value


GUARDED = Guarded()
# A code (a category's, a source's) is held to a pattern that leaves no room for free text.
CODE = Exempt("a code, held to a pattern of letters, digits and _")

_NameText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_name),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 200, "pattern": _NAME_PATTERN}),
]
# A name of something (a place, an intervention, a meeting's agenda item): guarded.
Name = Annotated[_NameText, GUARDED]
# The name of the person an account is for: account data, which the person gives themself.
AccountName = Annotated[_NameText, Exempt("an account's own name is account data")]


def _filled(value: str) -> str:
    value = _text(value)
    if not value.strip():
        raise PydanticCustomError("blank", "Får inte vara tomt.")
    return value


# Text that must say something: at least one character that is not a space.
_FILLED_PATTERN = rf"^[^{_TEXT_CONTROLS}]*[^{_BLANK}][^{_TEXT_CONTROLS}]*$"
FilledText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(_filled),
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": _FILLED_PATTERN}
    ),
    GUARDED,
]
# The same rule for a filled text of another length (an evening's log post).
filled_text = _filled
FILLED_PATTERN = _FILLED_PATTERN
# A document's text (a municipality's privacy notice): long, and filled. Published by its
# nature, and bound to name the data protection officer's address and number.
DocumentText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000),
    AfterValidator(_filled),
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": 20_000, "pattern": _FILLED_PATTERN}
    ),
    Exempt("a published notice, which must name the data protection officer's contacts"),
]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000),
    AfterValidator(_text),
    WithJsonSchema({"type": "string", "maxLength": 2000, "pattern": _TEXT_PATTERN}),
    GUARDED,
]


def _json_integer(value: object) -> object:
    # JSON Schema's integer: 5 and 5.0, never true or "5". Pydantic's strict mode would also
    # refuse 5.0, and its lax mode would take true and "5".
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Måste vara ett heltal.")
    return value


# The bounds go inside the validator, so that the JSON schema states them as minimum and
# maximum (outside, pydantic can only write its own ge/le, which no client understands).
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_json_integer)]
JsonInt = BeforeValidator(_json_integer)
# An id in a path or query string, which arrives as text.
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
# The longest free-text search a list takes (the pages say so before they ask).
MAX_SEARCH = 200
SearchText = Annotated[
    str,
    Field(max_length=MAX_SEARCH),
    AfterValidator(_text),
    WithJsonSchema({"type": "string", "maxLength": MAX_SEARCH, "pattern": _TEXT_PATTERN}),
    Exempt("a search is not stored"),
]


def _iso_timestamp(value: object) -> object:
    # Pydantic would also take a number of seconds since 1970 (0, "0.5"), which the schema's
    # date-time does not allow and nobody means; and years far off overflow on conversion.
    if isinstance(value, int | float):
        raise PydanticCustomError(
            "datetime_type",
            "Ange en tidpunkt som ISO 8601 med tidszon, till exempel 2026-03-04T21:30:00+01:00.",
        )
    if isinstance(value, str):
        if not re.match(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}", value):
            raise PydanticCustomError(
                "datetime_parsing",
                "Ange en tidpunkt som ISO 8601 med tidszon, till exempel "
                "2026-03-04T21:30:00+01:00.",
            )
        if not 1900 <= int(value[:4]) <= 2099:
            raise PydanticCustomError("time_out_of_range", "Ange ett år mellan 1900 och 2099.")
    return value


# A point in time with its offset, as ISO 8601.
Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_timestamp)]


# A day alone ("2026-07-04", its midnight) or a time, with or without an offset.
# Years 1900-2099: far-off years overflow when converted, and nobody means them.
_LOCAL_TIME = (
    r"^(19|20)\d{2}-\d{2}-\d{2}"
    r"([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?)?$"
)


def _local_time(value: object) -> object:
    """A time with or without an offset; without one it is Swedish local time. A time that
    the change to summer time skips (02:30 on the last Sunday of March) does not exist and is
    refused; one that the change back repeats is taken as the first (summer time)."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and re.match(_LOCAL_TIME, value):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("t", "T").replace("z", "Z"))
        except ValueError:
            raise PydanticCustomError("invalid_time", "Ogiltigt datum eller klockslag.") from None
    else:
        raise PydanticCustomError(
            "invalid_time", "Ange tiden som 2026-03-04T21:30 (svensk tid) eller med tidszon."
        )
    if parsed.tzinfo is None:
        local = parsed.replace(tzinfo=STOCKHOLM)
        if local.astimezone(dt.UTC).astimezone(STOCKHOLM).replace(tzinfo=None) != parsed:
            raise PydanticCustomError(
                "nonexistent_time",
                "Den tiden finns inte: klockan ställdes fram till sommartid just då.",
            )
        parsed = local
    return parsed.astimezone(dt.UTC)


LocalTime = Annotated[
    dt.datetime,
    BeforeValidator(_local_time),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _LOCAL_TIME,
            "description": f"ISO 8601; without an offset, Swedish local time ({SWEDISH_ZONE}).",
        }
    ),
]


class Input(BaseModel):
    """A request body: unknown fields are refused so that a misspelt field is not lost.
    Integers are ``JsonInt`` (no false for 0, no "5" for 5); a model-wide strict mode would
    also refuse enum values, since FastAPI validates the parsed JSON as Python objects."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _confirmation(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        # The guarded fields inside read whether this body confirmed personal data; a nested
        # body without the field of its own goes by the one it is in.
        if CONFIRM_FIELD in cls.model_fields:
            confirmed: bool | None = isinstance(data, dict) and data.get(CONFIRM_FIELD) is True
        else:
            confirmed = _CONFIRMED.get()
        token = _CONFIRMED.set(confirmed)
        try:
            return handler(data)
        finally:
            _CONFIRMED.reset(token)


class Patch(Input):
    """A PATCH body: only the fields sent change. A field typed without ``None`` and
    declared ``= omittable()`` may be left out but not cleared: null is refused by its type."""


def omittable(**kwargs: Any) -> Any:
    """The default of a PATCH field that may be absent but never null. Typed ``Any`` so
    that the field keeps its non-optional type for the schema and for mypy."""
    return Field(default=None, **kwargs)


class Record(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class Ref(BaseModel):
    """A short reference to another record, enough to show and link it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


# Lists ----------------------------------------------------------------------------------

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
T = TypeVar("T")


class ListQuery(BaseModel):
    """Query parameters every list takes."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    cursor: str | None = Field(
        None, max_length=200, description="Opaque; take it from `next` of the previous page."
    )


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(description="Path and query of the next page; null on the last.")


# Problems (RFC 9457) --------------------------------------------------------------------


class FieldProblem(BaseModel):
    field: str = Field(description="The field, dotted for nested ones: `boundary.coordinates`.")
    location: str = Field(description="Where the field was: body, query, path or header.")
    message: str
    code: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str
    errors: list[FieldProblem] = Field(default_factory=list)
    sign_in_through: Ref | None = Field(
        None,
        description="A password sign-in refused because the municipality turned it off "
        "(403 `password_sign_in_off`): the municipality whose identity provider signs the "
        "person in instead (its choice among GET /auth/oidc). Left out otherwise.",
    )

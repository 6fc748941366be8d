"""Field types and base classes the domain's schemas share."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError


def _no_control_characters(value: str) -> str:
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        raise ValueError("Får inte innehålla styrtecken.")
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise ValueError("Får inte innehålla radbrytningar.")
    return value


# The schema says in patterns what the validators check, so that a client (and the
# property-based tests) can tell valid input from the schema alone; the validators give the
# Swedish message.
_NAME_PATTERN = (
    r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
)
_TEXT_PATTERN = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_control_characters),
    AfterValidator(_single_line),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 200, "pattern": _NAME_PATTERN}),
]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000),
    AfterValidator(_no_control_characters),
    WithJsonSchema({"type": "string", "maxLength": 2000, "pattern": _TEXT_PATTERN}),
]


def _json_integer(value: object) -> object:
    # JSON Schema's integer: 5 and 5.0, never true or "5". Pydantic's strict mode would also
    # refuse 5.0, and its lax mode would take true and "5".
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Måste vara ett heltal.")
    return value


# The bounds go inside the validator, so that the JSON schema states them as minimum and
# maximum (outside, pydantic can only write its own ge/le, which no client understands).
Id = Annotated[int, Field(ge=1, le=2**31 - 1), BeforeValidator(_json_integer)]
JsonInt = BeforeValidator(_json_integer)
# An id in a path or query string, which arrives as text.
QueryId = Annotated[int, Field(ge=1, le=2**31 - 1)]
SearchText = Annotated[
    str,
    Field(max_length=200),
    AfterValidator(_no_control_characters),
    WithJsonSchema({"type": "string", "maxLength": 200, "pattern": _TEXT_PATTERN}),
]


class Input(BaseModel):
    """A request body: unknown fields are refused so that a misspelt field is not lost.
    Integers are ``JsonInt`` (no false for 0, no "5" for 5); a model-wide strict mode would
    also refuse enum values, since FastAPI validates the parsed JSON as Python objects."""

    model_config = ConfigDict(extra="forbid")


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

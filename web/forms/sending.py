"""Sending a form's body to the API, the one way every form does it: the API decides, and
when it refuses, its reasons stand beside the form's fields.

``send`` answers what the API made, or ``Refused`` with the messages by the form's field
names; an answer that is no refusal of the form (a 404, the API away) is raised, for the
app's error pages.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TypeVar

from api.schemas_common import Problem
from web.client import ApiError

T = TypeVar("T")
# The answers that refuse what a form sent: not allowed, in conflict, or not valid.
REFUSALS = frozenset({403, 409, 422})
# The API's field names (their last part) → the form's; or a function that maps a problem.
Fields = Mapping[str, str] | Callable[[Problem], dict[str, str]]


@dataclass(frozen=True)
class Refused:
    """The API's refusal: its status and problem, and its messages by the form's fields."""

    status: int
    problem: Problem
    errors: dict[str, str]
    # When to try again (a 429's Retry-After, in seconds).
    retry_after: int | None = None


def field_errors(
    problem: Problem, fields: Mapping[str, str], *, other: str = "form"
) -> dict[str, str]:
    """The API's problem as messages beside the page's fields (``fields`` maps the API's
    field names to the form's); when none belongs to a field, the problem's detail goes to
    ``other`` (above the form, or the field the whole form is about)."""
    errors: dict[str, str] = {}
    for error in problem.errors:
        name = fields.get(error.field.rsplit(".", 1)[-1])
        if name is not None:
            errors.setdefault(name, error.message)
    if not errors:
        errors[other] = problem.detail
    return errors


async def send(
    call: Awaitable[T],
    fields: Fields,
    *,
    refusals: Collection[int] = REFUSALS,
    other: str = "form",
) -> T | Refused:
    """What ``call`` answers, or, when the API answers one of ``refusals``, its refusal with
    the messages beside the form's fields (see ``field_errors``)."""
    try:
        return await call
    except ApiError as exc:
        if exc.status not in refusals:
            raise
        problem = exc.problem
        errors = fields(problem) if callable(fields) else field_errors(problem, fields, other=other)
        return Refused(exc.status, problem, errors, exc.retry_after)


async def unless(call: Awaitable[T], status: int) -> T | None:
    """What ``call`` answers, or None when the API answers ``status``: for what a page shows
    only to those the API lets read it (who is in a group, an incident's history)."""
    try:
        return await call
    except ApiError as exc:
        if exc.status != status:
            raise
        return None

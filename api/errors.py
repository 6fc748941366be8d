"""The one error hierarchy of the domain; ``api.problems`` renders it as RFC 9457 problem+json.

Messages are Swedish because people read them: the web front end shows them beside the form
fields, and integrators in Swedish municipalities read them in their logs. ``code`` is the
stable, English, machine-readable part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = "invalid"
    location: str = "body"


class DomainError(Exception):
    status: int = 400
    code: str = "bad_request"
    title: str = "Felaktig begäran"

    def __init__(
        self, detail: str, *, errors: Sequence[FieldError] = (), code: str | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)
        if code is not None:
            self.code = code


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Finns inte"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Krockar med befintliga uppgifter"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Åtkomst nekad"


class Invalid(DomainError):
    status = 422
    code = "invalid"
    title = "Ogiltiga uppgifter"

    @classmethod
    def field(cls, field: str, message: str, code: str = "invalid") -> Invalid:
        return cls(message, errors=[FieldError(field, message, code)], code=code)

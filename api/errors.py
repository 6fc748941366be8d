"""The one error hierarchy of the domain; ``api.problems`` renders it as RFC 9457 problem+json.

Messages are Swedish because people read them: the web front end shows them beside the form
fields, and integrators in Swedish municipalities read them in their logs. ``code`` is the
stable, English, machine-readable part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


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
    # Refused access goes to the audit log (api.audit), whatever the status says.
    refusal: bool = False

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[FieldError] = (),
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = dict(headers or {})
        if code is not None:
            self.code = code


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Finns inte"


class Hidden(NotFound):
    """A record that exists but lies outside the caller's scope: answered exactly like one that
    does not exist, so its existence does not leak, and logged as refused access."""

    refusal = True


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    title = "Inte inloggad"
    refusal = True

    def __init__(self, detail: str = "Logga in för att fortsätta.", **kwargs: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="est"'}, **kwargs)


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"
    title = "För många försök"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = max(1, retry_after)


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Krockar med befintliga uppgifter"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Åtkomst nekad"
    refusal = True


class Invalid(DomainError):
    status = 422
    code = "invalid"
    title = "Ogiltiga uppgifter"

    @classmethod
    def field(cls, field: str, message: str, code: str = "invalid") -> Invalid:
        return cls(message, errors=[FieldError(field, message, code)], code=code)


class PreconditionFailed(DomainError):
    """Someone else saved the document since the caller read it (``If-Match`` is stale)."""

    status = 412
    code = "edited_by_someone_else"
    title = "Ändrat av någon annan"


class TooLarge(DomainError):
    status = 413
    code = "too_large"
    title = "För stor begäran"


class PreconditionRequired(DomainError):
    status = 428
    code = "if_match_required"
    title = "If-Match saknas"

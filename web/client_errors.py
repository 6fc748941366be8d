"""The API's problems as the typed client (web.client) raises them: an answer with a problem
(4xx or 5xx), or none at all."""

from __future__ import annotations

import httpx
from pydantic import ValidationError

from api.schemas_common import Problem


class ApiError(Exception):
    """The API answered with a problem (4xx or 5xx)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.status} {problem.code}: {problem.detail}")
        self.problem = problem
        self.retry_after: int | None = None  # the API's Retry-After (a 429), in seconds

    @property
    def status(self) -> int:
        return self.problem.status


class ApiUnavailable(ApiError):
    """The API could not be reached or did not answer in time."""


def problem_of(response: httpx.Response) -> Problem:
    try:
        return Problem.model_validate(response.json())
    except (ValueError, ValidationError):
        return Problem(
            type="about:blank",
            title="Fel från API:t",
            status=response.status_code,
            detail=response.text[:200] or response.reason_phrase,
            code="api_error",
        )


def unreachable(exc: Exception) -> ApiUnavailable:
    return ApiUnavailable(
        Problem(
            type="about:blank",
            title="API:t svarar inte",
            status=503,
            detail=f"API:t kunde inte nås ({type(exc).__name__}).",
            code="api_unreachable",
        )
    )

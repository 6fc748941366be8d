"""RFC 9457 problem+json for every error the API answers, with field-level errors."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from api.errors import DomainError, FieldError
from api.middleware import OVERLOADED_RETRY_AFTER
from api.schemas_common import FieldProblem, Problem, Ref

log = logging.getLogger("est.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"


_HTTP_TITLES = {
    400: ("bad_request", "Felaktig begäran", "Begäran kunde inte läsas."),
    401: ("unauthorized", "Inloggning krävs", "Logga in för att fortsätta."),
    403: ("forbidden", "Åtkomst nekad", "Du har inte behörighet till det här."),
    404: ("not_found", "Finns inte", "Adressen finns inte i API:t."),
    405: ("method_not_allowed", "Metoden stöds inte", "Den här adressen tar inte emot metoden."),
    406: ("not_acceptable", "Formatet stöds inte", "Svaret kan inte ges i det format som begärs."),
    413: ("too_large", "För stor begäran", "Begäran är för stor."),
    415: ("unsupported_media_type", "Formatet stöds inte", "Skicka kroppen som JSON."),
    503: ("unavailable", "Tjänsten är inte tillgänglig", "Försök igen om en stund."),
}


def problem_response(
    where: Request | str,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: Sequence[FieldProblem] = (),
    headers: dict[str, str] | None = None,
    sign_in_through: Ref | None = None,
) -> JSONResponse:
    """``where``: the request, or the path it was for where no Request is at hand."""
    body = Problem(
        type=f"/api/problems/{code.replace('_', '-')}",
        title=title,
        status=status,
        detail=detail,
        instance=where if isinstance(where, str) else where.url.path,
        code=code,
        errors=list(errors),
        sign_in_through=sign_in_through,
    )
    return JSONResponse(
        # The extension stands only where it says something.
        body.model_dump(mode="json", exclude=None if sign_in_through else {"sign_in_through"}),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def overloaded(scope: Scope) -> Response:
    """The answer of the load shedder (api.middleware.LoadShedder) to a request it turns
    away; outside the app, so it is built from the ASGI scope alone."""
    return problem_response(
        scope["path"],
        status=503,
        code="overloaded",
        title="Tjänsten är hårt belastad",
        detail="Servern har fler förfrågningar än den hinner med just nu och har inte tagit "
        "emot den här. Ingenting har sparats; skicka igen om en stund.",
        headers={"Retry-After": str(OVERLOADED_RETRY_AFTER), "cache-control": "no-store"},
    )


def _field_problem(error: FieldError) -> FieldProblem:
    return FieldProblem(
        field=error.field, location=error.location, message=error.message, code=error.code
    )


# Pydantic's error types, said in Swedish. Anything not listed keeps pydantic's own message.
def _message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    match kind:
        case "missing":
            return "Måste anges."
        case "string_too_short":
            if ctx.get("min_length") == 1:
                return "Får inte vara tomt."
            return f"Måste vara minst {ctx.get('min_length')} tecken."
        case "string_too_long":
            return f"Får vara högst {ctx.get('max_length')} tecken."
        case "string_type":
            return "Måste vara text."
        case "string_pattern_mismatch":
            return "Har fel form."
        case "int_type" | "int_parsing" | "int_from_float":
            return "Måste vara ett heltal."
        case "float_type" | "float_parsing":
            return "Måste vara ett tal."
        case "finite_number":
            return "Måste vara ett ändligt tal."
        case "bool_type" | "bool_parsing":
            return "Måste vara true eller false."
        case "greater_than_equal":
            return f"Måste vara minst {ctx.get('ge')}."
        case "greater_than":
            return f"Måste vara större än {ctx.get('gt')}."
        case "less_than_equal":
            return f"Får vara högst {ctx.get('le')}."
        case "less_than":
            return f"Måste vara mindre än {ctx.get('lt')}."
        case "enum" | "literal_error":
            expected = str(ctx.get("expected", "")).replace(" or ", " eller ")
            return f"Måste vara ett av: {expected}."
        case "extra_forbidden":
            return "Okänt fält."
        case "dict_type" | "model_type" | "model_attributes_type":
            return "Måste vara ett JSON-objekt."
        case "list_type" | "tuple_type":
            return "Måste vara en lista."
        case "too_short" | "too_long":
            # A list's length, or a text's where a validator counts it as a sequence.
            unit = "tecken" if isinstance(err.get("input"), str) else "värden"
            if kind == "too_short":
                return f"Måste ha minst {ctx.get('min_length')} {unit}."
            return f"Får ha högst {ctx.get('max_length')} {unit}."
        case "union_tag_invalid" | "union_tag_not_found":
            return (
                f"Fältet {ctx.get('discriminator', 'type')} måste vara ett av: "
                f"{ctx.get('expected_tags', '')}."
            )
        case "value_error" | "assertion_error":
            error = ctx.get("error")
            return str(error) if error is not None else str(err.get("msg", ""))
        case (
            "date_type"
            | "date_parsing"
            | "date_from_datetime_parsing"
            | ("date_from_datetime_inexact")
        ):
            return "Ange en giltig dag som ÅÅÅÅ-MM-DD."
        case "timezone_aware":
            return "Ange tidszonen, till exempel 2026-03-04T21:30:00+01:00."
        case (
            "datetime_type"
            | "datetime_parsing"
            | "datetime_from_date_parsing"
            | "datetime_object_invalid"
        ):
            return (
                "Ange en tidpunkt som ISO 8601 med tidszon, till exempel 2026-03-04T21:30:00+01:00."
            )
        case "json_invalid":
            return "Kroppen är inte giltig JSON."
        case "json_type":
            return "Måste vara JSON."
    return str(err.get("msg", "Ogiltigt värde."))


# A list of 500 bad ids needs no 500 messages; the first ones show what is wrong.
MAX_FIELD_PROBLEMS = 20


def _validation_problems(exc: RequestValidationError) -> list[FieldProblem]:
    problems = []
    for err in exc.errors()[:MAX_FIELD_PROBLEMS]:
        loc = list(err.get("loc", ()))
        location = str(loc.pop(0)) if loc else "body"
        field = ".".join(str(part) for part in loc) or location
        message = _message(err)
        if not loc and location == "body" and err["type"] == "missing":
            message = "Kroppen saknas: skicka uppgifterna som ett JSON-objekt."
        elif not loc and location == "body" and err["type"] == "model_attributes_type":
            message = "Kroppen måste vara ett JSON-objekt, med Content-Type: application/json."
        problems.append(
            FieldProblem(field=field, location=location, message=message, code=err["type"])
        )
    return problems


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return domain_problem(request, exc)


def domain_problem(request: Request, exc: DomainError) -> JSONResponse:
    return problem_response(
        request,
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        errors=[_field_problem(e) for e in exc.errors],
        headers=exc.headers or None,
        sign_in_through=getattr(exc, "sign_in_through", None),
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = _validation_problems(exc)
    if any(p.code == "json_invalid" for p in problems):
        return problem_response(
            request,
            status=400,
            code="invalid_json",
            title="Felaktig begäran",
            detail="Kroppen är inte giltig JSON. Skicka ett JSON-objekt med "
            "Content-Type: application/json.",
            errors=[p for p in problems if p.code == "json_invalid"],
        )
    code, title = "validation_failed", "Ogiltiga uppgifter"
    detail = "Kontrollera " + " ".join(
        dict.fromkeys(f"{p.field}: {p.message}" for p in problems[:5])
    )
    if len(problems) == 1 and problems[0].field == "body":
        detail = problems[0].message
    if problems and all(p.code == "personal_data" for p in problems):
        # Only the personal data guard (api.schemas_common.Guarded) refused: said as such, so
        # that a client can offer to confirm where the body may (confirm_personal_data).
        code, title = "personal_data", "Ser ut att innehålla personuppgifter"
        detail = problems[0].message
    return problem_response(
        request, status=422, code=code, title=title, detail=detail, errors=problems
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title, default_detail = _HTTP_TITLES.get(
        exc.status_code, ("http_error", "Fel", "Begäran kunde inte utföras.")
    )
    detail = (
        exc.detail
        if isinstance(exc.detail, str)
        and exc.detail
        not in (
            "Not Found",
            "Method Not Allowed",
            # FastAPI's words for a body it could not read (not JSON text at all).
            "There was an error parsing the body",
        )
        else default_detail
    )
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request, headers.get("Allow", ""))
    return problem_response(
        request,
        status=exc.status_code,
        code=code,
        title=title,
        detail=detail,
        headers=headers or None,
    )


def _allowed_methods(request: Request, fallback: str) -> str:
    # FastAPI names only the methods of the first route that matched the path, but a path
    # often has several (GET and PATCH of one record are two routes); Allow lists them all.
    # A path a route names in full (/night-walks/grants) is that route's, not also one with
    # a parameter there (/night-walks/{walk_id}, whose id is a number): of the paths that
    # match, those with the fewest parameters.
    patterns: list[tuple[re.Pattern[str], set[str], int]] | None = getattr(
        request.app.state, "allow_patterns", None
    )
    if patterns is None:
        patterns = [
            (
                re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"),
                {method.upper() for method in operations},
                path.count("{"),
            )
            for path, operations in request.app.openapi().get("paths", {}).items()
        ]
        request.app.state.allow_patterns = patterns
    matched = [(m, n) for pattern, m, n in patterns if pattern.match(request.url.path)]
    fewest = min((n for _, n in matched), default=0)
    methods = set().union(*(m for m, n in matched if n == fewest))
    return ", ".join(sorted(methods)) if methods else fallback


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # Services check what they can first; this is the race two requests can still run into.
    log.info("integrity error answered with 409: %s", exc)
    return problem_response(
        request,
        status=409,
        code="conflict",
        title="Krockar med befintliga uppgifter",
        detail="Uppgifterna krockar med något som just sparades. Läs in på nytt och försök igen.",
    )


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return problem_response(
        request,
        status=503,
        code="unavailable",
        title="Tjänsten är inte tillgänglig",
        detail="Databasen svarar inte just nu. Försök igen om en stund.",
        headers={"Retry-After": "5"},
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        request,
        status=500,
        code="internal_error",
        title="Internt fel",
        detail="Något gick fel hos oss. Felet är loggat.",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(PoolTimeout, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problems a route may answer."""
    descriptions = {
        400: "The body is not JSON.",
        401: "Not signed in, or the token has expired or been revoked.",
        403: "Signed in, but the role does not allow this.",
        404: "No such record.",
        409: "Conflicts with an existing record.",
        412: "`If-Match` is stale: someone else saved since; read again and merge.",
        422: "Invalid input; `errors` names the fields.",
        428: "`If-Match` is required: send the ETag of what you read.",
        429: "Too many attempts; retry after `Retry-After` seconds.",
        503: "The database is unavailable, or the server too busy to take the request; "
        "retry after `Retry-After` seconds.",
    }
    return {
        status: {"description": descriptions.get(status, "Problem."), "content": _problem_content()}
        for status in statuses
    }

"""What every route depends on: who is asking (``authenticate``), whether they may
(``authorize``, from ``api.access.policy``), and the request's session, which owns the
transaction and records its writes in the audit log."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from api.access.policy import PASSWORD_CHANGE_ROUTES, ROUTE_RULES, Rule, route_allows
from api.accounts import service as accounts
from api.actor import Actor
from api.audit import service as audit
from api.db import Database
from api.errors import FieldError, Forbidden, Invalid, NotAuthenticated
from api.middleware import read_as_json
from api.settings import Settings
from api.tenancy import scope_of

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Which of their municipalities a person acts in, when not their home one (#21); the web
# sends the choice made in the account menu.
MUNICIPALITY_HEADER = "EST-Municipality"


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def authenticate(request: Request) -> Actor:
    """The actor behind the request's bearer token; anonymous without one. The lookup has
    its own short transaction, apart from the request's."""
    address = client_address(request)
    header = request.headers.get("authorization")
    chosen = request.headers.get(MUNICIPALITY_HEADER, "").strip()
    if chosen and not chosen.isdigit():
        raise Invalid(
            f"{MUNICIPALITY_HEADER} ska vara en kommuns nummer.", code="municipality_header"
        )
    actor = Actor("anonymous", label="anonym", address=address)
    if header:
        scheme, _, token = header.strip().partition(" ")
        resolved = None
        if scheme.lower() == "bearer" and 0 < len(token.strip()) <= 200:
            settings: Settings = request.app.state.settings
            database = get_database(request)
            with database.session(write=False) as session:
                resolved = accounts.resolve_token(
                    session,
                    token.strip(),
                    settings=settings,
                    address=address,
                    municipality_id=int(chosen) if chosen else None,
                )
            if resolved is not None and resolved.touch is not None:
                with database.session(write=True) as session:
                    accounts.touch(session, *resolved.touch)
        if resolved is None:
            actor = Actor("anonymous", label="anonym", address=address, token_rejected=True)
        else:
            actor = resolved.actor
    request.state.actor = actor
    return actor


# NUL in a text: escaped in JSON (``\u0000``, after an even run of backslashes, or the
# backslash before it would be the text's own) or percent-encoded in the path or query.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_URL_NUL = re.compile(rb"%00")
_NUL_MESSAGE = "Får inte innehålla styrtecken (här tecknet NUL)."


async def refuse_nul(request: Request) -> None:
    """No text the API takes may hold the character NUL: PostgreSQL cannot store it, so it
    would fail deep in a query there (a 500), where SQLite would store it. Refused once,
    here, for every path, query and JSON body, on either database alike, each place named
    as a field is; a file's bytes (multipart) are the file's reader's to judge."""
    scope = request.scope
    fields: list[tuple[str, str]] = []  # (field, location)
    if _URL_NUL.search(scope.get("raw_path") or b""):
        fields.append(("path", "path"))
    if _URL_NUL.search(scope.get("query_string", b"")):
        items = request.query_params.multi_items()
        fields += [(k, "query") for k, v in items if "\x00" in k + v] or [("query", "query")]
    if request.method not in SAFE_METHODS and read_as_json(
        request.headers.get("content-type", "").encode("latin-1")
    ):
        body = await request.body()
        if _JSON_NUL.search(body):
            try:
                holding = _holding_nul(json.loads(body))
            except ValueError:  # not JSON: a route that reads no body, or its parser says so
                holding = []
            fields += [(f, "body") for f in holding or ["body"]]
    if fields:
        raise Invalid(
            _NUL_MESSAGE,
            errors=[FieldError(f, _NUL_MESSAGE, "nul_character", where) for f, where in fields],
            code="nul_character",
        )


def _holding_nul(value: Any, at: str = "") -> list[str]:
    """The fields (``a.b.0.c``, as a validation error names them) whose text or key holds
    NUL."""
    if isinstance(value, str):
        return [at or "body"] if "\x00" in value else []
    items: Iterable[tuple[Any, Any]]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    found = []
    for key, item in items:
        place = f"{at}.{key}" if at else str(key)
        if "\x00" in str(key):
            found.append(place)
        found += _holding_nul(item, place)
    return found


def authorize(request: Request, actor: Annotated[Actor, Depends(authenticate)]) -> None:
    """Applies the route's rule from ``ROUTE_RULES``; records are checked in the services."""
    route = request.scope.get("route")
    rule = ROUTE_RULES.get(route.operation_id or "") if isinstance(route, APIRoute) else None
    if rule is None:
        # The app refuses to start with such a route; this is the second lock.
        raise Forbidden("Den här adressen saknar en åtkomstregel.", code="no_rule")
    if rule is not Rule.PUBLIC and actor.token_rejected:
        raise NotAuthenticated(
            "Inloggningen har gått ut eller avslutats. Logga in igen.", code="token_rejected"
        )
    operation = route.operation_id if isinstance(route, APIRoute) else None
    if actor.password_change_required and operation not in PASSWORD_CHANGE_ROUTES:
        # Signed in with a password someone else set: their own comes first.
        raise Forbidden(
            "Du loggade in med ett tillfälligt lösenord: välj ett eget lösenord först.",
            code="password_change_required",
        )
    if route_allows(rule, actor, request.path_params):
        return
    if actor.kind == "anonymous":
        raise NotAuthenticated()
    if actor.kind == "pending":
        # Half signed in (api.accounts.totp): the client goes on to the second factor.
        raise Forbidden(
            "Inloggningen är inte klar: ange koden från din app, eller slå på "
            "tvåstegsverifiering, först.",
            code="second_factor_pending",
        )
    raise Forbidden("Din roll ger inte tillgång till det här.")


def get_session(
    request: Request, actor: Annotated[Actor, Depends(authenticate)]
) -> Iterator[Session]:
    # Commits after the response body is built and before it is sent (scope="function"
    # below), so a client never sees a 2xx for something that was not saved.
    write = request.method not in SAFE_METHODS
    with actor_session(request, actor, write=write) as session:
        audit.bind(session, audit.AuditContext(actor, request.method, request.url.path))
        yield session
        if write:
            audit.record_writes(session)


@contextmanager
def actor_session(request: Request, actor: Actor, *, write: bool) -> Iterator[Session]:
    """A session that sees what ``actor`` acts in (api.tenancy), for a route that reads
    beside the request's own session (a stream, an export)."""
    with get_database(request).session(write=write, municipalities=scope_of(actor)) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ActorDep = Annotated[Actor, Depends(authenticate)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# The app's settings, as create_api_app was given them (a test's own, not the environment's).
SettingsDep = Annotated[Settings, Depends(_settings)]

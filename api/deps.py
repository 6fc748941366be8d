"""What every route depends on: the request's session (it owns the transaction) and the actor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.actor import ANONYMOUS, Actor
from api.db import Database

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_session(request: Request) -> Iterator[Session]:
    # Commits after the response body is built and before it is sent (scope="function"
    # below), so a client never sees a 2xx for something that was not saved.
    with get_database(request).session(write=request.method not in SAFE_METHODS) as session:
        yield session


def get_actor() -> Actor:
    # Issue #3 resolves the bearer token or session cookie here.
    return ANONYMOUS


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ActorDep = Annotated[Actor, Depends(get_actor)]

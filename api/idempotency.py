"""Writes a client may retry: a POST sent with an ``Idempotency-Key`` header is done once, and
the same key sent again by the same caller with the same body answers the first answer again
(with ``Idempotent-Replayed: true``), so that a phone on a bad connection files once however
often it retries.

The method, for any POST route: take ``IdempotencyDep`` and answer through
``Idempotency.answer``, giving it the validated body, the work to do, and where the new
record lives. The answer is kept with the caller, the key and a SHA-256 of the body in the
request's transaction, so a retry sees it only once the first attempt has committed, and a
failed attempt leaves nothing behind. The same key with another body is refused (409): the
caller has mixed up two requests. Without the header the route works as any other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import JSON, String, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from api.actor import Actor
from api.db import Base
from api.deps import ActorDep, SessionDep
from api.errors import Conflict
from api.localtime import utcnow


class IdempotentRequest(Base):
    """The answer given to a request sent with an Idempotency-Key, to give again when the
    same caller sends the same key (a phone retrying on a bad connection)."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("caller", "key"), {"sqlite_autoincrement": True})
    __audit__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    caller: Mapped[str] = mapped_column(String(64))  # "user:5", "service:2"
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Any unique string, e.g. a UUID. Sending the same key and body again (a "
        "retry) answers the first answer again and files nothing new.",
    ),
]


def _caller(actor: Actor) -> str:
    return f"{actor.kind}:{actor.user_id if actor.kind == 'user' else actor.token_id}"


@dataclass(frozen=True)
class Idempotency:
    session: Session
    actor: Actor
    key: str | None

    def answer(
        self,
        body: BaseModel,
        work: Callable[[], BaseModel],
        *,
        location: str,
        status: int = 201,
    ) -> JSONResponse:
        """The answer of ``work``, or the one given before to this key (kept as the JSON
        that was sent, so that a retry gets the same bytes whatever changed since).
        ``location``: the new record's address, filled in from the content (``{id}``)."""
        digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
        if self.key is not None:
            earlier = self._replayed(digest)
            if earlier is not None:
                return JSONResponse(
                    earlier.response,
                    status_code=earlier.status,
                    headers={
                        "Location": location.format_map(earlier.response),
                        "Idempotent-Replayed": "true",
                    },
                )
        content = work().model_dump(mode="json")
        if self.key is not None:
            self.session.add(
                IdempotentRequest(
                    caller=_caller(self.actor),
                    key=self.key,
                    request_hash=digest,
                    status=status,
                    response=content,
                )
            )
            self.session.flush()
        return JSONResponse(
            content, status_code=status, headers={"Location": location.format_map(content)}
        )

    def _replayed(self, digest: str) -> IdempotentRequest | None:
        if self.session.get_bind().dialect.name == "postgresql":
            # Two sends of one key at once (a phone's retry racing its first try, or two tabs
            # sending the same kept report): the second waits here until the first has
            # committed, then reads its answer, instead of doing the work again and running
            # into the unique key. SQLite needs no lock: its writers start with BEGIN
            # IMMEDIATE, one at a time.
            self.session.execute(
                text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": self._lock_id()}
            )
        done = self.session.scalar(
            select(IdempotentRequest).where(
                IdempotentRequest.caller == _caller(self.actor), IdempotentRequest.key == self.key
            )
        )
        if done is not None and done.request_hash != digest:
            raise Conflict(
                "Idempotency-Key har redan använts för en annan begäran. Använd en ny nyckel "
                "för en ny rapport.",
                code="idempotency_key_reused",
            )
        return done

    def _lock_id(self) -> int:
        seed = f"{_caller(self.actor)}\x00{self.key}".encode()
        return int.from_bytes(hashlib.sha256(seed).digest()[:8], "big", signed=True)


def idempotency(session: SessionDep, actor: ActorDep, key: IdempotencyKey = None) -> Idempotency:
    return Idempotency(session, actor, key)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]

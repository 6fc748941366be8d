"""`est sync`: pull a remote change feed of the same shape as ours
(``GET /api/v1/integrations/{source}/changes``) into this instance, page by page.

Each page is applied (``engine.apply``, keyed on the remote's incident id) and committed
with the feed's cursor where it ended, so that a sync stopped anywhere resumes there and
takes nothing twice. Network errors, 5xx and 429 are retried with exponential backoff
(honouring ``Retry-After``); a 4xx other than 429 stops the sync with the remote's message.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select

from api.actor import SYSTEM
from api.db import Database
from api.integrations import engine
from api.integrations.models import SyncState
from api.integrations.rows import Item
from api.localtime import utcnow

PAGE = 500
# Fields of a change that are ours to key on, not fields of a batch item.
_NOT_ITEM_FIELDS = ("id", "version", "updated_at", "source")


class SyncFailed(Exception):
    """The remote refused, or could not be reached after the retries."""


@dataclass
class SyncResult:
    pages: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("created", "updated", "unchanged", "rejected"), 0)
    )
    rejected: list[str] = field(default_factory=list)
    cursor: str | None = None


def _item(position: int, change: dict[str, Any]) -> Item:
    raw = {k: v for k, v in change.items() if k not in _NOT_ITEM_FIELDS and v is not None}
    # The remote's own id is what names the incident there; its source id is its business.
    raw.pop("external_id", None)
    raw["external_id"] = str(change.get("id", ""))
    return Item(position, raw)


def _get(
    client: httpx.Client,
    url: str,
    params: dict[str, Any],
    *,
    retries: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    delay = backoff
    for attempt in range(retries + 1):
        try:
            response = client.get(url, params=params)
        except httpx.TransportError as exc:
            problem = f"{type(exc).__name__}: {exc}"
            wait = delay
        else:
            if response.status_code < 400:
                body: dict[str, Any] = response.json()
                return body
            if response.status_code != 429 and response.status_code < 500:
                detail = response.text[:500]
                with contextlib.suppress(ValueError):
                    detail = response.json().get("detail", detail)
                raise SyncFailed(f"{url} svarade {response.status_code}: {detail}")
            problem = f"{url} svarade {response.status_code}"
            retry_after = response.headers.get("Retry-After", "")
            wait = max(delay, float(retry_after)) if retry_after.isdigit() else delay
        if attempt == retries:
            raise SyncFailed(f"{problem}; gav upp efter {retries + 1} försök.")
        sleep(min(wait, 60.0))
        delay *= 2
    raise AssertionError("unreachable")


def sync(
    database: Database,
    source: str,
    url: str,
    token: str,
    *,
    client: httpx.Client | None = None,
    retries: int = 5,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    max_pages: int | None = None,
    page_size: int = PAGE,
    municipality_id: int | None = None,
) -> SyncResult:
    """Pull ``url`` (a change feed) into this instance as ``source``, into
    ``municipality_id`` (where the installation has several, #21)."""
    scope = None if municipality_id is None else frozenset({municipality_id})
    engine.check_source(source)
    own = client is None
    http = client or httpx.Client(timeout=60)
    http.headers["Authorization"] = f"Bearer {token}"
    result = SyncResult()
    try:
        with database.session(write=False) as session:
            state = session.scalar(
                select(SyncState.cursor).where(SyncState.source == source, SyncState.url == url)
            )
        cursor = state
        while max_pages is None or result.pages < max_pages:
            params: dict[str, Any] = {"limit": page_size}
            if cursor is not None:
                params["cursor"] = cursor
            page = _get(http, url, params, retries=retries, backoff=backoff, sleep=sleep)
            changes = page.get("items", [])
            with database.session(write=True, municipalities=scope) as session:
                outcome = engine.apply(
                    session,
                    source,
                    (_item(i, c) for i, c in enumerate(changes)),
                    municipality=engine.only_municipality(session),
                    organisation_id=None,
                    actor=SYSTEM,
                )
                cursor = page["cursor"]
                _save(session, source, url, cursor)
            result.pages += 1
            for key, value in outcome.counts.items():
                result.counts[key] += value
            result.rejected += [
                f"{i.external_id}: {i.reason}" for i in outcome.items if i.result == "rejected"
            ][: 1000 - len(result.rejected)]
            result.cursor = cursor
            if not page.get("next") or len(changes) < page_size:
                break
    finally:
        if own:
            http.close()
    return result


def _save(session: Any, source: str, url: str, cursor: str) -> None:
    state = session.scalar(
        select(SyncState).where(SyncState.source == source, SyncState.url == url)
    )
    if state is None:
        session.add(SyncState(source=source, url=url[:500], cursor=cursor))
    else:
        state.cursor = cursor
        state.synced_at = utcnow()

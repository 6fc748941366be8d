"""The identity provider's metadata (OpenID Connect Discovery) and signing keys (JWKS), kept
a while in this process, keyed by issuer: a sign-in then costs the provider the code's
exchange alone, not two more reads. The keys are read again at once when an ID token names
a key (``kid``) not among those kept, once per token: how a provider rolls its keys over
without anyone restarting EST. A failed read is never kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Entra ID rolls its keys over with weeks of notice, and names the new one before it signs
# with it; an hour keeps a change of the municipality's settings from waiting long.
LIFETIME_SECONDS = 3600.0


@dataclass(frozen=True)
class _Kept:
    value: dict[str, Any]
    until: float


_lock = threading.Lock()
_metadata: dict[str, _Kept] = {}
_keys: dict[str, _Kept] = {}


def _fresh(store: dict[str, _Kept], issuer: str) -> dict[str, Any] | None:
    with _lock:
        kept = store.get(issuer)
    return kept.value if kept is not None and kept.until > time.monotonic() else None


def _keep(store: dict[str, _Kept], issuer: str, value: dict[str, Any]) -> dict[str, Any]:
    with _lock:
        store[issuer] = _Kept(value, time.monotonic() + LIFETIME_SECONDS)
    return value


def metadata(issuer: str, fetch: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The issuer's metadata, kept or ``fetch``-ed (which checks it, and raises when the
    provider does not answer)."""
    return _fresh(_metadata, issuer) or _keep(_metadata, issuer, fetch())


def _kids(jwks: dict[str, Any]) -> set[str]:
    keys = jwks.get("keys")
    if not isinstance(keys, list):
        return set()
    return {k["kid"] for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)}


def key_set(issuer: str, kid: str | None, fetch: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The issuer's published keys, read again when ``kid`` is not among those kept."""
    kept = _fresh(_keys, issuer)
    if kept is not None and (kid is None or kid in _kids(kept)):
        return kept
    return _keep(_keys, issuer, fetch())


def forget(issuer: str | None = None) -> None:
    """Forget what is kept of ``issuer`` (of every issuer when None)."""
    with _lock:
        for store in (_metadata, _keys):
            if issuer is None:
                store.clear()
            else:
                store.pop(issuer, None)

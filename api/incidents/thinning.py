"""What retention (api.retention) leaves of an incident's reference in its source: a digest,
so that the pair (source, reference) stays unique and the source sending the incident again
finds it (api.integrations.engine) instead of filing it a second time."""

from __future__ import annotations

import hashlib

THINNED_PREFIX = "gallrad:"


def thinned_reference(reference: str) -> str:
    return THINNED_PREFIX + hashlib.sha256(reference.encode("utf-8", "surrogatepass")).hexdigest()


def is_thinned(reference: str | None) -> bool:
    return reference is not None and reference.startswith(THINNED_PREFIX)


def served_reference(reference: str | None) -> str | None:
    """The reference as answers give it: a digest is the product's own, and says nothing."""
    return None if is_thinned(reference) else reference

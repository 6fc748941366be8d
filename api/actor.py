"""Who is asking. Every service takes an ``actor``; sign-in (issue #3) fills it in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Actor:
    kind: Literal["anonymous", "user", "service", "system"]
    user_id: int | None = None
    label: str = ""


ANONYMOUS = Actor("anonymous", label="anonym")
# The command line (migrate, seed) acts as the system itself.
SYSTEM = Actor("system", label="system")

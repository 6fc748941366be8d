"""Slots: how a lower domain package reads what only a higher one knows, without importing it.

The domain packages form layers (README, "Layers"; ``tests/test_architecture.py`` holds the
order and checks it): a package never imports one above it. Yet a few reads of a lower
package carry something a higher one decides: an incident shows what came of it (the
interventions it is part of), an intervention the meeting that decided it and the goal and
assignment it serves. For each such thing the lower package declares a ``Slot``: a typed
function it calls, and names the package that provides it. The higher package writes the
function; ``api.composition.compose`` puts it in the slot, once, at start (the API app, the
CLI and the demo seed all call it).

A slot not filled is a mistake, not a missing feature: calling it raises, it never answers
empty. The architecture test checks that ``compose`` fills every slot declared, from the
package named, and that this package lies above the one that declared it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

# Every slot, in the order the modules declaring them were imported.
DECLARED: list[Slot[..., Any]] = []


class Slot(Generic[P, R]):
    """A function a lower package calls and the package ``provider`` (above it) provides."""

    def __init__(self, name: str, *, provider: str) -> None:
        self.name = name
        self.provider = provider
        self._function: Callable[P, R] | None = None
        DECLARED.append(self)

    def fill(self, function: Callable[P, R]) -> None:
        if self._function is not None and self._function is not function:
            raise RuntimeError(f"The slot {self.name} is filled already.")
        self._function = function

    @property
    def function(self) -> Callable[P, R] | None:
        return self._function

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._function is None:
            raise RuntimeError(
                f"The slot {self.name} is empty: call api.composition.compose() at start, "
                "as the API app, the CLI and the demo seed do."
            )
        return self._function(*args, **kwargs)

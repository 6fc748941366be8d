"""The rules of a lägesbild's figures as the tests state them, written from the docstring of
``api/situation/figures.py`` and never calling it, so a test compares two readings of it."""

from __future__ import annotations


def stated_trend(count: int, previous: int) -> str:
    """The rule as figures.py states it: new below 3 before; growing by at least 2 and a
    quarter; shrinking likewise; otherwise steady."""
    if previous < 3:
        return "new"
    if count >= max(previous + 2, previous * 5 / 4):
        return "growing"
    if count <= min(previous - 2, previous * 3 / 4):
        return "shrinking"
    return "steady"

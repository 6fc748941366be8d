"""The personal data guard's detector, on the ways people write numbers (no database)."""

from __future__ import annotations

import pytest

from api.incidents.privacy import findings


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ring 070-123 45 67", "ett telefonnummer"),
        ("070 - 123 45 67", "ett telefonnummer"),
        ("+46 (0)70-123 45 67", "ett telefonnummer"),
        ("0046701234567", "ett telefonnummer"),
        ("070/123 45 67", "ett telefonnummer"),
        ("070.123.45.67", "ett telefonnummer"),
        ("08-123 45 67", "ett telefonnummer"),
        ("pnr 19811218-9876", "ett personnummer"),
        ("811218–9876", "ett personnummer"),  # an en dash
        ("811278-9873", "ett personnummer"),  # a coordination number (day + 60)
        ("mejla a.b@example.se", "en e-postadress"),
    ],
)
def test_found(text: str, kind: str) -> None:
    assert [f.kind for f in findings(text)] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "811218-9877",  # the checksum does not hold
        "kl 0930-1100",
        "klotter 2026-11-20 kl 21:30 vid busskur 12",
        "år 2024 och 2025, busslinje 557 mot 565",
        "5 ungdomar, 15-17 år, mellan 20-23",
    ],
)
def test_not_found(text: str) -> None:
    assert findings(text) == []

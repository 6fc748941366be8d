"""How counts and owners are written on the pages (web.format): a count's word agrees with
it ("1 ny", "2 nya"), and an owner is named once however its role was typed."""

from __future__ import annotations

import pytest

from web.format import count_sv, integer_sv, owner_sv, plural


@pytest.mark.parametrize(
    ("n", "word"), [(0, "nya"), (1, "ny"), (2, "nya"), (21, "nya"), (-1, "nya")]
)
def test_the_word_agrees_with_the_count(n: int, word: str) -> None:
    assert plural(n, "ny", "nya") == word


def test_a_count_is_written_with_its_word() -> None:
    assert count_sv(1, "ny", "nya") == "1 ny"
    assert count_sv(70, "ny händelse", "nya händelser") == "70 nya händelser"
    assert count_sv(1, "het plats", "heta platser") == "1 het plats"
    assert count_sv(0, "het plats", "heta platser") == "0 heta platser"


def test_a_large_count_has_its_thousands_apart() -> None:
    assert [integer_sv(n) for n in (0, 999, 3000, 41_200, 1_000_000)] == [
        "0", "999", "3\u00a0000", "41\u00a0200", "1\u00a0000\u00a0000",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("responsible", "shown"),
    [
        (None, "Rapid Säkerhet"),
        ("", "Rapid Säkerhet"),
        ("Platschef", "Rapid Säkerhet, Platschef"),
        # The demo's role named its organisation too: printed once, not twice.
        ("Platschef, Rapid Säkerhet", "Rapid Säkerhet, Platschef"),
        ("Platschef, rapid säkerhet ", "Rapid Säkerhet, Platschef"),
        ("Rapid Säkerhet", "Rapid Säkerhet"),
        ("Platschef, Gata och park", "Rapid Säkerhet, Platschef, Gata och park"),
    ],
)
def test_an_owner_is_named_once(responsible: str | None, shown: str) -> None:
    assert owner_sv("Rapid Säkerhet", responsible) == shown


def test_the_audit_log_says_every_form_of_a_read_in_swedish() -> None:
    """Every form an export is logged in (api.audit.schemas.ExportForm, which the API's
    calls are typed by) has its Swedish name; a read without one prints no "None"."""
    from types import SimpleNamespace
    from typing import get_args

    from api import swedish
    from api.audit.schemas import ExportForm
    from web.format import audit_rows

    assert set(swedish.AUDIT_FORMS) == set(get_args(ExportForm))
    for form in get_args(ExportForm):
        event = SimpleNamespace(detail=form, rows=3, query="limit=60")
        said = audit_rows(event)
        assert said == f"{swedish.AUDIT_FORMS[form]}: 3 rader, urval limit=60", said
    read = audit_rows(SimpleNamespace(detail=None, rows=1, query=None))
    assert read == "1 rad" and "None" not in read

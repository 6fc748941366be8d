"""What the lägesbild pages need beyond the API: the text form, the word diff shown when two
people saved over each other, and the PDF for the meeting handout."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from api.schemas_common import Problem
from api.situation.schemas import MAX_TEXT, TEXT_FIELDS

HERE = Path(__file__).parent
PRINT_CSS = HERE / "static" / "print.css"

# The text fields in the order the group writes them, with their Swedish names.
FIELDS = {
    "summary": "Sammanfattning",
    "analysis": "Analys",
    "assessment": "Bedömning",
    "proposals": "Förslag",
}
HINTS = {
    "summary": "Det viktigaste i perioden, i två eller tre meningar.",
    "analysis": "Var och när händer det, vad är nytt, vad växer och varför.",
    "assessment": "Gruppens gemensamma bedömning av läget.",
    "proposals": "Förslag på insatser och vem som gör vad.",
}
assert tuple(FIELDS) == TEXT_FIELDS
STATUS = {"draft": "Utkast", "published": "Publicerad"}


def text_form(form: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The texts a posted form holds (a field not sent is left as it is), and errors beside
    the fields that are too long."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in FIELDS:
        value = form.get(field)
        if not isinstance(value, str):
            continue
        text = value.replace("\r\n", "\n")
        values[field] = text
        if len(text) > MAX_TEXT:
            errors[field] = f"Högst {MAX_TEXT} tecken (nu {len(text)})."
    return values, errors


def field_errors(problem: Problem, fields: dict[str, str]) -> dict[str, str]:
    """The API's problem as messages beside the page's fields (``fields`` maps the API's
    field names to the form's); what belongs to no field goes above the form."""
    errors: dict[str, str] = {}
    for error in problem.errors:
        name = fields.get(error.field.rsplit(".", 1)[-1])
        if name is not None:
            errors.setdefault(name, error.message)
    if not errors:
        errors["form"] = problem.detail
    return errors


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Word by word: ("=", same), ("-", only before), ("+", only after)."""
    a, b = before.split(), after.split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", " ".join(b[j1:j2])))
    return out


def _refuse(url: str, *args: Any, **kwargs: Any) -> Any:
    # The PDF is made from our own HTML alone: nothing is fetched, so no URL in a text can
    # make the server reach out.
    raise ValueError(f"not fetched: {url[:80]}")


def render_pdf(html: str) -> bytes:
    """An A4 PDF of the print view (WeasyPrint, fonts from the system)."""
    import weasyprint  # type: ignore[import-untyped]  # slow to import; only the PDF needs it

    document = weasyprint.HTML(string=html, url_fetcher=_refuse)
    pdf = document.write_pdf(stylesheets=[weasyprint.CSS(filename=str(PRINT_CSS))])
    assert pdf is not None
    return bytes(pdf)

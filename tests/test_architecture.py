"""The rules of DESIGN.md that code can check: web/ sees the API's types, never its storage."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_web_imports_no_models_services_or_database() -> None:
    # In a fresh interpreter, so that nothing the tests imported counts.
    code = (
        "import sys, web.app, web.client, web.format\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'api.db', "
        "'api.records', 'api.resources', 'api.pagination', 'api.migrate')) "
        "or m.endswith(('.models', '.service')) and m.startswith('api'))\n"
        "print(bad)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"


def test_services_neither_commit_nor_import_fastapi() -> None:
    for path in (ROOT / "api").rglob("service.py"):
        tree = ast.parse(path.read_text())
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        imported |= {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        }
        assert not any(name.startswith(("fastapi", "starlette")) for name in imported), path
        calls = {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
        assert "commit" not in calls, path


# A module a newcomer can read in one sitting; the web's app only assembles the pages.
MAX_MODULE_LINES = 600
MAX_WEB_APP_LINES = 300


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_in_api_or_web_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): _lines(path)
        for folder in ("api", "web")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if _lines(path) > MAX_MODULE_LINES
    }
    assert long == {}


def test_the_web_app_only_assembles() -> None:
    assert _lines(ROOT / "web" / "app.py") <= MAX_WEB_APP_LINES

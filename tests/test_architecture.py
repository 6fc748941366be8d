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

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


def test_no_test_module_imports_another_or_a_conftest() -> None:
    # What tests share lives in tests/support/ (its fixtures through pytest_plugins): a test
    # module that imports another runs the other's module code and ties the two together,
    # and a conftest is pytest's to load, not a module to import. tests/support/ is held to
    # the same rule.
    def forbidden(module: str) -> bool:
        last = module.rsplit(".", 1)[-1]
        return last.startswith("test_") or last == "conftest"

    for path in sorted((ROOT / "tests").rglob("*.py")):
        package = ".".join(path.relative_to(ROOT).parent.parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.rsplit(".", node.level - 1)[0]
                    base = f"{parent}.{base}" if base else parent
                modules = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
            bad = [m for m in modules if m.startswith("tests.") and forbidden(m)]
            assert not bad, f"{path.relative_to(ROOT)}:{node.lineno} imports {bad}"

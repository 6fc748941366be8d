"""The rules of DESIGN.md that code can check: web/ sees the API's types, never its storage;
services never commit; the domain packages form layers, and no modules import in a circle."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fresh(code: str) -> str:
    """What ``code`` prints in a fresh interpreter, where nothing the tests imported counts."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout


# What of api/ the web may load: the schemas (types), and the kernel modules that hold no
# rule, no storage and no service: words, local time, settings, the middleware it shares;
# and the personal data detector, which the schemas' text types declare.
WEB_MAY_LOAD = {
    "api.geojson",
    # What is left of a thinned reference: a digest, which the incident's answer hides.
    "api.incidents.thinning",
    # Read by the middleware (and api.redirects by the sign-in page too): no rule, no storage.
    "api.json_limits",
    "api.redirects",
    "api.localtime",
    "api.middleware",
    "api.privacy",
    "api.schemas_common",
    "api.settings",
    "api.swedish",
}


def test_web_loads_only_the_apis_types() -> None:
    # In a fresh interpreter (the embedded app, which serves the API in-process, aside).
    code = (
        "import sys, web.app, web.client, web.format\n"
        "print(sorted(m for m in sys.modules if m.startswith('api.')))"
    )
    loaded = json.loads(_fresh(code).replace("'", '"'))
    # A package's __init__ holds nothing; it loads with the schemas below it.
    packages = {f"api.{path.parent.name}" for path in (ROOT / "api").glob("*/__init__.py")}
    wrong = [
        name
        for name in loaded
        if name not in WEB_MAY_LOAD | packages and not name.endswith(".schemas")
    ]
    assert loaded and not wrong, wrong


def test_services_neither_commit_nor_import_fastapi() -> None:
    # Every module of a domain package but its routes: services are split by aggregate
    # (api/steering/goals.py, api/integrations/engine.py, …), and what they use counts too.
    modules = [
        path
        for package in (ROOT / "api").glob("*/__init__.py")
        for path in package.parent.rglob("*.py")
        # A package's second router is named for what it routes (api/evenings/log_routes.py).
        if not path.name.endswith("routes.py")
    ]
    assert len(modules) > 50
    for path in modules:
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


# Layers ------------------------------------------------------------------------------------

# The domain packages of api/, lower first (README, "Layers"). A package imports only packages
# of lower layers, never one beside it or above it, not even inside a function: what a lower
# package's read needs from a higher one comes through a slot (api/slots.py) that the higher
# package fills in api/composition.py.
LAYERS: tuple[tuple[str, ...], ...] = (
    # The access policy reads only the Actor; every package may ask it.
    ("access",),
    ("audit", "categories", "structure"),
    # Photos are kept for the records above them, which decide who reads them.
    ("photos",),
    ("accounts",),
    # Single sign-on builds a session of accounts' kind from an identity provider's answer.
    ("sso",),
    # SCIM provisioning makes accounts and gives memberships by single sign-on's mappings.
    ("scim",),
    ("incidents",),
    # A tip accepted becomes an observation.
    ("tips",),
    ("features", "integrations"),
    ("situation",),
    # The analysis counts what the lägesbild counts, with its scope.
    ("analysis",),
    # The police area federates what each municipality's lägesbild shares with it.
    ("policeareas",),
    ("interventions",),
    # The evening in the field: its briefing suggests from the lägesbild; the meeting's agenda
    # and the lägesbild (through a slot) sum up evenings, walks and guard reports.
    ("evenings", "guards"),
    ("nightwalks",),
    # A walk's finding becomes a proposed intervention; its pins are moderated as tips are.
    ("safetywalks",),
    ("steering",),
    ("meetings",),
    # Retention thins incidents, lägesbilder and the audit log alike.
    ("retention",),
)
LAYER = {package: level for level, packages in enumerate(LAYERS) for package in packages}


def _imported(path: Path) -> list[tuple[int, str]]:
    """Every module named by an import in the file, wherever the import stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def test_every_domain_package_has_a_layer() -> None:
    packages = {p.parent.name for p in (ROOT / "api").glob("*/__init__.py")}
    assert packages - {"seed_data"} == set(LAYER)


def test_no_domain_package_imports_one_beside_or_above_it() -> None:
    wrong = []
    for package, level in LAYER.items():
        for path in sorted((ROOT / "api" / package).rglob("*.py")):
            for line, name in _imported(path):
                parts = name.split(".")
                other = parts[1] if parts[0] == "api" and len(parts) > 1 else None
                if other in LAYER and other != package and LAYER[other] >= level:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not wrong, "\n".join(wrong)


def _module_graph() -> dict[str, set[str]]:
    modules = {}
    for top in ("api", "web"):
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for _line, imported in _imported(path):
            # "from api.x import y": the module api.x.y if there is one, else api.x itself.
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def test_the_modules_of_api_and_web_import_each_other_in_no_circle() -> None:
    graph = _module_graph()
    done: set[str] = set()
    circles = []

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            circles.append(" → ".join([*path[path.index(module) :], module]))
            return
        if module in done:
            return
        for target in sorted(graph[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert not circles, "\n".join(circles)


def test_the_app_fills_every_slot_from_a_package_above_the_one_declaring_it() -> None:
    # With every module of api/ imported, so that every slot exists.
    code = (
        "import importlib, json, pkgutil, api\n"
        "from api.slots import DECLARED, Slot\n"
        "modules = [importlib.import_module(m.name)"
        " for m in pkgutil.walk_packages(api.__path__, 'api.')]\n"
        "empty = [s.name for s in DECLARED if s.function is None]\n"
        "from api.app import create_api_app\n"
        "from api.settings import Settings\n"
        "create_api_app(Settings(database_url='sqlite://'))\n"
        "print(json.dumps({'empty_before': empty, 'slots': [{\n"
        "    'name': s.name, 'provider': s.provider,\n"
        "    'declared_in': sorted(m.__name__ for m in modules if s in vars(m).values()),\n"
        "    'filled_from': getattr(s.function, '__module__', None)} for s in DECLARED]}))\n"
    )
    found = json.loads(_fresh(code))
    assert found["slots"], "no slot declared: is api/slots.py still in use?"
    assert sorted(found["empty_before"]) == sorted(s["name"] for s in found["slots"])
    for slot in found["slots"]:
        declared = {module.split(".")[1] for module in slot["declared_in"]}
        provider = slot["provider"].removeprefix("api.")
        assert len(declared) == 1 and slot["name"].startswith(f"{next(iter(declared))}."), slot
        assert slot["filled_from"] is not None, f"{slot['name']} is empty"
        assert slot["filled_from"].split(".")[1] == provider, slot
        assert LAYER[provider] > LAYER[next(iter(declared))], slot


def test_the_cli_and_the_demo_seed_compose_too() -> None:
    for path, function in (
        ("api/cli.py", "_database"),
        ("api/demo_activity.py", "load_demo_incidents"),
        ("api/app.py", "create_api_app"),
    ):
        tree = ast.parse((ROOT / path).read_text())
        (found,) = (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
        calls = {
            node.func.id
            for node in ast.walk(found)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert "compose" in calls, f"{path}: {function} does not call compose()"


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


# The API's surface ---------------------------------------------------------------------------


def test_every_api_handler_says_what_it_returns() -> None:
    # A handler typed Any hides from mypy what it answers; its schema type lets mypy check
    # that the answer is the one the OpenAPI document promises.
    code = (
        "import inspect, typing\n"
        "from fastapi.routing import APIRoute\n"
        "from api.app import create_api_app\n"
        "from api.settings import Settings\n"
        "app = create_api_app(Settings(database_url='sqlite://'), shed_load=False)\n"
        "loose = []\n"
        "for route in app.routes:\n"
        "    if isinstance(route, APIRoute):\n"
        "        hints = typing.get_type_hints(route.endpoint)\n"
        "        if hints.get('return', typing.Any) is typing.Any:\n"
        "            loose.append(route.path)\n"
        "print(sorted(loose))\n"
    )
    assert _fresh(code).strip() == "[]"


def test_links_are_built_from_the_api_prefix() -> None:
    # Location headers and next links come from api.routing.API_PREFIX, so that the API can
    # move (a v2, another mount) by changing one line.
    spelled = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "api").rglob("*.py")
        if path.name != "routing.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if '"/api/v1' in line or "'/api/v1" in line
    ]
    assert not spelled, spelled


# Size --------------------------------------------------------------------------------------

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


# One home for local time ---------------------------------------------------------------------


def test_only_api_localtime_names_a_time_zone() -> None:
    # "Today" and a day's midnight are reckoned in one place (api/localtime.py, and for a
    # municipality api.structure.service.municipality_today), so that a figure, a form and a
    # due date agree on when a day ends.
    named = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("api", "web", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if path != ROOT / "api" / "localtime.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "Europe/" in line or "ZoneInfo(" in line or "dt.timezone(dt.timedelta" in line
    ]
    assert not named, named


# The lists that answer a plain array, whole, and why (README, "Every list of records …").
WHOLE_LISTS = {
    "list_group_memberships": "a group's members",
    "list_meetings": "a group's meetings, one every other week",
    "list_situation_reports": "a group's lägesbilder, one every other week",
    "list_situation_report_incidents": "what a lägesbild counted, read whole to match it",
    "list_incident_history": "an incident's earlier versions",
    "list_follow_ups": "an intervention's follow-ups",
    "list_feedback": "what was told back about an intervention",
    "list_category_mappings": "at most one per category and source",
    "list_police_area_members": "a police area's group",
    "list_sharing_agreements": "one per municipality of a police area",
    "list_sharing_agreement_versions": "an agreement's earlier versions",
    "list_incident_photos": "an incident's photos, at most five (api.photos.service)",
    "list_tip_photos": "a tip's photos, at most three",
    "list_finding_photos": "a safety walk's finding's photos, at most five",
    "list_public_municipalities": "the installation's active municipalities, a handful",
    "list_sign_in_choices": "one or two per municipality with an identity provider turned on",
    "list_sso_group_mappings": "a municipality's identity provider's groups, a handful",
    "list_scim_tokens": "a municipality's SCIM tokens, a handful",
}


def test_every_list_answers_a_page_but_the_parts_of_one_record() -> None:
    code = (
        "import json\n"
        "from api.app import create_api_app\n"
        "from api.settings import Settings\n"
        "app = create_api_app(Settings(database_url='sqlite://'), shed_load=False)\n"
        "arrays = []\n"
        "for path, operations in app.openapi()['paths'].items():\n"
        "    get = operations.get('get', {})\n"
        "    body = get.get('responses', {}).get('200', {}).get('content', {})\n"
        "    if body.get('application/json', {}).get('schema', {}).get('type') == 'array':\n"
        "        arrays.append(get['operationId'])\n"
        "print(json.dumps(sorted(arrays)))\n"
    )
    assert json.loads(_fresh(code)) == sorted(WHOLE_LISTS)


def test_the_suite_composes_at_start() -> None:
    # A test run alone (`pytest -k …`) calls services through the support (Server.token_for,
    # the demo seed) before any app is built: the suite's plugin composes (tests/support/
    # fixtures.py, pytest_configure), not whichever fixture happened to build an app first.
    from api.slots import DECLARED

    assert DECLARED and all(slot.function is not None for slot in DECLARED)

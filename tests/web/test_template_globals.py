"""The shared macro modules (``situation_macros``, ``agenda_macros``, …) are made once from
their templates. A template module sees the environment's globals as they were when it was
made, so every name its template uses must be a global by then: the lägesbild answered 500
when ``evening_kinds`` was added after them."""

from __future__ import annotations

from jinja2 import nodes
from jinja2.environment import Environment, TemplateModule

from tests.support.servers import settings_for
from web.rendering import make_templates

# Names Jinja gives every macro and loop of its own.
_IMPLICIT = {"loop", "caller", "varargs", "kwargs", "self", "super"}


def _globals_used(env: Environment, template: str) -> set[str]:
    """The names a template reads that it does not make itself (a macro's arguments, a loop's
    or a set's targets, an import): those it needs from the globals, inside macros too."""
    tree = env.parse(env.loader.get_source(env, template)[0])  # type: ignore[union-attr]
    read = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
    made = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    made |= {m.name for m in tree.find_all(nodes.Macro)}
    for node in tree.find_all(nodes.FromImport):
        made |= {alias if isinstance(alias, str) else alias[1] for alias in node.names}
    made |= {node.target for node in tree.find_all(nodes.Import)}
    return read - made - _IMPLICIT


def test_every_shared_macro_module_sees_each_global_its_template_uses() -> None:
    env = make_templates(settings_for("sqlite://")).env
    names = list(env.globals)
    modules = {n: v for n, v in env.globals.items() if isinstance(v, TemplateModule)}
    # The macros of _macros.html are globals one by one; they come from its module too.
    sources = {name: str(module.__name__) for name, module in modules.items()}
    sources["_macros.html"] = "_macros.html"
    assert len(sources) >= 4, sources
    missing = {}
    for key, template in sources.items():
        used = _globals_used(env, template)
        before = set(names[: names.index(key)]) if key in names else set(env.globals)
        if key == "_macros.html":
            first_macro = min(
                (names.index(n) for n in names if getattr(env.globals[n], "_body", None)),
                default=len(names),
            )
            before = set(names[:first_macro])
        if unknown := sorted(used - before):
            missing[template] = unknown
    assert not missing, missing

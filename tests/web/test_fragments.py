"""Every page answers an htmx request for its fragment, not only a whole page.

A request with ``HX-Request`` (and not boosted) gets only the page's named block. That block
runs without the page's top-level template code, so whatever it uses must be there without
it (the shared macros are globals, see web/rendering.py), and a page without such a block (a
print view) is answered whole. The pages are found as a person finds them: by following the
links from the start page, with the demo's activity in the database (meetings, goals, plans,
published lägesbilder), as the coordination group's convener and as a reporter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, nodes

from api import localtime
from api.demo_activity import load_demo_incidents
from tests.support.pages import browser_for
from tests.support.people import People
from tests.support.servers import Server

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
FRAGMENT = {"HX-Request": "true"}


def test_no_page_imports_macros_of_its_own() -> None:
    # An import at a page's top would be missing from its blocks when they are rendered alone.
    imports = [
        template.name
        for template in TEMPLATES.glob("*.html")
        if re.search(r"{%-?\s*(from|import)\s", template.read_text())
    ]
    assert not imports, imports


def test_no_page_defines_a_macro_outside_its_blocks() -> None:
    # Nor a macro defined at the page's top (the night walks' list answered its fragment with
    # a reset connection: its macro was undefined in the block).
    env = Environment(loader=FileSystemLoader(TEMPLATES))
    outside = [
        f"{template.name}: {node.name}"
        for template in TEMPLATES.glob("*.html")
        if not template.name.startswith("_")
        for node in env.parse(template.read_text()).body
        if isinstance(node, nodes.Macro)
    ]
    assert not outside, outside


def test_no_form_field_gets_its_attributes_as_a_string() -> None:
    # input_field writes ``attrs`` with xmlattr: a string such as 'maxlength="200"' came out
    # escaped (maxlength="&#34;200&#34;"), and browsers ignored the limit and the hint. The
    # pages' tests (tests/web/test_walk_pages.py) see the attributes rendered.
    env = Environment(loader=FileSystemLoader(TEMPLATES))
    strings = [
        f"{template.name}: {call.args[0].value if call.args else '?'}"  # type: ignore[attr-defined]
        for template in TEMPLATES.glob("*.html")
        for call in env.parse(template.read_text()).find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name == "input_field"
        for kwarg in call.kwargs
        if kwarg.key == "attrs" and not isinstance(kwarg.value, nodes.Dict)
    ]
    assert not strings, strings


@pytest.mark.parametrize("who", ["coordination", "reporter"])
def test_every_page_reached_by_links_answers_its_fragment(
    server: Server, people: People, who: str
) -> None:
    with server.database.session(write=True) as session:
        load_demo_incidents(session, today=localtime.today())
    failed: list[str] = []
    seen: set[str] = set()
    kinds: set[str] = set()
    queue = ["/"]
    with browser_for(server, people, who) as browser:
        while queue:
            path = queue.pop(0)
            # One of each kind of page: /moten/3 and /moten/4 are rendered alike.
            kind = re.sub(r"\d+", "N", path.split("?", 1)[0])
            if kind in kinds or path.startswith(("/static/", "/api/")):
                continue
            kinds.add(kind)
            whole = browser.get(path)
            part = browser.get(path, headers=FRAGMENT)
            for answer in (whole, part):
                if answer.status_code >= 500:
                    failed.append(f"{path} {answer.request.headers.get('hx-request')}")
            if whole.headers.get("content-type", "").startswith("text/html"):
                for href in re.findall(r'href="(/[^"#]*)', whole.text):
                    link = href.replace("&amp;", "&")
                    if link not in seen:
                        seen.add(link)
                        queue.append(link)
    assert len(kinds) > 8, kinds
    assert not failed, failed

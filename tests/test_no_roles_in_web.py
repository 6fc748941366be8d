"""The web holds no copy of the access policy: no role's name and no decision on a role or
on ``is_admin`` of its own. The API says what the person may do (``me.can``, the rights on
their grants, a record's ``may_*``, all from api.access.policy), and the pages show their
menus, forms and buttons from that alone; the roles' Swedish names come from api.swedish."""

from __future__ import annotations

import re
from pathlib import Path

from api.accounts.schemas import Role

WEB = Path(__file__).resolve().parent.parent / "web"
NAMES = "|".join(role.value for role in Role)
FORBIDDEN = (
    # A role's name as a string, in Python, a template or a script: "reporter", 'member'.
    re.compile(rf"""(["'])\s*(?:{NAMES})\s*\1"""),
    # The enum's members by name: Role.member.
    re.compile(rf"\bRole\s*\.\s*(?:{NAMES})\b"),
    # A decision on someone's role, whatever it is compared with: m.role != x, a role in a
    # set, grants filtered by their role in a template.
    re.compile(r"""\.role\s*(?:==|!=|\bin\b|\bnot\s+in\b)|attr\(\s*["']role["']"""),
)


def offences(text: str) -> list[str]:
    return [line for line in text.splitlines() if any(p.search(line) for p in FORBIDDEN)]


def test_the_check_finds_what_the_web_once_held() -> None:
    # The menu, the member form and the helpers of web/app.py before the API said it.
    held = [
        '{% set readers = me.memberships|rejectattr("role", "equalto", "reporter")|list %}',
        '{% if me.memberships|selectattr("role", "equalto", "convener")|list %}',
        '{% if (values.roll or "member") == value %}',
        'm.group.kind in (GroupKind.steering, GroupKind.coordination) and m.role != "reporter"',
        'return _holds(me, group_id, frozenset({"convener", "member"}))',
        "any(m.group.id == group_id and m.role in roles for m in me.memberships)",
        "ROLES = {'viewer': 'läsare'}",
        "if grant.role == Role.viewer:",
    ]
    assert [line for line in held if not offences(line)] == []
    # Showing a role, or words that only contain one, are not decisions.
    shown = [
        "<td>{{ membership.role|role_sv }}</td>",
        '"to_reporters": reporters,',
        "{{ figures.reporters|length }}",
        '{% set readers = me.memberships|selectattr("reads_as_member")|list %}',
    ]
    assert [line for line in shown if offences(line)] == []


def test_no_role_is_named_or_decided_on_in_the_web() -> None:
    found = {
        str(path.relative_to(WEB)): offences(path.read_text(encoding="utf-8"))
        for pattern in ("*.py", "*.html", "*.js")
        for path in sorted(WEB.rglob(pattern))
        if "vendor" not in path.parts
    }
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_the_web_decides_nothing_on_is_admin() -> None:
    # The templates may still say that someone is an administrator; no handler decides on it.
    found = [
        str(path.relative_to(WEB))
        for path in sorted(WEB.rglob("*.py"))
        if re.search(r"\bis_admin\b", path.read_text(encoding="utf-8"))
    ]
    assert found == []

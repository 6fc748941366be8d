"""What the API tells a front end the caller may do, decided by ``api.access.policy``: the
capabilities and the rights on each membership in ``GET /auth/me``, and a group's rights in
its read, for each demo role. The web shows its menus, forms and buttons from these alone."""

from __future__ import annotations

import httpx

from api.access.schemas import Capability
from tests.support.people import People
from tests.support.servers import Server

V1 = "/api/v1"
STEERING = "EST styrgrupp"
COORDINATION = "EST samordningsgrupp"
KUNGSANGEN = "EST områdesgrupp Kungsängen"
BRO = "EST områdesgrupp Bro"
OPERATOR = "operatorn@est.test"
EVERY = [
    # Everyone acting in a municipality reads its incidents, map and organisations.
    "read_municipality",
    "file_reports",
    "import_files",
    "read_steering",
    "read_meetings",
    "read_audit_log",
    "set_privacy_notice",
    "read_evenings",
    "plan_evenings",
    "moderate_tips",
    "read_safety_walks",
    "plan_safety_walks",
    # The police areas serving their municipality (#21); the demo's administrator is no
    # platform operator, who alone makes them (manage_police_areas).
    "read_police_areas",
]

# Each demo person: their capabilities, and their membership's (group, may_write,
# may_manage, reads_as_member).
EXPECTED: dict[str, tuple[list[str], list[tuple[str, bool, bool, bool]]]] = {
    # The administrator's organisation is no guard company: no guard reports to file.
    # An administrator sets their municipality's settings; no demo person runs the platform.
    "admin": ([*EVERY, "read_guard_reports", "manage_municipality"], []),
    "steering": (
        [
            "read_municipality",
            "file_reports",
            "read_steering",
            "read_meetings",
            "read_evenings",
            "read_guard_reports",
            "read_safety_walks",
        ],
        [(STEERING, True, False, True)],
    ),
    "coordination": (
        [
            "read_municipality",
            "file_reports",
            "import_files",
            "read_steering",
            "read_meetings",
            "read_evenings",
            "plan_evenings",
            "read_guard_reports",
            "moderate_tips",
            "read_safety_walks",
            "plan_safety_walks",
        ],
        [(COORDINATION, True, True, True)],
    ),
    "kungsangen": (
        [
            "read_municipality",
            "file_reports",
            "read_meetings",
            "read_evenings",
            "plan_evenings",
            "read_safety_walks",
            "plan_safety_walks",
        ],
        [(KUNGSANGEN, True, False, True)],
    ),
    # A reporter only files in their group: no meetings to read; the evenings they work. Of
    # Rapid Säkerhet, they file and read its guard reports.
    "reporter": (
        [
            "read_municipality",
            "file_reports",
            "read_evenings",
            "read_guard_reports",
            "file_guard_reports",
            "read_safety_walks",
        ],
        [(BRO, False, False, False)],
    ),
    "viewer": (
        [
            "read_municipality",
            "read_steering",
            "read_meetings",
            "read_evenings",
            "read_guard_reports",
            "read_safety_walks",
        ],
        [(COORDINATION, False, False, True)],
    ),
}


def test_me_says_what_each_role_may_do(server: Server, people: People) -> None:
    for name, (can, grants) in EXPECTED.items():
        with server.client(people["tokens"][name]) as client:
            response = client.get(f"{V1}/auth/me")
        assert response.status_code == 200, response.text
        me = response.json()
        # In the enum's order, as the API gives them.
        order = [c.value for c in Capability]
        assert me["can"] == sorted(can, key=order.index), name
        assert [
            (g["group"]["name"], g["may_write"], g["may_manage"], g["reads_as_member"])
            for g in me["memberships"]
        ] == grants, name


def test_a_group_says_what_the_caller_may_do_in_it(server: Server, people: People) -> None:
    groups = {name: people["groups"][name]["id"] for name in (STEERING, COORDINATION, BRO)}
    # (person, group) → (may_write, may_manage); an administrator without a membership too.
    expected = {
        ("admin", STEERING): (True, True),
        ("admin", BRO): (True, True),
        ("coordination", COORDINATION): (True, True),
        ("coordination", BRO): (False, False),
        ("steering", STEERING): (True, False),
        ("steering", COORDINATION): (False, False),
        ("viewer", COORDINATION): (False, False),
        ("reporter", BRO): (False, False),
    }
    for (name, group), rights in expected.items():
        with server.client(people["tokens"][name]) as client:
            one = client.get(f"{V1}/groups/{groups[group]}")
            listed = client.get(f"{V1}/groups").json()["items"]
        assert one.status_code == 200, one.text
        assert (one.json()["may_write"], one.json()["may_manage"]) == rights, (name, group)
        [same] = [g for g in listed if g["id"] == groups[group]]
        assert (same["may_write"], same["may_manage"]) == rights, (name, group)


def test_a_changed_group_answers_the_administrators_rights(
    api: httpx.Client, people: People
) -> None:
    group = people["groups"][BRO]["id"]
    changed = api.patch(f"{V1}/groups/{group}", json={"description": "Bro centrum och Råby."})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["may_write"], changed.json()["may_manage"]) == (True, True)


def test_an_operator_acting_in_no_municipality_is_offered_no_municipal_pages(
    server: Server, people: People
) -> None:
    # A platform operator acts in no municipality: the platform's pages, none of a
    # municipality's data (incidents, map, organisations, reporting), which would be empty
    # or refused.
    from tests.support.cli import est

    made = est(
        server.settings.database_url, "operator", "create", "--email", OPERATOR, "--name", "Op"
    )
    assert made.returncode == 0, made.stderr
    with server.client(server.token_for(OPERATOR)) as client:
        me = client.get(f"{V1}/auth/me").json()
    assert me["municipality"] is None
    # The platform's own log (sign-ins, municipalities made) is theirs to read.
    platform = ["read_audit_log", "read_police_areas", "manage_police_areas", "operate_platform"]
    assert me["can"] == platform

"""The permission matrix with two municipalities (#21): a person of municipality B, in every role,
gets nothing of municipality A from any route of the API.

Every operation of the OpenAPI schema is called as each of B's people (and B's service token,
and B's administrator half signed in; a write as B's administrator and service token, WRITERS)
with A's record ids in its path and in its query: the answer is a refusal (404, or
401/403/405/422 where the route's rule or the body's check refuses first), never a 2xx, never a
5xx. Every answer, with A's ids or with none (the lists, exports, feeds, figures, the calendar,
the event stream's first answer), is searched for A's fingerprints: every name and text of A's
rows, and the markers planted in A's free text (tests/support/tenants.py). A leak fails with
the route that leaked and what it showed.

The routes that take no record of a municipality in their path (a category's code, a
source's name, a year, a day), and the public routes that take a capability (the safety
walk's link token, a tip's receipt), are called too and searched the same; only the status
rule is left out for them.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, get_args

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from pydantic_core.core_schema import ErrorType
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support.openapi import app_schema
from tests.support.people import ENDS_SESSIONS, PEOPLE, People
from tests.support.servers import Server
from tests.support.tenants import B_PEOPLE, Municipality, two_municipalities

ROLES = (
    "reporter",
    "kungsangen",
    "coordination",
    "steering",
    "viewer",
    "admin",
    "service",
    "pending",
)
# The roles that call the writes (POST, PUT, PATCH, DELETE): an administrator may do
# everything in their municipality (api/access/policy.py), so of B's people theirs is the
# write that gets furthest towards A's record; a weaker role is refused by a rule of the
# same route before, and the half-signed-in administrator by the sign-in itself, which
# every read still meets. The service token is another kind of caller (the integrations').
WRITERS = ("admin", "service")
REFUSALS = {401, 403, 404, 405, 422}

# A path parameter, named by the literal segments of the path before it, and the kind of A's
# record it takes (tests/support/tenants.py _ids_of). None: not a municipality's record.
PATH_KINDS: dict[str, str | None] = {
    "users": "user",
    "groups": "group",
    "groups/memberships": "user",
    "groups/organisations": "organisation",
    "service-tokens": "service_token",
    "integrations": None,  # a source's name
    "integrations/guard-reports": None,  # a day
    "municipalities": "municipality",
    "municipalities/sso/group-mappings": "oidc_group_mapping",
    "municipalities/password-sign-in/break-glass": "user",
    "municipalities/scim-tokens": "scim_token",
    "municipalities/police-statistics": None,  # a year
    # A municipality's SAML metadata is public (what its identity provider registers).
    "saml": None,
    # SCIM beside the API: only a municipality's SCIM token reaches it (test_scim.py).
    "/scim/v2/Users": "user",
    "/scim/v2/Groups": "group",
    "areas": "area",
    "places": "place",
    "organisations": "organisation",
    "categories": None,  # the categories are the platform's, shared by every municipality
    "reports": "report",
    "incidents": "incident",
    "incidents/matches": "match",
    "incidents/photos": "incident_photo",
    "situation-reports": "situation_report",
    "situation-reports/comparison": "other_situation_report",
    "interventions": "intervention",
    "me/reports": "incident",
    "meetings": "meeting",
    "associations": "association",
    "associations/hosts": "host",
    "night-walks": "night_walk",
    "goals": "goal",
    "indicators": "indicator",
    "indicators/values": None,  # a year
    "assignments": "assignment",
    "plans": "plan",
    "plans/reviews": None,
    "activities": "activity",
    "activities/reviews": None,
    "category-mappings": "category_mapping",
    "imports": "import",
    "features/collections": None,  # the collection's name
    "features/collections/items": "incident",
    "guard-reports": "guard_report",
    "evenings": "evening",
    "evenings/log": "log_post",
    # A police area spans municipalities; who reads it is test_police_areas.py's (the demo
    # fixture holds none).
    "police-areas": None,
    "police-areas/members": None,
    "police-areas/agreements": None,
    "police-areas/agreements/versions": None,
    "public/tips": None,  # a receipt: whoever holds it may add a photo (a capability)
    "tips": "tip",
    "tips/photos": "tip_photo",
    "safety-walks": "safety_walk",
    "public/safety-walks": None,  # the walk's link token (a capability)
    "safety-walks/input": "walk_input",
    "safety-walks/findings": "finding",
    "safety-walks/findings/photos": "finding_photo",
}
OTHER_VALUES = {
    "source": "embrace",
    "year": "2026",
    "day": "2026-06-01",
    "code": "skadegorelse",
    "collection_id": "incidents",
    "receipt": "1.1.x",
    "token": "no-such-token",
}
# The routes anyone may call without signing in, which show a municipality's public face
# (its name, privacy notice, tip form, a safety walk's public page to the link's holder;
# the list of the municipalities a resident may address): what they show of A is public by
# design.
PUBLIC = {"get_privacy_notice", "get_municipality_privacy_notice", "get_public_tip_form",
          "get_public_safety_walk", "list_public_municipalities"}  # fmt: skip
# Query parameters that take a record of a municipality, and its kind.
QUERY_KINDS = {
    "organisation": "organisation",
    "group": "group",
    "municipality": "municipality",
    "area": "area",
    "place": "place",
    "parent": "organisation",
    "evening": "evening",
    "association": "association",
    "to_group": "group",
    "goal": "goal",
    "user": "user",
    "area_id": "area",
    "municipality_id": "municipality",
}
# The photo ids are (photo, owner): the owner's id fills the parameter before the photo's.
PHOTO_OWNERS = {"incident_photo": "incident", "tip_photo": "tip", "finding_photo": "finding"}


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in app_schema()["paths"].items()
        for method, operation in operations.items()
    ]


def _filled(path: str, ids: dict[str, Any]) -> tuple[str, bool]:
    """The path with a record of ``ids`` for every parameter; whether any was a record of a
    municipality (rather than a code, a year, a capability)."""
    parts = path.removeprefix("/api/v1/").split("/")
    literal: list[str] = []
    values: dict[str, str] = {}
    records = False
    kinds: list[str | None] = []
    for part in parts:
        found = re.fullmatch(r"\{([^}]+)\}", part)
        if not found:
            literal.append(part.split(":")[0])
            continue
        key = "/".join(literal)
        assert key in PATH_KINDS, f"{path}: no kind for the parameter after {key!r}"
        kinds.append(PATH_KINDS[key])
        name = found.group(1)
        kind = PATH_KINDS[key]
        if kind is None:
            values[name] = OTHER_VALUES.get(name, "x")
            continue
        records = True
        value = ids.get(kind)
        if kind in PHOTO_OWNERS and value is not None:
            # The owner's parameter (filled before) takes the photo's owner.
            owner_param = list(values)[-1]
            values[owner_param] = str(value[1])
            value = value[0]
        values[name] = "2147483646" if value is None else str(value)
    filled = re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], path)
    return filled, records


def _texts(response: httpx.Response) -> str:
    return response.content.decode("utf-8", errors="replace")


def _leaks(body: str, fingerprints: list[str], pattern: re.Pattern[str]) -> list[str]:
    return sorted(set(pattern.findall(body)))[:5]


def _pattern(fingerprints: list[str]) -> re.Pattern[str]:
    # Longest first, so that the longer of two overlapping strings is the one named.
    ordered = sorted(fingerprints, key=len, reverse=True)
    return re.compile("|".join(re.escape(f) for f in ordered))


def _request(
    client: httpx.Client,
    method: str,
    url: str,
    token: str,
    has_body: bool,
    streams: bool,
    **kw: Any,
) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"}
    json_body: dict[str, Any] | None = {} if has_body else None
    if streams:
        with client.stream(method, url, headers=headers, **kw) as response:
            if response.status_code != 200:
                response.read()
                return response.status_code, _texts(response)
            return 200, ""  # the stream opened: that alone is the leak to report
    response = client.request(method, url, headers=headers, json=json_body, **kw)
    return response.status_code, _texts(response)


# (method, operation id, has a body, is a stream, [(url, query, must refuse)])
Call = tuple[str, str, bool, bool, list[tuple[str, dict[str, str], bool]]]


def _calls(a: Municipality, b: Municipality) -> list[Call]:
    """Every operation with A's ids in its path; a list also with A's ids in each query
    parameter that takes a record, and as B's own (B's ids in its path)."""
    made: list[Call] = []
    for method, path, operation in _operations():
        op_id = operation["operationId"]
        if op_id in ("sign_out", "change_password", "disable_totp") or op_id in PUBLIC:
            continue  # the caller's own sign-in; a municipality's public face
        url, records = _filled(path, a.ids)
        calls: list[tuple[str, dict[str, str], bool]] = [(url, {}, records)]
        if method == "GET":
            # The longest page a list gives: a leak past the first page is one too.
            longest = {
                p["name"]: str(p["schema"].get("maximum", 50))
                for p in operation.get("parameters", [])
                if p["name"] == "limit" and p["in"] == "query" and "schema" in p
            }
            calls = [(url, longest, records)]
            own, _ = _filled(path, b.ids)
            for parameter in operation.get("parameters", []):
                kind = QUERY_KINDS.get(parameter["name"])
                if parameter["in"] == "query" and kind and a.ids.get(kind) is not None:
                    calls.append((own, {**longest, parameter["name"]: str(a.ids[kind])}, False))
            if records:
                calls.append((own, longest, False))
        made.append(
            (method, op_id, "requestBody" in operation, op_id == "stream_evening_log", calls)
        )
    return made


def _matrix_as(
    server: Server, role: str, token: str, calls: list[Call], a: Municipality
) -> list[str]:
    pattern = _pattern(a.fingerprints)
    wrong: list[str] = []
    with server.client() as client:
        for method, op_id, has_body, streams, targets in calls:
            if method != "GET" and role not in WRITERS:
                continue
            for target, params, refuse in targets:
                try:
                    status, body = _request(
                        client, method, target, token, has_body, streams, params=params
                    )
                except httpx.TransportError as error:  # the server failed mid-answer
                    status, body = 599, repr(error)
                where = f"{method} {target} {params or ''} ({op_id}) as B's {role}: {status}"
                if status >= 500:
                    wrong.append(f"{where}: a server error: {body[:300]}")
                elif refuse and status not in REFUSALS:
                    wrong.append(f"{where}: A's record answered: {body[:300]}")
                found = _leaks(body, a.fingerprints, pattern)
                if found:
                    wrong.append(f"{where}: the answer holds A's {found}")
    return wrong


def _matrix(server: Server, a: Municipality, b: Municipality) -> list[str]:
    """Each of B's roles in a thread of its own: the server answers them side by side."""
    calls = _calls(a, b)
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = pool.map(lambda role: _matrix_as(server, role, b.tokens[role], calls, a), ROLES)
        return [line for lines in found for line in lines]


def test_a_person_of_one_municipality_gets_nothing_of_another(
    server: Server, people: People
) -> None:
    started = time.monotonic()
    a, b = two_municipalities(server, people)
    built = time.monotonic() - started
    assert len(a.fingerprints) > 100, a.fingerprints
    # No match: the demo has no observation matched across sources (a made-up id is sent).
    missing = [kind for kind, value in a.ids.items() if value is None and kind != "match"]
    assert not missing, f"A has no record of these kinds: {missing}"
    wrong = _matrix(server, a, b)
    print(f"built in {built:.1f} s, matrix in {time.monotonic() - started - built:.1f} s")
    assert not wrong, f"{len(wrong)} leaks or errors:\n" + "\n".join(wrong)


# Schemathesis as a person of each municipality ------------------------------------------------

# Pydantic's own error types, and the generic one of our validators (test_schemathesis.py).
SCHEMA_ERRORS = set(get_args(ErrorType)) | {"value_error"}
# Examples per operation and administrator: the whole schema twice (A's and B's
# administrator) within about half a minute a backend. tests/api/test_schemathesis.py
# explores each operation further, as the demo's administrator.
EXAMPLES = 1


def _schema_valid_input_passes_validation(ctx: Any, response: Any, case: Any) -> bool | None:
    """As tests/api/test_schemathesis.py checks: input the schema calls valid is never
    refused with a plain schema error (missing, too long, a value error)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    codes = {error["code"] for error in response.json().get("errors", [])}
    assert not codes & SCHEMA_ERRORS, f"schema-valid input refused: {response.text}"
    return None


def _explore(server: Server, callers: dict[str, list[str]]) -> list[str]:
    """Every operation with generated input, each case sent as each administrator of
    ``callers`` (e-mail: the other municipality's fingerprints, which no answer to them may
    hold). A session is kept until a case may have ended it."""
    patterns = {email: _pattern(other) for email, other in callers.items()}
    asking: list[str] = []  # who the case in hand is sent as

    def nothing_of_the_other(ctx: Any, response: Any, case: Any) -> bool | None:
        if case.operation.definition.raw.get("operationId") in PUBLIC:
            return None  # a municipality's public face, shown to anyone
        email = asking[-1]
        body = response.content.decode("utf-8", errors="replace")
        found = _leaks(body, callers[email], patterns[email])
        assert not found, f"the answer holds the other municipality's {found}"
        return None

    schema = schemathesis.openapi.from_dict(app_schema())
    failed: list[str] = []
    tokens: dict[str, str] = {}
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            failed.append(f"an operation the schema cannot state: {result.err()}")
            continue
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def run(case: Any) -> None:
            for email in callers:
                if email not in tokens:
                    tokens[email] = server.token_for(email)
                token = tokens[email]
                if case.operation.definition.raw.get("operationId") in ENDS_SESSIONS:
                    tokens.pop(email)
                asking.append(email)
                try:
                    case.call_and_validate(
                        base_url=server.url,
                        headers={"Authorization": f"Bearer {token}"},
                        excluded_checks=[positive_data_acceptance],
                        additional_checks=[
                            _schema_valid_input_passes_validation,
                            nothing_of_the_other,
                        ],
                    )
                except (Exception, BaseExceptionGroup) as error:
                    raise AssertionError(f"as {email}: {error}") from error

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # every operation's is reported
            failed.append(f"{operation.label}: {str(error)[:1500]}")
    return failed


def test_schemathesis_as_each_municipalitys_administrator(server: Server, people: People) -> None:
    a, b = two_municipalities(server, people)
    started = time.monotonic()
    failed = _explore(server, {B_PEOPLE["admin"]: a.fingerprints, PEOPLE["admin"]: b.fingerprints})
    print(f"schemathesis in {time.monotonic() - started:.1f} s")
    assert not failed, f"{len(failed)} operations failed:\n" + "\n".join(failed)

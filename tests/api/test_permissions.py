"""The permission matrix: every route of the app against every kind of caller.

The routes come from the app itself, and the expectations from the table below, written by
hand and deliberately not read from ``api.access.policy.ROUTE_RULES``: this test is a second
statement of the policy, so a change to either one must be made on purpose in both. A route
added without a line here fails the test, and so does a line for a route that is gone.

What is checked is only whether a caller gets through the door of a route: allowed means
an answer other than 401 and 403 (a 404 for the made-up id, a 422 for the empty body);
refused means 401 with ``WWW-Authenticate`` for the anonymous and 403 for everyone else.
Which records a caller then sees is tested in test_access.py.
"""

from __future__ import annotations

import re

import httpx

from api.accounts.models import User
from tests.support.openapi import app_schema
from tests.support.people import ENDS_SESSIONS, PEOPLE, People
from tests.support.servers import Server

ROLES = (
    "anonymous",
    "reporter",  # reporter in the Bro area group
    "kungsangen",  # member of the Kungsängen area group
    "coordination",  # convener of the coordination group
    "steering",  # member of the steering group
    "viewer",  # viewer in the coordination group
    "service",  # a service token for the source "embrace" of Rapid Säkerhet
    "admin",
    # A platform operator (#21): makes municipalities and categories, administers none and
    # reads no municipality's records (test_tenancy.py).
    "operator",
    "pending",  # an administrator half signed in: the password given, the code not yet
)
EVERYONE = frozenset(ROLES)
PEOPLE_SIGNED_IN = frozenset(
    {"reporter", "kungsangen", "coordination", "steering", "viewer", "admin", "operator"}
)
ADMIN = frozenset({"admin"})
OPERATOR = frozenset({"operator"})
# The routes that complete a sign-in: people, and those half signed in.
SECOND_STEP = PEOPLE_SIGNED_IN | {"pending"}
SERVICE = frozenset({"service"})
IMPORTERS = frozenset({"coordination", "admin"})
# Those who read the whole municipality: the steering group's goals and plans.
STEERING_READERS = frozenset({"coordination", "steering", "viewer", "admin"})
# Those who moderate residents' tips (policy.can_moderate_tips).
MODERATORS = frozenset({"coordination", "admin"})


def _resource(
    noun: str, plural: str, *, read: frozenset[str], write: frozenset[str]
) -> dict[str, frozenset[str]]:
    return {
        f"list_{plural}": read,
        f"get_{noun}": read,
        f"create_{noun}": write,
        f"update_{noun}": write,
        f"deactivate_{noun}": write,
        f"activate_{noun}": write,
    }


EXPECTED: dict[str, frozenset[str]] = {
    # Probes and sign-in: anyone.
    "healthz": EVERYONE,
    "readyz": EVERYONE,
    "sign_in": EVERYONE,
    # One's own session and account: people, not service tokens.
    "sign_out": SECOND_STEP,
    "get_me": PEOPLE_SIGNED_IN,
    "change_password": PEOPLE_SIGNED_IN,
    "update_me": PEOPLE_SIGNED_IN,
    # The structure: people read, administrators change; the municipalities themselves are
    # made and turned off by platform operators, and named by their administrator too.
    **_resource("municipality", "municipalities", read=PEOPLE_SIGNED_IN, write=OPERATOR),
    "update_municipality": ADMIN | OPERATOR,
    # The privacy notice: anyone reads it, signed in or not; administrators set it.
    "get_privacy_notice": EVERYONE,
    "get_municipality_privacy_notice": EVERYONE,
    # The municipalities a resident may address (a tip, the privacy notice): anyone.
    "list_public_municipalities": EVERYONE,
    "set_municipality_privacy_notice": ADMIN | OPERATOR,
    # Single sign-on (#22): anyone sees the choices and signs in through a provider; a
    # municipality's identity provider and group mappings are its administrator's.
    "list_sign_in_choices": EVERYONE,
    "start_oidc_sign_in": EVERYONE,
    "finish_oidc_sign_in": EVERYONE,
    "start_saml_sign_in": EVERYONE,
    "finish_saml_sign_in": EVERYONE,
    "get_saml_metadata": EVERYONE,
    "get_oidc_settings": ADMIN,
    "set_oidc_settings": ADMIN,
    "delete_oidc_settings": ADMIN,
    "get_saml_settings": ADMIN,
    "set_saml_settings": ADMIN,
    "delete_saml_settings": ADMIN,
    "list_sso_group_mappings": ADMIN,
    "create_sso_group_mapping": ADMIN,
    "delete_sso_group_mapping": ADMIN,
    "get_password_sign_in": ADMIN,
    "set_password_sign_in": ADMIN,
    "set_break_glass": ADMIN,
    # A new municipality with its first administrator: platform operators alone (#21).
    "establish_municipality": OPERATOR,
    # SCIM provisioning (#22): a municipality's SCIM token alone, which is none of these
    # roles (test_scim.py); its administrator makes and revokes the tokens.
    **dict.fromkeys(
        (
            "scim_service_provider_config",
            "scim_resource_types",
            "scim_schemas",
            "scim_list_users",
            "scim_create_user",
            "scim_get_user",
            "scim_replace_user",
            "scim_patch_user",
            "scim_delete_user",
            "scim_list_groups",
            "scim_create_group",
            "scim_get_group",
            "scim_replace_group",
            "scim_patch_group",
            "scim_delete_group",
        ),
        frozenset[str](),
    ),
    "list_scim_tokens": ADMIN,
    "create_scim_token": ADMIN,
    "revoke_scim_token": ADMIN,
    **_resource("area", "areas", read=PEOPLE_SIGNED_IN, write=ADMIN),
    **_resource("place", "places", read=PEOPLE_SIGNED_IN, write=ADMIN),
    **_resource("organisation", "organisations", read=PEOPLE_SIGNED_IN, write=ADMIN),
    **_resource("group", "groups", read=PEOPLE_SIGNED_IN, write=ADMIN),
    # The categories are the platform's, the same in every municipality.
    **_resource("category", "categories", read=PEOPLE_SIGNED_IN, write=OPERATOR),
    "add_group_organisation": ADMIN,
    "remove_group_organisation": ADMIN,
    # Accounts: people read (narrowed to what they may see), administrators manage.
    **_resource("user", "users", read=PEOPLE_SIGNED_IN, write=ADMIN),
    "end_user_sessions": ADMIN,
    # Memberships: the route is open to people; the group's own rules decide (test_access).
    "list_group_memberships": PEOPLE_SIGNED_IN,
    "put_group_membership": PEOPLE_SIGNED_IN,
    "remove_group_membership": PEOPLE_SIGNED_IN,
    # Observations: people file and read; the service decides who may file, and what they see.
    "create_report": PEOPLE_SIGNED_IN,
    "get_report": PEOPLE_SIGNED_IN,
    "list_incidents": PEOPLE_SIGNED_IN,
    "incidents_geojson": PEOPLE_SIGNED_IN,
    "incidents_csv": PEOPLE_SIGNED_IN,
    "features_landing": PEOPLE_SIGNED_IN,
    "features_conformance": PEOPLE_SIGNED_IN,
    "features_collections": PEOPLE_SIGNED_IN,
    "features_collection": PEOPLE_SIGNED_IN,
    "features_items": PEOPLE_SIGNED_IN,
    "features_item": PEOPLE_SIGNED_IN,
    "get_incident": PEOPLE_SIGNED_IN,
    "update_incident": PEOPLE_SIGNED_IN,
    "withdraw_incident": PEOPLE_SIGNED_IN,
    "restore_incident": PEOPLE_SIGNED_IN,
    "list_incident_history": PEOPLE_SIGNED_IN,
    "list_incident_readers": ADMIN,  # who read it: the audit log's readers
    "undo_incident_match": PEOPLE_SIGNED_IN,
    # The lägesbild: people; which groups' pictures they read and write is tested in
    # test_situation.py.
    "get_group_figures": PEOPLE_SIGNED_IN,
    "get_group_analysis": PEOPLE_SIGNED_IN,
    "list_situation_reports": PEOPLE_SIGNED_IN,
    "create_situation_report": PEOPLE_SIGNED_IN,
    "get_situation_report": PEOPLE_SIGNED_IN,
    "update_situation_report": PEOPLE_SIGNED_IN,
    "publish_situation_report": PEOPLE_SIGNED_IN,
    "create_situation_report_version": PEOPLE_SIGNED_IN,
    "list_situation_report_incidents": PEOPLE_SIGNED_IN,
    "compare_situation_reports": PEOPLE_SIGNED_IN,
    # The police's statistics (the yearly lägesbild): whose is tested in test_yearly.py.
    "get_police_statistics_overview": PEOPLE_SIGNED_IN,
    "get_police_statistics": PEOPLE_SIGNED_IN,
    "put_police_statistics": PEOPLE_SIGNED_IN,
    "import_police_statistics": PEOPLE_SIGNED_IN,
    # Read as the lägesbild is: test_frozen_analysis.py.
    "get_situation_report_analysis": PEOPLE_SIGNED_IN,
    # Interventions: people; whose they read and write is tested in test_interventions.py.
    "list_interventions": PEOPLE_SIGNED_IN,
    "create_intervention": PEOPLE_SIGNED_IN,
    "get_intervention": PEOPLE_SIGNED_IN,
    "update_intervention": PEOPLE_SIGNED_IN,
    "list_follow_ups": PEOPLE_SIGNED_IN,
    "create_follow_up": PEOPLE_SIGNED_IN,
    "get_intervention_effect": PEOPLE_SIGNED_IN,
    "list_feedback": PEOPLE_SIGNED_IN,
    "create_feedback": PEOPLE_SIGNED_IN,
    "list_own_reports": PEOPLE_SIGNED_IN,
    "mark_own_report_seen": PEOPLE_SIGNED_IN,
    # Meetings: people; whose they read and write is tested in test_meetings.py.
    "list_meetings": PEOPLE_SIGNED_IN,
    "create_meeting": PEOPLE_SIGNED_IN,
    "get_next_meeting": PEOPLE_SIGNED_IN,
    "meetings_calendar": PEOPLE_SIGNED_IN,
    "get_meeting": PEOPLE_SIGNED_IN,
    "update_meeting": PEOPLE_SIGNED_IN,
    "create_decision": PEOPLE_SIGNED_IN,
    # Night walks: people; whose hosts and walks they read and write is tested in
    # test_night_walks.py.
    "list_hosts": PEOPLE_SIGNED_IN,
    "create_host": PEOPLE_SIGNED_IN,
    "update_host": PEOPLE_SIGNED_IN,
    "list_night_walks": PEOPLE_SIGNED_IN,
    "create_night_walk": PEOPLE_SIGNED_IN,
    "get_night_walk_booking": PEOPLE_SIGNED_IN,
    "get_walk_grants": PEOPLE_SIGNED_IN,
    "walk_grants_csv": PEOPLE_SIGNED_IN,
    "get_night_walk": PEOPLE_SIGNED_IN,
    "update_night_walk": PEOPLE_SIGNED_IN,
    "report_night_walk": PEOPLE_SIGNED_IN,
    # Steering: goals and plans are read by those who read the whole municipality (a body
    # is checked before that, so a write refused for its empty body is let through);
    # an assignment is also read by the group given it (test_steering.py).
    "list_goals": STEERING_READERS,
    "create_goal": PEOPLE_SIGNED_IN,
    "get_goal": STEERING_READERS,
    "update_goal": STEERING_READERS,
    "get_goal_thread": STEERING_READERS,
    "create_indicator": PEOPLE_SIGNED_IN,
    "get_indicator": STEERING_READERS,
    "update_indicator": STEERING_READERS,
    "put_indicator_value": PEOPLE_SIGNED_IN,
    "delete_indicator_value": STEERING_READERS,
    "list_assignments": PEOPLE_SIGNED_IN,
    "create_assignment": PEOPLE_SIGNED_IN,
    "get_assignment": PEOPLE_SIGNED_IN,
    "update_assignment": PEOPLE_SIGNED_IN,
    "answer_assignment": PEOPLE_SIGNED_IN,
    "list_plans": STEERING_READERS,
    "create_plan": PEOPLE_SIGNED_IN,
    "get_plan": STEERING_READERS,
    "update_plan": STEERING_READERS,
    "create_activity": PEOPLE_SIGNED_IN,
    "update_activity": STEERING_READERS,
    "put_activity_review": PEOPLE_SIGNED_IN,
    "put_plan_review": PEOPLE_SIGNED_IN,
    "get_plan_year": STEERING_READERS,
    # Integrations: administrators manage tokens; a token reaches its own source only.
    "list_service_tokens": ADMIN,
    "create_service_token": ADMIN,
    "revoke_service_token": ADMIN,
    "get_integration": SERVICE,
    "push_incidents": SERVICE,
    "list_changes": SERVICE,
    # Files and the sources' category names: administrators and the municipality-wide
    # groups' conveners (can_import).
    "list_category_mappings": IMPORTERS,
    "put_category_mapping": IMPORTERS,
    "delete_category_mapping": IMPORTERS,
    "create_import": IMPORTERS,
    "get_import": IMPORTERS,
    "confirm_import": IMPORTERS,
    # Guard reports (#19): a guard company's token pushes; people file and read, the
    # records narrowed by the policy (its company's people, municipality-wide readers).
    "put_guard_report": SERVICE,
    "create_guard_report": PEOPLE_SIGNED_IN,
    "list_guard_reports": PEOPLE_SIGNED_IN,
    "get_guard_report": PEOPLE_SIGNED_IN,
    # The audit log.
    "list_audit_events": ADMIN | OPERATOR,
    # Two-factor sign-in: a half session reaches these and nothing else.
    "get_totp": SECOND_STEP,
    "start_totp_enrolment": SECOND_STEP,
    "confirm_totp_enrolment": SECOND_STEP,
    "verify_totp": SECOND_STEP,
    "disable_totp": PEOPLE_SIGNED_IN,
    "reset_user_totp": ADMIN,
    # Evenings in the field: people; whose they read and plan is tested in test_evenings.py.
    # The next weekend of the whole municipality (the empty body) is the coordination
    # group's to plan (can_plan_evening), which the empty body reaches.
    "list_evenings": PEOPLE_SIGNED_IN,
    "create_evening": PEOPLE_SIGNED_IN,
    "plan_next_weekend": frozenset({"coordination", "admin"}),
    "get_evening": PEOPLE_SIGNED_IN,
    "update_evening": PEOPLE_SIGNED_IN,
    "close_evening": PEOPLE_SIGNED_IN,
    "get_evening_suggestions": PEOPLE_SIGNED_IN,
    # An evening's live log: people; whose they read and write in test_evening_log.py.
    "list_evening_log": PEOPLE_SIGNED_IN,
    "create_log_post": PEOPLE_SIGNED_IN,
    "create_log_observation": PEOPLE_SIGNED_IN,
    "stream_evening_log": PEOPLE_SIGNED_IN,
    # An observation's photos (#20): with the incident; who reads and adds in test_photos.py.
    "add_incident_photo": PEOPLE_SIGNED_IN,
    "list_incident_photos": PEOPLE_SIGNED_IN,
    "get_incident_photo": PEOPLE_SIGNED_IN,
    "delete_incident_photo": PEOPLE_SIGNED_IN,
    # Residents' tips (#20): anyone sends (limited per address); the coordination group's
    # conveners and members (and administrators) moderate. An acceptance without a body is a 422
    # for anyone signed in, before the service looks at who asks.
    "get_public_tip_form": EVERYONE,
    "create_public_tip": EVERYONE,
    "add_public_tip_photo": EVERYONE,
    "list_tips": MODERATORS,
    "get_tip": MODERATORS,
    "accept_tip": PEOPLE_SIGNED_IN,
    "reject_tip": MODERATORS,
    "list_tip_photos": MODERATORS,
    "get_tip_photo": MODERATORS,
    # Safety walks (#20): people; whose they read, plan and file findings on is tested in
    # test_safety_walks.py. The public link's page and pins: anyone with the walk's token.
    "list_safety_walks": PEOPLE_SIGNED_IN,
    "create_safety_walk": PEOPLE_SIGNED_IN,
    "get_safety_walk": PEOPLE_SIGNED_IN,
    "update_safety_walk": PEOPLE_SIGNED_IN,
    "get_safety_walk_report": PEOPLE_SIGNED_IN,
    "get_public_safety_walk": EVERYONE,
    "create_walk_input": EVERYONE,
    "list_walk_inputs": PEOPLE_SIGNED_IN,
    "accept_walk_input": PEOPLE_SIGNED_IN,
    "reject_walk_input": PEOPLE_SIGNED_IN,
    "list_findings": PEOPLE_SIGNED_IN,
    "create_finding": PEOPLE_SIGNED_IN,
    "get_finding": PEOPLE_SIGNED_IN,
    "update_finding": PEOPLE_SIGNED_IN,
    "propose_finding_intervention": PEOPLE_SIGNED_IN,
    "add_finding_photo": PEOPLE_SIGNED_IN,
    "list_finding_photos": PEOPLE_SIGNED_IN,
    "get_finding_photo": PEOPLE_SIGNED_IN,
    # The police area (#21): platform operators make and name it; the rest is open to people
    # and narrowed by its group and the municipalities' administrators (test_police_areas.py);
    # an agreement is changed by an administrator (of its own municipality).
    "list_police_areas": PEOPLE_SIGNED_IN,
    "create_police_area": OPERATOR,
    "get_police_area": PEOPLE_SIGNED_IN,
    "update_police_area": OPERATOR,
    "list_police_area_members": PEOPLE_SIGNED_IN,
    "put_police_area_member": PEOPLE_SIGNED_IN,
    "remove_police_area_member": PEOPLE_SIGNED_IN,
    "list_sharing_agreements": PEOPLE_SIGNED_IN,
    "get_sharing_agreement": PEOPLE_SIGNED_IN,
    "put_sharing_agreement": ADMIN,
    "list_sharing_agreement_versions": PEOPLE_SIGNED_IN,
    "get_police_area_situation": PEOPLE_SIGNED_IN,
}

OPERATOR_EMAIL = "operator@est.test"
MISSING_ID = "2147483647"
PATH_VALUES = {
    "receipt": "1.1.x",
    "source": "embrace",
    "code": "ZZ",
    "year": "2025",
    "day": "2025-06-01",
    "token": "no-such-walk-link-token",
}


def _operations() -> list[tuple[str, str, str, bool]]:
    """(method, path, operation id, has a body) for every operation the app offers."""
    return [
        (method.upper(), path, operation["operationId"], "requestBody" in operation)
        for path, operations in app_schema()["paths"].items()
        for method, operation in operations.items()
    ]


def _filled(path: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "id" or name.endswith("_id"):
            return MISSING_ID
        assert name in PATH_VALUES, f"{path}: no test value for the path parameter {{{name}}}"
        return PATH_VALUES[name]

    return re.sub(r"\{([^}]+)\}", value, path)


def test_every_route_has_a_declared_expectation() -> None:
    operations = {op_id: f"{method} {path}" for method, path, op_id, _ in _operations()}
    new = [f"new route {route} ({op_id}) has no declared expectation in EXPECTED"
           for op_id, route in operations.items() if op_id not in EXPECTED]  # fmt: skip
    gone = [f"EXPECTED names {op_id}, which is no route of the app any more"
            for op_id in EXPECTED if op_id not in operations]  # fmt: skip
    assert not new + gone, "\n".join(new + gone)
    for op_id, roles in EXPECTED.items():
        assert roles <= EVERYONE, f"{op_id}: unknown roles {roles - EVERYONE}"


def _service_token(admin: httpx.Client, people: People) -> str:
    created = admin.post(
        "/api/v1/service-tokens",
        json={
            "source": "embrace",
            "organisation_id": people["organisations"]["Rapid Säkerhet"]["id"],
        },
    )
    assert created.status_code == 201, created.text
    token: str = created.json()["token"]
    return token


def test_permission_matrix(server: Server, people: People) -> None:
    with server.database.session(write=True) as session:
        # A platform operator alone: no municipality, so no administrator's role in one
        # (is_admin without a home municipality grants nothing; the account needs it or an
        # organisation, ck_users_organisation).
        session.add(User(name="Operatör", email=OPERATOR_EMAIL, is_operator=True, is_admin=True))
    with server.client(people["tokens"]["admin"]) as admin:
        service_token = _service_token(admin, people)

    signed_in = {role: OPERATOR_EMAIL if role == "operator" else PEOPLE[role]
                 for role in ROLES if role in PEOPLE_SIGNED_IN}  # fmt: skip

    def tokens() -> dict[str, str | None]:
        """A fresh session for each role, for one operation (made in one transaction): a
        request may sign out or end sessions, and the next must not inherit that."""
        made = server.tokens_for(signed_in.values())
        fresh: dict[str, str | None] = {role: made[email] for role, email in signed_in.items()}
        fresh.update(
            anonymous=None, service=service_token, pending=server.half_token_for(PEOPLE["admin"])
        )
        return fresh

    wrong: list[str] = []
    with server.client() as client:
        for method, path, op_id, has_body in _operations():
            allowed = EXPECTED.get(op_id)
            if allowed is None:
                continue  # reported by the test above
            url = _filled(path)
            fresh = tokens()
            for role in ROLES:
                if op_id in ENDS_SESSIONS:
                    fresh = tokens()
                bearer = fresh[role]
                headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
                response = client.request(
                    method, url, headers=headers, json={} if has_body else None
                )
                status = response.status_code
                where = f"{method} {path} ({op_id}) as {role}: {status}"
                if role in allowed:
                    if status in (401, 403):
                        wrong.append(f"{where}, expected to be let through: {response.text}")
                elif role == "anonymous":
                    if status != 401:
                        wrong.append(f"{where}, expected 401")
                    elif "WWW-Authenticate" not in response.headers:
                        wrong.append(f"{where} without a WWW-Authenticate header")
                elif status != 403:
                    wrong.append(f"{where}, expected 403")
    assert not wrong, f"{len(wrong)} answers differ from EXPECTED:\n" + "\n".join(wrong)


def test_a_service_token_reaches_only_its_own_source(server: Server, people: People) -> None:
    with server.client(people["tokens"]["admin"]) as admin:
        token = _service_token(admin, people)
    with server.client(token) as service:
        assert service.get("/api/v1/integrations/embrace").status_code == 200
        assert service.get("/api/v1/integrations/other").status_code == 403

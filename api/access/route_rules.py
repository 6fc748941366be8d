"""The first layer of the access policy (``api.access.policy``): which routes each kind of
caller may reach at all, by the route's operation id. Records are narrowed after, by the
functions of ``api.access.policy``."""

from __future__ import annotations

import enum

from api.actor import Actor


class Rule(enum.StrEnum):
    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # any signed-in person; records are narrowed below
    ADMIN = "admin"  # administrators only (of the municipality the request acts in)
    # Platform operators (#21): make municipalities and turn them on and off.
    OPERATOR = "operator"
    # A municipality's own settings: its administrator, or a platform operator.
    ADMIN_OR_OPERATOR = "admin_or_operator"
    SERVICE = "service"  # a service token whose source is the route's {source}
    # A person signed in with the password, the second factor done or still to come
    # (a half session, actor kind "pending"); see requires_second_factor.
    SECOND_FACTOR = "second_factor"
    # A municipality's SCIM token (#22): the provisioning routes, and nothing else.
    SCIM = "scim"


def _resource(noun: str, plural: str, *, read: Rule, write: Rule) -> dict[str, Rule]:
    return {
        f"list_{plural}": read,
        f"get_{noun}": read,
        f"create_{noun}": write,
        f"update_{noun}": write,
        f"deactivate_{noun}": write,
        f"activate_{noun}": write,
    }


ROUTE_RULES: dict[str, Rule] = {
    # Health probes and sign-in are open; everything else needs a signed-in caller.
    "healthz": Rule.PUBLIC,
    "readyz": Rule.PUBLIC,
    "sign_in": Rule.PUBLIC,
    "sign_out": Rule.SECOND_FACTOR,  # a half sign-in may be given up too
    "get_me": Rule.SIGNED_IN,
    "update_me": Rule.SIGNED_IN,  # the person's own choices (the feedback e-mail)
    "change_password": Rule.SIGNED_IN,
    # Single sign-on (#22): the sign-in page's choices and the two steps of a sign-in are
    # open; a municipality's identity provider and its group mappings are its administrator's
    # (policy.may_configure_sign_in: of that municipality alone).
    "list_sign_in_choices": Rule.PUBLIC,
    "start_oidc_sign_in": Rule.PUBLIC,
    "finish_oidc_sign_in": Rule.PUBLIC,
    "start_saml_sign_in": Rule.PUBLIC,
    "finish_saml_sign_in": Rule.PUBLIC,
    # A municipality's SAML service provider metadata: for its IdP and federation to read.
    "get_saml_metadata": Rule.PUBLIC,
    "get_oidc_settings": Rule.ADMIN,
    "set_oidc_settings": Rule.ADMIN,
    "delete_oidc_settings": Rule.ADMIN,
    "get_saml_settings": Rule.ADMIN,
    "set_saml_settings": Rule.ADMIN,
    "delete_saml_settings": Rule.ADMIN,
    "list_sso_group_mappings": Rule.ADMIN,
    "create_sso_group_mapping": Rule.ADMIN,
    "delete_sso_group_mapping": Rule.ADMIN,
    # SCIM provisioning (#22): the municipality's directory with its SCIM token, which its
    # administrator makes and revokes (policy.may_configure_sign_in).
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
        Rule.SCIM,
    ),
    "list_scim_tokens": Rule.ADMIN,
    "create_scim_token": Rule.ADMIN,
    "revoke_scim_token": Rule.ADMIN,
    # Password sign-in turned off, and who may break the glass: the same administrator's.
    "get_password_sign_in": Rule.ADMIN,
    "set_password_sign_in": Rule.ADMIN,
    "set_break_glass": Rule.ADMIN,
    # The EST structure and the categories: everyone signed in reads, administrators change.
    **_resource("municipality", "municipalities", read=Rule.SIGNED_IN, write=Rule.OPERATOR),
    "update_municipality": Rule.ADMIN_OR_OPERATOR,
    # A new municipality with its first administrator (#21): the platform's operators.
    "establish_municipality": Rule.OPERATOR,
    # A municipality's privacy notice: anyone reads it (before signing in too), as the
    # law wants it at hand; administrators set it.
    "get_privacy_notice": Rule.PUBLIC,
    # The municipalities a resident may address (a tip, the privacy notice).
    "list_public_municipalities": Rule.PUBLIC,
    "get_municipality_privacy_notice": Rule.PUBLIC,
    "set_municipality_privacy_notice": Rule.ADMIN_OR_OPERATOR,
    **_resource("area", "areas", read=Rule.SIGNED_IN, write=Rule.ADMIN),
    **_resource("place", "places", read=Rule.SIGNED_IN, write=Rule.ADMIN),
    **_resource("organisation", "organisations", read=Rule.SIGNED_IN, write=Rule.ADMIN),
    **_resource("group", "groups", read=Rule.SIGNED_IN, write=Rule.ADMIN),
    **_resource("category", "categories", read=Rule.SIGNED_IN, write=Rule.OPERATOR),
    "add_group_organisation": Rule.ADMIN,
    "remove_group_organisation": Rule.ADMIN,
    # People: see can_see_user; administrators manage accounts and end sessions.
    **_resource("user", "users", read=Rule.SIGNED_IN, write=Rule.ADMIN),
    "end_user_sessions": Rule.ADMIN,
    # Memberships: see can_see_members and can_manage_members.
    "list_group_memberships": Rule.SIGNED_IN,
    "put_group_membership": Rule.SIGNED_IN,
    "remove_group_membership": Rule.SIGNED_IN,
    # Observations: see readable_area_ids and can_file_reports.
    "create_report": Rule.SIGNED_IN,
    "get_report": Rule.SIGNED_IN,
    "list_incidents": Rule.SIGNED_IN,
    "incidents_geojson": Rule.SIGNED_IN,
    "incidents_csv": Rule.SIGNED_IN,
    # The same incidents for GIS clients (OGC API – Features), under the same rules.
    "features_landing": Rule.SIGNED_IN,
    "features_conformance": Rule.SIGNED_IN,
    "features_collections": Rule.SIGNED_IN,
    "features_collection": Rule.SIGNED_IN,
    "features_items": Rule.SIGNED_IN,
    "features_item": Rule.SIGNED_IN,
    "get_incident": Rule.SIGNED_IN,
    "update_incident": Rule.SIGNED_IN,  # see can_edit_incident
    "withdraw_incident": Rule.SIGNED_IN,
    "restore_incident": Rule.SIGNED_IN,  # see can_restore_incident
    "list_incident_history": Rule.SIGNED_IN,
    "list_incident_readers": Rule.ADMIN,  # who read it: the audit log's readers (#17-d)
    "undo_incident_match": Rule.SIGNED_IN,  # see can_edit_incident
    # The lägesbild: see can_read_situation, can_write_in_group and can_publish_in_group.
    "get_group_figures": Rule.SIGNED_IN,
    # The analysis reads as the lägesbild does (can_read_situation, figure_areas).
    "get_group_analysis": Rule.SIGNED_IN,
    "list_situation_reports": Rule.SIGNED_IN,
    "create_situation_report": Rule.SIGNED_IN,
    "get_situation_report": Rule.SIGNED_IN,
    "update_situation_report": Rule.SIGNED_IN,
    "publish_situation_report": Rule.SIGNED_IN,
    "create_situation_report_version": Rule.SIGNED_IN,
    "list_situation_report_incidents": Rule.SIGNED_IN,
    "compare_situation_reports": Rule.SIGNED_IN,
    # The police's statistics for the yearly lägesbild: read by everyone of the municipality
    # (can_read_police_statistics), written by can_write_police_statistics.
    "get_police_statistics_overview": Rule.SIGNED_IN,
    "get_police_statistics": Rule.SIGNED_IN,
    "put_police_statistics": Rule.SIGNED_IN,
    "import_police_statistics": Rule.SIGNED_IN,
    # A published lägesbild's frozen analysis: read as the lägesbild is (get_situation_report).
    "get_situation_report_analysis": Rule.SIGNED_IN,
    # Interventions: read with the group's lägesbild (readable_group_ids), written by its
    # conveners and members (can_write_in_group).
    "list_interventions": Rule.SIGNED_IN,
    "create_intervention": Rule.SIGNED_IN,
    "get_intervention": Rule.SIGNED_IN,
    "update_intervention": Rule.SIGNED_IN,
    "list_follow_ups": Rule.SIGNED_IN,
    "create_follow_up": Rule.SIGNED_IN,
    "get_intervention_effect": Rule.SIGNED_IN,
    "list_feedback": Rule.SIGNED_IN,
    "create_feedback": Rule.SIGNED_IN,
    # The caller's own observations and their status (api.interventions.mine).
    "list_own_reports": Rule.SIGNED_IN,
    "mark_own_report_seen": Rule.SIGNED_IN,
    # Meetings: read with the group's lägesbild, written by its conveners and members.
    "list_meetings": Rule.SIGNED_IN,
    "create_meeting": Rule.SIGNED_IN,
    "get_next_meeting": Rule.SIGNED_IN,
    "meetings_calendar": Rule.SIGNED_IN,
    "get_meeting": Rule.SIGNED_IN,
    "update_meeting": Rule.SIGNED_IN,
    "create_decision": Rule.SIGNED_IN,
    # Night walks (#19): the hosts register per can_manage_walks; a walk read with its
    # evening or by those who manage the association's walks; the grants per
    # can_read_walk_grants.
    "list_hosts": Rule.SIGNED_IN,
    "create_host": Rule.SIGNED_IN,
    "update_host": Rule.SIGNED_IN,
    "list_night_walks": Rule.SIGNED_IN,
    "create_night_walk": Rule.SIGNED_IN,
    "get_night_walk_booking": Rule.SIGNED_IN,
    "get_walk_grants": Rule.SIGNED_IN,
    "walk_grants_csv": Rule.SIGNED_IN,
    "get_night_walk": Rule.SIGNED_IN,
    "update_night_walk": Rule.SIGNED_IN,
    "report_night_walk": Rule.SIGNED_IN,
    # Integrations.
    "list_service_tokens": Rule.ADMIN,
    "create_service_token": Rule.ADMIN,
    "revoke_service_token": Rule.ADMIN,
    "get_integration": Rule.SERVICE,
    "push_incidents": Rule.SERVICE,
    "list_changes": Rule.SERVICE,
    # The sources' category names and the files: those who import (can_import), who must
    # be able to map what a file's rows call their categories.
    "list_category_mappings": Rule.SIGNED_IN,
    "put_category_mapping": Rule.SIGNED_IN,
    "delete_category_mapping": Rule.SIGNED_IN,
    "create_import": Rule.SIGNED_IN,
    "get_import": Rule.SIGNED_IN,
    "confirm_import": Rule.SIGNED_IN,
    # Steering: goals and plans are read with can_read_steering and written by the steering
    # group (can_write_in_group); an assignment is also read by the group given it
    # (member_group_ids), whose conveners and members answer it.
    "list_goals": Rule.SIGNED_IN,
    "create_goal": Rule.SIGNED_IN,
    "get_goal": Rule.SIGNED_IN,
    "update_goal": Rule.SIGNED_IN,
    "get_goal_thread": Rule.SIGNED_IN,
    "create_indicator": Rule.SIGNED_IN,
    "get_indicator": Rule.SIGNED_IN,
    "update_indicator": Rule.SIGNED_IN,
    "put_indicator_value": Rule.SIGNED_IN,
    "delete_indicator_value": Rule.SIGNED_IN,
    "list_assignments": Rule.SIGNED_IN,
    "create_assignment": Rule.SIGNED_IN,
    "get_assignment": Rule.SIGNED_IN,
    "update_assignment": Rule.SIGNED_IN,
    "answer_assignment": Rule.SIGNED_IN,
    "list_plans": Rule.SIGNED_IN,
    "create_plan": Rule.SIGNED_IN,
    "get_plan": Rule.SIGNED_IN,
    "update_plan": Rule.SIGNED_IN,
    "create_activity": Rule.SIGNED_IN,
    "update_activity": Rule.SIGNED_IN,
    "put_activity_review": Rule.SIGNED_IN,
    "put_plan_review": Rule.SIGNED_IN,
    "get_plan_year": Rule.SIGNED_IN,
    # Guard reports (#19): pushed by a guard company's service token of the route's source
    # (can_push_guard_reports), filed by its people (can_file_guard_reports), read with
    # can_read_guard_reports.
    "put_guard_report": Rule.SERVICE,
    "create_guard_report": Rule.SIGNED_IN,
    "list_guard_reports": Rule.SIGNED_IN,
    "get_guard_report": Rule.SIGNED_IN,
    # The audit log.
    "list_audit_events": Rule.ADMIN_OR_OPERATOR,
    # Two-factor sign-in (see requires_second_factor): a half session reaches only these.
    "get_totp": Rule.SECOND_FACTOR,
    "start_totp_enrolment": Rule.SECOND_FACTOR,
    "confirm_totp_enrolment": Rule.SECOND_FACTOR,
    "verify_totp": Rule.SECOND_FACTOR,
    "disable_totp": Rule.SIGNED_IN,  # where requires_second_factor does not hold
    "reset_user_totp": Rule.ADMIN,
    # Evenings in the field (#19): read by those on shift and those who read the area
    # (can_read_evening), planned by the groups' conveners and members (can_plan_evening).
    "list_evenings": Rule.SIGNED_IN,
    "create_evening": Rule.SIGNED_IN,
    "plan_next_weekend": Rule.SIGNED_IN,
    "get_evening": Rule.SIGNED_IN,
    "update_evening": Rule.SIGNED_IN,
    "close_evening": Rule.SIGNED_IN,
    "get_evening_suggestions": Rule.SIGNED_IN,
    # An evening's live log (#19): read with the evening (can_read_evening), written by
    # those on shift and the conveners (can_post_in_log), who also make posts observations.
    "list_evening_log": Rule.SIGNED_IN,
    "create_log_post": Rule.SIGNED_IN,
    "create_log_observation": Rule.SIGNED_IN,
    "stream_evening_log": Rule.SIGNED_IN,
    # Photos of an observation (#20): added and read with the incident (its read scope;
    # added by those who may correct it).
    "add_incident_photo": Rule.SIGNED_IN,
    "list_incident_photos": Rule.SIGNED_IN,
    "get_incident_photo": Rule.SIGNED_IN,
    "delete_incident_photo": Rule.SIGNED_IN,
    # Residents' tips (#20): sent by anyone (rate-limited, api.tips.abuse); read and decided
    # by the coordination group (can_moderate_tips).
    "get_public_tip_form": Rule.PUBLIC,
    "create_public_tip": Rule.PUBLIC,
    "add_public_tip_photo": Rule.PUBLIC,
    "list_tips": Rule.SIGNED_IN,
    "get_tip": Rule.SIGNED_IN,
    "accept_tip": Rule.SIGNED_IN,
    "reject_tip": Rule.SIGNED_IN,
    "list_tip_photos": Rule.SIGNED_IN,
    "get_tip_photo": Rule.SIGNED_IN,
    # Safety walks (#20): planned by can_plan_safety_walk, read by can_read_safety_walk;
    # the public link's page and pins need the walk's token, not a sign-in.
    "list_safety_walks": Rule.SIGNED_IN,
    "create_safety_walk": Rule.SIGNED_IN,
    "get_safety_walk": Rule.SIGNED_IN,
    "update_safety_walk": Rule.SIGNED_IN,
    "get_public_safety_walk": Rule.PUBLIC,
    "create_walk_input": Rule.PUBLIC,
    "list_walk_inputs": Rule.SIGNED_IN,
    "accept_walk_input": Rule.SIGNED_IN,
    "reject_walk_input": Rule.SIGNED_IN,
    "list_findings": Rule.SIGNED_IN,
    "create_finding": Rule.SIGNED_IN,
    "get_finding": Rule.SIGNED_IN,
    "update_finding": Rule.SIGNED_IN,
    "propose_finding_intervention": Rule.SIGNED_IN,
    "add_finding_photo": Rule.SIGNED_IN,
    "list_finding_photos": Rule.SIGNED_IN,
    "get_finding_photo": Rule.SIGNED_IN,
    "get_safety_walk_report": Rule.SIGNED_IN,
    # The police area (#21): made and named by a platform operator; read by its group and
    # the administrators of its municipalities (can_read_police_area); its group managed by
    # its convener; an agreement read by both sides (can_read_agreement) and changed by the
    # municipality's administrator (can_edit_agreement); the federated lägesbild read by the
    # group (can_read_police_area_situation).
    "list_police_areas": Rule.SIGNED_IN,
    "create_police_area": Rule.OPERATOR,
    "get_police_area": Rule.SIGNED_IN,
    "update_police_area": Rule.OPERATOR,
    "list_police_area_members": Rule.SIGNED_IN,
    "put_police_area_member": Rule.SIGNED_IN,
    "remove_police_area_member": Rule.SIGNED_IN,
    "list_sharing_agreements": Rule.SIGNED_IN,
    "get_sharing_agreement": Rule.SIGNED_IN,
    "put_sharing_agreement": Rule.ADMIN,
    "list_sharing_agreement_versions": Rule.SIGNED_IN,
    "get_police_area_situation": Rule.SIGNED_IN,
}


# What a person signed in with a temporary password (set by someone else) reaches until
# they choose their own: the change itself, sign-out, and who they are.
PASSWORD_CHANGE_ROUTES = frozenset({"change_password", "sign_out", "get_me", "update_me"})


def route_allows(rule: Rule, actor: Actor, path_params: dict[str, str]) -> bool:
    """Whether ``actor`` may reach a route with ``rule`` at all (records are checked after)."""
    if rule is Rule.PUBLIC:
        return True
    if rule is Rule.SECOND_FACTOR:
        return actor.kind in {"user", "pending"}
    if actor.kind == "scim":
        return rule is Rule.SCIM
    if actor.kind == "service":
        return rule is Rule.SERVICE and path_params.get("source") == actor.source
    if actor.kind not in {"user", "system"}:
        return False
    if rule is Rule.SIGNED_IN:
        return True
    if rule is Rule.OPERATOR:
        return actor.is_operator or actor.kind == "system"
    if rule is Rule.ADMIN_OR_OPERATOR:
        return actor.is_operator or actor.is_admin
    # SERVICE routes belong to the integrations' tokens, not to people.
    return rule is Rule.ADMIN and actor.is_admin

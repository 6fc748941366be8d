"""What the caller may do, told to the front end: the third layer of the access policy
(api.access.policy holds the rules; this module only reads them).

The pages show menus, forms and buttons from these answers (``GET /auth/me`` and a group's
``may_write`` / ``may_manage``), never from roles of their own: they come from the rules of
api.access.policy, so a change to a rule changes what the pages offer with it."""

from __future__ import annotations

from api.access.policy import (
    ROUTE_RULES,
    can_file_guard_reports,
    can_file_reports,
    can_import,
    can_manage_members,
    can_manage_police_areas,
    can_moderate_tips,
    can_plan_evenings,
    can_plan_safety_walks,
    can_read_evenings,
    can_read_meetings,
    can_read_safety_walks,
    can_read_steering,
    can_write_in_group,
    may_manage_municipality,
    member_group_ids,
    read_guard_reports_at_all,
    reads_police_areas,
    route_allows,
)
from api.access.schemas import Capability
from api.actor import Actor


def capabilities(actor: Actor, *, organisation_kind: str | None = None) -> list[Capability]:
    """The caller's capabilities, in the enum's order. ``organisation_kind``: that of the
    caller's organisation, which the guard reports' rules ask."""
    held = {
        Capability.read_municipality: actor.municipality_id is not None,
        Capability.file_reports: can_file_reports(actor),
        Capability.import_files: can_import(actor),
        Capability.read_steering: can_read_steering(actor),
        Capability.read_meetings: can_read_meetings(actor),
        Capability.read_audit_log: route_allows(ROUTE_RULES["list_audit_events"], actor, {}),
        # The notice of the municipality acted in (its page edits that one's).
        Capability.set_privacy_notice: actor.municipality_id is not None
        and route_allows(ROUTE_RULES["set_municipality_privacy_notice"], actor, {}),
        Capability.read_guard_reports: read_guard_reports_at_all(
            actor, organisation_kind=organisation_kind
        ),
        Capability.file_guard_reports: actor.organisation_id is not None
        and can_file_guard_reports(
            actor,
            organisation_id=actor.organisation_id,
            organisation_kind=organisation_kind or "",
        ),
        Capability.read_evenings: can_read_evenings(actor),
        Capability.plan_evenings: can_plan_evenings(actor),
        Capability.moderate_tips: can_moderate_tips(actor),
        Capability.read_safety_walks: can_read_safety_walks(actor),
        Capability.plan_safety_walks: can_plan_safety_walks(actor),
        Capability.read_police_areas: reads_police_areas(actor),
        Capability.manage_police_areas: actor.kind == "user" and can_manage_police_areas(actor),
        Capability.manage_municipality: actor.municipality_id is not None
        and may_manage_municipality(actor, actor.municipality_id),
        Capability.operate_platform: route_allows(ROUTE_RULES["establish_municipality"], actor, {}),
    }
    return [capability for capability, may in held.items() if may]


def group_rights(actor: Actor, group_id: int) -> dict[str, bool]:
    """What the caller may do in a group, as its read answers it: write there (the
    lägesbild, interventions, meetings) and manage its members. An administrator may in
    every group, with no membership to show it."""
    return {
        "may_write": can_write_in_group(actor, group_id),
        "may_manage": can_manage_members(actor, group_id),
    }


def municipality_rights(actor: Actor, municipality_id: int) -> dict[str, bool]:
    """What the caller may do with a municipality, as its read answers it: change its
    settings (its administrator, a platform operator)."""
    return {"may_manage": may_manage_municipality(actor, municipality_id)}


def grant_rights(actor: Actor, group_id: int) -> dict[str, bool]:
    """A membership's rights, as the caller's own grants answer them: the group's rights,
    and whether they read the group as one of its members (a reporter only files there)."""
    return {**group_rights(actor, group_id), "reads_as_member": group_id in member_group_ids(actor)}

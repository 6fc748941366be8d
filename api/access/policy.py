"""The access policy, whole, in one place: which routes each kind of caller may reach, and
which records each may see and change.

Two layers, both checked in the API on every request (and a third, told to clients):

1. **Routes.** Every API route has a ``Rule`` in ``ROUTE_RULES``, found by its operation id.
   The app refuses to start with a route that has none (``check_every_route_has_a_rule``),
   and the permission matrix test checks each route against each role.
2. **Records.** A route that a caller may reach still shows only the records in the caller's
   scope; the functions below say what that scope is. A record outside it answers 404, as if
   it did not exist (``api.errors.Hidden``). Where a refusal needs words, they stand beside
   the rule (``require_write_in_group``, ``require_edit_incident``), so that they change
   with it.
3. **What the caller may do, told to the front end** (the end of this module): the
   capabilities of ``GET /auth/me`` and the rights on a group, so that the pages offer what
   these rules allow and hold no rules of their own.

Who is who:

- An **administrator** (``is_admin``) may do everything, everywhere.
- Members of the **steering** or **coordination** group (convener, member, viewer) read the
  whole municipality; an **area group**'s members read their area.
- A **reporter** files observations for their organisation and reads their own reports and
  what was fed back on them.
- A **viewer** reads; writes follow the role: conveners and members write in their group,
  conveners also manage their group's memberships.
- A **service token** reaches only the integration routes of its own source.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from api.access.schemas import Capability
from api.actor import Actor, Grant
from api.errors import Forbidden


class Rule(enum.StrEnum):
    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # any signed-in person; records are narrowed below
    ADMIN = "admin"  # administrators only
    SERVICE = "service"  # a service token whose source is the route's {source}
    # A person signed in with the password, the second factor done or still to come
    # (a half session, actor kind "pending"); see requires_second_factor.
    SECOND_FACTOR = "second_factor"


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
    # The EST structure and the categories: everyone signed in reads, administrators change.
    **_resource("municipality", "municipalities", read=Rule.SIGNED_IN, write=Rule.ADMIN),
    # A municipality's privacy notice: anyone reads it (before signing in too), as the
    # law wants it at hand; administrators set it.
    "get_privacy_notice": Rule.PUBLIC,
    "get_municipality_privacy_notice": Rule.PUBLIC,
    "set_municipality_privacy_notice": Rule.ADMIN,
    **_resource("area", "areas", read=Rule.SIGNED_IN, write=Rule.ADMIN),
    **_resource("place", "places", read=Rule.SIGNED_IN, write=Rule.ADMIN),
    **_resource("organisation", "organisations", read=Rule.SIGNED_IN, write=Rule.ADMIN),
    **_resource("group", "groups", read=Rule.SIGNED_IN, write=Rule.ADMIN),
    **_resource("category", "categories", read=Rule.SIGNED_IN, write=Rule.ADMIN),
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
    "list_situation_reports": Rule.SIGNED_IN,
    "create_situation_report": Rule.SIGNED_IN,
    "get_situation_report": Rule.SIGNED_IN,
    "update_situation_report": Rule.SIGNED_IN,
    "publish_situation_report": Rule.SIGNED_IN,
    "create_situation_report_version": Rule.SIGNED_IN,
    "list_situation_report_incidents": Rule.SIGNED_IN,
    "compare_situation_reports": Rule.SIGNED_IN,
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
    # The audit log.
    "list_audit_events": Rule.ADMIN,
    # Two-factor sign-in (see requires_second_factor): a half session reaches only these.
    "get_totp": Rule.SECOND_FACTOR,
    "start_totp_enrolment": Rule.SECOND_FACTOR,
    "confirm_totp_enrolment": Rule.SECOND_FACTOR,
    "verify_totp": Rule.SECOND_FACTOR,
    "disable_totp": Rule.SIGNED_IN,  # where requires_second_factor does not hold
    "reset_user_totp": Rule.ADMIN,
}


def route_allows(rule: Rule, actor: Actor, path_params: dict[str, str]) -> bool:
    """Whether ``actor`` may reach a route with ``rule`` at all (records are checked after)."""
    if rule is Rule.PUBLIC:
        return True
    if rule is Rule.SECOND_FACTOR:
        return actor.kind in {"user", "pending"}
    if actor.kind == "service":
        return rule is Rule.SERVICE and path_params.get("source") == actor.source
    if actor.kind not in {"user", "system"}:
        return False
    if rule is Rule.SIGNED_IN:
        return True
    # SERVICE routes belong to the integrations' tokens, not to people.
    return rule is Rule.ADMIN and actor.is_admin


# Two-factor sign-in (issue #17) -------------------------------------------------------------


def requires_second_factor(actor: Actor) -> bool:
    """Who must sign in with a second factor (TOTP): administrators, and everyone in the
    steering group, whatever their role there (they read the whole municipality and steer
    it). Others may enrol on their own. ``actor`` is the person as a full sign-in would
    make them; until they have enrolled, their sessions are half ones (api.accounts.totp)."""
    return actor.kind == "user" and (
        actor.is_admin or any(g.group_kind == "steering" for g in actor.grants)
    )


# Records -----------------------------------------------------------------------------------

# The roles that read what their group reads; a reporter reads only their own reports.
READERS = frozenset({"convener", "member", "viewer"})
WRITERS = frozenset({"convener", "member"})
FILERS = frozenset({"convener", "member", "reporter"})
MUNICIPALITY_WIDE = frozenset({"steering", "coordination"})


def _grants(actor: Actor, roles: Iterable[str]) -> list[Grant]:
    wanted = set(roles)
    return [g for g in actor.grants if g.role in wanted]


def reads_whole_municipality(actor: Actor) -> bool:
    return actor.is_admin or any(g.group_kind in MUNICIPALITY_WIDE for g in _grants(actor, READERS))


def readable_area_ids(actor: Actor) -> frozenset[int] | None:
    """The areas whose observations the actor reads; None for the whole municipality."""
    if reads_whole_municipality(actor):
        return None
    return frozenset(g.area_id for g in _grants(actor, READERS) if g.area_id is not None)


def can_file_reports(actor: Actor) -> bool:
    """For their organisation: a report is always some organisation's."""
    if actor.kind != "user" or actor.organisation_id is None:
        return False
    return actor.is_admin or bool(_grants(actor, FILERS))


def may_report_for(actor: Actor, organisation_id: int | None) -> bool:
    """A report is the filer's own organisation's; an administrator files for any."""
    return actor.is_admin or organisation_id == actor.organisation_id


# Incidents: who changes them, and who reads them once withdrawn ---------------------------- #17-d


@dataclass(frozen=True)
class IncidentEditScope:
    """The incidents an actor may correct or withdraw, said once: as a test of one incident
    (``holds``) and as the parts a list query builds its condition from (every incident, or
    those in ``area_ids`` and those filed by ``reporter_id``). Withdrawn incidents are read
    by this scope alone, in lists, exports and search as on their own page."""

    everywhere: bool
    area_ids: frozenset[int]
    reporter_id: int | None

    def holds(self, *, area_id: int, reporter_id: int | None) -> bool:
        return (
            self.everywhere
            or area_id in self.area_ids
            or (self.reporter_id is not None and self.reporter_id == reporter_id)
        )


def incident_edit_scope(actor: Actor) -> IncidentEditScope:
    """Who corrects or withdraws an incident: the person who filed it, a convener of a group
    whose scope holds it (the coordination group's convener: all), administrators."""
    conveners = _grants(actor, ["convener"])
    return IncidentEditScope(
        everywhere=actor.is_admin or any(g.group_kind in MUNICIPALITY_WIDE for g in conveners),
        area_ids=frozenset(g.area_id for g in conveners if g.area_id is not None),
        reporter_id=actor.user_id if actor.kind == "user" else None,
    )


def can_edit_incident(actor: Actor, *, area_id: int, reporter_id: int | None) -> bool:
    return incident_edit_scope(actor).holds(area_id=area_id, reporter_id=reporter_id)


def require_edit_incident(actor: Actor, *, area_id: int, reporter_id: int | None) -> None:
    """Refuse a correction, a withdrawal or an undone match to all but ``can_edit_incident``,
    in its words."""
    if not can_edit_incident(actor, area_id=area_id, reporter_id=reporter_id):
        raise Forbidden(
            "Bara den som rapporterade, en sammankallande för området och administratörer "
            "ändrar händelsen."
        )


def can_restore_incident(actor: Actor, *, area_id: int, reporter_id: int | None) -> bool:
    """Who takes a withdrawal back: those who may withdraw it (``can_edit_incident``: the
    person who filed it, a convener over its area, administrators). A withdrawal is undone by
    the same hands that could have made it, so a mistaken tap is never someone else's to fix.
    (An incident withdrawn for personal data has lost its text and is not restored at all:
    api.incidents.withdrawal.)"""
    return can_edit_incident(actor, area_id=area_id, reporter_id=reporter_id)


def require_restore_incident(actor: Actor, *, area_id: int, reporter_id: int | None) -> None:
    if not can_restore_incident(actor, area_id=area_id, reporter_id=reporter_id):
        raise Forbidden(
            "Bara den som rapporterade, en sammankallande för området och administratörer "
            "tar tillbaka en återkallad händelse."
        )


# ------------------------------------------------------------------------------------ #17-d


def can_write_in_group(actor: Actor, group_id: int) -> bool:
    return actor.is_admin or any(g.group_id == group_id for g in _grants(actor, WRITERS))


def require_write_in_group(
    actor: Actor, group_id: int, does: str, *, group: str = "gruppens"
) -> None:
    """Refuse a write in a group to all but those who write there (``can_write_in_group``),
    saying who may: "Bara {group} sammankallande och medlemmar {does}." The words of the
    rule live beside it, so that they change with it."""
    if not can_write_in_group(actor, group_id):
        raise Forbidden(f"Bara {group} sammankallande och medlemmar {does}.")


def can_see_members(actor: Actor, group_id: int) -> bool:
    """Who is in a group: its own members (not reporters, who see only their own account),
    and the steering group, which oversees all groups."""
    return (
        actor.is_admin
        or any(g.group_id == group_id for g in _grants(actor, READERS))
        or any(g.group_kind == "steering" for g in _grants(actor, READERS))
    )


def can_manage_members(actor: Actor, group_id: int) -> bool:
    return actor.is_admin or any(g.group_id == group_id for g in _grants(actor, ["convener"]))


def visible_user_groups(actor: Actor) -> frozenset[int] | None:
    """The groups whose members' accounts the actor sees; None for every account."""
    if actor.is_admin or any(g.group_kind == "steering" for g in _grants(actor, READERS)):
        return None
    return frozenset(g.group_id for g in _grants(actor, READERS))


def can_look_up_by_email(actor: Actor) -> bool:
    # A convener adds people to the group by their e-mail address.
    return actor.is_admin or bool(_grants(actor, ["convener"]))


def can_read_situation(actor: Actor, group_id: int) -> bool:
    """A group's lägesbild: its own readers, and those who read the whole municipality
    (an area group's lägesbild holds nothing they cannot read already)."""
    return reads_whole_municipality(actor) or any(
        g.group_id == group_id for g in _grants(actor, READERS)
    )


def can_read_meetings(actor: Actor) -> bool:
    """Whether there is a group whose meetings the caller reads: they are read with its
    lägesbild (``can_read_situation``), so its readers, and those who read the whole
    municipality."""
    return reads_whole_municipality(actor) or bool(_grants(actor, READERS))


def can_publish_in_group(actor: Actor, group_id: int) -> bool:
    """Publishing a lägesbild is the convener's call: it is the group's agreed picture."""
    return can_manage_members(actor, group_id)


def can_import(actor: Actor) -> bool:
    """Files from a mapping tool hold every organisation's reports for the whole
    municipality: administrators and the conveners of the municipality-wide groups."""
    return actor.kind == "user" and (
        actor.is_admin
        or any(g.group_kind in MUNICIPALITY_WIDE for g in _grants(actor, ["convener"]))
    )


def can_read_steering(actor: Actor) -> bool:
    """The steering group's goals, plans and the thread from them: those who read the whole
    municipality (the figures behind the indicators are the municipality's)."""
    return reads_whole_municipality(actor)


def member_group_ids(actor: Actor) -> frozenset[int]:
    """The groups the actor reads as one of them (a reporter is not)."""
    return frozenset(g.group_id for g in _grants(actor, READERS))


def readable_group_ids(actor: Actor) -> frozenset[int] | None:
    """The groups whose lägesbild and interventions the actor reads; None for all."""
    if reads_whole_municipality(actor):
        return None
    return frozenset(g.group_id for g in _grants(actor, READERS))


# Figures: a count is a read -------------------------------------------------------------------
#
# Every figure counted from the incidents counts only incidents of the areas its reader reads
# (``figure_areas``), and a target is refused where its group does not work
# (``target_refusal``). Each figure computation asks these two and adds no filter of its own.
# Per endpoint:
#
# - ``GET /groups/{id}/situation``, a draft lägesbild (its figures, hot spots, incidents and
#   the comparison of its versions) and a new meeting's agenda: the group's area (the whole
#   municipality for the coordination and steering groups), of it what the reader (or the
#   meeting's writer) reads. Those who read a group's lägesbild read its area
#   (``can_read_situation``), so this narrows nothing today; it holds if that rule changes.
# - A published lägesbild and its roll-up: frozen when its convener published them, counted
#   for the convener as above; shown only to those who read all of the area they were counted
#   over (``reads_frozen_figures``), else the lägesbild answers 404.
# - ``GET /interventions/{id}/effect`` (and the effects in a goal's thread): the zone, the
#   displacement ring and the comparison each count only the reader's areas. An area group's
#   member thus sees an area target compared with no other area (too few to judge), and a
#   circle over the area's border counts only their side of it. The target itself must lie
#   where the group works and in an area the writer reads (``target_refusal``), and a point in
#   the area it names (``api.interventions.service``: the area's boundary, or without
#   boundaries the nearest reference point).
# - ``GET /indicators/{id}`` (goals, plan years): the indicator's area or the municipality, of
#   what the reader reads (steering readers read it all, ``can_read_steering``).
# - The OGC API's ``numberMatched`` counts the incident list's own scope.
#
# Incidents a person filed outside their areas are read one by one (their own reports) but not
# counted: a figure is about areas.


def figure_areas(actor: Actor, extent: int | None = None) -> frozenset[int] | None:
    """The areas whose incidents a figure may count for ``actor``: of the figure's extent (an
    area; None: the whole municipality), those the actor reads (``readable_area_ids``). None:
    every area."""
    readable = readable_area_ids(actor)
    if extent is None:
        return readable
    return frozenset({extent}) if readable is None or extent in readable else frozenset()


def reads_frozen_figures(actor: Actor, extent: int | None) -> bool:
    """Whether figures frozen over ``extent`` (a published lägesbild's: an area; None: the
    municipality) may be shown to ``actor``. Frozen for all their readers, they cannot be
    narrowed to one: only those who read all of it see them (an area group's area may have
    changed since it published)."""
    readable = readable_area_ids(actor)
    return readable is None or (extent is not None and extent in readable)


def target_refusal(
    actor: Actor, *, group_name: str, group_area_id: int | None, target_area_id: int
) -> str | None:
    """Why an intervention's target is refused, in words for the ``target`` field, or None:
    an area group works in its own area, whoever writes; and no one decides an intervention in
    an area they do not read, whose effect would count what they do not read."""
    if group_area_id is not None and target_area_id != group_area_id:
        return f"{group_name} gör sina insatser i sitt eget område."
    readable = readable_area_ids(actor)
    if readable is not None and target_area_id not in readable:
        return "Insatsen måste göras i ett område du följer."
    return None


# What the caller may do, told to the front end ---------------------------------------------
#
# The pages show menus, forms and buttons from these answers (``GET /auth/me`` and a group's
# ``may_write`` / ``may_manage``), never from roles of their own: they come from the rules
# above, so a change to a rule changes what the pages offer with it.


def capabilities(actor: Actor) -> list[Capability]:
    """The caller's capabilities, in the enum's order."""
    held = {
        Capability.file_reports: can_file_reports(actor),
        Capability.import_files: can_import(actor),
        Capability.read_steering: can_read_steering(actor),
        Capability.read_meetings: can_read_meetings(actor),
        Capability.read_audit_log: route_allows(ROUTE_RULES["list_audit_events"], actor, {}),
        Capability.set_privacy_notice: route_allows(
            ROUTE_RULES["set_municipality_privacy_notice"], actor, {}
        ),
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


def grant_rights(actor: Actor, group_id: int) -> dict[str, bool]:
    """A membership's rights, as the caller's own grants answer them: the group's rights,
    and whether they read the group as one of its members (a reporter only files there)."""
    return {**group_rights(actor, group_id), "reads_as_member": group_id in member_group_ids(actor)}

"""The access policy, whole, in one place: which routes each kind of caller may reach, and
which records each may see and change.

Two layers, both checked in the API on every request (and a third, told to clients):

1. **Routes.** Every API route has a ``Rule`` in ``ROUTE_RULES``, found by its operation id
   (the table stands in ``api.access.route_rules``, beside this module, and is read here).
   Which municipalities a caller reads and manages the records of stands beside it too
   (``api.access.municipalities``, read here), as the rules of a separate aggregate.
   The app refuses to start with a route that has none (``check_every_route_has_a_rule``),
   and the permission matrix test checks each route against each role.
2. **Records.** A route that a caller may reach still shows only the records in the caller's
   scope; the functions below say what that scope is. A record outside it answers 404, as if
   it did not exist (``api.errors.Hidden``). Where a refusal needs words, they stand beside
   the rule (``require_write_in_group``, ``require_edit_incident``), so that they change
   with it.
3. **What the caller may do, told to the front end** (``api.access.capabilities``): the
   capabilities of ``GET /auth/me`` and the rights on a group, so that the pages offer what
   these rules allow and hold no rules of their own.

Who is who:

- An **administrator** (``is_admin``) may do everything in the municipality they administer.
- A **platform operator** (``is_operator``) makes municipalities and categories (#21).
- Members of the **steering** or **coordination** group (convener, member, viewer) read the
  whole municipality; an **area group**'s members read their area.
- A **reporter** files observations for their organisation and reads their own reports and
  what was fed back on them.
- A **viewer** reads; writes follow the role: conveners and members write in their group,
  conveners also manage their group's memberships.
- A **service token** reaches only the integration routes of its own source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from api.access.municipalities import AuditScope as AuditScope
from api.access.municipalities import audit_scope as audit_scope
from api.access.municipalities import (
    can_read_police_statistics as can_read_police_statistics,
)
from api.access.municipalities import (
    can_write_police_statistics as can_write_police_statistics,
)
from api.access.municipalities import managed_municipality_ids as managed_municipality_ids
from api.access.municipalities import may_configure_sign_in as may_configure_sign_in
from api.access.municipalities import may_manage_municipality as may_manage_municipality
from api.access.municipalities import may_mark_break_glass as may_mark_break_glass
from api.access.municipalities import readable_municipality_ids as readable_municipality_ids
from api.access.policeareas import POLICE_AREA_READERS as POLICE_AREA_READERS
from api.access.policeareas import PoliceAreaScope as PoliceAreaScope
from api.access.policeareas import administers as administers
from api.access.policeareas import can_edit_agreement as can_edit_agreement
from api.access.policeareas import can_manage_police_area_members as can_manage_police_area_members
from api.access.policeareas import can_manage_police_areas as can_manage_police_areas
from api.access.policeareas import can_read_agreement as can_read_agreement
from api.access.policeareas import can_read_police_area as can_read_police_area
from api.access.policeareas import can_read_police_area_situation as can_read_police_area_situation
from api.access.policeareas import can_see_police_area_members as can_see_police_area_members
from api.access.policeareas import police_area_rights as police_area_rights
from api.access.policeareas import police_area_role as police_area_role
from api.access.policeareas import readable_police_areas as readable_police_areas
from api.access.policeareas import reads_police_areas as reads_police_areas
from api.access.policeareas import require_edit_agreement as require_edit_agreement
from api.access.policeareas import require_read_agreement as require_read_agreement
from api.access.policeareas import (
    require_read_police_area_situation as require_read_police_area_situation,
)
from api.access.provisioning import ProvisioningScope as ProvisioningScope
from api.access.provisioning import may_provision as may_provision
from api.access.provisioning import provisioning_scope as provisioning_scope
from api.access.route_rules import PASSWORD_CHANGE_ROUTES as PASSWORD_CHANGE_ROUTES
from api.access.route_rules import ROUTE_RULES as ROUTE_RULES
from api.access.route_rules import Rule as Rule
from api.access.route_rules import route_allows as route_allows
from api.actor import Actor, Grant
from api.errors import Forbidden

# Two-factor sign-in (issue #17) -------------------------------------------------------------


def requires_second_factor(actor: Actor) -> bool:
    """Who must sign in with a second factor (TOTP): administrators, platform operators,
    everyone in the steering group, whatever their role there (they read the whole
    municipality and steer it), and everyone in a police area's group (they read what
    several municipalities share with it: exact points, free text). Others may enrol on
    their own. ``actor`` is the person as
    a full sign-in would make them; until they have enrolled, their sessions are half ones
    (api.accounts.totp)."""
    return actor.kind == "user" and (
        actor.is_admin
        or actor.is_operator
        or bool(actor.police_area_grants)
        or any(g.group_kind == "steering" for g in actor.grants)
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


def files_in(actor: Actor, municipality_id: int) -> Actor | None:
    """The person as they act in another of their municipalities, when they may file
    reports there: an observation whose point lies across the boundary is filed there
    (#21). None when they hold no filing grant there."""
    grants = tuple(g for g in actor.elsewhere if g.municipality_id == municipality_id)
    if municipality_id == actor.municipality_id or municipality_id not in actor.municipality_ids:
        return None
    there = replace(
        actor,
        municipality_id=municipality_id,
        is_admin=False,
        grants=grants,
        elsewhere=tuple(g for g in actor.elsewhere if g.municipality_id != municipality_id)
        + actor.grants,
    )
    return there if can_file_reports(there) else None


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


# The evening in the field (#19) --------------------------------------------------------------
#
# An evening (its briefing, shifts and live log) belongs to an area, or to the whole
# municipality (``area_id`` None). Who is "on shift": a person named on one of its shifts, or
# anyone of an organisation with a shift that names no person. The services find that out
# (``on_shift``) and ask the rules below.


@dataclass(frozen=True)
class ShiftHolder:
    """A shift as the rules need it: whose it is."""

    organisation_id: int
    user_id: int | None


def on_shift(actor: Actor, shifts: Iterable[ShiftHolder]) -> bool:
    if actor.kind != "user":
        return False
    return any(
        s.user_id == actor.user_id
        or (s.user_id is None and actor.organisation_id == s.organisation_id)
        for s in shifts
    )


def _covers(grant: Grant, area_id: int | None) -> bool:
    """Whether a group's grant covers an area (None: the whole municipality)."""
    return grant.group_kind in MUNICIPALITY_WIDE or (
        area_id is not None and grant.area_id == area_id
    )


def can_read_evening(actor: Actor, *, area_id: int | None, shift: bool) -> bool:
    """An evening, its briefing and its live log: those on shift, and those who read its area
    (for an evening of the whole municipality, those who read the whole municipality)."""
    if shift or actor.is_admin:
        return True
    return any(_covers(g, area_id) for g in _grants(actor, READERS))


def can_plan_evening(actor: Actor, *, area_id: int | None) -> bool:
    """Plan an evening (its briefing, shifts and places to watch), close its log: the
    coordination group's conveners and members, and the area group's for its own area."""
    return actor.is_admin or any(
        g.group_kind == "coordination" or (area_id is not None and g.area_id == area_id)
        for g in _grants(actor, WRITERS)
    )


def require_plan_evening(actor: Actor, *, area_id: int | None) -> None:
    if not can_plan_evening(actor, area_id=area_id):
        raise Forbidden(
            "Bara samordningsgruppens och områdesgruppens sammankallande och medlemmar "
            "planerar kvällen."
        )


def can_read_evenings(actor: Actor) -> bool:
    """Whether some evening's briefing may be the caller's to read: those who read an area or
    the whole municipality, and those who file reports (a field worker on shift)."""
    return can_read_meetings(actor) or can_file_reports(actor)


def can_plan_evenings(actor: Actor) -> bool:
    """Whether the caller plans evenings somewhere (``can_plan_evening`` of some area)."""
    return actor.is_admin or any(
        g.group_kind == "coordination" or g.area_id is not None for g in _grants(actor, WRITERS)
    )


def can_post_in_log(actor: Actor, *, area_id: int | None, shift: bool) -> bool:
    """Post in an evening's live log: those on shift, and the conveners of the groups that
    cover its area."""
    if actor.kind != "user":
        return False
    return shift or actor.is_admin or any(_covers(g, area_id) for g in _grants(actor, ["convener"]))


def require_post_in_log(actor: Actor, *, area_id: int | None, shift: bool) -> None:
    if not can_post_in_log(actor, area_id=area_id, shift=shift):
        raise Forbidden(
            "Bara de som arbetar kvällen och gruppernas sammankallande skriver i loggen."
        )


def can_manage_walks(actor: Actor, organisation_id: int) -> bool:
    """An association's night walks and its register of trained hosts: the association's own
    people who file reports, the coordination group's conveners and members, administrators."""
    return (
        actor.is_admin
        or (can_file_reports(actor) and actor.organisation_id == organisation_id)
        or any(g.group_kind == "coordination" for g in _grants(actor, WRITERS))
    )


def can_read_walk_grants(actor: Actor, organisation_id: int | None) -> bool:
    """The walks and hours per association, the basis of the grant: those who read the whole
    municipality for every association; an association's own people for their own."""
    return reads_whole_municipality(actor) or (
        organisation_id is not None
        and actor.organisation_id == organisation_id
        and can_file_reports(actor)
    )


def can_read_guard_reports(actor: Actor, organisation_id: int) -> bool:
    """A guard company's daily reports: those who read the whole municipality, and the
    company's own people."""
    return reads_whole_municipality(actor) or (
        actor.kind == "user" and actor.organisation_id == organisation_id
    )


# Guard reports, filed (#19, point 4) ------------------------------------------------- guard
SECURITY_KIND = "security"


def can_file_guard_reports(actor: Actor, *, organisation_id: int, organisation_kind: str) -> bool:
    """A guard company's daily report on the form: the company's own people who file
    reports; the company must be a security company (kind ``security``)."""
    return (
        organisation_kind == SECURITY_KIND
        and can_file_reports(actor)
        and actor.organisation_id == organisation_id
    )


def read_guard_reports_at_all(actor: Actor, *, organisation_kind: str | None) -> bool:
    """Whether some guard company's reports are the caller's to read: those who read the
    whole municipality, and the people of a security company (their own)."""
    return reads_whole_municipality(actor) or (
        actor.kind == "user" and organisation_kind == SECURITY_KIND
    )


def can_push_guard_reports(actor: Actor, *, source: str, organisation_kind: str) -> bool:
    """A guard company's daily report through the integration API: a service token of the
    route's source, scoped to a security company (the report is that company's)."""
    return (
        actor.kind == "service"
        and actor.source == source
        and actor.organisation_id is not None
        and organisation_kind == SECURITY_KIND
    )


# ------------------------------------------------------------------------------------- guard


# Residents and safety walks (#20) ------------------------------------------------- residents
#
# What residents send (tips, pins before a walk) is anonymous, reaches no page of the public
# and waits for the coordination group to moderate it. A safety walk belongs to an area: its
# planners are those who plan the area's evenings; it is read by those who read the area and
# by everyone of an organisation invited to it (they walk it and file its findings). A finding
# is changed by its walk's planners and by the organisation responsible for fixing it.


def can_moderate_tips(actor: Actor) -> bool:
    """Read and decide what residents send: the coordination group's conveners and members,
    and administrators."""
    return actor.kind == "user" and (
        actor.is_admin or any(g.group_kind == "coordination" for g in _grants(actor, WRITERS))
    )


def require_moderate_tips(actor: Actor) -> None:
    if not can_moderate_tips(actor):
        raise Forbidden("Bara samordningsgruppens sammankallande och medlemmar granskar tips.")


def can_plan_safety_walk(actor: Actor, *, area_id: int) -> bool:
    """Plan a walk, moderate its pins, finish its report: as for the area's evenings."""
    return actor.kind == "user" and can_plan_evening(actor, area_id=area_id)


def require_plan_safety_walk(actor: Actor, *, area_id: int) -> None:
    if not can_plan_safety_walk(actor, area_id=area_id):
        raise Forbidden(
            "Bara samordningsgruppens och områdesgruppens sammankallande och medlemmar "
            "planerar trygghetsvandringen."
        )


def can_read_safety_walk(actor: Actor, *, area_id: int, invited: Iterable[int]) -> bool:
    """A walk, its accepted pins, its findings and report: those who read the area, and
    everyone of an organisation invited to it."""
    if actor.kind != "user":
        return False
    if actor.is_admin or any(_covers(g, area_id) for g in _grants(actor, READERS)):
        return True
    return actor.organisation_id is not None and actor.organisation_id in set(invited)


def can_file_finding(actor: Actor, *, area_id: int, invited: Iterable[int]) -> bool:
    """File a finding on a walk: its planners, and those of an invited organisation who
    file reports."""
    if can_plan_safety_walk(actor, area_id=area_id):
        return True
    return (
        can_file_reports(actor)
        and actor.organisation_id is not None
        and actor.organisation_id in set(invited)
    )


def can_update_finding(actor: Actor, *, area_id: int, responsible_organisation_id: int) -> bool:
    """Change a finding's status: the walk's planners, and the organisation that fixes it."""
    if can_plan_safety_walk(actor, area_id=area_id):
        return True
    return actor.kind == "user" and actor.organisation_id == responsible_organisation_id


def can_read_safety_walks(actor: Actor) -> bool:
    """Whether some walk may be the caller's to read (the menu): those who read an area, and
    those who file reports (an invited organisation's people)."""
    return can_read_meetings(actor) or can_file_reports(actor)


def can_plan_safety_walks(actor: Actor) -> bool:
    return actor.kind == "user" and can_plan_evenings(actor)


# --------------------------------------------------------------------------------- residents


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
# - ``GET /situation-reports/{id}/analysis``, a published lägesbild's analysis (#23): frozen
#   with its figures, for its convener, and read exactly as the lägesbild is (its rule above,
#   through ``api.situation.service.get_report``); a draft has none (404).
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

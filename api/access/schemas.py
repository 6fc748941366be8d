"""The names of the capabilities the API tells a client about (``GET /auth/me``'s ``can``): a
type the front end may import without importing the rules that decide them
(``api.access.policy.capabilities``)."""

from __future__ import annotations

import enum


class Capability(enum.StrEnum):
    """What a caller may do beyond reading their own groups, by name."""

    # The data of the municipality acted in (incidents, the map, organisations): anyone
    # acting in one; not a platform operator, who acts in none (their pages are the
    # platform's).
    read_municipality = "read_municipality"
    file_reports = "file_reports"  # can_file_reports
    import_files = "import_files"  # can_import: files, and the sources' category names
    read_steering = "read_steering"  # can_read_steering: goals, plans and the thread
    read_meetings = "read_meetings"  # can_read_meetings: some group's meetings
    read_audit_log = "read_audit_log"  # the route rule of list_audit_events
    # The route rule of set_municipality_privacy_notice.
    set_privacy_notice = "set_privacy_notice"
    # The guard reports (#19): read_guard_reports_at_all, can_file_guard_reports.
    read_guard_reports = "read_guard_reports"
    file_guard_reports = "file_guard_reports"
    # can_read_evenings: some evening's briefing (those who read an area, or file reports).
    read_evenings = "read_evenings"
    # can_plan_evenings: plan an evening in some area or the whole municipality.
    plan_evenings = "plan_evenings"
    # can_moderate_tips: the queue of residents' tips and pins (#20).
    moderate_tips = "moderate_tips"
    # can_read_safety_walks, can_plan_safety_walks: safety walks somewhere (#20).
    read_safety_walks = "read_safety_walks"
    plan_safety_walks = "plan_safety_walks"
    # reads_police_areas, can_manage_police_areas: police areas and their agreements (#21).
    read_police_areas = "read_police_areas"
    manage_police_areas = "manage_police_areas"
    # Several municipalities (#21): the settings of the municipality acted in
    # (update_municipality, its administrator); the platform's municipalities
    # (establish_municipality, a platform operator).
    manage_municipality = "manage_municipality"
    operate_platform = "operate_platform"

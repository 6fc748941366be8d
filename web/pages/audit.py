"""The audit log, for administrators: who read and changed what, filtered and paged.

Mirrors ``api/audit``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import swedish
from web import format as fmt
from web.deps import AuditVisit, PageId, VisitDep
from web.forms.period import period_days
from web.rendering import page, render

router = APIRouter()


@page(router, "/admin/logg", name="audit")
async def audit_page(
    request: Request,
    visit: AuditVisit,
    handelse: str = "",
    utfall: str = "",
    fran: str = "",
    till: str = "",
    cursor: str = "",
) -> Response:
    errors: dict[str, str] = {}
    if handelse and handelse not in swedish.AUDIT_ACTIONS:
        errors["handelse"] = "Välj en händelse i listan."
    if utfall and utfall not in swedish.AUDIT_OUTCOMES:
        errors["utfall"] = "Välj ett utfall i listan."
    since, until, not_dates = period_days(fran, till)
    errors.update(not_dates)
    events: list[Any] = []
    next_cursor = None
    if not errors:
        result = await visit.api.audit_events(
            action=handelse or None,
            outcome=utfall or None,
            since=fmt.start_of_day(since) if since else None,
            until=fmt.start_of_day(until, days=1) if until else None,
            cursor=cursor[:200] or None,
            limit=100,
        )
        events = result.items
        if result.next:
            next_cursor = parse_qs(urlsplit(result.next).query).get("cursor", [None])[0]
    filters = {"handelse": handelse, "utfall": utfall, "fran": fran, "till": till}
    older = None
    if next_cursor:
        older = "/admin/logg?" + urlencode(
            {**{k: v for k, v in filters.items() if v}, "cursor": next_cursor}
        )
    return render(
        request,
        "audit.html",
        {
            "events": events,
            "errors": errors,
            "older": older,
            "actions": swedish.AUDIT_ACTIONS,
            "outcomes": swedish.AUDIT_OUTCOMES,
            **filters,
        },
        status=422 if errors else 200,
    )


@page(router, "/handelser/{incident_id}/lasare", name="incident_readers")
async def incident_readers_page(
    request: Request, incident_id: PageId, visit: VisitDep, cursor: str = ""
) -> Response:
    """Who has read an incident: its page's link, for those who read the log."""
    found = await visit.api.incident_readers(incident_id, cursor=cursor[:200] or None)
    older = None
    if found.next:
        following = parse_qs(urlsplit(found.next).query).get("cursor", [None])[0]
        if following:
            older = f"/handelser/{incident_id}/lasare?" + urlencode({"cursor": following})
    return render(
        request,
        "incident_readers.html",
        {"incident_id": incident_id, "readings": found.items, "older": older},
    )

"""Safety walks (trygghetsvandringar, #20) for those who plan and walk them: the list, a new
walk and its edit form (area, start, meeting point, the route as named places in order and as
a drawn line, invited organisations, until when residents may pin), and one walk: its public
link (a new one ends the old), the residents' pins to accept or reject, the findings with
their photos and status, a finding proposed as an intervention, marking the walk held.

Filing a finding from a phone is ``web.pages.walk_findings``; the public page
``web.pages.walk_public``; the report ``web.pages.walk_report``. Mirrors ``api/safetywalks``.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.access.schemas import Capability
from api.safetywalks.schemas import WalkRead
from web import client_walks as api_walks
from web import format as fmt
from web.deps import MAX_FORM_FIELD, PageId, Visit, requires
from web.forms import walks as forms
from web.forms.incidents import own_area
from web.forms.sending import Refused, send, unless
from web.map_shapes import acting_extent, map_shapes
from web.pages.walk_report import SHOWN, walk_map, walk_name
from web.rendering import page, redirect, render

router = APIRouter()
WalksVisit = Annotated[Visit, Depends(requires(Capability.read_safety_walks))]
PlanVisit = Annotated[Visit, Depends(requires(Capability.plan_safety_walks))]
LISTED = 50
# Why the walk's form refuses someone the API gives no say over the walk.
NOT_PLANNER = "Bara de som planerar vandringen kan ändra den."


def public_link(request: Request, token: str | None) -> str:
    return f"{str(request.base_url).rstrip('/')}/trygghetsvandring/{token}" if token else ""


@page(router, "/trygghetsvandringar", name="safety_walks")
async def walks_page(request: Request, visit: WalksVisit) -> Response:
    listed = await api_walks.walks(visit.api, limit=LISTED)
    return render(
        request,
        "walks.html",
        {
            "walks": listed.items,
            "more": listed.next is not None,
            "walk_name": walk_name,
            "may_plan": Capability.plan_safety_walks in visit.me.can,
        },
    )


# The walk's form ------------------------------------------------------------------------------


async def form_view(
    request: Request,
    visit: Visit,
    *,
    values: dict[str, Any],
    walk: WalkRead | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    areas = fmt.by_name(await visit.api.areas())
    places = fmt.by_name(await visit.api.places())
    return render(
        request,
        "walk_edit.html",
        {
            "f": values,
            "walk": walk,
            "areas": areas,
            "places_by_area": [(a, [p for p in places if p.area_id == a.id]) for a in areas],
            "organisations": fmt.by_name(await visit.api.organisations()),
            "shapes": map_shapes(areas, places, await acting_extent(visit)),
            "errors": errors or {},
        },
        status=status,
    )


@page(router, "/trygghetsvandringar/ny", name="safety_walk_new")
async def walk_new(request: Request, visit: PlanVisit) -> Response:
    area = own_area(visit.me, await visit.api.groups())
    return await form_view(request, visit, values=forms.walk_values(None, area))


@router.post("/trygghetsvandringar/ny", response_class=HTMLResponse, name="safety_walk_create")
async def walk_create(request: Request, visit: PlanVisit) -> Response:
    typed, body, errors = forms.walk_body(await request.form())
    if not errors:
        sent = await send(api_walks.create_walk(visit.api, body), forms.walk_errors)
        if not isinstance(sent, Refused):
            return redirect(request, f"/trygghetsvandringar/{sent.id}?sparat=vandring")
        errors = sent.errors
    return await form_view(request, visit, values=typed, errors=errors, status=422)


@page(router, "/trygghetsvandringar/{walk_id}/andra", name="safety_walk_edit")
async def walk_edit(request: Request, walk_id: PageId, visit: WalksVisit) -> Response:
    walk = await api_walks.walk(visit.api, walk_id)
    if not walk.may_plan:
        raise StarletteHTTPException(403, NOT_PLANNER)
    return await form_view(request, visit, values=forms.walk_values(walk), walk=walk)


@router.post(
    "/trygghetsvandringar/{walk_id}/andra", response_class=HTMLResponse, name="safety_walk_save"
)
async def walk_save(request: Request, walk_id: PageId, visit: WalksVisit) -> Response:
    typed, body, errors = forms.walk_body(await request.form())
    # The area is the walk's for good: its pins and findings are of its places.
    body.pop("area_id", None)
    if not errors:
        sent = await send(api_walks.update_walk(visit.api, walk_id, body), forms.walk_errors)
        if not isinstance(sent, Refused):
            return redirect(request, f"/trygghetsvandringar/{walk_id}?sparat=vandring")
        errors = sent.errors
    walk = await api_walks.walk(visit.api, walk_id)
    return await form_view(request, visit, values=typed, walk=walk, errors=errors, status=422)


# One walk -------------------------------------------------------------------------------------


async def walk_view(
    request: Request,
    visit: Visit,
    walk_id: int,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    walk = await api_walks.walk(visit.api, walk_id)
    waiting = (
        await unless(api_walks.inputs(visit.api, walk_id, "pending"), 403) if walk.may_plan else []
    )
    accepted, findings, area, places = await asyncio.gather(
        unless(api_walks.inputs(visit.api, walk_id, "accepted"), 403),
        api_walks.findings(visit.api, walk_id),
        visit.api.area(walk.area.id),
        visit.api.places(area=walk.area.id, active=None),
    )
    return render(
        request,
        "walk.html",
        {
            **SHOWN,
            "walk": walk,
            "name": walk_name(walk),
            "link": public_link(request, walk.public_token),
            "waiting": waiting or [],
            "accepted": accepted or [],
            "findings": findings,
            "map": walk_map(walk, area, places, accepted or [], findings, waiting or []),
            "errors": errors or {},
        },
        status=status,
    )


@page(router, "/trygghetsvandringar/{walk_id}", name="safety_walk")
async def walk_page(request: Request, walk_id: PageId, visit: WalksVisit) -> Response:
    return await walk_view(request, visit, walk_id)


async def _change(
    request: Request, visit: Visit, walk_id: int, call: Any, saved: str, where: str
) -> Response:
    """A write of the walk's page: back to the page with what it saved, or the page with the
    API's reason beside the section (``where``)."""
    sent = await send(call, {}, refusals={403, 409, 422}, other=where)
    if isinstance(sent, Refused):
        return await walk_view(request, visit, walk_id, errors=sent.errors, status=sent.status)
    return redirect(request, f"/trygghetsvandringar/{walk_id}?sparat={saved}#{where}")


@router.post(
    "/trygghetsvandringar/{walk_id}/ny-lank", response_class=HTMLResponse, name="safety_walk_link"
)
async def walk_new_link(request: Request, walk_id: PageId, visit: WalksVisit) -> Response:
    call = api_walks.update_walk(visit.api, walk_id, {"new_link": True})
    return await _change(request, visit, walk_id, call, "lank", "lank")


@router.post(
    "/trygghetsvandringar/{walk_id}/genomford",
    response_class=HTMLResponse,
    name="safety_walk_held",
)
async def walk_held(request: Request, walk_id: PageId, visit: WalksVisit) -> Response:
    call = api_walks.update_walk(visit.api, walk_id, {"held": True})
    return await _change(request, visit, walk_id, call, "genomford", "genomford")


@router.post(
    "/trygghetsvandringar/{walk_id}/rapport-klar",
    response_class=HTMLResponse,
    name="safety_walk_reported",
)
async def walk_reported(request: Request, walk_id: PageId, visit: WalksVisit) -> Response:
    call = api_walks.update_walk(visit.api, walk_id, {"reported": True})
    return await _change(request, visit, walk_id, call, "rapport", "genomford")


@router.post(
    "/trygghetsvandringar/{walk_id}/synpunkter/{input_id}/godkann",
    response_class=HTMLResponse,
    name="walk_input_accept",
)
async def input_accept(
    request: Request, walk_id: PageId, input_id: PageId, visit: WalksVisit
) -> Response:
    call = api_walks.accept_input(visit.api, walk_id, input_id)
    return await _change(request, visit, walk_id, call, "godkand", "synpunkter")


@router.post(
    "/trygghetsvandringar/{walk_id}/synpunkter/{input_id}/avvisa",
    response_class=HTMLResponse,
    name="walk_input_reject",
)
async def input_reject(
    request: Request, walk_id: PageId, input_id: PageId, visit: WalksVisit
) -> Response:
    form = await request.form()
    reason = str(form.get("skal", ""))[:MAX_FORM_FIELD].strip() or None
    call = api_walks.reject_input(visit.api, walk_id, input_id, reason)
    return await _change(request, visit, walk_id, call, "avvisad", "synpunkter")


@router.post(
    "/trygghetsvandringar/{walk_id}/fynd/{finding_id}/status",
    response_class=HTMLResponse,
    name="finding_status",
)
async def finding_status(
    request: Request, walk_id: PageId, finding_id: PageId, visit: WalksVisit
) -> Response:
    body = forms.status_body(await request.form())
    call = api_walks.update_finding(visit.api, walk_id, finding_id, body)
    return await _change(request, visit, walk_id, call, "status", f"fynd-{finding_id}")


@router.post(
    "/trygghetsvandringar/{walk_id}/fynd/{finding_id}/insats",
    response_class=HTMLResponse,
    name="finding_intervention",
)
async def finding_intervention(
    request: Request, walk_id: PageId, finding_id: PageId, visit: WalksVisit
) -> Response:
    form = await request.form()
    title = str(form.get("titel", ""))[:MAX_FORM_FIELD].strip() or None
    call = api_walks.propose_intervention(visit.api, walk_id, finding_id, title)
    return await _change(request, visit, walk_id, call, "insats", f"fynd-{finding_id}")

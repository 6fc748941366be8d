"""Evenings in the field: the list (upcoming first, with "plan the next weekend"), a new
evening, one evening's briefing (when, where, who works where, places to watch with the
suggestions to add, notes, closing it) and its edit form. The live log has its own page
(``/kvallar/{id}/logg``).

Mirrors ``api/evenings``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api import swedish
from api.access.schemas import Capability
from api.localtime import STOCKHOLM
from web import client_evenings as api_evenings
from web import format as fmt
from web.deps import MAX_FORM_FIELD, PageId, Visit, requires
from web.forms import evenings as forms
from web.forms.incidents import own_area
from web.forms.sending import Refused, send
from web.rendering import page, redirect, render

router = APIRouter()
EveningsVisit = Annotated[Visit, Depends(requires(Capability.read_evenings))]
PlanVisit = Annotated[Visit, Depends(requires(Capability.plan_evenings))]
LISTED = 50


def clock(value: dt.datetime | None) -> str:
    return f"{value.astimezone(STOCKHOLM):%H:%M}" if value else ""


def weekday_sv(value: dt.date) -> str:
    return swedish.WEEKDAYS_LONG[value.weekday()]


# What every evening page shows its evenings with.
SHOWN = {"clock": clock, "weekday_sv": weekday_sv, "kinds": swedish.EVENING_KINDS}


@page(router, "/kvallar", name="evenings")
async def evenings_page(
    request: Request,
    visit: EveningsVisit,
    visa: Annotated[str, Query(max_length=20)] = "kommande",
    omrade: Annotated[str, Query(max_length=20)] = "",
    planerat: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return await evenings_view(request, visit, visa=visa, omrade=omrade, planned=planerat)


async def evenings_view(
    request: Request,
    visit: Visit,
    *,
    visa: str = "kommande",
    omrade: str = "",
    planned: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    when = "past" if visa == "tidigare" else "upcoming"
    area = fmt.parse_id(omrade) if omrade else None
    listed = await api_evenings.evenings(visit.api, when=when, area=area, limit=LISTED)
    return render(
        request,
        "evenings.html",
        {
            **SHOWN,
            "evenings": listed.items,
            "more": listed.next is not None,
            "visa": "tidigare" if when == "past" else "kommande",
            "omrade": str(area or ""),
            # The next weekend is planned for the planner's own area unless they choose.
            "helg_omrade": str(area or "") or own_area(visit.me, await visit.api.groups()),
            "areas": await visit.api.areas(),
            "may_plan": Capability.plan_evenings in visit.me.can,
            "planned": planned,
            "errors": errors or {},
        },
        status=status,
    )


@router.post("/kvallar/nasta-helg", response_class=HTMLResponse, name="evenings_next_weekend")
async def next_weekend_submit(request: Request, visit: EveningsVisit) -> Response:
    form = await request.form()
    area = str(form.get("omrade", ""))[:MAX_FORM_FIELD]
    sent = await send(
        api_evenings.plan_next_weekend(visit.api, fmt.parse_id(area) if area else None),
        {"area_id": "omrade"},
        refusals={403, 422},
        other="helg",
    )
    if isinstance(sent, Refused):
        return await evenings_view(
            request, visit, omrade=area, errors=sent.errors, status=sent.status
        )
    return redirect(request, f"/kvallar?planerat={len(sent.created)}")


async def form_view(
    request: Request,
    visit: Visit,
    *,
    values: dict[str, Any],
    evening: Any = None,
    etag: str = "",
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "evening_edit.html",
        {
            **SHOWN,
            "f": values,
            "evening": evening,
            "etag": etag,
            "areas": await visit.api.areas(),
            "organisations": await visit.api.organisations(),
            "errors": errors or {},
        },
        status=status,
    )


@page(router, "/kvallar/ny", name="evening_new")
async def evening_new(
    request: Request,
    visit: PlanVisit,
    dag: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    day = fmt.parse_date(dag)
    values = forms.values_of(None, day.isoformat() if day else "")
    # The planner's own area to start with, as the report form does: a whole-municipality
    # evening is chosen, not fallen into.
    values["omrade"] = own_area(visit.me, await visit.api.groups())
    return await form_view(request, visit, values=values)


@router.post("/kvallar/ny", response_class=HTMLResponse, name="evening_create")
async def evening_create(request: Request, visit: PlanVisit) -> Response:
    typed, body, errors = forms.body_of(await request.form())
    if not errors:
        sent = await send(
            api_evenings.create_evening(visit.api, body),
            lambda problem: forms.field_errors(problem, typed.get("sent_rows", [])),
        )
        if not isinstance(sent, Refused):
            return redirect(request, f"/kvallar/{sent.id}?sparat=kvall")
        errors = sent.errors
    return await form_view(request, visit, values=typed, errors=errors, status=422)


async def evening_view(
    request: Request,
    visit: Visit,
    evening_id: int,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    evening, etag = await api_evenings.evening(visit.api, evening_id)
    suggested = await api_evenings.suggestions(visit.api, evening_id) if evening.may_plan else None
    watched = {(w.label, w.place_id) for w in evening.watch}
    return render(
        request,
        "evening.html",
        {
            **SHOWN,
            "evening": evening,
            "etag": etag,
            "suggested": suggested,
            "watched": watched,
            "trends": swedish.TRENDS,
            "saved": request.query_params.get("sparat", "")[:40],
            "errors": errors or {},
        },
        status=status,
    )


@page(router, "/kvallar/{evening_id}", name="evening")
async def evening_page(request: Request, evening_id: PageId, visit: EveningsVisit) -> Response:
    return await evening_view(request, visit, evening_id)


@page(router, "/kvallar/{evening_id}/andra", name="evening_edit")
async def evening_edit(request: Request, evening_id: PageId, visit: EveningsVisit) -> Response:
    evening, etag = await api_evenings.evening(visit.api, evening_id)
    return await form_view(
        request, visit, values=forms.values_of(evening), evening=evening, etag=etag
    )


@router.post("/kvallar/{evening_id}/andra", response_class=HTMLResponse, name="evening_save")
async def evening_save(request: Request, evening_id: PageId, visit: EveningsVisit) -> Response:
    form = await request.form()
    typed, body, errors = forms.body_of(form)
    etag = str(form.get("etag", ""))[:200]
    if not errors:
        sent = await send(
            api_evenings.update_evening(visit.api, evening_id, body, etag=etag),
            lambda problem: forms.field_errors(problem, typed.get("sent_rows", [])),
            refusals={403, 409, 412, 422},
        )
        if not isinstance(sent, Refused):
            return redirect(request, f"/kvallar/{evening_id}?sparat=kvall")
        errors = sent.errors
        if sent.status == 412:
            errors = {"form": sent.problem.detail}
    evening, current = await api_evenings.evening(visit.api, evening_id)
    # After someone else's save: what they saved is on the evening's page; saved again, this
    # form replaces it, as its message says.
    return await form_view(
        request,
        visit,
        values=typed,
        evening=evening,
        etag=current if "form" in errors else etag,
        errors=errors,
        status=422,
    )


async def _watch_change(
    request: Request, visit: Visit, evening_id: int, change: Any, saved: str
) -> Response:
    """Save the places to watch as ``change`` makes them of the evening's, or the page with
    why not."""
    form = await request.form()
    evening, _current = await api_evenings.evening(visit.api, evening_id)
    watch = [w.model_dump() for w in evening.watch]
    new = change(watch, form)
    sent = await send(
        api_evenings.update_evening(
            visit.api, evening_id, {"watch": new}, etag=str(form.get("etag", ""))[:200]
        ),
        {"label": "bevaka", "reason": "bevaka", "watch": "bevaka"},
        refusals={403, 412, 422},
        other="bevaka",
    )
    if isinstance(sent, Refused):
        return await evening_view(request, visit, evening_id, errors=sent.errors, status=409)
    return redirect(request, f"/kvallar/{evening_id}?sparat={saved}#bevaka")


@router.post("/kvallar/{evening_id}/bevaka", response_class=HTMLResponse, name="evening_watch")
async def evening_watch(request: Request, evening_id: PageId, visit: EveningsVisit) -> Response:
    def add(watch: list[dict[str, Any]], form: Any) -> list[dict[str, Any]]:
        label = str(form.get("etikett", ""))[:200].strip()
        return [
            *watch,
            {
                "label": label,
                "place_id": fmt.parse_id(str(form.get("plats", ""))),
                "lat": fmt.parse_number(str(form.get("lat", ""))[:40]),
                "lon": fmt.parse_number(str(form.get("lon", ""))[:40]),
                "reason": str(form.get("skal", ""))[:2000].strip() or None,
            },
        ]

    return await _watch_change(request, visit, evening_id, add, "bevaka")


@router.post(
    "/kvallar/{evening_id}/bevaka/ta-bort", response_class=HTMLResponse, name="evening_unwatch"
)
async def evening_unwatch(request: Request, evening_id: PageId, visit: EveningsVisit) -> Response:
    def remove(watch: list[dict[str, Any]], form: Any) -> list[dict[str, Any]]:
        index = fmt.parse_id(str(form.get("nr", ""))[:10])
        return [w for i, w in enumerate(watch, start=1) if i != index]

    return await _watch_change(request, visit, evening_id, remove, "bevaka-bort")


@router.post("/kvallar/{evening_id}/avsluta", response_class=HTMLResponse, name="evening_close")
async def evening_close(request: Request, evening_id: PageId, visit: EveningsVisit) -> Response:
    sent = await send(
        api_evenings.close_evening(visit.api, evening_id), {}, refusals={403}, other="avsluta"
    )
    if isinstance(sent, Refused):
        return await evening_view(request, visit, evening_id, errors=sent.errors, status=403)
    return redirect(request, f"/kvallar/{evening_id}?sparat=avslutad")

"""Interventions: a new one for a group, one with its effect on the incidents around it, its
status, its follow-ups and what was told back.

Mirrors ``api/interventions``; the form is in ``web.forms.interventions``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import swedish
from api.access.schemas import Capability
from web import format as fmt
from web.choices import choices
from web.deps import MAX_FORM_FIELD, PageId, Visit, VisitDep
from web.forms import interventions as forms
from web.forms.sending import Refused, send
from web.rendering import page, redirect, render

router = APIRouter()


async def intervention_form(
    request: Request,
    visit: Visit,
    group_id: int,
    values: dict[str, str],
    chosen: list[str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    group = await visit.api.group(group_id)
    listed = await choices(visit)
    organisations = await visit.api.organisations()
    return render(
        request,
        "intervention_new.html",
        {
            **listed,
            "goals": await visit.api.goals() if Capability.read_steering in visit.me.can else [],
            # Those the group may still answer: an intervention can serve only those.
            "assignments": [
                a for a in await visit.api.assignments(to_group=group_id) if a.may_answer
            ],
            "group": group,
            "organisations": fmt.by_name(organisations),
            "f": values,
            "chosen": chosen,
            "errors": errors or {},
            "types": swedish.INTERVENTION_TYPES,
            "target_kinds": swedish.TARGET_KINDS,
            "statuses": swedish.INTERVENTION_STATUSES,
        },
        status=status,
    )


@page(router, "/grupper/{group_id}/insatser/ny", name="new_intervention")
async def new_intervention_page(request: Request, group_id: PageId, visit: VisitDep) -> Response:
    values = dict.fromkeys(forms.FORM_FIELDS, "")
    values.update(mal="place", status="planned", start=fmt.today_iso())
    if visit.me.organisation:
        values["agare"] = str(visit.me.organisation.id)
    return await intervention_form(request, visit, group_id, values, [])


@router.post(
    "/grupper/{group_id}/insatser", response_class=HTMLResponse, name="create_intervention"
)
async def create_intervention(request: Request, group_id: PageId, visit: VisitDep) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, ""))[:MAX_FORM_FIELD] for k in forms.FORM_FIELDS}
    chosen = [str(c)[:64] for c in form.getlist("kategorier")][:30]
    body, errors = forms.body_of(values, chosen, group_id)
    if not errors:
        created = await send(
            visit.api.create_intervention(body), forms.API_FIELDS, refusals={403, 404, 422}
        )
        if not isinstance(created, Refused):
            return redirect(request, f"/insatser/{created.id}")
        errors = created.errors
    return await intervention_form(request, visit, group_id, values, chosen, errors, status=422)


async def intervention_view(
    request: Request,
    visit: Visit,
    intervention_id: int,
    *,
    weeks: int = 8,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    intervention = await visit.api.intervention(intervention_id)
    follow_ups = await visit.api.follow_ups(intervention_id)
    told = await visit.api.feedback(intervention_id)
    group = await visit.api.group(intervention.group.id)
    effect = await visit.api.intervention_effect(intervention_id, weeks)
    categories = {c.code: c.label_sv for c in await visit.api.categories(active=None)}
    return render(
        request,
        "intervention.html",
        {
            "intervention": intervention,
            "follow_ups": follow_ups,
            "told": told,
            "group_organisations": group.organisations,
            "channels": swedish.CHANNELS,
            "effect": effect,
            "weeks": weeks,
            "category_names": categories,
            "types": swedish.INTERVENTION_TYPES,
            "statuses": swedish.INTERVENTION_STATUSES,
            "verdicts": swedish.VERDICTS,
            "errors": errors or {},
            "f": values or {"dag": fmt.today_iso()},
        },
        block="effect",
        status=status,
    )


@page(router, "/insatser/{intervention_id}", name="intervention")
async def intervention_page(
    request: Request,
    intervention_id: PageId,
    visit: VisitDep,
    veckor: Annotated[str, Query(max_length=8)] = "8",
) -> Response:
    # A filter in a link: what is not a number of weeks the page offers shows the default.
    weeks = fmt.parse_id(veckor)
    return await intervention_view(
        request, visit, intervention_id, weeks=weeks if weeks and 2 <= weeks <= 26 else 8
    )


@router.post(
    "/insatser/{intervention_id}/status",
    response_class=HTMLResponse,
    name="intervention_status",
)
async def intervention_status(
    request: Request,
    intervention_id: PageId,
    visit: VisitDep,
    status: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
) -> Response:
    if status not in swedish.INTERVENTION_STATUSES:
        raise StarletteHTTPException(422, "Välj en status i listan.")
    await visit.api.update_intervention(intervention_id, {"status": status})
    return redirect(request, f"/insatser/{intervention_id}?sparat=status#insatsstatus")


@router.post(
    "/insatser/{intervention_id}/aterkoppling",
    response_class=HTMLResponse,
    name="intervention_feedback",
)
async def intervention_feedback(
    request: Request, intervention_id: PageId, visit: VisitDep
) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, ""))[: MAX_FORM_FIELD * 2] for k in ("tdag", "kanal", "text")}
    to = fmt.parse_ids(form.getlist("till"))[:50]
    reporters = form.get("rapportorer") == "ja"
    errors: dict[str, str] = {}
    day = fmt.parse_date(values["tdag"])
    if day is None:
        errors["tdag"] = "Skriv dagen som ÅÅÅÅ-MM-DD."
    if values["kanal"] not in swedish.CHANNELS:
        errors["kanal"] = "Välj hur det berättades."
    if not values["text"].strip():
        errors["text"] = "Skriv vad som berättades."
    if not errors and day is not None:
        body = {
            "told_on": day.isoformat(),
            "channel": values["kanal"],
            "text": values["text"].strip(),
            "organisation_ids": to,
            "to_reporters": reporters,
        }
        sent = await send(
            visit.api.add_feedback(intervention_id, body), forms.FEEDBACK_FIELDS, refusals={422}
        )
        if not isinstance(sent, Refused):
            # Back at what was just told, which says it is saved.
            return redirect(
                request,
                f"/insatser/{intervention_id}?sparat=aterkoppling-{sent.id}#aterkoppling-{sent.id}",
            )
        errors = sent.errors
    return await intervention_view(
        request, visit, intervention_id, errors=errors, values=values, status=422
    )


@router.post(
    "/insatser/{intervention_id}/uppfoljning",
    response_class=HTMLResponse,
    name="intervention_follow_up",
)
async def intervention_follow_up(
    request: Request,
    intervention_id: PageId,
    visit: VisitDep,
    dag: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    gjort: Annotated[str, Form(max_length=MAX_FORM_FIELD * 2)] = "",
    sett: Annotated[str, Form(max_length=MAX_FORM_FIELD * 2)] = "",
) -> Response:
    values = {"dag": dag, "gjort": gjort, "sett": sett}
    errors: dict[str, str] = {}
    day = fmt.parse_date(dag)
    if day is None:
        errors["dag"] = "Skriv dagen som ÅÅÅÅ-MM-DD."
    if not gjort.strip():
        errors["gjort"] = "Skriv vad som gjordes."
    if not errors and day is not None:
        body = {"day": day.isoformat(), "done": gjort.strip(), "seen": sett.strip() or None}
        sent = await send(
            visit.api.add_follow_up(intervention_id, body), forms.FOLLOW_UP_FIELDS, refusals={422}
        )
        if not isinstance(sent, Refused):
            return redirect(
                request,
                f"/insatser/{intervention_id}?sparat=uppfoljning-{sent.id}#uppfoljning-{sent.id}",
            )
        errors = sent.errors
    return await intervention_view(
        request, visit, intervention_id, errors=errors, values=values, status=422
    )

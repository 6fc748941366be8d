"""The steering group's work: its goals by theme (with their indicators and the thread from
goal to assignment to intervention), new goals and plans, and the assignments it gives the
other groups, which they answer.

Mirrors ``api/steering`` (the plans' own pages are in ``web.pages.plans``); the forms are in
``web.forms.steering``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import localtime, swedish
from api.structure.schemas import GroupKind, GroupRead
from web import charts
from web import format as fmt
from web.deps import MAX_FORM_FIELD, PageId, SteeringVisit, Visit, VisitDep, YearPath
from web.forms import steering as forms
from web.forms.sending import Refused, send
from web.rendering import page, redirect, render

router = APIRouter()


async def steering_group(visit: Visit) -> GroupRead | None:
    return next((g for g in await visit.api.groups() if g.kind == GroupKind.steering), None)


async def steering_view(
    request: Request,
    visit: Visit,
    *,
    which: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    goals = await visit.api.goals()
    plans = await visit.api.plans()
    closed_goals = await visit.api.goals(active=False)
    closed_plans = await visit.api.plans(active=False)
    group = await steering_group(visit)
    themes: dict[str, list[Any]] = {}
    for goal in sorted(goals, key=lambda g: fmt.sort_key(g.theme)):
        themes.setdefault(goal.theme, []).append(goal)
    return render(
        request,
        "steering.html",
        {
            "themes": themes,
            "plans": plans,
            "closed_goals": closed_goals,
            "closed_plans": closed_plans,
            "which": which,
            "group": group,
            "f": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@page(router, "/styrning", name="steering")
async def steering_page(request: Request, visit: SteeringVisit) -> Response:
    return await steering_view(request, visit)


@router.post("/mal/{goal_id}/aktiv", response_class=HTMLResponse, name="goal_active")
async def goal_active(request: Request, goal_id: PageId, visit: VisitDep) -> Response:
    form = await request.form()
    await visit.api.update_goal(goal_id, {"active": form.get("aktiv") == "ja"})
    return redirect(request, f"/mal/{goal_id}")


@router.post(
    "/mal/{goal_id}/varden/{indicator_id}/{year}/ta-bort",
    response_class=HTMLResponse,
    name="delete_indicator_value",
)
async def delete_indicator_value(
    request: Request, goal_id: PageId, indicator_id: PageId, year: YearPath, visit: VisitDep
) -> Response:
    await visit.api.delete_indicator_value(indicator_id, year)
    return redirect(request, f"/mal/{goal_id}#ind-{indicator_id}")


async def steering_form(
    request: Request,
    visit: Visit,
    names: list[str],
    make: Callable[[dict[str, str], int], tuple[dict[str, Any], dict[str, str]]],
    create: Callable[[dict[str, Any]], Awaitable[Any]],
    fields: dict[str, str],
    where: str,
    which: str,
) -> Response:
    """A new goal or plan of the steering group, from its form on the steering page."""
    values = forms.values_of(await request.form(), names)
    group = await steering_group(visit)
    if group is None:
        raise StarletteHTTPException(404)
    body, errors = make(values, group.id)
    if not errors:
        made = await send(create(body), fields)
        if not isinstance(made, Refused):
            return redirect(request, f"{where}/{made.id}")
        errors = made.errors
    return await steering_view(
        request, visit, which=which, values=values, errors=errors, status=422
    )


@router.post("/styrning/mal", response_class=HTMLResponse, name="create_goal")
async def create_goal(request: Request, visit: VisitDep) -> Response:
    names = ["tema", "titel", "beskrivning", "start", "slut"]
    return await steering_form(
        request,
        visit,
        names,
        forms.goal_body,
        visit.api.create_goal,
        forms.GOAL_FIELDS,
        "/mal",
        "mal",
    )


@router.post("/styrning/planer", response_class=HTMLResponse, name="create_plan")
async def create_plan(request: Request, visit: VisitDep) -> Response:
    names = ["ptitel", "pmal", "pbeskrivning", "pstart", "pslut", "antagen_av", "antagen"]
    return await steering_form(
        request,
        visit,
        names,
        forms.plan_body,
        visit.api.create_plan,
        forms.PLAN_FIELDS,
        "/planer",
        "plan",
    )


async def goal_view(
    request: Request,
    visit: Visit,
    goal_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    thread = await visit.api.thread(goal_id)
    groups = [g for g in await visit.api.groups() if g.kind != GroupKind.steering]
    categories = await visit.api.categories()
    families = [c for c in categories if c.parent_code is None]
    return render(
        request,
        "goal.html",
        {
            "thread": thread,
            "goal": thread.goal,
            "charts": {
                i.id: charts.indicator_chart(i, f"indikator-{i.id}") for i in thread.goal.indicators
            },
            "groups": groups,
            "families": [(f, [c for c in categories if c.parent_code == f.code]) for f in families],
            "areas": fmt.by_name(await visit.api.areas()),
            "manual": [i for i in thread.goal.indicators if i.kind.value == "manual"],
            "kinds": swedish.INDICATOR_KINDS,
            "directions": swedish.DIRECTIONS,
            "assignment_statuses": swedish.ASSIGNMENT_STATUSES,
            "statuses": swedish.INTERVENTION_STATUSES,
            "verdicts": swedish.VERDICTS,
            "f": values or {"ar": str(localtime.today().year - 1)},
            "errors": errors or {},
        },
        status=status,
    )


@page(router, "/mal/{goal_id}", name="goal")
async def goal_page(request: Request, goal_id: PageId, visit: VisitDep) -> Response:
    return await goal_view(request, visit, goal_id)


@router.post("/mal/{goal_id}/indikatorer", response_class=HTMLResponse, name="add_indicator")
async def add_indicator(request: Request, goal_id: PageId, visit: VisitDep) -> Response:
    values = forms.values_of(
        await request.form(),
        ["namn", "slag", "kategori", "omrade", "enhet", "kalla", "riktning"],
    )
    body, errors = forms.indicator_body(values)
    if not errors:
        made = await send(visit.api.create_indicator(goal_id, body), forms.INDICATOR_FIELDS)
        if not isinstance(made, Refused):
            return redirect(request, f"/mal/{goal_id}#indikatorer")
        errors = made.errors
    return await goal_view(request, visit, goal_id, values=values, errors=errors, status=422)


@router.post("/mal/{goal_id}/varden", response_class=HTMLResponse, name="add_indicator_value")
async def add_indicator_value(request: Request, goal_id: PageId, visit: VisitDep) -> Response:
    values = forms.values_of(await request.form(), ["indikator", "ar", "varde", "vkalla", "vnot"])
    indicator, year, body, errors = forms.value_body(values)
    if not errors and indicator is not None and year is not None:
        kept = await send(visit.api.put_indicator_value(indicator, year, body), forms.VALUE_FIELDS)
        if not isinstance(kept, Refused):
            return redirect(request, f"/mal/{goal_id}#indikatorer")
        errors = kept.errors
    return await goal_view(request, visit, goal_id, values=values, errors=errors, status=422)


@router.post("/mal/{goal_id}/uppdrag", response_class=HTMLResponse, name="give_assignment")
async def give_assignment(request: Request, goal_id: PageId, visit: VisitDep) -> Response:
    values = forms.values_of(await request.form(), ["grupp", "uppgift", "varfor", "senast"])
    body, errors = forms.assignment_body(values, goal_id)
    if not errors:
        given = await send(visit.api.create_assignment(body), forms.ASSIGNMENT_FIELDS)
        if not isinstance(given, Refused):
            return redirect(request, f"/mal/{goal_id}#uppdrag")
        errors = given.errors
    return await goal_view(request, visit, goal_id, values=values, errors=errors, status=422)


async def assignment_view(
    request: Request,
    visit: Visit,
    assignment_id: int,
    *,
    values: dict[str, str] | None = None,
    chosen: set[int] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    assignment = await visit.api.assignment(assignment_id)
    interventions = (
        (await visit.api.interventions(group=assignment.to_group.id, limit=100)).items
        if assignment.may_answer
        else []
    )
    return render(
        request,
        "assignment.html",
        {
            "assignment": assignment,
            "interventions": interventions,
            "chosen": {i.id for i in assignment.interventions} if chosen is None else chosen,
            "statuses": swedish.ASSIGNMENT_STATUSES,
            "f": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@page(router, "/uppdrag/{assignment_id}", name="assignment")
async def assignment_page(request: Request, assignment_id: PageId, visit: VisitDep) -> Response:
    return await assignment_view(request, visit, assignment_id)


@router.post("/uppdrag/{assignment_id}/svar", response_class=HTMLResponse, name="answer")
async def answer_assignment(request: Request, assignment_id: PageId, visit: VisitDep) -> Response:
    form = await request.form()
    values = forms.values_of(form, ["svar"])
    chosen = fmt.parse_ids(form.getlist("insatser"))[:50]
    errors: dict[str, str] = {}
    if not values["svar"].strip():
        errors["svar"] = "Skriv vad gruppen gjort och kommit fram till."
    else:
        body = {"text": values["svar"].strip(), "intervention_ids": chosen}
        answered = await send(visit.api.answer_assignment(assignment_id, body), forms.ANSWER_FIELDS)
        if not isinstance(answered, Refused):
            return redirect(request, f"/uppdrag/{assignment_id}")
        errors = answered.errors
    return await assignment_view(
        request,
        visit,
        assignment_id,
        values=values,
        chosen=set(chosen),
        errors=errors,
        status=422,
    )


@router.post(
    "/uppdrag/{assignment_id}/status", response_class=HTMLResponse, name="assignment_status"
)
async def assignment_status(
    request: Request,
    assignment_id: PageId,
    visit: VisitDep,
    status: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
) -> Response:
    if status not in swedish.ASSIGNMENT_STATUSES:
        raise StarletteHTTPException(422, "Välj en status i listan.")
    changed = await send(
        visit.api.update_assignment(assignment_id, {"status": status}), {"status": "status"}
    )
    if isinstance(changed, Refused):
        return await assignment_view(
            request, visit, assignment_id, errors=changed.errors, status=422
        )
    return redirect(request, f"/uppdrag/{assignment_id}")

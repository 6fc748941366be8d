"""The steering group's action plans: a plan with its activities, and its yearly follow-up
(on screen, printed and as a PDF), written activity by activity and summed up for the year.

Mirrors the plans of ``api/steering``; the forms are in ``web.forms.steering``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import localtime, swedish
from api.audit.schemas import Purpose
from web import charts
from web import format as fmt
from web.deps import PageId, Visit, VisitDep, YearPath
from web.forms import steering as forms
from web.forms.sending import Refused, send
from web.rendering import page, pdf_answer, redirect, render

router = APIRouter()


@router.post("/planer/{plan_id}/aktiv", response_class=HTMLResponse, name="plan_active")
async def plan_active(request: Request, plan_id: PageId, visit: VisitDep) -> Response:
    form = await request.form()
    await visit.api.update_plan(plan_id, {"active": form.get("aktiv") == "ja"})
    return redirect(request, f"/planer/{plan_id}")


async def plan_view(
    request: Request,
    visit: Visit,
    plan_id: int,
    *,
    values: dict[str, str] | None = None,
    partners: set[int] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    plan = await visit.api.plan(plan_id)
    goal = await visit.api.goal(plan.goal.id) if plan.goal else None
    return render(
        request,
        "plan.html",
        {
            "plan": plan,
            "goal": goal,
            "organisations": fmt.by_name(await visit.api.organisations()),
            "years": list(range(plan.period_start.year, plan.period_end.year + 1)),
            "statuses": swedish.INTERVENTION_STATUSES,
            "f": values or {"astart": plan.period_start.isoformat()},
            "partners": partners or set(),
            "errors": errors or {},
        },
        status=status,
    )


@page(router, "/planer/{plan_id}", name="plan")
async def plan_page(request: Request, plan_id: PageId, visit: VisitDep) -> Response:
    return await plan_view(request, visit, plan_id)


@router.post("/planer/{plan_id}/aktiviteter", response_class=HTMLResponse, name="add_activity")
async def add_activity(request: Request, plan_id: PageId, visit: VisitDep) -> Response:
    form = await request.form()
    values = forms.values_of(form, list(forms.ACTIVITY_FIELDS.values()))
    partners = fmt.parse_ids(form.getlist("partner"))[:30]
    body, errors = forms.activity_body(values, partners)
    if not errors:
        made = await send(visit.api.create_activity(plan_id, body), forms.ACTIVITY_FIELDS)
        if not isinstance(made, Refused):
            return redirect(request, f"/planer/{plan_id}#aktiviteter")
        errors = made.errors
    return await plan_view(
        request,
        visit,
        plan_id,
        values=values,
        partners=set(partners),
        errors=errors,
        status=422,
    )


async def plan_year_view(
    request: Request,
    visit: Visit,
    plan_id: int,
    year: int,
    *,
    template: str = "plan_year.html",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    purpose: Purpose | None = None,
) -> Response:
    review = await visit.api.plan_year(plan_id, year, purpose=purpose)
    return render(request, template, plan_year_context(review, values, errors), status=status)


def plan_year_context(
    review: Any, values: dict[str, str] | None, errors: dict[str, str] | None
) -> dict[str, Any]:
    return {
        "review": review,
        "plan": review.plan,
        "charts": {
            row.indicator.id: charts.indicator_chart(row.indicator, f"i{row.activity.id}")
            for row in review.activities
            if row.indicator is not None
        },
        "statuses": swedish.INTERVENTION_STATUSES,
        "f": values or {},
        "errors": errors or {},
        "now": localtime.utcnow(),
    }


@page(router, "/planer/{plan_id}/uppfoljning/{year:int}", name="plan_year")
async def plan_year_page(
    request: Request, plan_id: PageId, year: YearPath, visit: VisitDep
) -> Response:
    return await plan_year_view(request, visit, plan_id, year)


@router.get("/planer/{plan_id}/uppfoljning/{year}.pdf", name="plan_year_pdf")
async def plan_year_pdf(
    request: Request, plan_id: PageId, year: YearPath, visit: VisitDep
) -> Response:
    review = await visit.api.plan_year(plan_id, year, purpose="pdf")
    context = plan_year_context(review, None, None)
    name = f"uppfoljning-{review.plan.title}-{year}"
    return await pdf_answer(request, "plan_year_print.html", context, name)


@page(router, "/planer/{plan_id}/uppfoljning/{year}/utskrift", name="plan_year_print")
async def plan_year_print(
    request: Request, plan_id: PageId, year: YearPath, visit: VisitDep
) -> Response:
    return await plan_year_view(
        request, visit, plan_id, year, template="plan_year_print.html", purpose="print"
    )


@router.post(
    "/planer/{plan_id}/uppfoljning/{year:int}", response_class=HTMLResponse, name="plan_summary"
)
async def plan_summary(
    request: Request, plan_id: PageId, year: YearPath, visit: VisitDep
) -> Response:
    values = forms.values_of(await request.form(), ["sammanfattning"])
    errors: dict[str, str] = {}
    if not values["sammanfattning"].strip():
        errors["sammanfattning"] = "Skriv årets uppföljning av planen."
    else:
        reviewed = await send(
            visit.api.review_plan(plan_id, year, {"summary": values["sammanfattning"]}),
            {"summary": "sammanfattning", "year": "sammanfattning"},
        )
        if not isinstance(reviewed, Refused):
            return redirect(request, f"/planer/{plan_id}/uppfoljning/{year}")
        errors = reviewed.errors
    return await plan_year_view(
        request, visit, plan_id, year, values=values, errors=errors, status=422
    )


@router.post(
    "/planer/{plan_id}/uppfoljning/{year}/aktiviteter/{activity_id}",
    response_class=HTMLResponse,
    name="activity_review",
)
async def activity_review(
    request: Request, plan_id: PageId, year: YearPath, activity_id: PageId, visit: VisitDep
) -> Response:
    plan = await visit.api.plan(plan_id)
    if activity_id not in {a.id for a in plan.activities}:
        raise StarletteHTTPException(404)
    raw = forms.values_of(await request.form(), ["status", "gjort", "bedomning"])
    body, errors = forms.review_body(raw)
    if not errors:
        reviewed = await send(
            visit.api.review_activity(activity_id, year, body),
            {**forms.REVIEW_FIELDS, "year": "gjort"},
        )
        if not isinstance(reviewed, Refused):
            return redirect(
                request, f"/planer/{plan_id}/uppfoljning/{year}#aktivitet-{activity_id}"
            )
        errors = reviewed.errors
    # The errors and what was typed belong to this activity's form on the page.
    return await plan_year_view(
        request,
        visit,
        plan_id,
        year,
        values={f"{activity_id}-{k}": v for k, v in raw.items()},
        errors={f"{activity_id}-{k}": v for k, v in errors.items()},
        status=422,
    )

"""The guard company's daily reports (#19): the list (/bevakning), one report, and the form
its own people file a day on (/bevakning/ny), rounds and observations added and removed as
blocks by submit buttons, so that it works without JavaScript.

Mirrors ``api/guards``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api import localtime, swedish
from api.access.schemas import Capability
from web import client_guards as guards
from web import format as fmt
from web.choices import choices
from web.deps import GuardReportsVisit, PageId, Visit, VisitDep
from web.forms import guards as forms
from web.forms.sending import Refused, send
from web.rendering import page, redirect, render

router = APIRouter()


@page(router, "/bevakning", name="guard_reports")
async def guard_reports_page(request: Request, visit: GuardReportsVisit) -> Response:
    first = fmt.parse_date(request.query_params.get("fran", ""))
    last = fmt.parse_date(request.query_params.get("till", ""))
    listed = await guards.guard_reports(visit.api, first=first, last=last)
    return render(
        request,
        "guards.html",
        {
            "listed": listed,
            "fran": first.isoformat() if first else "",
            "till": last.isoformat() if last else "",
        },
        block="reports",
    )


async def _form(
    request: Request,
    visit: Visit,
    typed: forms.GuardForm,
    *,
    key: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "guard_new.html",
        {
            **await choices(visit),
            "may_file": Capability.file_guard_reports in visit.me.can,
            "f": typed,
            "rounds": [vars(r) for r in typed.rounds or []],
            "seen": [vars(o) for o in typed.seen or []],
            "assessments": swedish.ASSESSMENTS,
            "key": key,
            "errors": errors or {},
        },
        status=status,
    )


@page(router, "/bevakning/ny", name="guard_report_new")
async def guard_report_new(request: Request, visit: VisitDep) -> Response:
    yesterday = localtime.today() - dt.timedelta(days=1)
    typed = forms.GuardForm(
        dag=yesterday.isoformat(),
        rounds=[forms.RoundForm()],
        seen=[forms.SeenForm()],
    )
    return await _form(request, visit, typed, key=str(uuid.uuid4()))


@router.post("/bevakning/ny", response_class=HTMLResponse, name="guard_report_submit")
async def guard_report_submit(request: Request, visit: VisitDep) -> Response:
    form = await request.form()
    typed = forms.read(form)
    key = str(form.get("nyckel", ""))[:100] or str(uuid.uuid4())
    action = str(form.get("atgard", "skicka"))[:40]
    if forms.act(typed, action) or action != "skicka":
        return await _form(request, visit, typed, key=key)
    body, errors, round_at, seen_at = forms.to_api(typed)
    if errors:
        return await _form(request, visit, typed, key=key, errors=errors, status=422)
    filed = await send(
        guards.file_guard_report(visit.api, body, key=key),
        lambda problem: (
            forms.api_errors(problem.errors, round_at, seen_at) or {"form": problem.detail}
        ),
    )
    if isinstance(filed, Refused):
        if filed.problem.code == "idempotency_key_reused":
            key = str(uuid.uuid4())
        return await _form(request, visit, typed, key=key, errors=filed.errors, status=filed.status)
    return redirect(request, f"/bevakning/{filed.id}?skickad=1")


def _round_sv(round_: Any) -> str:
    start = round_.starts_at.astimezone(localtime.STOCKHOLM)
    end = round_.ends_at.astimezone(localtime.STOCKHOLM)
    return f"{fmt.datetime_sv(round_.starts_at)}–{end:%H:%M}" + (
        f" ({fmt.date_sv(end.date())})" if end.date() != start.date() else ""
    )


@page(router, "/bevakning/{guard_report_id}", name="guard_report")
async def guard_report_page(request: Request, guard_report_id: PageId, visit: VisitDep) -> Response:
    report = await guards.guard_report(visit.api, guard_report_id)
    return render(
        request,
        "guard.html",
        {
            "report": report,
            "rounds": [(_round_sv(r), r) for r in report.rounds],
            "assessments": swedish.ASSESSMENTS,
            "sent": request.query_params.get("skickad") == "1",
        },
    )

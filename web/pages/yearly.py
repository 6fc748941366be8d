"""The municipality's yearly lägesbild under lag (2023:196): starting one from the group's
lägesbild page, saying which action plan builds on it, and the police's statistics of
reported crime it shows (entered as rows or read from Brå's CSV export). Its page, print view
and PDF are the lägesbild's (web.pages.situation), in templates of their own.

Mirrors ``api/situation/yearly.py`` and ``api/situation/police_statistics.py``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import localtime
from web import client_yearly as calls
from web.deps import MAX_FORM_FIELD, MunicipalDataVisit, PageId, Visit, VisitDep
from web.forms.sending import Refused, send
from web.pages.situation import group_situation_view
from web.rendering import page, redirect, render

router = APIRouter()
POLICE_PAGE = "/kommun/polisstatistik"
# Brå's export of one municipality is a few hundred rows: far below this.
MAX_CSV_BYTES = 1024 * 1024
# Empty rows offered below the year's rows on the form.
BLANK_ROWS = 5
MAX_FORM_ROWS = 300
Short = Annotated[str, Form(max_length=MAX_FORM_FIELD)]


@router.post(
    "/grupper/{group_id}/lagesbild/ar", response_class=HTMLResponse, name="new_yearly_situation"
)
async def new_yearly_situation(
    request: Request, group_id: PageId, visit: VisitDep, ar: Short = ""
) -> Response:
    year = ar.strip()
    made = await send(
        calls.create_yearly(visit.api, group_id, int(year) if year.isdigit() else year),
        {"year": "ar", "kind": "ar", "first_day": "ar"},
        other="ar",
    )
    if not isinstance(made, Refused):
        return redirect(request, f"/lagesbild/{made.id}")
    existing = None
    if made.status == 409 and year.isdigit():
        # The one the API pointed to: the latest version of that year's lägesbild.
        same = [
            r
            for r in await visit.api.situation_reports(group_id)
            if r.kind.value == "year" and r.first_day.year == int(year)
        ]
        existing = max(same, key=lambda r: (r.version, r.id), default=None)
    return await group_situation_view(
        request,
        visit,
        group_id,
        "",
        "",
        yearly={
            "yearly_error": made.errors.get("ar") or made.problem.detail,
            "yearly_value": year[:4],
            "yearly_existing": existing,
            "status": made.status,
        },
    )


@router.post(
    "/lagesbild/{report_id}/atgardsprogram", response_class=HTMLResponse, name="yearly_plan"
)
async def yearly_plan(
    request: Request, report_id: PageId, visit: VisitDep, plan: Short = ""
) -> Response:
    """The plan chosen builds on this yearly lägesbild (the plan holds the link)."""
    if not plan.isdigit():
        raise StarletteHTTPException(422, "Välj en plan.")
    await visit.api.update_plan(int(plan), {"situation_report_id": report_id})
    return redirect(request, f"/lagesbild/{report_id}#atgardsprogram")


# The police's statistics ----------------------------------------------------------------------


def _rows_of(form: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The rows typed on the form (brott-N, antal-N, kalla-N), blank ones left out, and
    errors beside the counts that are not whole numbers."""
    rows: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for index in range(MAX_FORM_ROWS):
        offence = str(form.get(f"brott-{index}", ""))[:MAX_FORM_FIELD].strip()
        count = "".join(str(form.get(f"antal-{index}", ""))[:40].split())
        source = str(form.get(f"kalla-{index}", ""))[:MAX_FORM_FIELD].strip()
        if not offence and not count:
            continue
        if not count.isdigit():
            errors[f"antal-{index}"] = "Ange antalet som ett heltal."
            continue
        row: dict[str, Any] = {"offence": offence, "count": int(count)}
        if source:
            row["source"] = source
        rows.append(row)
    return rows, errors


async def police_view(
    request: Request,
    visit: Visit,
    year: int,
    *,
    rows: list[dict[str, str]] | None = None,
    errors: dict[str, str] | None = None,
    problems: list[str] | None = None,
    saved: str = "",
    status: int = 200,
) -> Response:
    assert visit.me.municipality is not None  # the capability says so
    municipality_id = visit.me.municipality.id
    overview = await calls.police_overview(visit.api, municipality_id)
    stats = await calls.police_year(visit.api, municipality_id, year)
    shown = rows
    if shown is None:
        shown = [{"brott": r.offence, "antal": str(r.count), "kalla": r.source} for r in stats.rows]
    return render(
        request,
        "police_statistics.html",
        {
            "nav": "municipality",
            "municipality": visit.me.municipality,
            "overview": overview,
            "stats": stats,
            "year": year,
            "rows": shown + [{"brott": "", "antal": "", "kalla": ""}] * BLANK_ROWS,
            "errors": errors or {},
            "field_labels": {"fil": "Filen"},
            "problems": problems or [],
            "saved": saved,
        },
        status=status,
    )


def _year(ar: str) -> int:
    if ar.isdigit() and 1900 <= int(ar) <= 2099:
        return int(ar)
    return localtime.utcnow().year - 1


@page(router, POLICE_PAGE, name="police_statistics")
async def police_statistics_page(
    request: Request,
    visit: MunicipalDataVisit,
    ar: Annotated[str, Query(max_length=10)] = "",
    sparat: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return await police_view(request, visit, _year(ar), saved=sparat)


@router.post(POLICE_PAGE, response_class=HTMLResponse, name="police_statistics_save")
async def police_statistics_save(request: Request, visit: MunicipalDataVisit) -> Response:
    assert visit.me.municipality is not None
    form = await request.form()
    year = _year(str(form.get("ar", ""))[:10])
    typed = [
        {k: str(form.get(f"{k}-{i}", ""))[:MAX_FORM_FIELD] for k in ("brott", "antal", "kalla")}
        for i in range(MAX_FORM_ROWS)
        if form.get(f"brott-{i}") or form.get(f"antal-{i}")
    ]
    rows, errors = _rows_of(form)
    if not errors:
        saved = await send(
            calls.put_police_year(visit.api, visit.me.municipality.id, year, rows),
            lambda problem: {"form": problem.detail},
        )
        if not isinstance(saved, Refused):
            return redirect(request, f"{POLICE_PAGE}?ar={year}&sparat=rader")
        return await police_view(
            request,
            visit,
            year,
            rows=typed,
            problems=[e.message for e in saved.problem.errors] or [saved.problem.detail],
            status=saved.status,
        )
    return await police_view(request, visit, year, rows=typed, errors=errors, status=422)


@router.post(f"{POLICE_PAGE}/fil", response_class=HTMLResponse, name="police_statistics_file")
async def police_statistics_file(request: Request, visit: MunicipalDataVisit) -> Response:
    assert visit.me.municipality is not None
    form = await request.form(max_part_size=MAX_CSV_BYTES + 1)
    year = _year(str(form.get("ar", ""))[:10])
    upload = form.get("fil")
    source = str(form.get("kalla", ""))[:MAX_FORM_FIELD].strip() or "Brå, anmälda brott"
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await police_view(
            request, visit, year, errors={"fil": "Välj filen från Brå."}, status=422
        )
    content = await upload.read(MAX_CSV_BYTES + 1)
    if len(content) > MAX_CSV_BYTES:
        return await police_view(
            request, visit, year, errors={"fil": "Filen är större än 1 MB."}, status=422
        )
    imported = await send(
        calls.import_police(visit.api, visit.me.municipality.id, content, upload.filename, source),
        lambda problem: {"fil": problem.detail},
    )
    if isinstance(imported, Refused):
        return await police_view(
            request,
            visit,
            year,
            errors=imported.errors,
            problems=[e.message for e in imported.problem.errors if e.field.startswith("file.")],
            status=imported.status,
        )
    latest = max((y.year for y in imported.years), default=year)
    return redirect(request, f"{POLICE_PAGE}?ar={latest}&sparat=fil")

"""The lägesbild: a group's live figures for a period, its drafts written together (saved
over each other without losing a word), published, compared, shown on the projector,
printed and as a PDF.

Mirrors ``api/situation``; the forms are in ``web.forms.situation``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import localtime, swedish
from api.access.schemas import Capability
from api.audit.schemas import Purpose
from web import charts
from web import format as fmt
from web.deps import MAX_FORM_FIELD, PageId, Visit, VisitDep
from web.forms import situation as forms
from web.forms.sending import Refused, send
from web.rendering import page, pdf_answer, redirect, render

router = APIRouter()
# The texts' names are the same in the API and on the form.
TEXT_FIELDS = {name: name for name in forms.FIELDS}


async def map_areas(visit: Visit, figures: Any) -> list[Any]:
    areas = await visit.api.areas()
    if figures.area is not None:
        return [a for a in areas if a.id == figures.area.id]
    return areas


# The yearly lägesbild's own page and print view (lag 2023:196).
YEARLY_TEMPLATES = {
    "situation.html": "situation_year.html",
    "situation_print.html": "situation_year_print.html",
}


async def yearly_context(visit: Visit, report: Any, *, linking: bool = True) -> dict[str, Any]:
    """What the yearly lägesbild's page shows beside a lägesbild's: its survey, the months'
    names, where the police's statistics are entered, and the plans the reader may say
    build on it (those they edit, not yet built on it)."""
    linkable = []
    if linking and Capability.read_steering in visit.me.can:
        built = {p.id for p in report.action_plans}
        linkable = [p for p in await visit.api.plans() if p.may_edit and p.id not in built]
    return {
        "yearly": report.yearly,
        "months": swedish.MONTHS,
        "police_page": f"/kommun/polisstatistik?ar={report.yearly.year}",
        "linkable": linkable,
    }


# The hot-spot map's variant for each template: bigger text on the projector.
MAP_VARIANT = {"situation_show.html": "projector", "situation_print.html": "print"}


async def pictures(visit: Visit, figures: Any, map_variant: str = "page") -> dict[str, Any]:
    """The charts of a lägesbild's figures, drawn as SVG."""
    return {
        "weeks_svg": charts.weeks_chart(figures.weeks),
        "heat_svg": charts.heatmap(figures.weekday_hour, figures.unknown_hour),
        "bars_svg": charts.category_bars(figures.families),
        "map_svg": charts.hot_spot_map(
            await map_areas(visit, figures), figures.hot_spots, variant=map_variant
        ),
    }


def situation_context() -> dict[str, Any]:
    return {
        "weekdays": swedish.WEEKDAYS,
        "trends": swedish.TRENDS,
        "fields": forms.FIELDS,
        "hints": forms.HINTS,
        "statuses": swedish.SITUATION_STATUSES,
        # The projector's hot-spot list shows the map's hot spots, no more, no fewer.
        "spot_limit": charts.SHOWN_SPOTS,
        "now": localtime.utcnow(),
    }


@page(router, "/grupper/{group_id}/lagesbild", name="group_situation")
async def group_situation_page(
    request: Request,
    group_id: PageId,
    visit: VisitDep,
    fran: Annotated[str, Query(max_length=MAX_FORM_FIELD)] = "",
    till: Annotated[str, Query(max_length=MAX_FORM_FIELD)] = "",
) -> Response:
    return await group_situation_view(request, visit, group_id, fran, till)


async def group_situation_view(
    request: Request,
    visit: Visit,
    group_id: int,
    fran: str,
    till: str,
    *,
    refused: str | None = None,
    errors: dict[str, str] | None = None,
    yearly: dict[str, Any] | None = None,
) -> Response:
    """The group's live figures for a period; ``refused``: why a draft of it was not
    started (shown beside the button, with a link to the lägesbild already there);
    ``errors``: why the API took no draft for the period, beside its days; ``yearly``:
    why no yearly lägesbild was started (web.pages.yearly)."""
    group = await visit.api.group(group_id)
    values, typed = forms.period_values(fran, till)
    errors = errors or typed
    figures = None
    if not errors:
        found = await send(
            visit.api.group_figures(
                group_id, first_day=values["fran"] or None, last_day=values["till"] or None
            ),
            forms.PERIOD_FIELDS,
            refusals={422},
            other="fran",
        )
        if isinstance(found, Refused):
            errors = found.errors
        else:
            figures = found
    if figures is not None and not errors:
        values = {"fran": figures.period.first_day.isoformat(),
                  "till": figures.period.last_day.isoformat()}  # fmt: skip
    reports = await visit.api.situation_reports(group_id)
    existing = None
    if refused and figures is not None:
        # The one the API pointed to: the latest version of the period's lägesbild.
        same = [
            r
            for r in reports
            if (r.first_day, r.last_day) == (figures.period.first_day, figures.period.last_day)
        ]
        existing = max(same, key=lambda r: (r.version, r.id), default=None)
    return render(
        request,
        "situation_group.html",
        {
            **situation_context(),
            "group": group,
            "reports": reports,
            "figures": figures,
            **(await pictures(visit, figures) if figures else {}),
            "values": values,
            "errors": errors,
            "refused": refused,
            "existing": existing,
            **(yearly or {}),
        },
        block="figures",
        status=(yearly or {}).get("status") or (422 if errors else 409 if refused else 200),
    )


@router.post("/grupper/{group_id}/lagesbild", response_class=HTMLResponse, name="new_situation")
async def new_situation(
    request: Request,
    group_id: PageId,
    visit: VisitDep,
    fran: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    till: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
) -> Response:
    values, errors = forms.period_values(fran, till)
    if errors:
        raise StarletteHTTPException(422, next(iter(errors.values())))
    report = await send(
        visit.api.create_situation_report(
            group_id, first_day=values["fran"] or None, last_day=values["till"] or None
        ),
        forms.PERIOD_FIELDS,
        refusals={409, 422},
        other="fran",
    )
    if isinstance(report, Refused) and report.status == 422:
        return await group_situation_view(
            request, visit, group_id, fran, till, errors=report.errors
        )
    if isinstance(report, Refused):
        return await group_situation_view(
            request, visit, group_id, fran, till, refused=report.problem.detail
        )
    return redirect(request, f"/lagesbild/{report.id}")


async def situation_view(
    request: Request,
    visit: Visit,
    report_id: int,
    *,
    template: str = "situation.html",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    conflict: dict[str, list[tuple[str, str]]] | None = None,
    period: dict[str, str] | None = None,
    confirm: bool = False,
    status: int = 200,
    purpose: Purpose | None = None,
) -> Response:
    report, etag = await visit.api.situation_report(report_id, purpose=purpose)
    texts = {name: getattr(report, name) for name in forms.FIELDS}
    extra: dict[str, Any] = {}
    if report.yearly is not None:
        template = YEARLY_TEMPLATES.get(template, template)
        extra = await yearly_context(visit, report, linking=template == "situation_year.html")
    return render(
        request,
        template,
        {
            **situation_context(),
            **extra,
            "fields": forms.fields_for(report.kind.value),
            "report": report,
            # What the form starts from, to tell what the person changed when it is sent.
            "base": texts,
            "figures": report.figures,
            **(await pictures(visit, report.figures, MAP_VARIANT.get(template, "page"))),
            "etag": etag,
            "f": {**texts, **(values or {})},
            "errors": errors or {},
            "conflict": conflict or {},
            "period": period,
            "confirm": confirm,
        },
        status=status,
    )


# ":int", so that "/lagesbild/5.pdf" goes to the PDF.
@page(router, "/lagesbild/{report_id:int}", name="situation")
async def situation_page(request: Request, report_id: PageId, visit: VisitDep) -> Response:
    return await situation_view(request, visit, report_id)


@router.post("/lagesbild/{report_id:int}", response_class=HTMLResponse, name="situation_save")
async def situation_save(request: Request, report_id: PageId, visit: VisitDep) -> Response:
    form = await request.form()
    typed, errors = forms.text_form(form)
    # Only what this person changed is sent: a field they left alone must not put back
    # the text they happened to load, over what someone else has saved since.
    values = {k: v for k, v in typed.items() if v != form.get(f"{k}_fore")}
    etag = str(form.get("etag", ""))[:200]
    if errors:
        return await situation_view(
            request, visit, report_id, values=typed, errors=errors, status=422
        )
    if not values:
        return redirect(request, f"/lagesbild/{report_id}?sparad=1")
    body: dict[str, Any] = dict(values)
    if form.get("bekrafta") == "ja":
        body["confirm_personal_data"] = True
    refusals = {409, 412, 422}
    saved = await send(
        visit.api.update_situation_report(report_id, body, etag=etag),
        TEXT_FIELDS,
        refusals=refusals,
    )
    if isinstance(saved, Refused):
        if saved.status != 412:
            return await situation_refused(request, visit, report_id, values, saved)
        # Someone saved first. Where they changed other fields than this person did,
        # both changes stand (saved again on the newer version); where they changed the
        # same field, show what they wrote beside what this person wrote, keep this
        # person's text in the form, and let them save again on purpose.
        current, fresh = await visit.api.situation_report(report_id)
        clashes = {
            name: fmt.word_diff(getattr(current, name), values[name])
            for name in values
            if getattr(current, name) not in {form.get(f"{name}_fore"), values[name]}
        }
        if clashes:
            return await situation_view(
                request, visit, report_id, values=values, conflict=clashes, status=409
            )
        again = await send(
            visit.api.update_situation_report(report_id, body, etag=fresh),
            TEXT_FIELDS,
            refusals=refusals,
        )
        if isinstance(again, Refused):
            if again.status == 412:
                raise StarletteHTTPException(
                    409, "Lägesbilden ändras just nu av flera; försök igen."
                )
            return await situation_refused(request, visit, report_id, values, again)
    return redirect(request, f"/lagesbild/{report_id}?sparad=1")


async def situation_refused(
    request: Request, visit: Visit, report_id: int, values: dict[str, str], refused: Refused
) -> Response:
    """The API refused the text: the reasons beside the fields, the text kept."""
    return await situation_view(
        request,
        visit,
        report_id,
        values=values,
        errors=refused.errors,
        confirm=any(e.code == "personal_data" for e in refused.problem.errors),
        status=refused.status,
    )


@router.post("/lagesbild/{report_id}/period", response_class=HTMLResponse, name="situation_period")
async def situation_period(
    request: Request,
    report_id: PageId,
    visit: VisitDep,
    fran: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    till: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    etag: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    values, errors = forms.period_values(fran, till)
    if not values["fran"] or not values["till"]:
        errors.setdefault("fran", "Ange periodens första och sista dag.")
    if not errors:
        sent = await send(
            visit.api.update_situation_report(
                report_id, {"first_day": values["fran"], "last_day": values["till"]}, etag=etag
            ),
            forms.PERIOD_FIELDS,
            refusals={409, 412, 422},
        )
        if isinstance(sent, Refused):
            errors = sent.errors
    if errors:
        return await situation_view(
            request, visit, report_id, errors=errors, period=values, status=422
        )
    return redirect(request, f"/lagesbild/{report_id}")


@router.post(
    "/lagesbild/{report_id}/publicera", response_class=HTMLResponse, name="situation_publish"
)
async def situation_publish(
    request: Request,
    report_id: PageId,
    visit: VisitDep,
    etag: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    sent = await send(
        visit.api.publish_situation_report(report_id, etag=etag), {}, refusals={409, 412}
    )
    if isinstance(sent, Refused):
        return await situation_view(
            request, visit, report_id, errors=sent.errors, status=sent.status
        )
    return redirect(request, f"/lagesbild/{report_id}")


@router.post(
    "/lagesbild/{report_id}/ny-version", response_class=HTMLResponse, name="situation_version"
)
async def situation_version(request: Request, report_id: PageId, visit: VisitDep) -> Response:
    report = await send(visit.api.new_situation_version(report_id), {}, refusals={409})
    if isinstance(report, Refused):
        return await situation_view(
            request, visit, report_id, errors=report.errors, status=report.status
        )
    return redirect(request, f"/lagesbild/{report.id}")


@page(router, "/lagesbild/{report_id}/jamfor/{other_id}", name="situation_compare")
async def situation_compare(
    request: Request, report_id: PageId, other_id: PageId, visit: VisitDep
) -> Response:
    comparison = await visit.api.compare_situation_reports(report_id, other_id)
    report, _etag = await visit.api.situation_report(report_id)
    return render(
        request,
        "situation_compare.html",
        {
            **situation_context(),
            "report": report,
            "comparison": comparison,
            "diffs": {
                change.field: fmt.word_diff(change.before, change.after)
                for change in comparison.texts
            },
        },
    )


@page(router, "/lagesbild/{report_id}/visning", name="situation_show")
async def situation_show(request: Request, report_id: PageId, visit: VisitDep) -> Response:
    return await situation_view(request, visit, report_id, template="situation_show.html")


@page(router, "/lagesbild/{report_id}/utskrift", name="situation_print")
async def situation_print(request: Request, report_id: PageId, visit: VisitDep) -> Response:
    return await situation_view(
        request, visit, report_id, template="situation_print.html", purpose="print"
    )


@router.get("/lagesbild/{report_id}.pdf", name="situation_pdf")
async def situation_pdf(request: Request, report_id: PageId, visit: VisitDep) -> Response:
    report, _etag = await visit.api.situation_report(report_id, purpose="pdf")
    context = {
        **situation_context(),
        "report": report,
        "figures": report.figures,
        **(await pictures(visit, report.figures, "print")),
    }
    name = f"lagesbild-{report.group.name}-{report.first_day}-{report.last_day}"
    template = "situation_print.html"
    if report.yearly is not None:
        # The yearly lägesbild (lag 2023:196): its own print view, named for its year.
        name = f"lagesbild-{report.yearly.year}-{report.group.name}"
        template = YEARLY_TEMPLATES[template]
        context |= {**(await yearly_context(visit, report, linking=False)), "fields": forms.FIELDS}
    return await pdf_answer(request, template, context, f"{name}-v{report.version}")

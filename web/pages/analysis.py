"""A group's analysis: significant hot spots (Gi*) beside the lägesbild's hot spots, and
emerging hot spots over the last time steps, each method explained on the page; and the same
page for the analysis a published lägesbild keeps, as it was when it was published.

Mirrors ``api/analysis``; the period's form is the lägesbild's (``web.forms.situation``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api import swedish
from api.analysis.schemas import Analysis
from api.situation.schemas import Figures
from web import charts
from web.deps import MAX_FORM_FIELD, PageId, Visit, VisitDep
from web.forms import situation as forms
from web.forms.sending import Refused, send
from web.pages.situation import map_areas, situation_context
from web.rendering import page, render

router = APIRouter()
# The API names the period's days ``from`` and ``to`` in the query, ``first_day`` and
# ``last_day`` where it judges them.
PERIOD_FIELDS = {**forms.PERIOD_FIELDS, "from": "fran", "to": "till"}
SHOWN_CELLS = 10


@page(router, "/grupper/{group_id}/analys", name="group_analysis")
async def group_analysis_page(
    request: Request,
    group_id: PageId,
    visit: VisitDep,
    fran: Annotated[str, Query(max_length=MAX_FORM_FIELD)] = "",
    till: Annotated[str, Query(max_length=MAX_FORM_FIELD)] = "",
) -> Response:
    group = await visit.api.group(group_id)
    values, errors = forms.period_values(fran, till)
    analysis = figures = None
    if not errors:
        days = {"first_day": values["fran"] or None, "last_day": values["till"] or None}
        found = await send(
            visit.api.group_analysis(group_id, **days),
            PERIOD_FIELDS,
            refusals={422},
            other="fran",
        )
        if isinstance(found, Refused):
            errors = found.errors
        else:
            analysis = found
            period = {"first_day": found.period.first_day.isoformat(),
                      "last_day": found.period.last_day.isoformat()}  # fmt: skip
            figures = await visit.api.group_figures(group_id, **period)
            values = {"fran": period["first_day"], "till": period["last_day"]}
    context = {
        "group": group,
        "kind": group.kind.value,
        "report": None,
        "missing": None,
        "values": values,
        "errors": errors,
    }
    return await _render(request, visit, context, analysis, figures, status=422 if errors else 200)


@page(router, "/lagesbild/{report_id:int}/analys", name="situation_analysis")
async def situation_analysis_page(request: Request, report_id: PageId, visit: VisitDep) -> Response:
    """The analysis a published lägesbild keeps, beside its frozen figures' hot spots; a
    draft's and an old one's page says why it has none."""
    report, _etag = await visit.api.situation_report(report_id)
    found = await send(visit.api.situation_report_analysis(report_id), {}, refusals={404})
    context = {
        "group": report.group,
        "kind": report.group_kind,
        "report": report,
        "missing": found.problem.detail if isinstance(found, Refused) else None,
    }
    analysis = None if isinstance(found, Refused) else found
    return await _render(request, visit, context, analysis, report.figures)


async def _render(
    request: Request,
    visit: Visit,
    context: dict[str, Any],
    analysis: Analysis | None,
    figures: Figures | None,
    *,
    status: int = 200,
) -> Response:
    """The analysis's page: a group's of a period, or a lägesbild's (``report``), as the
    context says."""
    context = {
        **situation_context(),
        **context,
        "analysis": analysis,
        "figures": figures,
        "shown_cells": SHOWN_CELLS,
        "classes": swedish.EMERGING_CLASSES,
        "meanings": swedish.EMERGING_MEANINGS,
    }
    if analysis is not None and figures is not None:
        context["map_svg"] = charts.hot_spot_map(
            await map_areas(visit, figures),
            figures.hot_spots,
            ident="analyskarta",
            cells=analysis.significant.hot,
            cell_m=analysis.significant.cell_m,
        )
    return render(request, "analysis.html", context, block="analysis", status=status)

"""Observations: the list and the map with their filters, one incident (correcting and
withdrawing it), and filing a report of one or several incidents.

Mirrors ``api/incidents``; the forms are in ``web.forms.incidents``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import localtime, swedish
from api.schemas_common import MAX_SEARCH
from web import auth, client_photos, client_streams
from web import client_own as own
from web import format as fmt
from web.choices import choices
from web.deps import (
    MAX_FORM_FIELD,
    MunicipalDataVisit,
    PageId,
    ReportVisit,
    Visit,
    VisitDep,
    address,
    client_of,
)
from web.forms import incidents as forms
from web.forms.period import period_days
from web.forms.sending import Refused, send, unless
from web.map_shapes import offered_shapes
from web.pages import photos
from web.rendering import is_fragment_request, page, redirect, render, settings_of

router = APIRouter()


@dataclass(frozen=True)
class IncidentQuery:
    """The incident filters of the list and the map, as the page's form sends them."""

    values: dict[str, str]
    api: dict[str, Any]
    errors: dict[str, str]

    @property
    def kept(self) -> dict[str, str]:
        return {k: v for k, v in self.values.items() if v}

    @property
    def query_string(self) -> str:
        return "?" + urlencode(self.kept) if self.kept else ""


def incident_query(
    omrade: str = "",
    kategori: str = "",
    fran: str = "",
    till: str = "",
    bedomning: str = "",
    q: str = "",
) -> IncidentQuery:
    since, until, errors = period_days(fran, till)
    if omrade and fmt.parse_id(omrade) is None:
        errors["omrade"] = "Välj ett område i listan."
    if bedomning and bedomning not in swedish.ASSESSMENTS:
        errors["bedomning"] = "Välj i listan."
    if len(q) > MAX_SEARCH:
        errors["q"] = f"Sök med högst {MAX_SEARCH} tecken."
    values = {
        "omrade": omrade,
        "kategori": kategori[:64],
        "fran": fran[:10],
        "till": till[:10],
        "bedomning": bedomning,
        "q": q[:MAX_SEARCH],
    }
    api = {
        "area": omrade or None,
        "category": kategori or None,
        "since": fmt.start_of_day(since) if since else None,
        "until": fmt.start_of_day(until, days=1) if until else None,
        "assessment": bedomning or None,
        "q": q.strip() or None,
    }
    return IncidentQuery(values, api, errors)


IncidentQueryDep = Annotated[IncidentQuery, Depends(incident_query)]


@page(router, "/handelser", name="incidents")
async def incidents_page(
    request: Request, visit: MunicipalDataVisit, query: IncidentQueryDep, cursor: str = ""
) -> Response:
    items: list[Any] = []
    more = None
    errors = dict(query.errors)
    if not errors:
        found = await send(
            visit.api.incidents(**query.api, cursor=cursor[:200] or None),
            {},
            refusals={422},
            other="q",
        )
        if isinstance(found, Refused):
            errors = found.errors
        else:
            items = found.items
            if found.next:
                next_cursor = parse_qs(urlsplit(found.next).query).get("cursor", [""])[0]
                more = "/handelser?" + urlencode({**query.kept, "cursor": next_cursor})
    return render(
        request,
        "incidents.html",
        {
            **await choices(visit),
            **query.values,
            "incidents": items,
            "errors": errors,
            "more": more,
            "map_link": "/karta" + query.query_string,
            "csv_link": "/handelser.csv" + query.query_string,
            "assessments": swedish.ASSESSMENTS,
        },
        status=422 if errors else 200,
    )


@page(router, "/karta", name="map")
async def map_page(
    request: Request, visit: MunicipalDataVisit, query: IncidentQueryDep
) -> Response:
    items = [] if query.errors else (await visit.api.incidents(**query.api, limit=50)).items
    offered = await choices(visit)
    return render(
        request,
        "map.html",
        {
            **offered,
            "shapes": await offered_shapes(visit, offered, places=False),
            **query.values,
            "incidents": items,
            "errors": query.errors,
            "geojson": "/karta.geojson" + query.query_string,
            "list_link": "/handelser" + query.query_string,
            "assessments": swedish.ASSESSMENTS,
        },
        status=422 if query.errors else 200,
    )


@router.get("/karta.geojson", name="map_geojson")
async def map_geojson(visit: VisitDep, query: IncidentQueryDep) -> Response:
    if query.errors:
        raise StarletteHTTPException(422, "; ".join(query.errors.values()))
    chunks = await client_streams.incidents_geojson(visit.api, **query.api)
    return StreamingResponse(
        chunks, media_type="application/geo+json", headers={"Cache-Control": "no-store"}
    )


@router.get("/handelser.csv", name="incidents_csv")
async def incidents_csv(visit: VisitDep, query: IncidentQueryDep) -> Response:
    """The list as the API's CSV for Excel, with the list's filters, for the signed-in
    person (the API's CSV wants their token, which the browser does not hold): streamed on
    as it comes, with the API's file name, and logged by the API as an export."""
    if query.errors:
        raise StarletteHTTPException(422, "; ".join(query.errors.values()))
    streamed = await client_streams.incidents_csv(visit.api, **query.api)
    return StreamingResponse(
        streamed.chunks, headers={**streamed.headers, "Cache-Control": "no-store"}
    )


@page(router, "/handelser/{incident_id}", name="incident")
async def incident_page(request: Request, incident_id: PageId, visit: VisitDep) -> Response:
    return await incident_view(request, visit, incident_id)


async def incident_view(
    request: Request,
    visit: Visit,
    incident_id: int,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    incident = await visit.api.incident(incident_id)
    # Earlier versions are for those who may change the incident.
    history = await unless(visit.api.incident_history(incident_id), 403)
    if any(outcome.feedback for outcome in incident.outcomes):
        # Its reporter has now read the feedback (the start page's mark); others are not
        # its reporter, which the API answers with 404.
        await unless(own.mark_report_seen(visit.api, incident_id), 404)
    return render(
        request,
        "incident.html",
        {
            "incident": incident,
            "history": history or [],
            "assessments": swedish.ASSESSMENTS,
            "certainties": swedish.CERTAINTIES,
            "police": swedish.POLICE_REPORTED,
            "reasons": swedish.WITHDRAW_REASONS,
            "errors": errors or {},
        },
        status=status,
    )


async def edit_form(
    request: Request,
    visit: Visit,
    incident: Any,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    listed = await choices(visit)
    codes = {c.code for family, kids in listed["families"] for c in [family, *kids]}
    return render(
        request,
        "incident_edit.html",
        {
            **listed,
            # An old incident may stand on a category or area no longer offered.
            "category_listed": incident.category.code in codes,
            "area_listed": any(a.id == incident.area.id for a in listed["areas"]),
            "incident": incident,
            "f": values,
            "errors": errors or {},
            "assessments": swedish.ASSESSMENTS,
            "certainties": swedish.CERTAINTIES,
            "police": swedish.POLICE_REPORTED,
        },
        status=status,
    )


@page(router, "/handelser/{incident_id}/andra", name="edit_incident")
async def edit_incident_page(request: Request, incident_id: PageId, visit: VisitDep) -> Response:
    incident = await visit.api.incident(incident_id)
    if not incident.may_edit:
        # The API says who may (its refusal of a change); the page only that this one may not.
        raise StarletteHTTPException(403, "Du kan inte ändra den här händelsen.")
    return await edit_form(request, visit, incident, forms.edit_values(incident))


@router.post("/handelser/{incident_id}/andra", response_class=HTMLResponse, name="edit_submit")
async def edit_incident_submit(request: Request, incident_id: PageId, visit: VisitDep) -> Response:
    incident = await visit.api.incident(incident_id)
    form = await request.form()
    values = {k: str(form.get(k, ""))[:2000] for k in forms.EDIT_FIELDS}
    body, errors = forms.edit_body(values, forms.edit_values(incident))
    if not errors:
        sent = await send(visit.api.update_incident(incident_id, body), forms.edit_errors)
        if isinstance(sent, Refused):
            errors = sent.errors
    if errors:
        return await edit_form(request, visit, incident, values, errors, status=422)
    return redirect(request, f"/handelser/{incident_id}")


@router.post("/handelser/{incident_id}/aterkalla", response_class=HTMLResponse, name="withdraw")
async def withdraw(
    request: Request,
    incident_id: PageId,
    visit: VisitDep,
    orsak: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    bekraftat: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
) -> Response:
    """Two steps, without JavaScript too: a reason chosen (none is chosen for the reporter),
    then a page that asks "Återkalla?" before anything changes (#18)."""
    if orsak not in swedish.WITHDRAW_REASONS:
        return await incident_view(
            request,
            visit,
            incident_id,
            errors={"orsak": "Välj varför händelsen återkallas."},
            status=422,
        )
    if bekraftat != "ja":
        incident = await visit.api.incident(incident_id)
        return render(
            request,
            "incident_withdraw.html",
            {"incident": incident, "reason": orsak, "reasons": swedish.WITHDRAW_REASONS},
        )
    await visit.api.withdraw_incident(incident_id, orsak)
    return redirect(request, f"/handelser/{incident_id}")


@router.post(
    "/handelser/{incident_id}/angra-aterkallande", response_class=HTMLResponse, name="restore"
)
async def restore(request: Request, incident_id: PageId, visit: VisitDep) -> Response:
    await own.restore_incident(visit.api, incident_id)
    return redirect(request, f"/handelser/{incident_id}")


@router.post("/handelser/{incident_id}/bilder", response_class=HTMLResponse, name="add_photo")
async def add_photo(request: Request, incident_id: PageId, visit: VisitDep) -> Response:
    """A photo added later (#20), by those who may correct the incident."""
    form = await request.form()
    settings = settings_of(request)
    sent = await photos.sent_photo(form.get("bild"), settings)
    if sent is None:
        message = "Välj en bild."
    else:
        added = await send(
            client_photos.upload_photo(
                visit.api,
                f"incidents/{incident_id}/photos",
                sent.data,
                sent.filename,
                form.get("bildposition") == "ja",
            ),
            lambda problem: {},
            refusals={409, 413, 422},
        )
        if not isinstance(added, Refused):
            return redirect(request, f"/handelser/{incident_id}?sparat=bild")
        message = photos.problem_message(added.status, added.problem, settings)
    return await incident_view(request, visit, incident_id, errors={"bild": message}, status=422)


@router.post(
    "/handelser/{incident_id}/bilder/{photo_id}/ta-bort",
    response_class=HTMLResponse,
    name="remove_photo",
)
async def remove_photo(
    request: Request, incident_id: PageId, photo_id: PageId, visit: VisitDep
) -> Response:
    await client_photos.delete_photo(visit.api, f"incidents/{incident_id}/photos/{photo_id}")
    return redirect(request, f"/handelser/{incident_id}?sparat=bild-bort")


@router.post(
    "/handelser/{incident_id}/matchningar/{match_id}/angra",
    response_class=HTMLResponse,
    name="undo_match",
)
async def undo_match(
    request: Request, incident_id: PageId, match_id: PageId, visit: VisitDep
) -> Response:
    await visit.api.undo_match(incident_id, match_id)
    return redirect(request, f"/handelser/{incident_id}")


async def report_form(
    request: Request,
    visit: Visit,
    items: list[forms.IncidentForm],
    *,
    key: str,
    opened: dt.datetime,
    errors: dict[str, str] | None = None,
    status: int = 200,
    removing: int | None = None,
) -> Response:
    offered = await choices(visit)
    return render(
        request,
        "report.html",
        {
            **report_choices(opened),
            **offered,
            "shapes": await offered_shapes(visit, offered),
            "forms": forms.as_dicts(items),
            "key": key,
            "opened": opened.isoformat(timespec="minutes"),
            "errors": errors or {},
            "removing": removing,
        },
        status=status,
    )


def report_choices(opened: dt.datetime) -> dict[str, Any]:
    """What each incident of the form offers to choose from."""
    return {
        "when": {**forms.WHEN, "kvall": forms.evening(opened)[2]},
        "assessments": swedish.ASSESSMENTS,
        "certainties": swedish.CERTAINTIES,
        "police": swedish.POLICE_REPORTED,
        "systems": swedish.COORDINATE_SYSTEMS,
        "max_incidents": forms.MAX_INCIDENTS,
    }


def report_opened(form: Any) -> tuple[str, dt.datetime]:
    """The report's Idempotency-Key and when the form was opened (hidden fields)."""
    key = str(form.get("nyckel", ""))[:100] or str(uuid.uuid4())
    # "Nu" is when the form was opened: a second press of "Skicka" sends the same report,
    # which the Idempotency-Key then files once.
    return key, forms.opened_at(str(form.get("oppnad", ""))) or localtime.utcnow()


@page(router, "/rapportera", name="report")
async def report_page(request: Request, visit: ReportVisit) -> Response:
    # The reporter's own area to start with; a point given later decides instead.
    own = forms.own_area(visit.me, await visit.api.groups())
    first = forms.IncidentForm(omrade=own, forvalt=own)
    return await report_form(
        request, visit, [first], key=str(uuid.uuid4()), opened=localtime.utcnow()
    )


@router.post("/rapportera/handelse", response_class=HTMLResponse, name="report_add")
async def report_add(request: Request, visit: VisitDep) -> Response:
    """One more incident, in place (htmx): only the new block, numbered after every block on
    the page (those taken out with an undo too), and the form's new count beside it."""
    form = await request.form()
    items = forms.read_forms(form, kept=False)
    key, opened = report_opened(form)
    if not is_fragment_request(request):
        # A whole page asked for it: the form as "Lägg till" without JavaScript answers.
        kept = forms.read_forms(form)
        if len(kept) < forms.MAX_INCIDENTS:
            kept.append(forms.next_form(kept))
        return await report_form(request, visit, kept, key=key, opened=opened)
    if len(items) >= forms.MAX_INCIDENTS:
        return Response(status_code=204)
    index = len(items)
    return render(
        request,
        "report.html",
        {
            **report_choices(opened),
            **await choices(visit),
            "f": asdict(forms.next_form(items)),
            "i": index,
            "fragment": True,
            "errors": {},
            "removing": None,
        },
        block="incident",
    )


@router.post("/rapportera", response_class=HTMLResponse, name="report_submit")
async def report_submit(request: Request, visit: VisitDep) -> Response:
    form = await request.form()
    items = forms.read_forms(form)
    key, opened = report_opened(form)
    action = str(form.get("atgard", "skicka"))
    if action == "lagg-till":
        if len(items) < forms.MAX_INCIDENTS:
            items.append(forms.next_form(items))
        return await report_form(request, visit, items, key=key, opened=opened)
    if action.startswith(("ta-bort-", "bekrafta-ta-bort-")) and len(items) > 1:
        # Removing asks first: the text typed in it would be gone.
        at = fmt.parse_id(action.rsplit("-", 1)[1])
        confirmed = action.startswith("bekrafta-")
        if at is not None and at < len(items) and confirmed:
            del items[at]
        removing = at if at is not None and at < len(items) and not confirmed else None
        return await report_form(request, visit, items, key=key, opened=opened, removing=removing)
    if action != "skicka":
        # Only "Skicka rapporten" sends ("Behåll", or a removal that cannot be, draws again).
        return await report_form(request, visit, items, key=key, opened=opened)
    incidents, errors = forms.to_api(items, opened)
    if errors:
        return await report_form(
            request, visit, items, key=key, opened=opened, errors=errors, status=422
        )
    report = await send(
        visit.api.file_report({"incidents": incidents}, key=key),
        lambda problem: forms.api_errors(problem.errors, items) or {"rapport": problem.detail},
    )
    if isinstance(report, Refused):
        if report.problem.code == "idempotency_key_reused":
            # The report with this key was changed after it was sent: a new one is new.
            key = str(uuid.uuid4())
        return await report_form(
            request,
            visit,
            items,
            key=key,
            opened=opened,
            errors=report.errors,
            status=report.status,
        )
    moved = report.notice is not None
    if moved:
        # Filed in another of the person's municipalities (its point lay there, #21): the
        # photos go there, and the person acts there from now on (the account menu's choice).
        there = client_of(request).acting_for(
            auth.session_token(request), address(request), report.municipality_id
        )
        visit = Visit(there, visit.me)
    refused = await _report_photos(request, visit, report.incidents, form, key)
    words = [("skickad", "1"), *(("bildfel", word) for word in refused)]
    query = urlencode([*words, ("flyttad", "1")] if moved else words)
    response = redirect(request, f"/rapporter/{report.id}?{query}")
    if moved:
        home = visit.me.municipalities[0].id
        chosen = None if report.municipality_id == home else report.municipality_id
        auth.choose_municipality(request, response, chosen)
    return response


async def _report_photos(
    request: Request, visit: Visit, incidents: list[Any], form: Any, key: str
) -> list[str]:
    """Each incident's photo (#20) to the incident just filed, in the form's order. The
    report stands whatever becomes of them: one refused is named ``<incident id>-<why>``
    for the receipt page. A retry of the form sends the same keys, so each is added once."""
    settings = settings_of(request)
    refused = []
    for index, ((value, consent), incident) in enumerate(
        zip(forms.photo_fields(form), incidents, strict=False)
    ):
        sent = await photos.sent_photo(value, settings)
        if sent is None:
            continue
        if len(sent.data) > settings.photo_max_bytes:
            refused.append(f"{incident.id}-storlek")
            continue
        added = await send(
            client_photos.upload_photo(
                visit.api,
                f"incidents/{incident.id}/photos",
                sent.data,
                sent.filename,
                consent,
                key=f"{key}-bild-{index}",
            ),
            lambda problem: {},
            refusals={409, 413, 422},
        )
        if isinstance(added, Refused):
            refused.append(f"{incident.id}-{photos.refusal_word(added.status)}")
    return refused


@page(router, "/rapporter/{report_id}", name="report_done")
async def report_done(request: Request, report_id: PageId, visit: VisitDep) -> Response:
    report = await visit.api.report(report_id)
    settings = settings_of(request)
    photo_refusals = {}
    for named in request.query_params.getlist("bildfel")[: forms.MAX_INCIDENTS]:
        incident, _, word = named.partition("-")
        photo_refusals[incident] = photos.refusal_message(word, settings)
    return render(
        request,
        "report_done.html",
        {
            "report": report,
            "assessments": swedish.ASSESSMENTS,
            "photo_refusals": photo_refusals,
        },
    )

"""Night walks (#19): the walks and a phone-first booking form, one walk with its report
after it (what was seen, and observations in blocks as the report form has them), an
association's register of trained hosts, and the grant report per term (page, CSV, PDF).

Mirrors ``api/nightwalks``; what a person may do comes from the API (``may_manage``, the
associations the booking offers, ``may_read_grants``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from api import localtime, swedish
from api.nightwalks.schemas import MAX_OBSERVATIONS, NightWalkRead, term_of
from api.schemas_common import Problem
from web import client_nightwalks as walks_api
from web import format as fmt
from web.choices import choices
from web.deps import PageId, Visit, VisitDep
from web.forms.sending import Refused, field_errors, send
from web.rendering import finish, page, pdf_answer, redirect, render

router = APIRouter()

# The booking form's fields by the API's names.
BOOKING_FIELDS = {
    "organisation_id": "forening",
    "evening_id": "kvall",
    "walkers": "vandrare",
    "host_ids": "vardar",
    "starts_at": "start",
    "ends_at": "slut",
    "route": "rutt",
}
REPORT_FIELDS = {
    "started_at": "start",
    "ended_at": "slut",
    "walkers": "vandrare",
    "seen": "sett",
}
# An observation block's fields by the API's names (the block's prefix before them).
OBSERVATION_FIELDS = {
    "category": "kategori",
    "at": "tid",
    "area_id": "omrade",
    "position": "omrade",
    "place_id": "plats",
    "assessment": "bedomning",
    "text": "text",
}
BLOCK = ["kategori", "tid", "omrade", "plats", "bedomning", "text"]
HOST_FIELDS = {"name": "namn", "trained_on": "utbildad"}
# The terms the grant page offers: this one and those before it.
TERMS_BACK = 6
# Before noon is after midnight: an evening's walk ends in the night.
NOON = dt.time(12)


def _values(form: FormData, names: list[str]) -> dict[str, str]:
    return {name: str(form.get(name, ""))[:2000] for name in names}


def _moment(day: dt.date, text: str) -> str | None:
    """A time of the evening of ``day`` as the API takes it (local, no offset): before noon
    it is the night after."""
    time = fmt.parse_time(text)
    if time is None:
        return None
    moment = dt.datetime.combine(day + dt.timedelta(days=1 if time < NOON else 0), time)
    return moment.isoformat(timespec="minutes")


def _evening_day(starts_at: dt.datetime) -> dt.date:
    return starts_at.astimezone(localtime.STOCKHOLM).date()


def _hhmm(moment: dt.datetime) -> str:
    return f"{moment.astimezone(localtime.STOCKHOLM):%H:%M}"


# The walks, and booking one -------------------------------------------------------------------


async def walks_view(
    request: Request,
    visit: Visit,
    *,
    values: dict[str, str] | None = None,
    chosen: set[int] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    evening: int | None = None,
) -> Response:
    booking = await walks_api.booking(visit.api)
    listed = await walks_api.walks(visit.api, evening=evening)
    now = localtime.utcnow()
    if values is None:
        upcoming = [e for e in booking.evenings if e.ends_at >= now] or booking.evenings
        chosen_evening = evening or (upcoming[0].id if upcoming else None)
        values = {
            "forening": str(booking.associations[0].id) if booking.associations else "",
            "kvall": str(chosen_evening or ""),
            "vandrare": "3",
            "start": "19:00",
            "slut": "23:00",
            "rutt": "",
        }
    return render(
        request,
        "nightwalks.html",
        {
            "booking": booking,
            # The next first; those held, the latest first.
            "upcoming": sorted((w for w in listed if w.ends_at >= now), key=lambda w: w.starts_at),
            "held": sorted(
                (w for w in listed if w.ends_at < now), key=lambda w: w.starts_at, reverse=True
            ),
            "kinds": swedish.EVENING_KINDS,
            "f": values,
            "chosen": chosen or set(),
            "errors": errors or {},
            "now": now,
            "evening": evening,
        },
        status=status,
    )


@page(router, "/nattvandringar", name="night_walks")
async def walks_page(request: Request, visit: VisitDep, kvall: str = "") -> Response:
    """All the walks the person reads; with ``?kvall=``, an evening's (the evening's page
    links here), and that evening chosen in the booking form."""
    return await walks_view(request, visit, evening=fmt.parse_id(kvall[:20]))


@router.post("/nattvandringar", response_class=HTMLResponse, name="book_night_walk")
async def book_walk(request: Request, visit: VisitDep) -> Response:
    form = await request.form()
    values = _values(form, ["forening", "kvall", "vandrare", "start", "slut", "rutt"])
    chosen = fmt.parse_ids(form.getlist("vard"))[:50]
    booking = await walks_api.booking(visit.api)
    evening = next((e for e in booking.evenings if str(e.id) == values["kvall"]), None)
    errors: dict[str, str] = {}
    if evening is None:
        errors["kvall"] = "Välj kvällen ni vandrar."
    if fmt.parse_id(values["forening"]) is None:
        errors["forening"] = "Välj föreningen som vandrar."
    walkers = values["vandrare"].strip()
    if not walkers.isdigit():
        errors["vandrare"] = "Skriv hur många som vandrar, med siffror."
    day = _evening_day(evening.starts_at) if evening else localtime.today()
    starts, ends = _moment(day, values["start"]), _moment(day, values["slut"])
    if starts is None:
        errors["start"] = "Skriv tiden som TT:MM, till exempel 19:00."
    if ends is None:
        errors["slut"] = "Skriv tiden som TT:MM, till exempel 23:00."
    if not errors and evening is not None:
        made = await send(
            walks_api.book(
                visit.api,
                {
                    "evening_id": evening.id,
                    "organisation_id": fmt.parse_id(values["forening"]),
                    "walkers": int(walkers),
                    "host_ids": chosen,
                    "starts_at": starts,
                    "ends_at": ends,
                    "route": values["rutt"].strip() or None,
                },
            ),
            BOOKING_FIELDS,
        )
        if not isinstance(made, Refused):
            return redirect(request, f"/nattvandringar/{made.id}?sparat=bokad")
        errors = made.errors
    return await walks_view(
        request, visit, values=values, chosen=set(chosen), errors=errors, status=422
    )


# The grant report (before the walk's own address, which takes any number) -------------------


def _terms() -> list[str]:
    today = localtime.today()
    terms = []
    year, spring = today.year, today.month <= 6
    for _ in range(TERMS_BACK):
        terms.append(f"{year}-{'VT' if spring else 'HT'}")
        year, spring = (year - 1, False) if spring else (year, True)
    return terms


async def _grants(visit: Visit, term: str, purpose: Any = None) -> tuple[Any, str | None]:
    answer = await send(
        walks_api.grants(visit.api, term, purpose=purpose), {"term": "termin"}, refusals={422}
    )
    if isinstance(answer, Refused):
        return None, answer.errors.get("termin") or answer.problem.detail
    return answer, None


@page(router, "/nattvandringar/bidrag", name="night_walk_grants")
async def grants_page(request: Request, visit: VisitDep, termin: str = "") -> Response:
    term = termin.strip()[:20] or term_of(localtime.today())
    report, problem = await _grants(visit, term)
    return render(
        request,
        "nightwalk_grants.html",
        {
            "term": term,
            "terms": _terms(),
            "report": report,
            "errors": {"termin": problem} if problem else {},
        },
        status=422 if problem else 200,
    )


@router.get("/nattvandringar/bidrag.csv", name="night_walk_grants_csv")
async def grants_csv(request: Request, visit: VisitDep, termin: str = "") -> Response:
    term = termin.strip()[:20] or term_of(localtime.today())
    body = await walks_api.grants_csv(visit.api, term)
    response = Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="nattvandringar-{fmt.slug(term)}.csv"'
        },
    )
    return finish(request, response)


@router.get("/nattvandringar/bidrag.pdf", name="night_walk_grants_pdf")
async def grants_pdf(request: Request, visit: VisitDep, termin: str = "") -> Response:
    term = termin.strip()[:20] or term_of(localtime.today())
    report = await walks_api.grants(visit.api, term, purpose="pdf")
    context = {"report": report, "now": localtime.utcnow()}
    return await pdf_answer(
        request, "nightwalk_grants_print.html", context, f"nattvandringar-bidrag-{term}"
    )


# One walk, and its report ---------------------------------------------------------------------


def _blank_block() -> dict[str, str]:
    return {name: "" for name in BLOCK} | {"bedomning": "medium"}


def _report_values(walk: NightWalkRead) -> dict[str, str]:
    return {
        "start": _hhmm(walk.starts_at),
        "slut": _hhmm(walk.ends_at),
        "vandrare": str(walk.walkers),
        "sett": walk.report,
    }


async def walk_view(
    request: Request,
    visit: Visit,
    walk_id: int,
    *,
    values: dict[str, str] | None = None,
    blocks: list[dict[str, str]] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    walk = await walks_api.walk(visit.api, walk_id)
    now = localtime.utcnow()
    may_report = walk.may_manage and not walk.cancelled and walk.starts_at <= now
    context: dict[str, Any] = {
        "walk": walk,
        "kinds": swedish.EVENING_KINDS,
        "may_report": may_report,
        "f": values or _report_values(walk),
        "blocks": blocks
        if blocks is not None
        else ([_blank_block()] if not walk.report_id else []),
        "max_blocks": MAX_OBSERVATIONS,
        "assessments": swedish.ASSESSMENTS,
        "errors": errors or {},
    }
    if may_report:
        context.update(await choices(visit))
    return render(request, "nightwalk.html", context, status=status)


@page(router, "/nattvandringar/{walk_id:int}", name="night_walk")
async def walk_page(request: Request, walk_id: PageId, visit: VisitDep) -> Response:
    return await walk_view(request, visit, walk_id)


@router.post(
    "/nattvandringar/{walk_id:int}/installd", response_class=HTMLResponse, name="cancel_walk"
)
async def cancel_walk(request: Request, walk_id: PageId, visit: VisitDep) -> Response:
    form = await request.form()
    cancel = form.get("installd") != "nej"
    done = await send(walks_api.update(visit.api, walk_id, {"cancelled": cancel}), {})
    if isinstance(done, Refused):
        return await walk_view(request, visit, walk_id, errors=done.errors, status=done.status)
    return redirect(
        request, f"/nattvandringar/{walk_id}?sparat={'installd' if cancel else 'bokad'}"
    )


def _blocks(form: FormData) -> list[dict[str, str]]:
    count = fmt.parse_id(str(form.get("antal", "0"))) or 0
    return [
        {name: str(form.get(f"o{i}-{name}", ""))[:2000] for name in BLOCK}
        for i in range(min(count, MAX_OBSERVATIONS))
    ]


def _observation_errors(sent: list[int]) -> Any:
    """The API's problem beside the report form's fields: an observation's by its block."""

    def mapped(problem: Problem) -> dict[str, str]:
        errors = field_errors(problem, REPORT_FIELDS)
        for error in problem.errors:
            parts = error.field.split(".")
            if len(parts) >= 3 and parts[0] == "observations" and parts[1].isdigit():
                index = int(parts[1])
                name = OBSERVATION_FIELDS.get(parts[-1])
                if index < len(sent) and name:
                    errors.setdefault(f"o{sent[index]}-{name}", error.message)
                    errors.pop("form", None)
        return errors

    return mapped


@router.post(
    "/nattvandringar/{walk_id:int}/rapport", response_class=HTMLResponse, name="report_walk"
)
async def report_walk(request: Request, walk_id: PageId, visit: VisitDep) -> Response:
    form = await request.form()
    values = _values(form, ["start", "slut", "vandrare", "sett"])
    blocks = _blocks(form)
    if form.get("atgard") == "lagg-till":
        if len(blocks) < MAX_OBSERVATIONS:
            blocks.append(_blank_block())
        return await walk_view(request, visit, walk_id, values=values, blocks=blocks)
    walk = await walks_api.walk(visit.api, walk_id)
    day = _evening_day(walk.evening.starts_at)
    errors: dict[str, str] = {}
    started, ended = _moment(day, values["start"]), _moment(day, values["slut"])
    if started is None:
        errors["start"] = "Skriv tiden som TT:MM, till exempel 19:00."
    if ended is None:
        errors["slut"] = "Skriv tiden som TT:MM, till exempel 23:00."
    if not values["vandrare"].strip().isdigit():
        errors["vandrare"] = "Skriv hur många som vandrade, med siffror."
    observations, sent = [], []
    for i, block in enumerate(blocks):
        if not (block["kategori"] or block["text"].strip()):
            continue  # an empty block says nothing
        at = _moment(day, block["tid"])
        if at is None:
            errors[f"o{i}-tid"] = "Skriv när, som TT:MM."
        observations.append(
            {
                "category": block["kategori"] or "ovrigt",
                "at": at,
                "area_id": fmt.parse_id(block["omrade"]),
                "place_id": fmt.parse_id(block["plats"]),
                "assessment": block["bedomning"] or "medium",
                "text": block["text"].strip() or None,
            }
        )
        sent.append(i)
    if not errors:
        body = {
            "started_at": started,
            "ended_at": ended,
            "walkers": int(values["vandrare"].strip()),
            "seen": values["sett"].strip(),
            "observations": observations,
        }
        done = await send(walks_api.report(visit.api, walk_id, body), _observation_errors(sent))
        if not isinstance(done, Refused):
            return redirect(request, f"/nattvandringar/{walk_id}?sparat=rapporterad")
        errors = done.errors
    return await walk_view(
        request, visit, walk_id, values=values, blocks=blocks, errors=errors, status=422
    )


# The hosts register ---------------------------------------------------------------------------


async def hosts_view(
    request: Request,
    visit: Visit,
    organisation_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    # The active first, each by name.
    hosts = sorted(
        fmt.by_name(await walks_api.hosts(visit.api, organisation_id)), key=lambda h: not h.active
    )
    booking = await walks_api.booking(visit.api)
    name = next((a.name for a in booking.associations if a.id == organisation_id), "Föreningen")
    return render(
        request,
        "nightwalk_hosts.html",
        {
            "organisation_id": organisation_id,
            "name": name,
            "hosts": hosts,
            "f": values or {"namn": "", "utbildad": ""},
            "errors": errors or {},
        },
        status=status,
    )


@page(router, "/foreningar/{organisation_id:int}/vandravardar", name="walk_hosts")
async def hosts_page(request: Request, organisation_id: PageId, visit: VisitDep) -> Response:
    return await hosts_view(request, visit, organisation_id)


@router.post(
    "/foreningar/{organisation_id:int}/vandravardar",
    response_class=HTMLResponse,
    name="add_walk_host",
)
async def add_host(request: Request, organisation_id: PageId, visit: VisitDep) -> Response:
    values = _values(await request.form(), ["namn", "utbildad"])
    errors: dict[str, str] = {}
    trained = fmt.parse_date(values["utbildad"])
    if trained is None:
        errors["utbildad"] = "Skriv dagen för utbildningen som ÅÅÅÅ-MM-DD."
    if not values["namn"].strip():
        errors["namn"] = "Skriv vandravärdens namn."
    if not errors and trained is not None:
        made = await send(
            walks_api.add_host(
                visit.api,
                organisation_id,
                {"name": values["namn"].strip(), "trained_on": trained.isoformat()},
            ),
            HOST_FIELDS,
        )
        if not isinstance(made, Refused):
            return redirect(request, f"/foreningar/{organisation_id}/vandravardar?sparat=vard")
        errors = made.errors
    return await hosts_view(
        request, visit, organisation_id, values=values, errors=errors, status=422
    )


@router.post(
    "/foreningar/{organisation_id:int}/vandravardar/{host_id:int}",
    response_class=HTMLResponse,
    name="update_walk_host",
)
async def update_host(
    request: Request, organisation_id: PageId, host_id: PageId, visit: VisitDep
) -> Response:
    form = await request.form()
    await walks_api.update_host(
        visit.api, organisation_id, host_id, {"active": form.get("aktiv") == "ja"}
    )
    return redirect(request, f"/foreningar/{organisation_id}/vandravardar#vard-{host_id}")

"""An evening's live log (/kvallar/{id}/logg), in place of the chat group: the posts, a short
form at the foot, and "Gör till händelse" on each post. Without JavaScript the page posts
(Post/Redirect/Get) and reads ("Uppdatera"); with it, new posts come as they are written
(an EventSource on the page's own relay of the API's stream, which the person's session
reaches: the token never leaves the server) and the form posts without a reload.

Mirrors ``api/evenings/log``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from api import localtime, swedish
from api.evenings.schemas import LogPostRead, LogRead
from api.schemas_common import MAX_ID
from web import client_evenings_log as client
from web import format as fmt
from web.choices import choices
from web.deps import MAX_FORM_FIELD, PageId, Visit, VisitDep
from web.forms.sending import Refused, send
from web.rendering import _templates, common, is_fragment_request, page, redirect, render

router = APIRouter()

TEMPLATE = "evening_log.html"
POST_TEMPLATE = "_log_post.html"
# The API's field names → the form's.
FIELDS = {
    "text": "text",
    "place_id": "plats",
    "position": "position",
    "lat": "position",
    "lon": "position",
    "category": "kategori",
    "confirm_personal_data": "text",
}
TAP_FIELDS = {"category": "kategori", "text": "kategori", "place_id": "kategori"}

FormText = Annotated[str, Form(max_length=MAX_FORM_FIELD)]


def clock(value: dt.datetime) -> str:
    """``21:30``, Swedish time."""
    return f"{value.astimezone(localtime.STOCKHOLM):%H:%M}"


def evening_name(log: LogRead) -> str:
    name = log.title or swedish.EVENING_KINDS.get(log.kind.value, log.kind.value)
    where = log.area.name if log.area else "hela kommunen"
    return f"{name}, {where}, {fmt.date_sv(log.starts_at)}"


async def _choices(visit: Visit, log: LogRead) -> dict[str, Any]:
    offered = await choices(visit)
    places = offered["places_by_area"]
    if log.area is not None:
        places = [(a, p) for a, p in places if a.id == log.area.id]
    return {"places_by_area": places, "families": offered["families"]}


def _post_context(log: LogRead) -> dict[str, Any]:
    return {"clock": clock, "may_post": log.may_post, "evening_id": log.evening_id}


async def _view(
    request: Request,
    visit: Visit,
    log: LogRead,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    tap_errors: dict[int, str] | None = None,
    status: int = 200,
    block: str = "content",
    new_post: LogPostRead | None = None,
) -> Response:
    last = log.items[-1].id if log.items else 0
    return render(
        request,
        TEMPLATE,
        {
            "log": log,
            "name": evening_name(log),
            "f": values or {},
            "errors": errors or {},
            "tap_errors": tap_errors or {},
            "key": str(uuid.uuid4()),
            "stream_url": f"/kvallar/{log.evening_id}/logg/strom?efter={last}",
            "new_post": new_post,
            **_post_context(log),
            **await _choices(visit, log),
        },
        status=status,
        block=block,
    )


@page(router, "/kvallar/{evening_id}/logg", name="evening_log")
async def evening_log_page(request: Request, evening_id: PageId, visit: VisitDep) -> Response:
    log = await client.evening_log(visit.api, evening_id)
    return await _view(request, visit, log)


def _body(
    text: str, plats: str, kategori: str, lat: str, lon: str, bekrafta: str
) -> dict[str, Any] | str:
    """The API's body from the form, or what is wrong with the position."""
    body: dict[str, Any] = {"text": text}
    place = fmt.parse_id(plats) if plats else None
    if place is not None:
        body["place_id"] = place
    if kategori:
        body["category"] = kategori
    if lat or lon:
        north, east = fmt.parse_number(lat), fmt.parse_number(lon)
        if north is None or east is None:
            return "Positionen kunde inte läsas. Försök igen eller välj en plats."
        body["position"] = {"lat": north, "lon": east}
    if bekrafta == "ja":
        body["confirm_personal_data"] = True
    return body


@router.post("/kvallar/{evening_id}/logg", response_class=HTMLResponse, name="evening_log_post")
async def evening_log_submit(
    request: Request,
    evening_id: PageId,
    visit: VisitDep,
    text: FormText = "",
    plats: FormText = "",
    kategori: FormText = "",
    lat: FormText = "",
    lon: FormText = "",
    bekrafta: FormText = "",
    nyckel: FormText = "",
) -> Response:
    values = {"text": text, "plats": plats, "kategori": kategori, "lat": lat, "lon": lon}
    fragment = is_fragment_request(request)
    block = "log_form" if fragment else "content"
    body = _body(text, plats, kategori, lat, lon, bekrafta)
    if isinstance(body, str):
        log = await client.evening_log(visit.api, evening_id)
        return await _view(
            request, visit, log, values=values, errors={"position": body}, status=422, block=block
        )
    key = nyckel if 0 < len(nyckel) <= 200 else str(uuid.uuid4())
    sent = await send(client.post_in_log(visit.api, evening_id, body, key=key), FIELDS)
    if isinstance(sent, Refused):
        log = await client.evening_log(visit.api, evening_id)
        errors = sent.errors
        if any(e.code == "personal_data" for e in sent.problem.errors):
            errors = {**errors, "bekrafta": "ja"}
        return await _view(
            request, visit, log, values=values, errors=errors, status=sent.status, block=block
        )
    if fragment:
        # The form again, empty, and the post at the foot of the list at once (the stream
        # brings it too; the page keeps one of each).
        log = await client.evening_log(visit.api, evening_id, after=MAX_ID)
        return await _view(request, visit, log, block="log_form", new_post=sent)
    return redirect(request, f"/kvallar/{evening_id}/logg#post-{sent.id}")


@router.post(
    "/kvallar/{evening_id}/logg/{post_id}/handelse",
    response_class=HTMLResponse,
    name="evening_log_observation",
)
async def evening_log_observation(
    request: Request,
    evening_id: PageId,
    post_id: PageId,
    visit: VisitDep,
    kategori: FormText = "",
) -> Response:
    body = {"category": kategori} if kategori else {}
    made = await send(client.make_observation(visit.api, evening_id, post_id, body), TAP_FIELDS)
    fragment = is_fragment_request(request)
    if isinstance(made, Refused):
        log = await client.evening_log(visit.api, evening_id)
        message = made.errors.get("kategori") or made.problem.detail
        if fragment:
            post = next((p for p in log.items if p.id == post_id), None)
            if post is not None:
                return await _one_post(request, visit, log, post, error=message, status=made.status)
        return await _view(request, visit, log, tap_errors={post_id: message}, status=made.status)
    if fragment:
        log = await client.evening_log(
            visit.api, evening_id, after=post_id - 1 if post_id > 1 else None
        )
        if log.items and log.items[0].id == post_id:
            return await _one_post(request, visit, log, log.items[0])
    return redirect(request, f"/kvallar/{evening_id}/logg?sparat=handelse#post-{post_id}")


async def _one_post(
    request: Request,
    visit: Visit,
    log: LogRead,
    post: LogPostRead,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    families = (await _choices(visit, log))["families"]
    html = _render_post(request, log, post, families, error=error)
    response = HTMLResponse(html, status_code=status)
    response.headers["Vary"] = "HX-Request"
    response.headers["Cache-Control"] = "no-store"
    return response


def _render_post(
    request: Request, log: LogRead, post: LogPostRead, families: Any, *, error: str = ""
) -> str:
    template = _templates(request).get_template(POST_TEMPLATE)
    return template.render(
        {
            **common(request),
            **_post_context(log),
            "post": post,
            "tap_error": error,
            "families": families,
        }
    )


@router.get("/kvallar/{evening_id}/logg/strom", name="evening_log_stream")
async def evening_log_stream(
    request: Request,
    evening_id: PageId,
    visit: VisitDep,
    efter: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """The API's stream of the log, each post as the page shows it (HTML in the event's
    data), for the page's EventSource."""
    sent = request.headers.get("last-event-id")
    last = sent if sent is not None and sent.isdigit() and len(sent) <= 15 else None
    log = await client.evening_log(visit.api, evening_id, after=MAX_ID)
    families = (await _choices(visit, log))["families"]
    events = await client.follow_log(visit.api, evening_id, after=efter, last_event_id=last)

    async def relay() -> AsyncIterator[str]:
        try:
            async for event in events:
                if event.kind == "post":
                    html = _render_post(request, log, event.post(), families)
                    data = "".join(f"data: {line}\n" for line in html.strip().splitlines())
                    yield f"id: {event.id}\nevent: post\n{data}\n"
                elif event.kind == "closed":
                    yield "event: closed\ndata: \n\n"
                    return
                elif event.retry is not None:
                    yield f"retry: {event.retry}\n\n"
                else:
                    yield ": ping\n\n"
        finally:
            await events.aclose()

    return StreamingResponse(
        relay(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )

"""The public page of a safety walk (#20), reached by its link without signing in: what the
walk is (area, day, meeting point, route) and the form where residents and businesses pin a
place with a comment before it, then a thank-you page (Post/Redirect/Get). A link that has
ended, or a walk no longer taking pins, is told in plain Swedish.

Phone first; without JavaScript a place is chosen by name, with it a point may be tapped on
the public map. Nothing is loaded from anyone else (no CDN, no map tiles).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from api import swedish
from api.safetywalks.schemas import PublicWalkRead
from web import client_walks as api_walks
from web.client import ApiError
from web.forms import walks as forms
from web.forms.sending import Refused, send
from web.public import anonymous, public_answer
from web.rendering import page, redirect, render
from web.svg_map import Mark, svg_map

router = APIRouter()
# A link's secret as the API makes them; anything else is no walk's.
Token = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def _closed(request: Request) -> Response:
    return public_answer(render(request, "walk_public_done.html", {"closed": True}, status=404))


async def _walk(request: Request, token: str) -> PublicWalkRead | None:
    try:
        return await api_walks.public_walk(anonymous(request), token)
    except ApiError as exc:
        if exc.status in (404, 410):
            return None
        raise


def _meeting(walk: PublicWalkRead) -> list[Mark]:
    if walk.meeting_lat is None or walk.meeting_lon is None:
        return []
    return [Mark(walk.meeting_lat, walk.meeting_lon, "S", "meeting", walk.meeting_point)]


def shapes(walk: PublicWalkRead) -> dict[str, Any] | None:
    """What the public map draws (``_public.html``'s public_map): the area's outline, its
    named places, the meeting point and the route's points. None when there is nothing to
    tap a place against: the named places' select does the work then."""
    areas = [{"id": 0, "name": walk.area, "boundary": walk.area_boundary}]
    places = [p.model_dump() for p in walk.place_points]
    points = [{"lat": m.lat, "lon": m.lon, "label": f"Samling: {m.title}"} for m in _meeting(walk)]
    points += [{"lat": lat, "lon": lon, "label": "Rutten"} for lat, lon in walk.route]
    if walk.area_boundary is None and not places and len(points) < 2:
        return None
    return {"areas": areas if walk.area_boundary else [], "places": places, "points": points}


def route_map(walk: PublicWalkRead) -> Any:
    """The route drawn on the server: seen without JavaScript, and from no one else's tiles."""
    if not walk.route:
        return ""
    named = {p.name: p for p in walk.place_points}
    names = [
        Mark(p.lat, p.lon, name, "place")
        for name in walk.route_places
        if (p := named.get(name)) is not None and p.lat is not None and p.lon is not None
    ]
    return svg_map(
        label=f"Rutten genom {walk.area}", line=walk.route, marks=_meeting(walk), names=names
    )


def _view(
    request: Request,
    walk: PublicWalkRead,
    token: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    response = render(
        request,
        "walk_public.html",
        {
            "walk": walk,
            "token": token,
            "f": values or {"fran": "resident", "plats": "", "kommentar": ""},
            "form_token": (values or {}).get("form_token") or walk.form_token,
            "senders": swedish.INPUT_FROM,
            "shapes": shapes(walk),
            "route_map": route_map(walk),
            "errors": errors or {},
        },
        status=status,
    )
    return public_answer(response)


@page(router, "/trygghetsvandring/{token}", name="safety_walk_public")
async def public_page(request: Request, token: Token) -> Response:
    walk = await _walk(request, token)
    if walk is None:
        return _closed(request)
    return _view(request, walk, token)


@router.post("/trygghetsvandring/{token}", response_class=HTMLResponse, name="walk_input_send")
async def public_send(request: Request, token: Token) -> Response:
    walk = await _walk(request, token)
    if walk is None:
        return _closed(request)
    typed, body = forms.input_body(await request.form(), token)
    sent = await send(
        api_walks.send_input(anonymous(request), walk.id, body),
        forms.input_errors,
        refusals={403, 409, 422, 429},
    )
    # Sent already (a double tap, a resend): it came through the first time.
    if not isinstance(sent, Refused) or sent.problem.code == "already_sent":
        return redirect(request, f"/trygghetsvandring/{token}/tack")
    if "form" in sent.errors and sent.problem.code != "too_fast":
        # A stale form gets a new token: sent again, it goes through.
        typed["form_token"] = walk.form_token
    return _view(request, walk, token, typed, sent.errors, status=sent.status)


@page(router, "/trygghetsvandring/{token}/tack", name="safety_walk_public_done")
async def public_done(request: Request, token: Token) -> Response:
    walk = await _walk(request, token)
    return public_answer(render(request, "walk_public_done.html", {"walk": walk, "token": token}))

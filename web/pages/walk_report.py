"""A safety walk's report (#20): the map drawn on the server (the area's outline, the route,
the residents' pins and the findings' numbered points), the residents' accepted input, the
findings with their photos, responsible organisations and status, and last year's findings
with their status today. As a page (fit for a projector) and as a PDF, in which the photos
are embedded: the PDF is made from the page's HTML alone and fetches nothing by address.

Mirrors ``api/safetywalks`` (its report).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api import localtime, swedish
from api.access.schemas import Capability
from api.photos.schemas import PhotoRead
from api.safetywalks.schemas import FindingRead, WalkInputRead, WalkRead, WalkReport
from api.structure.schemas import AreaRead, PlaceRead
from web import client_walks as api_walks
from web.client import ApiClient
from web.client_photos import photo_src
from web.deps import PageId, Visit, requires
from web.pages import photos
from web.rendering import page, pdf_answer, render
from web.svg_map import Mark, svg_map

router = APIRouter()
WalksVisit = Annotated[Visit, Depends(requires(Capability.read_safety_walks))]
# Photos in the PDF: the thumbnails (a page of A4 shows them no larger), at most this many.
PDF_PHOTOS = 60


def photo_link(photo: PhotoRead, thumb: bool) -> str:
    return photo_src(photo.url, thumb)


def pin_letter(index: int) -> str:
    """A, B, … Z, AA, AB: the pins' marks, apart from the findings' numbers."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def waiting_label(index: int) -> str:
    """V1, V2, …: the pins waiting for moderation (their letters come once accepted)."""
    return f"V{index + 1}"


# What every walk page shows its walks with.
SHOWN = {
    "pin_letter": pin_letter,
    "waiting_label": waiting_label,
    "photo_url": photo_link,
    "kinds": swedish.FINDING_KINDS,
    "statuses": swedish.FINDING_STATUSES,
    "senders": swedish.INPUT_FROM,
    "moderations": swedish.MODERATIONS,
}


def walk_name(walk: WalkRead) -> str:
    return walk.title or f"Trygghetsvandring i {walk.area.name}"


def route_line(walk: WalkRead, places: list[PlaceRead]) -> list[list[float]]:
    """The route as drawn, else through its named places in order (those with a point)."""
    if walk.route:
        return walk.route
    points = {p.id: p.point for p in places}
    line = [points.get(ref.id) for ref in walk.route_places]
    return [[pt.lat, pt.lon] for pt in line if pt is not None]


def _point(
    item: WalkInputRead | FindingRead, places: dict[int, PlaceRead]
) -> tuple[float, float] | None:
    if item.lat is not None and item.lon is not None:
        return item.lat, item.lon
    place = places.get(item.place.id) if item.place else None
    return (place.point.lat, place.point.lon) if place and place.point else None


def walk_map(
    walk: WalkRead,
    area: AreaRead | None,
    places: list[PlaceRead],
    inputs: list[WalkInputRead],
    findings: list[FindingRead],
    waiting: list[WalkInputRead] | None = None,
) -> Any:
    """The walk's map: the area, the route and its named places, the meeting point (S), the
    pins (lettered; those ``waiting`` for moderation V1, V2, … in their own style) and the
    findings (numbered, as the report lists them)."""
    by_id = {p.id: p for p in places}
    marks: list[Mark] = []
    if walk.meeting_lat is not None and walk.meeting_lon is not None:
        marks.append(
            Mark(
                walk.meeting_lat, walk.meeting_lon, "S", "meeting", f"Samling: {walk.meeting_point}"
            )
        )
    for index, pin in enumerate(inputs):
        at = _point(pin, by_id)
        if at:
            marks.append(Mark(*at, pin_letter(index), "pin", f"Synpunkt {pin_letter(index)}"))
    for index, pin in enumerate(waiting or []):
        at = _point(pin, by_id)
        if at:
            label = waiting_label(index)
            marks.append(Mark(*at, label, "pending", f"Synpunkt {label}, väntar på granskning"))
    for index, finding in enumerate(findings, start=1):
        at = _point(finding, by_id)
        if at:
            marks.append(Mark(*at, str(index), "finding", f"Fynd {index}: {finding.description}"))
    return svg_map(
        label=f"Karta över {walk.area.name}: rutten, synpunkterna och fynden",
        outline=area.boundary if area else None,
        line=route_line(walk, places),
        marks=marks,
        names=route_names(walk, places),
    )


def route_names(walk: WalkRead, places: list[PlaceRead]) -> list[Mark]:
    """The route's named places that have a point, to be named on the map."""
    points = {p.id: p.point for p in places}
    return [
        Mark(point.lat, point.lon, ref.name, "place")
        for ref in walk.route_places
        if (point := points.get(ref.id)) is not None
    ]


async def _embedded(api: ApiClient, findings: list[FindingRead]) -> dict[str, str]:
    """The findings' photos (the first PDF_PHOTOS) as ``data:`` URIs by their url."""
    return await photos.embedded(api, [p.url for f in findings for p in f.photos][:PDF_PHOTOS])


async def report_context(visit: Visit, walk_id: int) -> dict[str, Any]:
    report: WalkReport = await api_walks.report(visit.api, walk_id)
    walk = report.walk
    area, places = await asyncio.gather(
        visit.api.area(walk.area.id), visit.api.places(area=walk.area.id, active=None)
    )
    return {
        **SHOWN,
        "report": report,
        "walk": walk,
        "name": walk_name(walk),
        "map": walk_map(walk, area, places, report.inputs, report.findings),
        "now": localtime.utcnow(),
    }


@page(router, "/trygghetsvandringar/{walk_id}/rapport", name="safety_walk_report")
async def report_page(request: Request, walk_id: PageId, visit: WalksVisit) -> Response:
    return render(request, "walk_report.html", await report_context(visit, walk_id))


@router.get("/trygghetsvandringar/{walk_id}/rapport.pdf", name="safety_walk_report_pdf")
async def report_pdf(request: Request, walk_id: PageId, visit: WalksVisit) -> Response:
    context = await report_context(visit, walk_id)
    embedded = await _embedded(visit.api, context["report"].findings)
    # In the PDF a photo is its thumbnail, embedded; a link to the whole leads nowhere.
    context["photo_url"] = lambda photo, thumb: (
        photo_src(photo.url, True, embedded) if thumb else ""
    )
    walk = context["walk"]
    day = walk.starts_at.astimezone(localtime.STOCKHOLM).date().isoformat()
    return await pdf_answer(
        request,
        "walk_report_print.html",
        context,
        f"trygghetsvandring-{walk.area.name}-{day}",
    )

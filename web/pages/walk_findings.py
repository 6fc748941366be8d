"""Filing a finding on a safety walk from a phone (#20): what kind, what, where (a named place,
the phone's position, or the photo's with the person's consent), the resident's pin it
answers, who fixes it, and a photo from the camera. One multipart form that works without
JavaScript: the finding is made through the API, then its photo sent; a photo the API
refuses is told in its words on the finding's form again, and the finding stays made.

Mirrors ``api/safetywalks`` (its findings).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.access.schemas import Capability
from api.safetywalks.schemas import FindingRead, WalkRead
from web import client_walks as api_walks
from web import format as fmt
from web.client_photos import upload_photo
from web.deps import PageId, Visit, requires
from web.forms import walks as forms
from web.forms.sending import Refused, send, unless
from web.pages import photos
from web.pages.walk_report import SHOWN, walk_name
from web.rendering import page, redirect, render, settings_of

router = APIRouter()
WalksVisit = Annotated[Visit, Depends(requires(Capability.read_safety_walks))]


async def finding_view(
    request: Request,
    visit: Visit,
    walk: WalkRead,
    *,
    values: dict[str, str],
    finding: FindingRead | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    consent: bool = False,
) -> Response:
    places, organisations, accepted = await asyncio.gather(
        visit.api.places(area=walk.area.id),
        visit.api.organisations(),
        unless(api_walks.inputs(visit.api, walk.id, "accepted"), 403),
    )
    return render(
        request,
        "walk_finding.html",
        {
            **SHOWN,
            "walk": walk,
            "name": walk_name(walk),
            "finding": finding,
            "f": values,
            "places": fmt.by_name(places),
            # The invited first: they are the ones who fix what the walk finds.
            "organisations": sorted(
                fmt.by_name(organisations), key=lambda o: o.id not in {i.id for i in walk.invited}
            ),
            "inputs": accepted or [],
            "consent": consent,
            "photo_mb": settings_of(request).photo_max_bytes // (1024 * 1024),
            "errors": errors or {},
        },
        status=status,
    )


@page(router, "/trygghetsvandringar/{walk_id}/fynd/ny", name="finding_new")
async def finding_new(
    request: Request,
    walk_id: PageId,
    visit: WalksVisit,
    synpunkt: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    walk = await api_walks.walk(visit.api, walk_id)
    if not walk.may_file_findings:
        raise StarletteHTTPException(
            403, "Bara de som planerar vandringen och de inbjudna som rapporterar lämnar fynd."
        )
    values = forms.finding_values() | {"synpunkt": synpunkt}
    return await finding_view(request, visit, walk, values=values)


async def _photo_refused(
    request: Request,
    visit: Visit,
    walk: WalkRead,
    finding: FindingRead,
    errors: dict[str, str],
    consent: bool,
) -> Response:
    """The finding is made; its photo was not: the form again, to send another photo."""
    return await finding_view(
        request,
        visit,
        walk,
        values=forms.finding_values(),
        finding=finding,
        errors=errors,
        status=422,
        consent=consent,
    )


async def _with_photo(
    request: Request, visit: Visit, walk: WalkRead, finding: FindingRead, form: FormData
) -> Response:
    """The finding's photo sent, if the form holds one; then the walk's page, or the form
    again with the API's refusal of the photo (the finding stays made)."""
    settings = settings_of(request)
    photo = await photos.sent_photo(form.get("bild"), settings)
    consent = form.get("anvand_position") == "ja"
    if photo is not None:
        # Refused here when larger than the limit (read up to one byte past it), in the
        # photo limit's words: not the request's, nor sent on to the API to be refused there.
        if len(photo.data) > settings.photo_max_bytes:
            refusal = photos.refusal_message("storlek", settings)
            return await _photo_refused(request, visit, walk, finding, {"bild": refusal}, consent)
        added = await send(
            upload_photo(
                visit.api,
                f"safety-walks/{walk.id}/findings/{finding.id}/photos",
                photo.data,
                photo.filename,
                consent,
            ),
            lambda problem: {},
            refusals={403, 409, 413, 415, 422},
        )
        if isinstance(added, Refused):
            message = photos.problem_message(added.status, added.problem, settings)
            return await _photo_refused(request, visit, walk, finding, {"bild": message}, consent)
    return redirect(request, f"/trygghetsvandringar/{walk.id}?sparat=fynd#fynd-{finding.id}")


@router.post(
    "/trygghetsvandringar/{walk_id}/fynd/ny", response_class=HTMLResponse, name="finding_create"
)
async def finding_create(request: Request, walk_id: PageId, visit: WalksVisit) -> Response:
    form = await request.form()
    walk = await api_walks.walk(visit.api, walk_id)
    typed, body = forms.finding_body(form)
    made = await send(
        api_walks.create_finding(visit.api, walk_id, body, key=typed["nyckel"]),
        forms.finding_errors,
    )
    if isinstance(made, Refused):
        return await finding_view(
            request,
            visit,
            walk,
            values=typed,
            errors=made.errors,
            status=made.status,
            consent=form.get("anvand_position") == "ja",
        )
    return await _with_photo(request, visit, walk, made, form)


@router.post(
    "/trygghetsvandringar/{walk_id}/fynd/{finding_id}/bilder",
    response_class=HTMLResponse,
    name="finding_photo",
)
async def finding_photo(
    request: Request, walk_id: PageId, finding_id: PageId, visit: WalksVisit
) -> Response:
    """Another photo for a finding already made (after a refused one)."""
    form = await request.form()
    walk, finding = await asyncio.gather(
        api_walks.walk(visit.api, walk_id), api_walks.finding(visit.api, walk_id, finding_id)
    )
    return await _with_photo(request, visit, walk, finding, form)

"""Residents' tips: the public page ``/tipsa`` (no sign-in; phone first; works without
JavaScript; nothing from a third party), its thank-you page, and the coordination group's
moderation queue ``/tips``.

Mirrors ``api/tips``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api import swedish
from api.access.schemas import Capability
from api.tips.schemas import TipForm, TipReceipt
from web import client_tips as api_tips
from web.client import ApiClient, ApiError
from web.deps import PageId, Visit, requires
from web.forms import tips as forms
from web.forms.sending import Refused, send
from web.public import anonymous, public_answer
from web.rendering import page, redirect, render

router = APIRouter()
ModerateVisit = Annotated[Visit, Depends(requires(Capability.moderate_tips))]
# The API's refusals of a resident's tip the page shows beside the form (429: the hour's
# limit, said in Swedish at the top).
PUBLIC_REFUSALS = frozenset({409, 413, 422, 429})
SHOWN = {"whats": swedish.TIP_WHATS, "moderations": swedish.MODERATIONS}


def _shapes(form: TipForm) -> dict[str, Any]:
    return {
        "extent": form.extent,
        "areas": [a.model_dump() for a in form.areas],
        "places": [p.model_dump() for p in form.places],
    }


async def _public_form(
    request: Request,
    form: TipForm,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    values = values or {}
    response = render(
        request,
        "tipsa.html",
        {
            **SHOWN,
            "municipality_name": form.municipality,
            "tip_form": form,
            "shapes": _shapes(form),
            "f": values,
            "form_token": values.get("form_token") or form.form_token,
            "errors": errors or {},
        },
        status=status,
    )
    return public_answer(response)


@page(router, "/tipsa", name="public_tip")
async def public_tip_page(request: Request) -> Response:
    return await _public_form(request, await api_tips.tip_form(anonymous(request)))


@router.post("/tipsa")
async def send_public_tip(request: Request) -> Response:
    form = await request.form()
    values = forms.public_values(form)
    api = anonymous(request)
    sent = await send(
        api_tips.send_tip(api, forms.tip_body(values)), forms.FIELDS, refusals=PUBLIC_REFUSALS
    )
    if isinstance(sent, Refused):
        fresh = await api_tips.tip_form(api)
        if "form" in sent.errors or sent.status == 429:
            # A stale or too quick form gets a new token; the rest keep theirs (a new one
            # would make the next sending "too fast" again).
            values["form_token"] = ""
        errors = sent.errors if sent.status != 429 else {"form": sent.problem.detail}
        return await _public_form(request, fresh, values=values, errors=errors, status=sent.status)
    outcome = await _photo(api, sent, form.get("bild"), bool(values["bildposition"]))
    return redirect(request, f"/tipsa/tack{outcome}")


async def _photo(api: ApiClient, receipt: TipReceipt, upload: Any, use_position: bool) -> str:
    """The photo sent with the tip, if any: the thank-you page's query says how it went
    (never what the tip said)."""
    if not isinstance(upload, UploadFile):
        return ""
    content = await upload.read()
    if not content:
        return ""
    try:
        added = await api_tips.add_tip_photo(
            api, receipt, upload.filename or "bild.jpg", content, use_position=use_position
        )
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return "?bild=fel"
    return "?bild=position" if added.position_used else "?bild=ok"


@page(router, "/tipsa/tack", name="public_tip_thanks")
async def public_tip_thanks(
    request: Request, bild: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    return public_answer(render(request, "tipsa_tack.html", {"bild": bild}))


# Moderation -------------------------------------------------------------------------------


@page(router, "/tips", name="tips")
async def tips_page(
    request: Request,
    visit: ModerateVisit,
    visa: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return await _queue(request, visit, visa=visa)


async def _queue(
    request: Request,
    visit: Visit,
    *,
    visa: str = "",
    failed: int | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    shown = visa if visa in ("accepted", "rejected") else "pending"
    listed = await api_tips.tips(visit.api, status=shown)
    form = await api_tips.tip_form(visit.api)
    categories = await visit.api.categories()
    return render(
        request,
        "tips.html",
        {
            **SHOWN,
            "tips": listed.items,
            "more": listed.next is not None,
            "visa": shown,
            "areas": form.areas,
            "places": form.places,
            "categories": categories,
            "assessments": swedish.ASSESSMENTS,
            "failed": failed,
            "f": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@router.post("/tips/{tip_id}/godkann")
async def accept_tip(request: Request, tip_id: PageId, visit: ModerateVisit) -> Response:
    form = await request.form()
    sent = await send(
        api_tips.accept_tip(visit.api, tip_id, forms.accept_body(form)), forms.DECISION_FIELDS
    )
    if isinstance(sent, Refused):
        values = {k: forms.text(form, k, 3000) for k in ("kategori", "omrade", "plats",
                                                          "beskrivning", "bedomning")}  # fmt: skip
        return await _queue(
            request, visit, failed=tip_id, values=values, errors=sent.errors, status=sent.status
        )
    return redirect(request, f"/tips?sparat=godkant-{tip_id}")


@router.post("/tips/{tip_id}/avvisa")
async def reject_tip(request: Request, tip_id: PageId, visit: ModerateVisit) -> Response:
    form = await request.form()
    sent = await send(
        api_tips.reject_tip(visit.api, tip_id, forms.reject_body(form)), forms.DECISION_FIELDS
    )
    if isinstance(sent, Refused):
        return await _queue(
            request,
            visit,
            failed=tip_id,
            values={"skal": forms.text(form, "skal", 300)},
            errors=sent.errors,
            status=sent.status,
        )
    return redirect(request, f"/tips?sparat=avvisat-{tip_id}")

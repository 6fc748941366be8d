"""Residents' tips: the public page ``/tipsa`` (no sign-in; phone first; works without
JavaScript; nothing from a third party), its thank-you page, and the coordination group's
moderation queue ``/tips``.

Mirrors ``api/tips``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api import swedish
from api.access.schemas import Capability
from api.tips.schemas import MAX_PHOTOS, TipForm, TipReceipt
from web import client_tips as api_tips
from web.client import ApiClient, ApiError
from web.deps import PageId, Visit, requires
from web.forms import tips as forms
from web.forms.sending import Refused, send
from web.pages.photos import sent_photo
from web.public import Addressed, addressed, anonymous, photo_mb, public_answer
from web.rendering import page, redirect, render, settings_of

router = APIRouter()
ModerateVisit = Annotated[Visit, Depends(requires(Capability.moderate_tips))]
# The API's refusals of a resident's tip the page shows beside the form (429: the hour's
# limit, said in Swedish at the top).
PUBLIC_REFUSALS = frozenset({409, 413, 422, 429})
SHOWN = {"whats": swedish.TIP_WHATS, "moderations": swedish.MODERATIONS}
# The queue's page, as other lists page ("Fler tips" follows the API's cursor).
PER_PAGE = 50
REASON_MAX = 200  # api.tips.schemas.TipReject


def _shapes(form: TipForm) -> dict[str, Any]:
    return {
        "extent": form.extent,
        "areas": [a.model_dump() for a in form.areas],
        "places": [p.model_dump() for p in form.places],
    }


async def _public_form(
    request: Request,
    form: TipForm,
    town: Addressed,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
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
            "addressed": town,
            "shapes": _shapes(form),
            "f": values,
            "form_token": values.get("form_token") or form.form_token,
            "errors": errors or {},
            "notice": notice,
        },
        status=status,
    )
    return public_answer(response)


Kommun = Annotated[str, Query(max_length=12)]


@page(router, "/tipsa", name="public_tip")
async def public_tip_page(request: Request, kommun: Kommun = "") -> Response:
    town = await addressed(request, kommun)
    if town.chosen is None and town.several:
        # Several municipalities: the resident says which one the tip is for, first.
        return public_answer(render(request, "tipsa_kommun.html", {"addressed": town}))
    form = await api_tips.tip_form(anonymous(request), town.chosen)
    return await _public_form(request, form, town)


@router.post("/tipsa")
async def send_public_tip(request: Request) -> Response:
    form = await request.form()
    values = forms.public_values(form)
    api = anonymous(request)
    town = await addressed(request, values["kommun"])
    if town.chosen is None and town.several:
        return redirect(request, "/tipsa")  # the choice of municipality first
    values["kommun"] = str(town.chosen or "")
    sent = await send(
        api_tips.send_tip(api, forms.tip_body(values)), forms.FIELDS, refusals=PUBLIC_REFUSALS
    )
    if isinstance(sent, Refused) and sent.problem.code == "already_sent":
        # A double click or a retry of a tip already filed: the first sending is the tip.
        return redirect(request, _thanks(town, "redan"))
    if isinstance(sent, Refused):
        fresh = await api_tips.tip_form(api, town.chosen)
        if "form" in sent.errors or sent.status == 429:
            # A stale or too quick form gets a new token; the rest keep theirs (a new one
            # would make the next sending "too fast" again).
            values["form_token"] = ""
        if sent.status == 429:
            # Nothing to correct: when to try again, as a notice (and to the browser).
            response = await _public_form(
                request, fresh, town, values=values, notice=sent.problem.detail, status=429
            )
            if sent.retry_after:
                response.headers["Retry-After"] = str(sent.retry_after)
            return response
        return await _public_form(
            request, fresh, town, values=values, errors=sent.errors, status=sent.status
        )
    outcome = await _photo(request, api, sent, form.get("bild"), bool(values["bildposition"]))
    return redirect(request, _thanks(town, outcome))


def _thanks(town: Addressed, bild: str) -> str:
    """The thank-you page's address: how the photo went, and whose the tip is where the
    resident chose among several municipalities."""
    query: dict[str, Any] = {"kommun": town.chosen} if town.several else {}
    if bild:
        query["bild"] = bild
    return "/tipsa/tack" + (f"?{urlencode(query)}" if query else "")


# Why a tip's photo was not taken, by a word for the thank-you page's address (never the
# API's text there); the tip itself was filed.
PHOTO_REFUSALS = {
    "storlek": "Bilden togs inte emot: den är större än {mb} MB.",
    "typ": "Bilden togs inte emot: filen är inte ett foto i JPEG, PNG eller WebP som går att läsa.",
    "antal": "Bilden togs inte emot: ett tips kan ha högst {most} bilder.",
    "tid": "Bilden togs inte emot: den kom för långt efter tipset.",
    "fel": "Bilden kunde inte sparas.",
}


def _photo_refusal(exc: ApiError) -> str:
    if exc.status == 413:
        return "storlek"
    if exc.status == 404:
        return "tid"
    codes = {e.code for e in exc.problem.errors}
    return "antal" if "too_many_photos" in codes else "typ" if exc.status == 422 else "fel"


async def _photo(
    request: Request, api: ApiClient, receipt: TipReceipt, upload: Any, use_position: bool
) -> str:
    """The photo sent with the tip, if any (read no further than one byte past the limit):
    the thank-you page's query says how it went (never what the tip said): a word of
    PHOTO_REFUSALS, "position" or "ok"; nothing where no photo was sent."""
    chosen = await sent_photo(upload, settings_of(request))
    if chosen is None:
        return ""
    if len(chosen.data) > settings_of(request).photo_max_bytes:
        return "storlek"
    try:
        added = await api_tips.add_tip_photo(
            api, receipt, chosen.filename, chosen.data, use_position=use_position
        )
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return _photo_refusal(exc)
    return "position" if added.position_used else "ok"


@page(router, "/tipsa/tack", name="public_tip_thanks")
async def public_tip_thanks(
    request: Request, bild: Annotated[str, Query(max_length=20)] = "", kommun: Kommun = ""
) -> Response:
    refused = PHOTO_REFUSALS.get(bild)
    if refused:
        settings = settings_of(request)
        refused = refused.format(mb=photo_mb(settings), most=MAX_PHOTOS)
    town = await addressed(request, kommun)
    name = next((t.name for t in town.towns if t.id == town.chosen), None)
    return public_answer(
        render(
            request,
            "tipsa_tack.html",
            {"bild": bild, "refused": refused, "municipality_name": name, "addressed": town},
        )
    )


# Moderation -------------------------------------------------------------------------------


@page(router, "/tips", name="tips")
async def tips_page(
    request: Request,
    visit: ModerateVisit,
    visa: Annotated[str, Query(max_length=20)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    return await _queue(request, visit, visa=visa, cursor=cursor)


async def _queue(
    request: Request,
    visit: Visit,
    *,
    visa: str = "",
    cursor: str = "",
    failed: int | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    shown = visa if visa in ("accepted", "rejected") else "pending"
    listed = await api_tips.tips(visit.api, status=shown, cursor=cursor or None, limit=PER_PAGE)
    more = None
    if listed.next is not None:
        next_cursor = parse_qs(urlsplit(listed.next).query).get("cursor", [""])[0]
        more = "/tips?" + urlencode({"visa": shown, "cursor": next_cursor})
    # The areas and places of the municipality the moderator acts in.
    acting = visit.me.municipality
    form = await api_tips.tip_form(visit.api, acting.id if acting is not None else None)
    categories = await visit.api.categories()
    return render(
        request,
        "tips.html",
        {
            **SHOWN,
            "tips": listed.items,
            "more": more,
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
    return redirect(request, f"/tips?sparat=godkant-{sent.incident_id}")


@router.post("/tips/{tip_id}/avvisa")
async def reject_tip(request: Request, tip_id: PageId, visit: ModerateVisit) -> Response:
    form = await request.form()
    reason = forms.text(form, "skal", 300)
    if len(reason) > REASON_MAX:
        # Said here in words of the field (the API's generic length message is no help).
        errors = {"skal": f"Skälet får vara högst {REASON_MAX} tecken."}
        return await _queue(
            request, visit, failed=tip_id, values={"skal": reason}, errors=errors, status=422
        )
    sent = await send(
        api_tips.reject_tip(visit.api, tip_id, forms.reject_body(form)), forms.DECISION_FIELDS
    )
    if isinstance(sent, Refused):
        return await _queue(
            request,
            visit,
            failed=tip_id,
            values={"skal": reason},
            errors=sent.errors,
            status=sent.status,
        )
    return redirect(request, f"/tips?sparat=avvisat-{tip_id}")

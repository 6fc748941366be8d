"""The police area (#21): the police areas a person reads (/lokalpolisomraden), one police
area's lägesbild with its municipalities side by side and its group, and a municipality's
sharing agreement with it (its terms, its history; the form for its administrator). Every
choice of what to offer comes from the API's answers (``me.can``, the police area's
``rights``, the agreement's ``may_edit``).

Mirrors ``api/policeareas``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from api import swedish
from api.policeareas.schemas import PoliceAreaSituation
from web import client_policeareas as police
from web import format as fmt
from web.choices import choices
from web.deps import PageId, PoliceAreasVisit, Visit
from web.forms.sending import Refused, send
from web.police_map import police_area_map
from web.rendering import page, redirect, render

router = APIRouter()
BASE = "/lokalpolisomraden"


@page(router, BASE, name="police_areas")
async def police_areas_page(request: Request, visit: PoliceAreasVisit) -> Response:
    return await _list(request, visit)


async def _list(
    request: Request,
    visit: Visit,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    areas = sorted(await police.police_areas(visit.api), key=lambda a: a.name.casefold())
    may_create = "manage_police_areas" in visit.me.can
    return render(
        request,
        "police_areas.html",
        {
            "areas": areas,
            "may_create": may_create,
            "municipalities": await visit.api.municipalities() if may_create else [],
            "values": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@router.post(BASE, response_class=HTMLResponse, name="police_area_create")
async def police_area_create(request: Request, visit: PoliceAreasVisit) -> Response:
    form = await request.form()
    name = str(form.get("namn", ""))[:200]
    chosen = _ids(form, "kommun")
    made = await send(
        police.create_police_area(visit.api, {"name": name, "municipality_ids": chosen}),
        {"name": "namn", "municipality_ids": "kommun"},
    )
    if isinstance(made, Refused):
        values = {"namn": name, "kommun": chosen}
        return await _list(request, visit, values=values, errors=made.errors, status=made.status)
    return redirect(request, f"{BASE}/{made.id}")


def _ids(form: FormData, name: str) -> list[int]:
    return [int(v) for v in form.getlist(name)[:50] if isinstance(v, str) and v.isdigit()]


@page(router, BASE + "/{police_area_id}", name="police_area")
async def police_area_page(
    request: Request, police_area_id: PageId, visit: PoliceAreasVisit
) -> Response:
    return await _area(request, visit, police_area_id)


async def _area(
    request: Request,
    visit: Visit,
    police_area_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    confirm_remove: bool = False,
    status: int = 200,
) -> Response:
    area = await police.police_area(visit.api, police_area_id)
    query = request.query_params
    first, last = fmt.parse_date(query.get("fran", "")), fmt.parse_date(query.get("till", ""))
    picture: PoliceAreaSituation | Refused | None = None
    if area.rights.may_read_situation:
        picture = await send(
            police.situation(visit.api, police_area_id, first=first, last=last),
            {"from": "fran", "to": "till"},
            refusals={422},
            other="fran",
        )
    period_errors = picture.errors if isinstance(picture, Refused) else {}
    shown = picture if isinstance(picture, PoliceAreaSituation) else None
    agreements = await police.agreements(visit.api, police_area_id)
    readable = {a.municipality.id for a in agreements}
    return render(
        request,
        "police_area.html",
        {
            "area": area,
            "picture": shown,
            "period_errors": period_errors,
            "map_svg": police_area_map(shown.municipalities) if shown else "",
            # Its group (the administrators read it: who receives what they share).
            "members": await police.members(visit.api, police_area_id),
            "me_id": visit.me.id,
            "confirm_remove": confirm_remove,
            "agreements": agreements,
            "unread": [m for m in area.municipalities if m.id not in readable],
            "precisions": swedish.SHARING_PRECISIONS,
            "roles": swedish.POLICE_AREA_ROLES,
            "fran": shown.first_day.isoformat() if shown else query.get("fran", "")[:10],
            "till": shown.last_day.isoformat() if shown else query.get("till", "")[:10],
            "errors": errors or {},
            "values": values or {},
        },
        block="picture" if "fran" in query else "content",
        status=status,
    )


@router.post(
    BASE + "/{police_area_id}/grupp", response_class=HTMLResponse, name="police_area_member_add"
)
async def police_area_member_add(
    request: Request,
    police_area_id: PageId,
    visit: PoliceAreasVisit,
    epost: Annotated[str, Form(max_length=254)] = "",
    roll: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    added = await send(
        police.put_member(visit.api, police_area_id, epost, roll),
        {"email": "epost", "role": "roll"},
    )
    if isinstance(added, Refused):
        return await _area(
            request,
            visit,
            police_area_id,
            errors=added.errors,
            values={"epost": epost, "roll": roll},
            status=added.status,
        )
    return redirect(request, f"{BASE}/{police_area_id}#grupp")


@router.post(
    BASE + "/{police_area_id}/grupp/{user_id}/ta-bort",
    response_class=HTMLResponse,
    name="police_area_member_remove",
)
async def police_area_member_remove(
    request: Request,
    police_area_id: PageId,
    user_id: PageId,
    visit: PoliceAreasVisit,
    bekrafta: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    if user_id == visit.me.id and bekrafta != "ja":
        # Taking oneself out is asked again first (it ends one's own access), without JS.
        return await _area(request, visit, police_area_id, confirm_remove=True)
    removed = await send(police.remove_member(visit.api, police_area_id, user_id), {})
    if isinstance(removed, Refused):
        return await _area(
            request, visit, police_area_id, errors=removed.errors, status=removed.status
        )
    if user_id == visit.me.id:
        # No longer in the group: its page may be closed to them now.
        return redirect(request, BASE)
    return redirect(request, f"{BASE}/{police_area_id}#grupp")


# A municipality's agreement ------------------------------------------------------------------


async def _agreement(
    request: Request,
    visit: Visit,
    police_area_id: int,
    municipality_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    agreement = await police.agreement(visit.api, police_area_id, municipality_id)
    shown = values or {
        "kategori": agreement.categories,
        "precision": agreement.precision.value,
        "fritext": agreement.free_text,
    }
    return render(
        request,
        "police_agreement.html",
        {
            **(await choices(visit) if agreement.may_edit else {"families": []}),
            "agreement": agreement,
            "versions": await police.agreement_versions(visit.api, police_area_id, municipality_id),
            "precisions": swedish.SHARING_PRECISIONS,
            "labels": {c.code: c.label_sv for c in await visit.api.categories(active=None)},
            "values": shown,
            "errors": errors or {},
            "saved": request.query_params.get("sparat") == "1",
        },
        status=status,
    )


@page(router, BASE + "/{police_area_id}/avtal/{municipality_id}", name="police_agreement")
async def police_agreement_page(
    request: Request, police_area_id: PageId, municipality_id: PageId, visit: PoliceAreasVisit
) -> Response:
    return await _agreement(request, visit, police_area_id, municipality_id)


@router.post(
    BASE + "/{police_area_id}/avtal/{municipality_id}",
    response_class=HTMLResponse,
    name="police_agreement_submit",
)
async def police_agreement_submit(
    request: Request, police_area_id: PageId, municipality_id: PageId, visit: PoliceAreasVisit
) -> Response:
    form = await request.form()
    categories = [str(v)[:64] for v in form.getlist("kategori")[:100]]
    precision = str(form.get("precision", ""))[:32]
    free_text = form.get("fritext") == "ja"
    saved = await send(
        police.put_agreement(
            visit.api,
            police_area_id,
            municipality_id,
            {"categories": categories, "precision": precision, "free_text": free_text},
        ),
        {"categories": "kategori", "precision": "precision", "free_text": "fritext"},
    )
    if isinstance(saved, Refused):
        values = {"kategori": categories, "precision": precision, "fritext": free_text}
        return await _agreement(
            request,
            visit,
            police_area_id,
            municipality_id,
            values=values,
            errors=saved.errors,
            status=saved.status,
        )
    return redirect(request, f"{BASE}/{police_area_id}/avtal/{municipality_id}?sparat=1")

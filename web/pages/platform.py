"""Several municipalities (#21): the settings of the municipality an administrator works in,
and, for a platform operator, the platform's municipalities (made with their first
administrator, activated and deactivated). Plain forms: every page works without JavaScript,
on a phone and on the projector.

Mirrors ``api/structure`` (a municipality's record) and ``api/accounts`` (a new
municipality with its first administrator).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.access.schemas import Capability
from api.localtime import ZoneName
from api.schemas_common import MAX_ID
from api.structure.schemas import LocalCrs, MunicipalityRead
from web import client_platform as calls
from web.deps import NOT_YOURS, PageId, PlatformVisit, Visit, VisitDep
from web.forms.sending import Refused, send
from web.rendering import page, redirect, render

router = APIRouter()

# The coordinate systems a municipality may keep (api.structure.schemas.LocalCrs), named.
CRS_NAMES = {
    "EPSG:3006": "SWEREF 99 TM",
    "EPSG:3007": "SWEREF 99 12 00",
    "EPSG:3008": "SWEREF 99 13 30",
    "EPSG:3009": "SWEREF 99 15 00",
    "EPSG:3010": "SWEREF 99 16 30",
    "EPSG:3011": "SWEREF 99 18 00",
    "EPSG:3012": "SWEREF 99 14 15",
    "EPSG:3013": "SWEREF 99 15 45",
    "EPSG:3014": "SWEREF 99 17 15",
    "EPSG:3015": "SWEREF 99 18 45",
    "EPSG:3016": "SWEREF 99 20 15",
    "EPSG:3017": "SWEREF 99 21 45",
    "EPSG:3018": "SWEREF 99 23 15",
}
CRS_CHOICES = {code: f"{CRS_NAMES[code]} ({code})" for code in get_args(LocalCrs)}

# The form's fields and the API's, both ways (errors come back by the API's names).
FIELDS = {
    "name": "namn",
    "timezone": "tidszon",
    "local_crs": "koordinatsystem",
    "nearest_place_metres": "narmaste_plats",
    "retain_incident_text_months": "gallra_text",
    "retain_audit_years": "gallra_logg",
    "outline": "kontur",
    # The extent's corners, and the extent as a whole (west before east, south before north).
    "west": "vast",
    "south": "syd",
    "east": "ost",
    "north": "nord",
    "extent": "utbredning",
}
# The fields' names, for the error summary (each message names its field).
LABELS = {
    "namn": "Namn",
    "tidszon": "Tidszon",
    "koordinatsystem": "Lokalt koordinatsystem",
    "narmaste_plats": "Avstånd till närmaste plats",
    "gallra_text": "Händelsers fritext och exakta punkt",
    "gallra_logg": "Loggen",
    "kontur": "Kontur",
    "vast": "Utbredning, väst",
    "syd": "Utbredning, syd",
    "ost": "Utbredning, öst",
    "nord": "Utbredning, nord",
    "utbredning": "Utbredning",
}
# The extent's fields, by the API's names.
EXTENT = {"west": "vast", "south": "syd", "east": "ost", "north": "nord"}
# The time zones a municipality may keep (api.localtime.ZoneName), as the API's schema says.
TIMEZONES = get_args(ZoneName)
MAX_OUTLINE = 1_000_000
Short = Annotated[str, Form(max_length=200)]
# A municipality other than the one acted in (the platform operator's link).
AskedMunicipality = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _number(
    text: str, field: str, errors: dict[str, str], *, whole: bool
) -> int | float | str | None:
    """A number typed in the form; empty: none (the installation's setting). What does not
    read as one is said beside its field, and sent as typed: the API refuses the request
    (nothing is saved) and says what else is wrong at the same time, not in a later round."""
    plain = text.strip().replace(" ", "").replace(",", ".")
    if not plain:
        return None
    try:
        return int(plain) if whole else float(plain)
    except ValueError:
        errors[field] = "Ange ett heltal." if whole else "Ange ett tal."
        return text


def _outline(text: str, errors: dict[str, str]) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        errors["kontur"] = (
            "Konturen går inte att läsa som GeoJSON. Klistra in en Polygon eller "
            "MultiPolygon från GIS-programmet."
        )
        return text  # as typed: refused by the API with the rest (see _number)
    # A Feature from a GIS export: its geometry.
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    return value


def _extent(values: dict[str, str], errors: dict[str, str]) -> dict[str, Any] | None:
    """The extent's four corners typed in the form; all empty: none (the outline's box).
    A corner missing or unreadable is said beside its field and sent as it is (left out, or
    as typed): the API then refuses the whole request, so nothing else is saved either."""
    typed = {key: values[field].strip() for key, field in EXTENT.items()}
    if not any(typed.values()):
        return None
    corners: dict[str, Any] = {}
    for key, field in EXTENT.items():
        if not typed[key]:
            errors[field] = "Ange alla fyra gränserna, eller lämna alla tomma."
            continue
        corners[key] = _number(typed[key], field, errors, whole=False)
    return corners


async def _managed(visit: Visit, kommun: int | None) -> MunicipalityRead:
    """The municipality whose settings the page shows: the one asked for (``?kommun=``, the
    platform operator's link), else the one acted in. Refused unless the API says the caller
    may change it (its ``may_manage``)."""
    acting = visit.me.municipality
    ident = kommun if kommun is not None else acting.id if acting is not None else None
    if ident is None:
        raise StarletteHTTPException(403, NOT_YOURS[Capability.manage_municipality])
    municipality = await calls.municipality(visit.api, ident)
    if not municipality.may_manage:
        raise StarletteHTTPException(403, NOT_YOURS[Capability.manage_municipality])
    return municipality


def _settings_form(
    request: Request,
    municipality: MunicipalityRead,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    *,
    asked: int | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    return render(
        request,
        "municipality_settings.html",
        {
            # The operator's link names the municipality; its administrator's menu does not.
            "nav": "platform" if asked is not None else "municipality",
            "address": _address(municipality.id if asked is not None else None),
            "back": "/plattform/kommuner" if asked is not None else "/",
            "asked": asked is not None,
            "municipality": municipality,
            "values": values,
            "errors": errors or {},
            "field_labels": LABELS,
            "crs_choices": CRS_CHOICES,
            "timezones": TIMEZONES,
            "saved": saved,
        },
        status=status,
    )


def _address(kommun: int | None) -> str:
    return "/kommun/installningar" + (f"?kommun={kommun}" if kommun is not None else "")


def _values_of(municipality: Any) -> dict[str, str]:
    def plain(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return {
        "namn": municipality.name,
        "tidszon": municipality.timezone,
        "koordinatsystem": municipality.local_crs,
        "narmaste_plats": plain(municipality.nearest_place_metres),
        "gallra_text": plain(municipality.retain_incident_text_months),
        "gallra_logg": plain(municipality.retain_audit_years),
        "kontur": json.dumps(municipality.outline, ensure_ascii=False)
        if municipality.outline
        else "",
        **{
            field: plain(getattr(municipality.extent, key)) if municipality.extent else ""
            for key, field in EXTENT.items()
        },
    }


@page(router, "/kommun/installningar", name="municipality_settings")
async def municipality_settings_page(
    request: Request, visit: VisitDep, sparat: str = "", kommun: AskedMunicipality = None
) -> Response:
    municipality = await _managed(visit, kommun)
    return _settings_form(
        request, municipality, _values_of(municipality), asked=kommun, saved=bool(sparat)
    )


@router.post(
    "/kommun/installningar", response_class=HTMLResponse, name="municipality_settings_submit"
)
async def municipality_settings_submit(
    request: Request,
    visit: VisitDep,
    kommun: AskedMunicipality = None,
    namn: Short = "",
    tidszon: Short = "",
    koordinatsystem: Short = "",
    narmaste_plats: Short = "",
    gallra_text: Short = "",
    gallra_logg: Short = "",
    kontur: Annotated[str, Form(max_length=MAX_OUTLINE)] = "",
    vast: Short = "",
    syd: Short = "",
    ost: Short = "",
    nord: Short = "",
) -> Response:
    municipality = await _managed(visit, kommun)
    values = {
        "namn": namn,
        "tidszon": tidszon,
        "koordinatsystem": koordinatsystem,
        "narmaste_plats": narmaste_plats,
        "gallra_text": gallra_text,
        "gallra_logg": gallra_logg,
        "kontur": kontur,
        "vast": vast,
        "syd": syd,
        "ost": ost,
        "nord": nord,
    }
    errors: dict[str, str] = {}
    body = {
        "name": namn.strip(),
        "timezone": tidszon.strip(),
        "local_crs": koordinatsystem,
        "nearest_place_metres": _number(narmaste_plats, "narmaste_plats", errors, whole=False),
        "retain_incident_text_months": _number(gallra_text, "gallra_text", errors, whole=True),
        "retain_audit_years": _number(gallra_logg, "gallra_logg", errors, whole=True),
        "outline": _outline(kontur, errors),
        "extent": _extent(values, errors),
    }
    saved = await send(calls.update_municipality(visit.api, municipality.id, body), FIELDS)
    if isinstance(saved, Refused):
        # Every field's message at once: the page's own (it could not read the field) first.
        return _settings_form(
            request, municipality, values, saved.errors | errors, asked=kommun, status=422
        )
    if errors:  # the API took what the page could not read: never, but say it if so
        return _settings_form(request, municipality, values, errors, asked=kommun, status=422)
    where = _address(kommun)
    return redirect(request, where + ("&" if kommun is not None else "?") + "sparat=1")


# The platform: its municipalities, for a platform operator ------------------------------------

NEW_FIELDS = {"name": "namn", "email": "epost", "administrator": "admin_namn"}


def _platform_page(
    request: Request,
    municipalities: list[Any],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    *,
    established: Any = None,
    status: int = 200,
) -> Response:
    response = render(
        request,
        "platform.html",
        {
            "nav": "platform",
            "municipalities": sorted(municipalities, key=lambda m: m.name),
            "values": values or {},
            "errors": errors or {},
            "established": established,
        },
        status=status,
    )
    if established is not None:
        # The one-time password is on this page alone: never kept by a cache.
        response.headers["Cache-Control"] = "no-store"
    return response


@page(router, "/plattform/kommuner", name="platform")
async def platform_page(request: Request, visit: PlatformVisit) -> Response:
    return _platform_page(request, await calls.all_municipalities(visit.api))


def _new_errors(refused: Refused) -> dict[str, str]:
    """The API's messages beside the form's fields: the administrator's name and the
    municipality's are both ``name`` to the API, told apart by where they stand."""
    errors: dict[str, str] = {}
    for error in refused.problem.errors:
        if error.field.startswith("administrator."):
            field = "epost" if error.field.endswith("email") else "admin_namn"
        else:
            field = "namn"
        errors.setdefault(field, error.message)
    return errors or {"form": refused.problem.detail}


@router.post("/plattform/kommuner", response_class=HTMLResponse, name="platform_establish")
async def platform_establish(
    request: Request,
    visit: PlatformVisit,
    namn: Short = "",
    admin_namn: Short = "",
    epost: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    values = {"namn": namn, "admin_namn": admin_namn, "epost": epost}
    body = {
        "name": namn.strip(),
        "administrator": {"name": admin_namn.strip(), "email": epost.strip()},
    }
    made = await send(calls.establish_municipality(visit.api, body), lambda p: {})
    if isinstance(made, Refused):
        municipalities = await calls.all_municipalities(visit.api)
        return _platform_page(
            request, municipalities, values, _new_errors(made), status=made.status
        )
    municipalities = await calls.all_municipalities(visit.api)
    return _platform_page(request, municipalities, established=made, status=201)


# The verbs of the two buttons, in the page's address.
SET_ACTIVE = {"aktivera": True, "avaktivera": False}


@page(router, "/plattform/kommuner/{municipality_id}/avaktivera", name="platform_deactivate")
async def platform_deactivate_page(
    request: Request, visit: PlatformVisit, municipality_id: PageId
) -> Response:
    """What deactivating does, before it is done: the confirmation, without JavaScript."""
    municipality = await calls.municipality(visit.api, municipality_id)
    if not municipality.active:
        return redirect(request, "/plattform/kommuner")
    return render(
        request,
        "platform_deactivate.html",
        {"nav": "platform", "municipality": municipality},
    )


@router.post(
    "/plattform/kommuner/{municipality_id}/{verb}",
    response_class=HTMLResponse,
    name="platform_set_active",
)
async def platform_set_active(
    request: Request,
    visit: PlatformVisit,
    municipality_id: PageId,
    verb: Literal["aktivera", "avaktivera"],
) -> Response:
    await calls.set_municipality_active(visit.api, municipality_id, SET_ACTIVE[verb])
    return redirect(request, "/plattform/kommuner")

"""The web front end: Swedish pages over the API, through its typed client only.

Every page is whole HTML that works without JavaScript; with htmx, a request that carries
``HX-Request`` (and is not boosted or a history restore) gets only the page's named block.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx
from fastapi import Depends, FastAPI, Form, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from api.accounts.schemas import Me
from api.meetings.schemas import MAX_AGENDA_ITEMS
from api.middleware import (
    OVERLOADED_RETRY_AFTER,
    BodyLimit,
    LoadShedder,
    SecurityHeaders,
    shedding,
)
from api.schemas_common import MAX_ID
from api.settings import Settings, get_settings
from api.structure.schemas import GroupKind, GroupRead, OrganisationKind, OrganisationRead
from web import auth, charts, interventions, reporting, situation, steering
from web import format as fmt
from web.client import ApiClient, ApiError, ApiUnavailable

HERE = pathlib.Path(__file__).parent
HTMX_VERSION = "2.0.11"
HTMX_CDN = f"https://unpkg.com/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
# Subresource integrity of exactly what the CDN serves (npm pack htmx.org@2.0.11).
HTMX_INTEGRITY = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
# Leaflet and its marker clusters, likewise (npm pack leaflet@1.9.4 leaflet.markercluster@1.5.3);
# the same files are in static/vendor for when the CDN cannot be reached.
LEAFLET_CDN = "https://unpkg.com/leaflet@1.9.4/dist/leaflet.js"
LEAFLET_INTEGRITY = "sha384-cxOPjt7s7Iz04uaHJceBmS+qpjv2JkIHNVcuOrM+YHwZOmJGBXI00mdUXEq65HTH"
MARKERCLUSTER_CDN = "https://unpkg.com/leaflet.markercluster@1.5.3/dist/leaflet.markercluster.js"
MARKERCLUSTER_INTEGRITY = "sha384-eXVCORTRlv4FUUgS/xmOyr66XBVraen8ATNLMESp92FKXLAMiKkerixTiBvXriZr"

MAX_SEARCH = 200
Handler = Callable[..., Awaitable[Response]]
# The longest form field the pages read (an e-mail address or a password fits).
MAX_FORM_FIELD = 1000
# What multipart adds around an uploaded file: its headers and the other fields.
UPLOAD_WRAPPING = 64 * 1024
# An id the API could never have: answered here as a missing page, without asking the API.
PageId = Annotated[int, Path(ge=1, le=MAX_ID)]
# A year of a plan's follow-up; the API says which years the plan has.
YearPath = Annotated[int, Path(ge=1990, le=2099)]

CSP = (
    "default-src 'self'; script-src 'self' https://unpkg.com; style-src 'self'; "
    "img-src 'self' data: https://tile.openstreetmap.org; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)
PAGE_HEADERS = {
    "content-security-policy": CSP,
    "permissions-policy": "camera=(), microphone=(), geolocation=(self)",
}
# A page's HTML depends on these request headers (see is_fragment_request).
VARY = "HX-Request, HX-Boosted, HX-History-Restore-Request"


def _templates(settings: Settings) -> Jinja2Blocks:
    templates = Jinja2Blocks(directory=str(HERE / "templates"))
    env = templates.env
    env.filters.update(
        datetime_sv=fmt.datetime_sv,
        date_sv=fmt.date_sv,
        cadence_sv=fmt.cadence_sv,
        window_sv=fmt.window_sv,
        group_kind=lambda kind: fmt.GROUP_KINDS.get(kind, kind),
        role_sv=lambda role: fmt.ROLES.get(role, role),
        audit_action=lambda action: fmt.AUDIT_ACTIONS.get(action, action),
        audit_outcome=lambda outcome: fmt.AUDIT_OUTCOMES.get(outcome, outcome),
        audit_object=lambda table: fmt.AUDIT_OBJECTS.get(table, table),
        organisation_kind=lambda kind: fmt.ORGANISATION_KINDS.get(kind, kind),
        percent_change=fmt.percent_change,
        change_sv=fmt.change_sv,
        share_sv=fmt.share_sv,
        number_sv=fmt.number_sv,
    )
    env.globals.update(
        htmx_src=HTMX_CDN if settings.htmx_source == "cdn" else None,
        htmx_integrity=HTMX_INTEGRITY,
        htmx_local=f"/static/vendor/htmx.min.js?v={HTMX_VERSION}",
        leaflet_src=LEAFLET_CDN if settings.htmx_source == "cdn" else None,
        leaflet_integrity=LEAFLET_INTEGRITY,
        markercluster_src=MARKERCLUSTER_CDN if settings.htmx_source == "cdn" else None,
        markercluster_integrity=MARKERCLUSTER_INTEGRITY,
        count_sv=fmt.count_sv,
    )
    return templates


class SignInRequired(Exception):
    """The page needs a signed-in person: no session cookie, or the API no longer takes it."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("sign-in required")
        self.expired = expired


@dataclass(frozen=True)
class Visit:
    """A signed-in person's request: the API as them, and who they are."""

    api: ApiClient
    me: Me


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target[:500]


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def redirect(request: Request, url: str) -> Response:
    """After a write (Post/Redirect/Get), or to the sign-in page. htmx gets HX-Redirect, a
    full page load, so that nothing of the page before stays on screen."""
    if is_htmx(request):
        # Without the fragment: a change of fragment alone would not load the page again,
        # and the page must show what was just saved.
        response: Response = Response(
            status_code=204, headers={"HX-Redirect": url.split("#", 1)[0]}
        )
    else:
        response = RedirectResponse(url, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


async def signed_in(request: Request) -> Visit:
    """The dependency of every page that shows data: the person's session, checked by the
    API (which also says who they are); otherwise off to the sign-in page."""
    token = auth.session_token(request)
    if token is None:
        raise SignInRequired()
    client: ApiClient = request.app.state.client
    api = client.acting_for(token, address(request))
    try:
        me = await api.me()
    except ApiError as exc:
        if exc.status == 401:
            raise SignInRequired(expired=True) from exc
        raise
    request.state.me = me
    return Visit(api, me)


VisitDep = Annotated[Visit, Depends(signed_in)]


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
    errors: dict[str, str] = {}
    since, until = fmt.parse_date(fran), fmt.parse_date(till)
    if fran and since is None:
        errors["fran"] = "Skriv datumet som ÅÅÅÅ-MM-DD."
    if till and until is None:
        errors["till"] = "Skriv datumet som ÅÅÅÅ-MM-DD."
    if omrade and fmt.parse_id(omrade) is None:
        errors["omrade"] = "Välj ett område i listan."
    if bedomning and bedomning not in reporting.ASSESSMENTS:
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


def is_fragment_request(request: Request) -> bool:
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def overloaded_page(scope: Scope) -> Response:
    """The page for a request the load shedder turns away. It is answered outside the app,
    before any session or template is at hand: a plain page, which asks the browser to try
    again by itself when nothing was being sent."""
    again = (
        f'<meta http-equiv="refresh" content="{OVERLOADED_RETRY_AFTER * 3}">'
        if scope["method"] in ("GET", "HEAD")
        else ""
    )
    body = f"""<!doctype html>
<html lang="sv"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">{again}
<title>Hårt belastad – EST Lägesbild</title><link rel="stylesheet" href="/static/est.css">
</head><body><main class="error-page">
<p class="kicker">Fel 503</p><h1>Tjänsten är hårt belastad just nu</h1>
<p class="lead">Servern hinner inte med alla som använder den och har inte tagit emot det här.
Ingenting har sparats. Vänta en liten stund och försök igen; har du fyllt i ett formulär,
gå tillbaka och skicka det igen.</p>
<p><a class="button" href="">Försök igen</a></p>
</main></body></html>"""
    headers = {
        **PAGE_HEADERS,
        "Retry-After": str(OVERLOADED_RETRY_AFTER),
        "cache-control": "no-store",
        # htmx swaps answers into the page; this one replaces the whole body, as errors do.
        "HX-Retarget": "body",
    }
    return HTMLResponse(body, status_code=503, headers=headers)


def create_web_app(
    client: ApiClient, settings: Settings | None = None, *, shed_load: bool = True
) -> FastAPI:
    """``shed_load`` as for api.app.create_api_app."""
    settings = settings or get_settings()
    templates = _templates(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await client.aclose()

    secret = settings.secret_key.get_secret_value()

    async def check_csrf(request: Request) -> None:
        """Every write from a browser carries the CSRF token (see web.auth)."""
        if request.method not in auth.UNSAFE_METHODS:
            return
        sent = request.headers.get(auth.CSRF_HEADER)
        if sent is None:
            form = await request.form()
            value = form.get(auth.CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        if not auth.csrf_valid(request, secret, sent):
            raise StarletteHTTPException(
                403,
                "Formuläret saknar en giltig säkerhetskod (det kan ha legat öppet länge). "
                "Ladda om sidan och försök igen.",
            )

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(check_csrf)],
    )
    app.state.client = client
    app.add_middleware(SecurityHeaders, headers=PAGE_HEADERS)
    # Forms are small; a file read in is larger by its multipart wrapping only.
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        larger={"/import": settings.max_upload_bytes + UPLOAD_WRAPPING},
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def render(
        request: Request,
        name: str,
        context: dict[str, Any],
        *,
        block: str = "content",
        status: int = 200,
    ) -> Response:
        response = templates.TemplateResponse(
            request,
            name,
            {**common(request), **context},
            status_code=status,
            block_name=block if is_fragment_request(request) else None,
        )
        return finish(request, response)

    def common(request: Request) -> dict[str, Any]:
        return {
            "me": getattr(request.state, "me", None),
            "csrf_token": auth.csrf_token(request, secret),
            "csrf_field": auth.CSRF_FIELD,
        }

    def finish(request: Request, response: Response) -> Response:
        response.headers["Vary"] = VARY
        # What a signed-in person saw must not come back from a cache, nor with the back
        # button after signing out.
        response.headers["Cache-Control"] = "no-store"
        auth.ensure_seed(request, response)
        return response

    def error_page(request: Request, status: int, title: str, detail: str) -> Response:
        # An error is always a whole page, even for htmx: it replaces what was asked for.
        response = templates.TemplateResponse(
            request,
            "error.html",
            {**common(request), "status": status, "title": title, "detail": detail},
            status_code=status,
        )
        finish(request, response)
        if is_fragment_request(request):
            response.headers["HX-Retarget"] = "body"
        return response

    async def not_found(request: Request, _exc: Exception) -> Response:
        return error_page(
            request,
            404,
            "Sidan finns inte",
            "Adressen kan vara felstavad, eller så har det du söker tagits bort.",
        )

    async def sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        query = f"?next={quote(target, safe='/')}" if target != "/" else ""
        if exc.expired:
            query += ("&" if query else "?") + "utgangen=1"
        response = redirect(request, f"/logga-in{query}")
        if exc.expired:
            auth.clear_session(request, response)
        return response

    async def api_failed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        if exc.status == 401:
            return await sign_in_required(request, SignInRequired(expired=True))
        if exc.status == 404:
            return await not_found(request, exc)
        if isinstance(exc, ApiUnavailable):
            return error_page(
                request,
                503,
                "Tjänsten svarar inte just nu",
                "Försök igen om en liten stund. Det du skrivit har inte sparats.",
            )
        return error_page(request, exc.status, exc.problem.title, exc.problem.detail)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return await not_found(request, exc)
        return error_page(request, exc.status_code, "Det gick inte", str(exc.detail))

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(ApiError, api_failed)
    app.add_exception_handler(RequestValidationError, not_found)
    app.add_exception_handler(StarletteHTTPException, http_error)

    def page(path: str, name: str) -> Callable[[Handler], Handler]:
        # HEAD too, for link checkers and uptime probes (FastAPI's GET routes refuse it).
        return app.api_route(path, methods=["GET", "HEAD"], response_class=HTMLResponse, name=name)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        # For the web container's own health check; the API has its own.
        return {"status": "ok"}

    @page("/", name="index")
    async def index(request: Request, visit: VisitDep) -> Response:
        municipalities = await visit.api.municipalities()
        groups = await visit.api.groups()
        for group in groups:
            group.organisations = _by_name(group.organisations)
        return render(
            request,
            "index.html",
            {
                "municipality": municipalities[0] if municipalities else None,
                "steering": [g for g in groups if g.kind == GroupKind.steering],
                "coordination": [g for g in groups if g.kind == GroupKind.coordination],
                "area_groups": sorted(
                    (g for g in groups if g.kind == GroupKind.area),
                    key=lambda g: fmt.sort_key(g.area.name if g.area else g.name),
                ),
            },
        )

    async def group_view(
        request: Request,
        visit: Visit,
        group_id: int,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        group = await visit.api.group(group_id)
        places = await visit.api.places(area=group.area.id) if group.area else []
        in_municipality = await visit.api.groups(municipality=group.municipality_id)
        others = [g for g in in_municipality if g.id != group.id]
        try:
            members: list[Any] | None = await visit.api.memberships(group.id)
        except ApiError as exc:
            if exc.status != 403:
                raise
            members = None  # only the group's own (and the steering group) see who is in it
        decided = (await visit.api.interventions(group=group.id, limit=50)).items
        # Those in the group (and the municipality-wide readers) see what it was asked.
        waiting = await visit.api.assignments(to_group=group.id, status="open")
        response = render(
            request,
            "group.html",
            {
                "group": group,
                "assignments": waiting,
                "organisations_by_kind": _by_kind(group.organisations),
                "places": sorted(places, key=lambda p: fmt.sort_key(p.name)),
                "related": _related(group, others),
                "members": members,
                "interventions": decided,
                "writes": _writes(visit.me, group.id),
                "intervention_statuses": fmt.INTERVENTION_STATUSES,
                "manages": _manages(visit.me, group.id),
                "roles": fmt.ROLES,
                "errors": errors or {},
                "values": values or {},
            },
            status=status,
        )
        return response

    @page("/grupper/{group_id}", name="group")
    async def group_page(request: Request, group_id: PageId, visit: VisitDep) -> Response:
        return await group_view(request, visit, group_id)

    @app.post("/grupper/{group_id}/medlemmar", response_class=HTMLResponse, name="add_member")
    async def add_member(
        request: Request,
        group_id: PageId,
        visit: VisitDep,
        email: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
        roll: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    ) -> Response:
        errors: dict[str, str] = {}
        if not email.strip():
            errors["email"] = "Fyll i personens e-postadress."
        if roll not in fmt.ROLES:
            errors["roll"] = "Välj en roll i listan."
        user = None
        if not errors:
            user = await visit.api.user_by_email(email.strip())
            if user is None:
                errors["email"] = (
                    "Det finns inget konto med den e-postadressen. Be en administratör "
                    "skapa kontot först."
                )
        if errors or user is None:
            values = {"email": email, "roll": roll}
            return await group_view(
                request, visit, group_id, errors=errors, values=values, status=422
            )
        await visit.api.put_membership(group_id, user.id, roll)
        return redirect(request, f"/grupper/{group_id}#medlemmar")

    @app.post(
        "/grupper/{group_id}/medlemmar/{user_id}/ta-bort",
        response_class=HTMLResponse,
        name="remove_member",
    )
    async def remove_member(
        request: Request, group_id: PageId, user_id: PageId, visit: VisitDep
    ) -> Response:
        await visit.api.remove_membership(group_id, user_id)
        return redirect(request, f"/grupper/{group_id}#medlemmar")

    @page("/omraden/{area_id}", name="area")
    async def area_page(request: Request, area_id: PageId, visit: VisitDep) -> Response:
        area = await visit.api.area(area_id)
        places = await visit.api.places(area=area.id)
        groups = await visit.api.groups(area=area.id)
        return render(
            request,
            "area.html",
            {
                "area": area,
                "places": sorted(places, key=lambda p: fmt.sort_key(p.name)),
                "groups": groups,
            },
        )

    @page("/organisationer", name="organisations")
    async def organisations_page(
        request: Request,
        visit: VisitDep,
        q: str = "",
        typ: str = "",
    ) -> Response:
        errors: dict[str, str] = {}
        organisations: list[OrganisationRead] = []
        if typ and typ not in {k.value for k in OrganisationKind}:
            errors["typ"] = "Välj en typ i listan."
        if len(q) > MAX_SEARCH:
            errors["q"] = f"Sök med högst {MAX_SEARCH} tecken."
        if not errors:
            try:
                organisations = await visit.api.organisations(q=q.strip() or None, kind=typ or None)
            except ApiError as exc:
                if exc.status != 422:
                    raise
                names = {"q": "q", "kind": "typ"}
                errors = {names.get(e.field, "q"): e.message for e in exc.problem.errors}
        groups = await visit.api.groups()
        response = render(
            request,
            "organisations.html",
            {
                "q": q[:MAX_SEARCH],
                "typ": typ,
                "errors": errors,
                "kinds": fmt.ORGANISATION_KINDS,
                "organisations": sorted(organisations, key=lambda o: fmt.sort_key(o.name)),
                "groups_of": _groups_of(groups),
            },
            # A message beside a field needs the form, not only the results, swapped in.
            block="content" if errors else "results",
        )
        if errors and is_fragment_request(request):
            response.headers["HX-Retarget"] = "#main"
            response.headers["HX-Reswap"] = "innerHTML"
        return response

    # Observations ----------------------------------------------------------------------

    async def choices(visit: Visit) -> dict[str, Any]:
        areas = sorted(await visit.api.areas(), key=lambda a: fmt.sort_key(a.name))
        places = sorted(await visit.api.places(), key=lambda p: fmt.sort_key(p.name))
        categories = await visit.api.categories()
        families = sorted(
            (c for c in categories if c.parent_code is None), key=lambda c: c.sort_order
        )
        return {
            "areas": areas,
            "places_by_area": [(a, [p for p in places if p.area_id == a.id]) for a in areas],
            "families": [
                (
                    f,
                    sorted(
                        (c for c in categories if c.parent_code == f.code),
                        key=lambda c: c.sort_order,
                    ),
                )
                for f in families
            ],
        }

    @page("/handelser", name="incidents")
    async def incidents_page(
        request: Request, visit: VisitDep, query: IncidentQueryDep, cursor: str = ""
    ) -> Response:
        items: list[Any] = []
        more = None
        errors = dict(query.errors)
        if not errors:
            try:
                result = await visit.api.incidents(**query.api, cursor=cursor[:200] or None)
            except ApiError as exc:
                if exc.status != 422:
                    raise
                errors = {"q": exc.problem.detail}
            else:
                items = result.items
                if result.next:
                    next_cursor = parse_qs(urlsplit(result.next).query).get("cursor", [""])[0]
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
                "assessments": reporting.ASSESSMENTS,
            },
            status=422 if errors else 200,
        )

    @page("/karta", name="map")
    async def map_page(request: Request, visit: VisitDep, query: IncidentQueryDep) -> Response:
        items = [] if query.errors else (await visit.api.incidents(**query.api, limit=50)).items
        return render(
            request,
            "map.html",
            {
                **await choices(visit),
                **query.values,
                "incidents": items,
                "errors": query.errors,
                "geojson": "/karta.geojson" + query.query_string,
                "list_link": "/handelser" + query.query_string,
                "assessments": reporting.ASSESSMENTS,
            },
            status=422 if query.errors else 200,
        )

    @app.get("/karta.geojson", name="map_geojson")
    async def map_geojson(visit: VisitDep, query: IncidentQueryDep) -> Response:
        if query.errors:
            raise StarletteHTTPException(422, "; ".join(query.errors.values()))
        chunks = await visit.api.incidents_geojson(**query.api)
        return StreamingResponse(
            chunks, media_type="application/geo+json", headers={"Cache-Control": "no-store"}
        )

    @page("/handelser/{incident_id}", name="incident")
    async def incident_page(request: Request, incident_id: PageId, visit: VisitDep) -> Response:
        incident = await visit.api.incident(incident_id)
        try:
            history = await visit.api.incident_history(incident_id)
        except ApiError as exc:
            if exc.status != 403:
                raise
            history = []  # earlier versions are for those who may change the incident
        return render(
            request,
            "incident.html",
            {
                "incident": incident,
                "history": history,
                "assessments": reporting.ASSESSMENTS,
                "certainties": reporting.CERTAINTIES,
                "police": reporting.POLICE,
                "reasons": fmt.WITHDRAW_REASONS,
            },
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
                "assessments": reporting.ASSESSMENTS,
                "certainties": reporting.CERTAINTIES,
                "police": reporting.POLICE,
            },
            status=status,
        )

    @page("/handelser/{incident_id}/andra", name="edit_incident")
    async def edit_incident_page(
        request: Request, incident_id: PageId, visit: VisitDep
    ) -> Response:
        incident = await visit.api.incident(incident_id)
        if not incident.may_edit:
            raise StarletteHTTPException(
                403, "Bara den som rapporterade, sammankallande och administratörer kan ändra."
            )
        return await edit_form(request, visit, incident, reporting.edit_values(incident))

    @app.post("/handelser/{incident_id}/andra", response_class=HTMLResponse, name="edit_submit")
    async def edit_incident_submit(
        request: Request, incident_id: PageId, visit: VisitDep
    ) -> Response:
        incident = await visit.api.incident(incident_id)
        form = await request.form()
        values = {k: str(form.get(k, ""))[:2000] for k in reporting.EDIT_FIELDS}
        body, errors = reporting.edit_body(values, reporting.edit_values(incident))
        if not errors:
            try:
                await visit.api.update_incident(incident_id, body)
            except ApiError as exc:
                if exc.status not in {403, 409, 422}:
                    raise
                errors = reporting.edit_errors(exc.problem)
        if errors:
            return await edit_form(request, visit, incident, values, errors, status=422)
        return redirect(request, f"/handelser/{incident_id}")

    @app.post("/handelser/{incident_id}/aterkalla", response_class=HTMLResponse, name="withdraw")
    async def withdraw(
        request: Request,
        incident_id: PageId,
        visit: VisitDep,
        orsak: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    ) -> Response:
        if orsak not in fmt.WITHDRAW_REASONS:
            raise StarletteHTTPException(422, "Välj varför händelsen återkallas.")
        await visit.api.withdraw_incident(incident_id, orsak)
        return redirect(request, f"/handelser/{incident_id}")

    @app.post(
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
        forms: list[reporting.IncidentForm],
        *,
        key: str,
        opened: dt.datetime,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        return render(
            request,
            "report.html",
            {
                **await choices(visit),
                "forms": reporting.as_dicts(forms),
                "key": key,
                "opened": opened.isoformat(timespec="minutes"),
                "errors": errors or {},
                "when": {**reporting.WHEN, "kvall": reporting.evening(opened)[2]},
                "assessments": reporting.ASSESSMENTS,
                "certainties": reporting.CERTAINTIES,
                "police": reporting.POLICE,
                "systems": reporting.SYSTEMS,
                "max_incidents": reporting.MAX_INCIDENTS,
            },
            status=status,
        )

    @page("/rapportera", name="report")
    async def report_page(request: Request, visit: VisitDep) -> Response:
        return await report_form(
            request, visit, [reporting.IncidentForm()], key=str(uuid.uuid4()), opened=_now()
        )

    @app.post("/rapportera", response_class=HTMLResponse, name="report_submit")
    async def report_submit(request: Request, visit: VisitDep) -> Response:
        form = await request.form()
        forms = reporting.read_forms(form)
        key = str(form.get("nyckel", ""))[:100] or str(uuid.uuid4())
        # "Nu" is when the form was opened: a second press of "Skicka" sends the same report,
        # which the Idempotency-Key then files once.
        opened = reporting.opened_at(str(form.get("oppnad", ""))) or _now()
        action = str(form.get("atgard", "skicka"))
        if action == "lagg-till":
            if len(forms) < reporting.MAX_INCIDENTS:
                # The new one starts where the last one was: the same place and time, often.
                last = forms[-1]
                forms.append(
                    reporting.IncidentForm(
                        nar=last.nar, dag=last.dag, omrade=last.omrade, plats=last.plats
                    )
                )
            return await report_form(request, visit, forms, key=key, opened=opened)
        if action.startswith("ta-bort-") and len(forms) > 1:
            index = action.removeprefix("ta-bort-")
            at = fmt.parse_id(index)
            if at is not None and at < len(forms):
                del forms[at]
            return await report_form(request, visit, forms, key=key, opened=opened)
        incidents, errors = reporting.to_api(forms, opened)
        if errors:
            return await report_form(
                request, visit, forms, key=key, opened=opened, errors=errors, status=422
            )
        try:
            report = await visit.api.file_report({"incidents": incidents}, key=key)
        except ApiError as exc:
            if exc.status not in {403, 409, 422}:
                raise
            errors = reporting.api_errors(exc.problem.errors, forms)
            if not errors:
                errors = {"rapport": exc.problem.detail}
            if exc.problem.code == "idempotency_key_reused":
                # The report with this key was changed after it was sent: a new one is new.
                key = str(uuid.uuid4())
            return await report_form(
                request, visit, forms, key=key, opened=opened, errors=errors, status=exc.status
            )
        return redirect(request, f"/rapporter/{report.id}?skickad=1")

    @page("/rapporter/{report_id}", name="report_done")
    async def report_done(request: Request, report_id: PageId, visit: VisitDep) -> Response:
        report = await visit.api.report(report_id)
        return render(
            request,
            "report_done.html",
            {"report": report, "assessments": reporting.ASSESSMENTS},
        )

    # Signing in and out ---------------------------------------------------------------

    def sign_in_form(
        request: Request,
        *,
        next_url: str,
        email: str = "",
        errors: dict[str, str] | None = None,
        message: str | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> Response:
        return render(
            request,
            "sign_in.html",
            {
                "next_url": next_url,
                "email": email,
                "errors": errors or {},
                "message": message,
                "notice": notice,
            },
            status=status,
        )

    @page("/logga-in", name="sign_in")
    async def sign_in_page(
        request: Request, next: str = "/", utloggad: str = "", utgangen: str = ""
    ) -> Response:
        notice = None
        if utloggad:
            notice = "Du är utloggad."
        elif utgangen:
            notice = "Din inloggning har gått ut. Logga in igen."
        return sign_in_form(request, next_url=safe_next(next), notice=notice)

    @app.post("/logga-in", response_class=HTMLResponse, name="sign_in_submit")
    async def sign_in_submit(
        request: Request,
        email: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
        password: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
        next: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "/",
    ) -> Response:
        target = safe_next(next)
        errors = {}
        if not email.strip():
            errors["email"] = "Fyll i din e-postadress."
        if not password:
            errors["password"] = "Fyll i ditt lösenord."  # noqa: S105 (a message)
        if errors:
            return sign_in_form(request, next_url=target, email=email, errors=errors, status=422)
        api = client.acting_for(None, address(request))
        try:
            token = await api.sign_in(email.strip(), password)
        except ApiError as exc:
            if exc.status in {401, 429}:
                return sign_in_form(
                    request,
                    next_url=target,
                    email=email,
                    message=exc.problem.detail,
                    status=exc.status,
                )
            if exc.status == 422:
                fields = {e.field: e.message for e in exc.problem.errors}
                return sign_in_form(
                    request, next_url=target, email=email, errors=fields, status=422
                )
            raise
        response = redirect(request, target)
        auth.set_session(request, response, token.access_token)
        return response

    @app.post("/logga-ut", response_class=HTMLResponse, name="sign_out")
    async def sign_out(request: Request) -> Response:
        token = auth.session_token(request)
        if token is not None:
            try:
                await client.acting_for(token, address(request)).sign_out()
            except ApiError as exc:
                # Already ended (401): signing out is done anyway.
                if exc.status != 401:
                    raise
        response = redirect(request, "/logga-in?utloggad=1")
        auth.clear_session(request, response)
        return response

    # Administration ---------------------------------------------------------------------

    @page("/admin/logg", name="audit")
    async def audit_page(
        request: Request,
        visit: VisitDep,
        handelse: str = "",
        utfall: str = "",
        fran: str = "",
        till: str = "",
        cursor: str = "",
    ) -> Response:
        errors: dict[str, str] = {}
        if handelse and handelse not in fmt.AUDIT_ACTIONS:
            errors["handelse"] = "Välj en händelse i listan."
        if utfall and utfall not in fmt.AUDIT_OUTCOMES:
            errors["utfall"] = "Välj ett utfall i listan."
        since = fmt.parse_date(fran)
        until = fmt.parse_date(till)
        if fran and since is None:
            errors["fran"] = "Skriv datumet som ÅÅÅÅ-MM-DD."
        if till and until is None:
            errors["till"] = "Skriv datumet som ÅÅÅÅ-MM-DD."
        events: list[Any] = []
        next_cursor = None
        if not errors:
            result = await visit.api.audit_events(
                action=handelse or None,
                outcome=utfall or None,
                since=fmt.start_of_day(since) if since else None,
                until=fmt.start_of_day(until, days=1) if until else None,
                cursor=cursor[:200] or None,
                limit=100,
            )
            events = result.items
            if result.next:
                next_cursor = parse_qs(urlsplit(result.next).query).get("cursor", [None])[0]
        filters = {"handelse": handelse, "utfall": utfall, "fran": fran, "till": till}
        older = None
        if next_cursor:
            older = "/admin/logg?" + urlencode(
                {**{k: v for k, v in filters.items() if v}, "cursor": next_cursor}
            )
        return render(
            request,
            "audit.html",
            {
                "events": events,
                "errors": errors,
                "older": older,
                "actions": fmt.AUDIT_ACTIONS,
                "outcomes": fmt.AUDIT_OUTCOMES,
                **filters,
            },
            status=422 if errors else 200,
        )

    # Imports from a mapping tool ------------------------------------------------------------

    async def import_form(
        request: Request,
        visit: Visit,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        organisations = sorted(await visit.api.organisations(), key=lambda o: fmt.sort_key(o.name))
        return render(
            request,
            "import.html",
            {
                "organisations": organisations,
                "f": values or {"kalla": "embrace", "organisation": ""},
                "errors": errors or {},
                "max_mb": settings.max_upload_bytes // (1024 * 1024),
            },
            status=status,
        )

    @page("/import", name="import_form")
    async def import_page(request: Request, visit: VisitDep) -> Response:
        return await import_form(request, visit)

    @app.post("/import", response_class=HTMLResponse, name="import_upload")
    async def import_upload(request: Request, visit: VisitDep) -> Response:
        form = await request.form(max_part_size=settings.max_upload_bytes + 1)
        values = {
            "kalla": str(form.get("kalla", "")).strip()[:40],
            "organisation": str(form.get("organisation", ""))[:20],
        }
        errors: dict[str, str] = {}
        upload = form.get("fil")
        content = b""
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors["fil"] = "Välj filen att läsa in."
        else:
            content = await upload.read(settings.max_upload_bytes + 1)
            if len(content) > settings.max_upload_bytes:
                errors["fil"] = (
                    f"Filen är större än {settings.max_upload_bytes // (1024 * 1024)} MB. Läs in "
                    "den med kommandot est import i stället."
                )
        if not errors and isinstance(upload, UploadFile):
            try:
                kept = await visit.api.upload_import(
                    values["kalla"],
                    upload.filename or "fil",
                    content,
                    fmt.parse_id(values["organisation"]),
                )
            except ApiError as exc:
                if exc.status != 422:
                    raise
                errors = situation.field_errors(
                    exc.problem,
                    {"file": "fil", "source": "kalla", "organisation_id": "organisation"},
                )
            else:
                return redirect(request, f"/import/{kept.id}")
        return await import_form(request, visit, values=values, errors=errors, status=422)

    @page("/import/kategorier", name="category_mappings")
    async def mappings_page(
        request: Request, visit: VisitDep, kalla: str = "", namn: str = ""
    ) -> Response:
        return await mappings_view(
            request, visit, values={"kalla": kalla[:40] or "embrace", "namn": namn[:200]}
        )

    async def mappings_view(
        request: Request,
        visit: Visit,
        *,
        values: dict[str, str],
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        return render(
            request,
            "mappings.html",
            {
                **await choices(visit),
                "mappings": await visit.api.category_mappings(),
                "f": values,
                "errors": errors or {},
            },
            status=status,
        )

    @app.post("/import/kategorier", response_class=HTMLResponse, name="put_mapping")
    async def put_mapping(
        request: Request,
        visit: VisitDep,
        kalla: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
        namn: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
        kategori: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    ) -> Response:
        values = {"kalla": kalla.strip(), "namn": namn.strip(), "kategori": kategori}
        try:
            await visit.api.put_category_mapping(values["kalla"], values["namn"], kategori)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = situation.field_errors(
                exc.problem, {"source": "kalla", "name": "namn", "category": "kategori"}
            )
            return await mappings_view(request, visit, values=values, errors=errors, status=422)
        return redirect(request, "/import/kategorier?sparat=1")

    @app.post(
        "/import/kategorier/{mapping_id}/ta-bort",
        response_class=HTMLResponse,
        name="delete_mapping",
    )
    async def delete_mapping(request: Request, mapping_id: PageId, visit: VisitDep) -> Response:
        await visit.api.delete_category_mapping(mapping_id)
        return redirect(request, "/import/kategorier")

    @page("/import/{import_id}", name="import_preview")
    async def import_preview(request: Request, import_id: PageId, visit: VisitDep) -> Response:
        kept = await visit.api.import_(import_id)
        return render(request, "import_show.html", {"imp": kept})

    @app.post("/import/{import_id}", response_class=HTMLResponse, name="import_confirm")
    async def import_confirm(request: Request, import_id: PageId, visit: VisitDep) -> Response:
        try:
            await visit.api.confirm_import(import_id)
        except ApiError as exc:
            if exc.status != 409:
                raise
        return redirect(request, f"/import/{import_id}")

    # The lägesbild ----------------------------------------------------------------------------

    def period_values(fran: str, till: str) -> tuple[dict[str, str], dict[str, str]]:
        errors: dict[str, str] = {}
        first, last = fmt.parse_date(fran), fmt.parse_date(till)
        if fran and first is None:
            errors["fran"] = "Skriv datumet som ÅÅÅÅ-MM-DD."
        if till and last is None:
            errors["till"] = "Skriv datumet som ÅÅÅÅ-MM-DD."
        if first and last and last < first:
            errors["till"] = "Sista dagen ligger före den första."
        return {"fran": fran[:10], "till": till[:10]}, errors

    async def map_areas(visit: Visit, figures: Any) -> list[Any]:
        areas = await visit.api.areas()
        if figures.area is not None:
            return [a for a in areas if a.id == figures.area.id]
        return areas

    async def pictures(visit: Visit, figures: Any) -> dict[str, Any]:
        """The charts of a lägesbild's figures, drawn as SVG."""
        return {
            "weeks_svg": charts.weeks_chart(figures.weeks),
            "heat_svg": charts.heatmap(figures.weekday_hour, figures.unknown_hour),
            "bars_svg": charts.category_bars(figures.families),
            "map_svg": charts.hot_spot_map(await map_areas(visit, figures), figures.hot_spots),
        }

    def situation_context() -> dict[str, Any]:
        return {
            "weekdays": charts.WEEKDAYS,
            "trends": charts.TREND,
            "fields": situation.FIELDS,
            "hints": situation.HINTS,
            "statuses": situation.STATUS,
            "now": _now(),
        }

    @page("/grupper/{group_id}/lagesbild", name="group_situation")
    async def group_situation_page(
        request: Request,
        group_id: PageId,
        visit: VisitDep,
        fran: Annotated[str, Query(max_length=MAX_FORM_FIELD)] = "",
        till: Annotated[str, Query(max_length=MAX_FORM_FIELD)] = "",
    ) -> Response:
        return await group_situation_view(request, visit, group_id, fran, till)

    async def group_situation_view(
        request: Request,
        visit: Visit,
        group_id: int,
        fran: str,
        till: str,
        *,
        refused: str | None = None,
    ) -> Response:
        """The group's live figures for a period; ``refused``: why a draft of it was not
        started (shown beside the button, with a link to the lägesbild already there)."""
        group = await visit.api.group(group_id)
        values, errors = period_values(fran, till)
        figures = None
        if not errors:
            try:
                figures = await visit.api.group_figures(
                    group_id, first_day=values["fran"] or None, last_day=values["till"] or None
                )
            except ApiError as exc:
                if exc.status != 422:
                    raise
                errors = {"fran": exc.problem.detail}
        if figures is not None and not errors:
            values = {"fran": figures.period.first_day.isoformat(),
                      "till": figures.period.last_day.isoformat()}  # fmt: skip
        reports = await visit.api.situation_reports(group_id)
        existing = None
        if refused and figures is not None:
            # The one the API pointed to: the latest version of the period's lägesbild.
            same = [
                r
                for r in reports
                if (r.first_day, r.last_day) == (figures.period.first_day, figures.period.last_day)
            ]
            existing = max(same, key=lambda r: (r.version, r.id), default=None)
        return render(
            request,
            "situation_group.html",
            {
                **situation_context(),
                "group": group,
                "reports": reports,
                "figures": figures,
                **(await pictures(visit, figures) if figures else {}),
                "values": values,
                "errors": errors,
                "may_write": _writes(visit.me, group.id),
                "refused": refused,
                "existing": existing,
            },
            block="figures",
            status=422 if errors else 409 if refused else 200,
        )

    @app.post("/grupper/{group_id}/lagesbild", response_class=HTMLResponse, name="new_situation")
    async def new_situation(
        request: Request,
        group_id: PageId,
        visit: VisitDep,
        fran: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
        till: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    ) -> Response:
        values, errors = period_values(fran, till)
        if errors:
            raise StarletteHTTPException(422, next(iter(errors.values())))
        try:
            report = await visit.api.create_situation_report(
                group_id, first_day=values["fran"] or None, last_day=values["till"] or None
            )
        except ApiError as exc:
            if exc.status != 409:
                raise
            return await group_situation_view(
                request, visit, group_id, fran, till, refused=exc.problem.detail
            )
        return redirect(request, f"/lagesbild/{report.id}")

    async def situation_view(
        request: Request,
        visit: Visit,
        report_id: int,
        *,
        template: str = "situation.html",
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        conflict: dict[str, list[tuple[str, str]]] | None = None,
        period: dict[str, str] | None = None,
        confirm: bool = False,
        status: int = 200,
    ) -> Response:
        report, etag = await visit.api.situation_report(report_id)
        texts = {name: getattr(report, name) for name in situation.FIELDS}
        return render(
            request,
            template,
            {
                **situation_context(),
                "report": report,
                # What the form starts from, to tell what the person changed when it is sent.
                "base": texts,
                "figures": report.figures,
                **(await pictures(visit, report.figures)),
                "etag": etag,
                "f": {**texts, **(values or {})},
                "errors": errors or {},
                "conflict": conflict or {},
                "period": period,
                "confirm": confirm,
            },
            status=status,
        )

    # ":int", so that "/lagesbild/5.pdf" goes to the PDF.
    @page("/lagesbild/{report_id:int}", name="situation")
    async def situation_page(request: Request, report_id: PageId, visit: VisitDep) -> Response:
        return await situation_view(request, visit, report_id)

    @app.post("/lagesbild/{report_id:int}", response_class=HTMLResponse, name="situation_save")
    async def situation_save(request: Request, report_id: PageId, visit: VisitDep) -> Response:
        form = await request.form()
        typed, errors = situation.text_form(form)
        # Only what this person changed is sent: a field they left alone must not put back
        # the text they happened to load, over what someone else has saved since.
        values = {k: v for k, v in typed.items() if v != form.get(f"{k}_fore")}
        etag = str(form.get("etag", ""))[:200]
        if errors:
            return await situation_view(
                request, visit, report_id, values=typed, errors=errors, status=422
            )
        if not values:
            return redirect(request, f"/lagesbild/{report_id}?sparad=1")
        body: dict[str, Any] = dict(values)
        if form.get("bekrafta") == "ja":
            body["confirm_personal_data"] = True
        try:
            await visit.api.update_situation_report(report_id, body, etag=etag)
        except ApiError as exc:
            if exc.status != 412:
                return await situation_refused(request, visit, report_id, values, exc)
            # Someone saved first. Where they changed other fields than this person did,
            # both changes stand (saved again on the newer version); where they changed the
            # same field, show what they wrote beside what this person wrote, keep this
            # person's text in the form, and let them save again on purpose.
            current, fresh = await visit.api.situation_report(report_id)
            clashes = {
                name: situation.word_diff(getattr(current, name), values[name])
                for name in values
                if getattr(current, name) not in {form.get(f"{name}_fore"), values[name]}
            }
            if clashes:
                return await situation_view(
                    request, visit, report_id, values=values, conflict=clashes, status=409
                )
            try:
                await visit.api.update_situation_report(report_id, body, etag=fresh)
            except ApiError as again:
                if again.status == 412:
                    raise StarletteHTTPException(
                        409, "Lägesbilden ändras just nu av flera; försök igen."
                    ) from again
                return await situation_refused(request, visit, report_id, values, again)
        return redirect(request, f"/lagesbild/{report_id}?sparad=1")

    async def situation_refused(
        request: Request, visit: Visit, report_id: int, values: dict[str, str], exc: ApiError
    ) -> Response:
        """The API refused the text: the reasons beside the fields, the text kept."""
        if exc.status not in {409, 422}:
            raise exc
        fields = {name: name for name in situation.FIELDS}
        return await situation_view(
            request,
            visit,
            report_id,
            values=values,
            errors=situation.field_errors(exc.problem, fields),
            confirm=any(e.code == "personal_data" for e in exc.problem.errors),
            status=exc.status,
        )

    @app.post("/lagesbild/{report_id}/period", response_class=HTMLResponse, name="situation_period")
    async def situation_period(
        request: Request,
        report_id: PageId,
        visit: VisitDep,
        fran: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
        till: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
        etag: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        values, errors = period_values(fran, till)
        if not values["fran"] or not values["till"]:
            errors.setdefault("fran", "Ange periodens första och sista dag.")
        if not errors:
            try:
                await visit.api.update_situation_report(
                    report_id,
                    {"first_day": values["fran"], "last_day": values["till"]},
                    etag=etag,
                )
            except ApiError as exc:
                if exc.status not in {409, 412, 422}:
                    raise
                errors = situation.field_errors(
                    exc.problem, {"first_day": "fran", "last_day": "till"}
                )
        if errors:
            return await situation_view(
                request, visit, report_id, errors=errors, period=values, status=422
            )
        return redirect(request, f"/lagesbild/{report_id}")

    @app.post(
        "/lagesbild/{report_id}/publicera", response_class=HTMLResponse, name="situation_publish"
    )
    async def situation_publish(
        request: Request,
        report_id: PageId,
        visit: VisitDep,
        etag: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        try:
            await visit.api.publish_situation_report(report_id, etag=etag)
        except ApiError as exc:
            if exc.status not in {409, 412}:
                raise
            return await situation_view(
                request, visit, report_id, errors={"form": exc.problem.detail}, status=exc.status
            )
        return redirect(request, f"/lagesbild/{report_id}")

    @app.post(
        "/lagesbild/{report_id}/ny-version", response_class=HTMLResponse, name="situation_version"
    )
    async def situation_version(request: Request, report_id: PageId, visit: VisitDep) -> Response:
        try:
            report = await visit.api.new_situation_version(report_id)
        except ApiError as exc:
            if exc.status != 409:
                raise
            return await situation_view(
                request, visit, report_id, errors={"form": exc.problem.detail}, status=409
            )
        return redirect(request, f"/lagesbild/{report.id}")

    @page("/lagesbild/{report_id}/jamfor/{other_id}", name="situation_compare")
    async def situation_compare(
        request: Request, report_id: PageId, other_id: PageId, visit: VisitDep
    ) -> Response:
        comparison = await visit.api.compare_situation_reports(report_id, other_id)
        report, _etag = await visit.api.situation_report(report_id)
        return render(
            request,
            "situation_compare.html",
            {
                **situation_context(),
                "report": report,
                "comparison": comparison,
                "diffs": {
                    change.field: situation.word_diff(change.before, change.after)
                    for change in comparison.texts
                },
            },
        )

    @page("/lagesbild/{report_id}/visning", name="situation_show")
    async def situation_show(request: Request, report_id: PageId, visit: VisitDep) -> Response:
        return await situation_view(request, visit, report_id, template="situation_show.html")

    @page("/lagesbild/{report_id}/utskrift", name="situation_print")
    async def situation_print(request: Request, report_id: PageId, visit: VisitDep) -> Response:
        return await situation_view(request, visit, report_id, template="situation_print.html")

    @app.get("/lagesbild/{report_id}.pdf", name="situation_pdf")
    async def situation_pdf(request: Request, report_id: PageId, visit: VisitDep) -> Response:
        report, _etag = await visit.api.situation_report(report_id)
        html = templates.get_template("situation_print.html").render(
            {
                **common(request),
                **situation_context(),
                "report": report,
                "figures": report.figures,
                **(await pictures(visit, report.figures)),
                "pdf": True,
            }
        )
        pdf = await run_in_threadpool(situation.render_pdf, html)
        name = f"lagesbild-{report.group.name}-{report.first_day}-{report.last_day}"
        response = Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": "inline; filename*=UTF-8''"
                + quote(f"{fmt.slug(name)}-v{report.version}.pdf")
            },
        )
        return finish(request, response)

    # Interventions ---------------------------------------------------------------------------

    async def intervention_form(
        request: Request,
        visit: Visit,
        group_id: int,
        values: dict[str, str],
        chosen: list[str],
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        group = await visit.api.group(group_id)
        listed = await choices(visit)
        organisations = await visit.api.organisations()
        return render(
            request,
            "intervention_new.html",
            {
                **listed,
                "goals": await visit.api.goals() if _reads_steering(visit.me) else [],
                "assignments": [
                    a
                    for a in await visit.api.assignments(to_group=group_id)
                    if a.status.value in ("open", "answered")
                ],
                "group": group,
                "organisations": _by_name(organisations),
                "f": values,
                "chosen": chosen,
                "errors": errors or {},
                "types": fmt.INTERVENTION_TYPES,
                "statuses": fmt.INTERVENTION_STATUSES,
            },
            status=status,
        )

    @page("/grupper/{group_id}/insatser/ny", name="new_intervention")
    async def new_intervention_page(
        request: Request, group_id: PageId, visit: VisitDep
    ) -> Response:
        values = dict.fromkeys(interventions.FORM_FIELDS, "")
        values.update(
            mal="place", status="planned", start=_now().astimezone(fmt.STOCKHOLM).date().isoformat()
        )
        if visit.me.organisation:
            values["agare"] = str(visit.me.organisation.id)
        return await intervention_form(request, visit, group_id, values, [])

    @app.post(
        "/grupper/{group_id}/insatser", response_class=HTMLResponse, name="create_intervention"
    )
    async def create_intervention(request: Request, group_id: PageId, visit: VisitDep) -> Response:
        form = await request.form()
        values = {k: str(form.get(k, ""))[:MAX_FORM_FIELD] for k in interventions.FORM_FIELDS}
        chosen = [str(c)[:64] for c in form.getlist("kategorier")][:30]
        body, errors = interventions.body_of(values, chosen, group_id)
        if not errors:
            try:
                created = await visit.api.create_intervention(body)
            except ApiError as exc:
                if exc.status not in {403, 404, 422}:
                    raise
                errors = situation.field_errors(exc.problem, interventions.API_FIELDS)
            else:
                return redirect(request, f"/insatser/{created.id}")
        return await intervention_form(request, visit, group_id, values, chosen, errors, status=422)

    async def intervention_view(
        request: Request,
        visit: Visit,
        intervention_id: int,
        *,
        weeks: int = 8,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        intervention = await visit.api.intervention(intervention_id)
        follow_ups = await visit.api.follow_ups(intervention_id)
        told = await visit.api.feedback(intervention_id)
        group = await visit.api.group(intervention.group.id)
        effect = await visit.api.intervention_effect(intervention_id, weeks)
        categories = {c.code: c.label_sv for c in await visit.api.categories(active=None)}
        return render(
            request,
            "intervention.html",
            {
                "intervention": intervention,
                "follow_ups": follow_ups,
                "told": told,
                "group_organisations": group.organisations,
                "channels": fmt.CHANNELS,
                "effect": effect,
                "weeks": weeks,
                "category_names": categories,
                "types": fmt.INTERVENTION_TYPES,
                "statuses": fmt.INTERVENTION_STATUSES,
                "verdicts": fmt.VERDICTS,
                "reads_goal": _reads_steering(visit.me),
                "errors": errors or {},
                "f": values or {"dag": _now().astimezone(fmt.STOCKHOLM).date().isoformat()},
            },
            block="effect",
            status=status,
        )

    @page("/insatser/{intervention_id}", name="intervention")
    async def intervention_page(
        request: Request,
        intervention_id: PageId,
        visit: VisitDep,
        veckor: Annotated[str, Query(max_length=8)] = "8",
    ) -> Response:
        # A filter in a link: what is not a number of weeks the page offers shows the default.
        weeks = fmt.parse_id(veckor)
        return await intervention_view(
            request, visit, intervention_id, weeks=weeks if weeks and 2 <= weeks <= 26 else 8
        )

    @app.post(
        "/insatser/{intervention_id}/status",
        response_class=HTMLResponse,
        name="intervention_status",
    )
    async def intervention_status(
        request: Request,
        intervention_id: PageId,
        visit: VisitDep,
        status: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    ) -> Response:
        if status not in fmt.INTERVENTION_STATUSES:
            raise StarletteHTTPException(422, "Välj en status i listan.")
        await visit.api.update_intervention(intervention_id, {"status": status})
        return redirect(request, f"/insatser/{intervention_id}")

    @app.post(
        "/insatser/{intervention_id}/aterkoppling",
        response_class=HTMLResponse,
        name="intervention_feedback",
    )
    async def intervention_feedback(
        request: Request, intervention_id: PageId, visit: VisitDep
    ) -> Response:
        form = await request.form()
        values = {k: str(form.get(k, ""))[: MAX_FORM_FIELD * 2] for k in ("tdag", "kanal", "text")}
        to = fmt.parse_ids(form.getlist("till"))[:50]
        reporters = form.get("rapportorer") == "ja"
        errors: dict[str, str] = {}
        day = fmt.parse_date(values["tdag"])
        if day is None:
            errors["tdag"] = "Skriv dagen som ÅÅÅÅ-MM-DD."
        if values["kanal"] not in fmt.CHANNELS:
            errors["kanal"] = "Välj hur det berättades."
        if not values["text"].strip():
            errors["text"] = "Skriv vad som berättades."
        if not errors and day is not None:
            try:
                await visit.api.add_feedback(
                    intervention_id,
                    {
                        "told_on": day.isoformat(),
                        "channel": values["kanal"],
                        "text": values["text"].strip(),
                        "organisation_ids": to,
                        "to_reporters": reporters,
                    },
                )
            except ApiError as exc:
                if exc.status != 422:
                    raise
                errors = situation.field_errors(
                    exc.problem,
                    {
                        "told_on": "tdag",
                        "channel": "kanal",
                        "text": "text",
                        "organisation_ids": "till",
                    },
                )
            else:
                return redirect(request, f"/insatser/{intervention_id}#aterkoppling")
        return await intervention_view(
            request, visit, intervention_id, errors=errors, values=values, status=422
        )

    @app.post(
        "/insatser/{intervention_id}/uppfoljning",
        response_class=HTMLResponse,
        name="intervention_follow_up",
    )
    async def intervention_follow_up(
        request: Request,
        intervention_id: PageId,
        visit: VisitDep,
        dag: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
        gjort: Annotated[str, Form(max_length=MAX_FORM_FIELD * 2)] = "",
        sett: Annotated[str, Form(max_length=MAX_FORM_FIELD * 2)] = "",
    ) -> Response:
        values = {"dag": dag, "gjort": gjort, "sett": sett}
        errors: dict[str, str] = {}
        day = fmt.parse_date(dag)
        if day is None:
            errors["dag"] = "Skriv dagen som ÅÅÅÅ-MM-DD."
        if not gjort.strip():
            errors["gjort"] = "Skriv vad som gjordes."
        if not errors and day is not None:
            try:
                await visit.api.add_follow_up(
                    intervention_id,
                    {"day": day.isoformat(), "done": gjort.strip(), "seen": sett.strip() or None},
                )
            except ApiError as exc:
                if exc.status != 422:
                    raise
                errors = situation.field_errors(
                    exc.problem, {"day": "dag", "done": "gjort", "seen": "sett"}
                )
            else:
                return redirect(request, f"/insatser/{intervention_id}#uppfoljning")
        return await intervention_view(
            request, visit, intervention_id, errors=errors, values=values, status=422
        )

    # Meetings --------------------------------------------------------------------------------

    async def meetings_view(
        request: Request,
        visit: Visit,
        group_id: int,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        group = await visit.api.group(group_id)
        upcoming = await visit.api.meetings(group_id, upcoming=True)
        held = [
            m for m in await visit.api.meetings(group_id) if m.id not in {u.id for u in upcoming}
        ]
        if values is None:
            suggested = await visit.api.next_meeting(group_id)
            local = suggested.starts_at.astimezone(fmt.STOCKHOLM)
            values = {"dag": local.date().isoformat(), "tid": f"{local:%H:%M}", "plats": ""}
        return render(
            request,
            "meetings.html",
            {
                "group": group,
                "upcoming": upcoming,
                "held": held[:20],
                "f": values,
                "errors": errors or {},
                "writes": _writes(visit.me, group_id),
            },
            status=status,
        )

    @page("/grupper/{group_id}/moten", name="meetings")
    async def meetings_page(request: Request, group_id: PageId, visit: VisitDep) -> Response:
        return await meetings_view(request, visit, group_id)

    @app.post("/grupper/{group_id}/moten", response_class=HTMLResponse, name="create_meeting")
    async def create_meeting_submit(
        request: Request,
        group_id: PageId,
        visit: VisitDep,
        dag: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
        tid: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
        plats: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    ) -> Response:
        values = {"dag": dag, "tid": tid, "plats": plats}
        day, time = fmt.parse_date(dag), fmt.parse_time(tid)
        errors: dict[str, str] = {}
        if day is None:
            errors["dag"] = "Skriv dagen som ÅÅÅÅ-MM-DD."
        if time is None:
            errors["tid"] = "Skriv tiden som TT:MM, till exempel 13:00."
        if day is not None and time is not None:
            # Local time, as the API reads a time without an offset: it refuses the hour
            # the clocks skip in spring instead of moving the meeting.
            starts = dt.datetime.combine(day, time).isoformat(timespec="minutes")
            try:
                meeting = await visit.api.create_meeting(
                    group_id, {"starts_at": starts, "location": plats.strip() or None}
                )
            except ApiError as exc:
                if exc.status != 422:
                    raise
                errors = situation.field_errors(
                    exc.problem, {"starts_at": "tid", "location": "plats"}
                )
            else:
                return redirect(request, f"/moten/{meeting.id}")
        return await meetings_view(
            request, visit, group_id, values=values, errors=errors, status=422
        )

    @app.get("/grupper/{group_id}/moten.ics", name="meetings_ics")
    async def meetings_ics(request: Request, group_id: PageId, visit: VisitDep) -> Response:
        body = await visit.api.meetings_calendar(group_id)
        response = Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="moten-{group_id}.ics"'},
        )
        return finish(request, response)

    async def meeting_view(
        request: Request,
        visit: Visit,
        meeting_id: int,
        *,
        errors: dict[str, str] | None = None,
        minutes: str | None = None,
        attending: set[int] | None = None,
        present: set[int] | None = None,
        decision: dict[str, Any] | None = None,
        conflict: list[tuple[str, str]] | None = None,
        status: int = 200,
    ) -> Response:
        meeting, etag = await visit.api.meeting(meeting_id)
        group = await visit.api.group(meeting.group.id)
        listed = await choices(visit)
        decided = (await visit.api.interventions(group=group.id, limit=100)).items
        members = await visit.api.memberships(group.id) if meeting.may_edit else []
        today = _now().astimezone(fmt.STOCKHOLM).date().isoformat()
        return render(
            request,
            "meeting.html",
            {
                **listed,
                "meeting": meeting,
                "group": group,
                "etag": etag,
                "minutes": meeting.minutes if minutes is None else minutes,
                "attending": {o.id for o in meeting.organisations}
                if attending is None
                else attending,
                "present": {u.id for u in meeting.attendees} if present is None else present,
                "members": sorted(members, key=lambda m: m.user.name),
                "group_interventions": decided,
                "conflict": conflict,
                "errors": errors or {},
                "d": {"start": today, **(decision or {})},
                "types": fmt.INTERVENTION_TYPES,
            },
            status=status,
        )

    @page("/moten/{meeting_id}", name="meeting")
    async def meeting_page(request: Request, meeting_id: PageId, visit: VisitDep) -> Response:
        return await meeting_view(request, visit, meeting_id)

    @app.post("/moten/{meeting_id}", response_class=HTMLResponse, name="meeting_save")
    async def meeting_save(request: Request, meeting_id: PageId, visit: VisitDep) -> Response:
        form = await request.form()
        minutes = str(form.get("protokoll", "")).replace("\r\n", "\n")[:20_000]
        organisations = fmt.parse_ids(form.getlist("aktorer"))[:100]
        people = fmt.parse_ids(form.getlist("narvarande"))[:100]
        etag = str(form.get("etag", ""))[:200]
        try:
            await visit.api.update_meeting(
                meeting_id,
                {"minutes": minutes, "organisation_ids": organisations, "attendee_ids": people},
                etag=etag,
            )
        except ApiError as exc:
            if exc.status not in {409, 412, 422}:
                raise
            conflict = None
            if exc.status == 412:
                # Someone saved first: what they wrote against this person's text.
                current, _etag = await visit.api.meeting(meeting_id)
                conflict = situation.word_diff(current.minutes, minutes)
            return await meeting_view(
                request,
                visit,
                meeting_id,
                errors=situation.field_errors(
                    exc.problem, {"attendee_ids": "narvarande", "organisation_ids": "aktorer"}
                )
                if exc.status == 422
                else {"protokoll": exc.problem.detail},
                minutes=minutes,
                attending=set(organisations),
                present=set(people),
                conflict=conflict,
                status=409 if exc.status == 412 else exc.status,
            )
        return redirect(request, f"/moten/{meeting_id}?sparat=1")

    @app.post("/moten/{meeting_id}/dagordning", response_class=HTMLResponse, name="meeting_agenda")
    async def meeting_agenda(request: Request, meeting_id: PageId, visit: VisitDep) -> Response:
        form = await request.form()
        etag = str(form.get("etag", ""))[:200]
        if form.get("atgard") == "bygg-om":
            try:
                await visit.api.update_meeting(meeting_id, {"rebuild_agenda": True}, etag=etag)
            except ApiError as exc:
                if exc.status != 412:
                    raise
                return await meeting_view(
                    request, visit, meeting_id, errors={"punkt": exc.problem.detail}, status=409
                )
            return redirect(request, f"/moten/{meeting_id}")
        struck = {str(v) for v in form.getlist("stryk")}
        rows = zip(
            form.getlist("typ"), form.getlist("ref"), form.getlist("punkt"), form.getlist("not"),
            strict=False,
        )  # fmt: skip
        agenda = [
            {
                "kind": str(kind),
                "title": str(title).strip()[:200],
                "note": str(note).strip()[:2000] or None,
                "ref_id": fmt.parse_id(str(ref)),
            }
            for index, (kind, ref, title, note) in enumerate(rows)
            # The steering group's assignments are not stored with the agenda.
            if str(title).strip() and str(index) not in struck and kind != "assignment"
        ][:MAX_AGENDA_ITEMS]
        try:
            await visit.api.update_meeting(meeting_id, {"agenda": agenda}, etag=etag)
        except ApiError as exc:
            if exc.status not in {412, 422}:
                raise
            return await meeting_view(
                request, visit, meeting_id, errors={"punkt": exc.problem.detail}, status=409
            )
        return redirect(request, f"/moten/{meeting_id}")

    @app.post("/moten/{meeting_id}/installt", response_class=HTMLResponse, name="meeting_cancel")
    async def meeting_cancel(request: Request, meeting_id: PageId, visit: VisitDep) -> Response:
        form = await request.form()
        cancel = form.get("installt") == "ja"
        try:
            await visit.api.update_meeting(
                meeting_id, {"cancelled": cancel}, etag=str(form.get("etag", ""))[:200]
            )
        except ApiError as exc:
            if exc.status != 412:
                raise
            return await meeting_view(
                request, visit, meeting_id, errors={"installt": exc.problem.detail}, status=409
            )
        return redirect(request, f"/moten/{meeting_id}")

    @app.post("/moten/{meeting_id}/beslut", response_class=HTMLResponse, name="meeting_decision")
    async def meeting_decision(request: Request, meeting_id: PageId, visit: VisitDep) -> Response:
        form = await request.form()
        text = str(form.get("beslut", ""))[:2000].strip()
        typed: dict[str, Any] = {
            k: str(form.get(k, ""))[:MAX_FORM_FIELD]
            for k in (
                "beslut",
                "aterkoppla",
                "senast",
                "insats",
                "uppdrag",
                *interventions.FORM_FIELDS,
            )
        }
        typed["kategorier"] = [str(c)[:64] for c in form.getlist("kategorier")][:30]
        body: dict[str, Any] = {"text": text}
        errors: dict[str, str] = {}
        if not text:
            errors["beslut"] = "Skriv beslutet."
        about = str(form.get("aterkoppla", ""))
        if fmt.parse_id(about) is not None:
            body["feedback_for"] = fmt.parse_id(about)
            by = fmt.parse_date(str(form.get("senast", ""))[:10])
            if form.get("senast") and by is None:
                errors["senast"] = "Skriv dagen som ÅÅÅÅ-MM-DD."
            body["feedback_due"] = by.isoformat() if by else None
        if typed["uppdrag"]:
            body["answers_assignment"] = fmt.parse_id(typed["uppdrag"])
            if body["answers_assignment"] is None:
                errors["uppdrag"] = "Välj ett uppdrag i listan."
        if typed["insats"] == "ja":
            intervention, more = interventions.body_of(typed, typed["kategorier"], 0)
            intervention.pop("group_id")
            errors.update(more)
            body["intervention"] = intervention
        if not errors:
            try:
                await visit.api.add_decision(meeting_id, body)
            except ApiError as exc:
                if exc.status not in {403, 422}:
                    raise
                errors = situation.field_errors(
                    exc.problem,
                    {
                        **interventions.API_FIELDS,
                        "text": "beslut",
                        "feedback_for": "aterkoppla",
                        "feedback_due": "senast",
                        "answers_assignment": "uppdrag",
                    },
                )
            else:
                return redirect(request, f"/moten/{meeting_id}#beslut")
        return await meeting_view(
            request, visit, meeting_id, errors=errors, decision=typed, status=422
        )

    # Steering --------------------------------------------------------------------------------

    async def attempt(call: Awaitable[Any], fields: dict[str, str]) -> tuple[Any, dict[str, str]]:
        """Send a form's body: what the API made, or its refusal as messages beside the
        form's fields."""
        try:
            return await call, {}
        except ApiError as exc:
            if exc.status not in {403, 409, 422}:
                raise
            return None, situation.field_errors(exc.problem, fields)

    async def steering_group(visit: Visit) -> GroupRead | None:
        return next((g for g in await visit.api.groups() if g.kind == GroupKind.steering), None)

    async def steering_view(
        request: Request,
        visit: Visit,
        *,
        which: str = "",
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        goals = await visit.api.goals()
        plans = await visit.api.plans()
        closed_goals = await visit.api.goals(active=False)
        closed_plans = await visit.api.plans(active=False)
        group = await steering_group(visit)
        themes: dict[str, list[Any]] = {}
        for goal in sorted(goals, key=lambda g: fmt.sort_key(g.theme)):
            themes.setdefault(goal.theme, []).append(goal)
        return render(
            request,
            "steering.html",
            {
                "themes": themes,
                "plans": plans,
                "closed_goals": closed_goals,
                "closed_plans": closed_plans,
                "which": which,
                "group": group,
                "writes": group is not None and _writes(visit.me, group.id),
                "f": values or {},
                "errors": errors or {},
            },
            status=status,
        )

    @page("/styrning", name="steering")
    async def steering_page(request: Request, visit: VisitDep) -> Response:
        return await steering_view(request, visit)

    @app.post("/mal/{goal_id}/aktiv", response_class=HTMLResponse, name="goal_active")
    async def goal_active(request: Request, goal_id: PageId, visit: VisitDep) -> Response:
        form = await request.form()
        await visit.api.update_goal(goal_id, {"active": form.get("aktiv") == "ja"})
        return redirect(request, f"/mal/{goal_id}")

    @app.post("/planer/{plan_id}/aktiv", response_class=HTMLResponse, name="plan_active")
    async def plan_active(request: Request, plan_id: PageId, visit: VisitDep) -> Response:
        form = await request.form()
        await visit.api.update_plan(plan_id, {"active": form.get("aktiv") == "ja"})
        return redirect(request, f"/planer/{plan_id}")

    @app.post(
        "/mal/{goal_id}/varden/{indicator_id}/{year}/ta-bort",
        response_class=HTMLResponse,
        name="delete_indicator_value",
    )
    async def delete_indicator_value(
        request: Request, goal_id: PageId, indicator_id: PageId, year: YearPath, visit: VisitDep
    ) -> Response:
        await visit.api.delete_indicator_value(indicator_id, year)
        return redirect(request, f"/mal/{goal_id}#ind-{indicator_id}")

    async def steering_form(
        request: Request,
        visit: Visit,
        names: list[str],
        make: Callable[[dict[str, str], int], tuple[dict[str, Any], dict[str, str]]],
        create: Callable[[dict[str, Any]], Awaitable[Any]],
        fields: dict[str, str],
        where: str,
        which: str,
    ) -> Response:
        """A new goal or plan of the steering group, from its form on the steering page."""
        values = steering.values_of(await request.form(), names)
        group = await steering_group(visit)
        if group is None:
            raise StarletteHTTPException(404)
        body, errors = make(values, group.id)
        if not errors:
            made, errors = await attempt(create(body), fields)
            if not errors:
                return redirect(request, f"{where}/{made.id}")
        return await steering_view(
            request, visit, which=which, values=values, errors=errors, status=422
        )

    @app.post("/styrning/mal", response_class=HTMLResponse, name="create_goal")
    async def create_goal(request: Request, visit: VisitDep) -> Response:
        names = ["tema", "titel", "beskrivning", "start", "slut"]
        return await steering_form(
            request,
            visit,
            names,
            steering.goal_body,
            visit.api.create_goal,
            steering.GOAL_FIELDS,
            "/mal",
            "mal",
        )

    @app.post("/styrning/planer", response_class=HTMLResponse, name="create_plan")
    async def create_plan(request: Request, visit: VisitDep) -> Response:
        names = ["ptitel", "pmal", "pbeskrivning", "pstart", "pslut", "antagen_av", "antagen"]
        return await steering_form(
            request,
            visit,
            names,
            steering.plan_body,
            visit.api.create_plan,
            steering.PLAN_FIELDS,
            "/planer",
            "plan",
        )

    async def goal_view(
        request: Request,
        visit: Visit,
        goal_id: int,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        thread = await visit.api.thread(goal_id)
        groups = [g for g in await visit.api.groups() if g.kind != GroupKind.steering]
        categories = await visit.api.categories()
        families = [c for c in categories if c.parent_code is None]
        return render(
            request,
            "goal.html",
            {
                "thread": thread,
                "goal": thread.goal,
                "charts": {
                    i.id: charts.indicator_chart(i, f"indikator-{i.id}")
                    for i in thread.goal.indicators
                },
                "groups": groups,
                "families": [(f, _children(categories, f.code)) for f in families],
                "areas": _by_name(await visit.api.areas()),
                "manual": [i for i in thread.goal.indicators if i.kind.value == "manual"],
                "kinds": fmt.INDICATOR_KINDS,
                "directions": fmt.DIRECTIONS,
                "assignment_statuses": fmt.ASSIGNMENT_STATUSES,
                "statuses": fmt.INTERVENTION_STATUSES,
                "verdicts": fmt.VERDICTS,
                "f": values or {"ar": str(_now().year - 1)},
                "errors": errors or {},
            },
            status=status,
        )

    @page("/mal/{goal_id}", name="goal")
    async def goal_page(request: Request, goal_id: PageId, visit: VisitDep) -> Response:
        return await goal_view(request, visit, goal_id)

    @app.post("/mal/{goal_id}/indikatorer", response_class=HTMLResponse, name="add_indicator")
    async def add_indicator(request: Request, goal_id: PageId, visit: VisitDep) -> Response:
        values = steering.values_of(
            await request.form(),
            ["namn", "slag", "kategori", "omrade", "enhet", "kalla", "riktning"],
        )
        body, errors = steering.indicator_body(values)
        if not errors:
            call = visit.api.create_indicator(goal_id, body)
            _, errors = await attempt(call, steering.INDICATOR_FIELDS)
            if not errors:
                return redirect(request, f"/mal/{goal_id}#indikatorer")
        return await goal_view(request, visit, goal_id, values=values, errors=errors, status=422)

    @app.post("/mal/{goal_id}/varden", response_class=HTMLResponse, name="add_indicator_value")
    async def add_indicator_value(request: Request, goal_id: PageId, visit: VisitDep) -> Response:
        values = steering.values_of(
            await request.form(), ["indikator", "ar", "varde", "vkalla", "vnot"]
        )
        indicator, year, body, errors = steering.value_body(values)
        if not errors and indicator is not None and year is not None:
            call = visit.api.put_indicator_value(indicator, year, body)
            _, errors = await attempt(call, steering.VALUE_FIELDS)
            if not errors:
                return redirect(request, f"/mal/{goal_id}#indikatorer")
        return await goal_view(request, visit, goal_id, values=values, errors=errors, status=422)

    @app.post("/mal/{goal_id}/uppdrag", response_class=HTMLResponse, name="give_assignment")
    async def give_assignment(request: Request, goal_id: PageId, visit: VisitDep) -> Response:
        values = steering.values_of(await request.form(), ["grupp", "uppgift", "varfor", "senast"])
        body, errors = steering.assignment_body(values, goal_id)
        if not errors:
            _, errors = await attempt(visit.api.create_assignment(body), steering.ASSIGNMENT_FIELDS)
            if not errors:
                return redirect(request, f"/mal/{goal_id}#uppdrag")
        return await goal_view(request, visit, goal_id, values=values, errors=errors, status=422)

    async def assignment_view(
        request: Request,
        visit: Visit,
        assignment_id: int,
        *,
        values: dict[str, str] | None = None,
        chosen: set[int] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        assignment = await visit.api.assignment(assignment_id)
        interventions = (
            (await visit.api.interventions(group=assignment.to_group.id, limit=100)).items
            if assignment.may_answer
            else []
        )
        return render(
            request,
            "assignment.html",
            {
                "assignment": assignment,
                "interventions": interventions,
                "chosen": {i.id for i in assignment.interventions} if chosen is None else chosen,
                "statuses": fmt.ASSIGNMENT_STATUSES,
                "reads_goal": _reads_steering(visit.me),
                "f": values or {},
                "errors": errors or {},
            },
            status=status,
        )

    @page("/uppdrag/{assignment_id}", name="assignment")
    async def assignment_page(request: Request, assignment_id: PageId, visit: VisitDep) -> Response:
        return await assignment_view(request, visit, assignment_id)

    @app.post("/uppdrag/{assignment_id}/svar", response_class=HTMLResponse, name="answer")
    async def answer_assignment(
        request: Request, assignment_id: PageId, visit: VisitDep
    ) -> Response:
        form = await request.form()
        values = steering.values_of(form, ["svar"])
        chosen = fmt.parse_ids(form.getlist("insatser"))[:50]
        errors: dict[str, str] = {}
        if not values["svar"].strip():
            errors["svar"] = "Skriv vad gruppen gjort och kommit fram till."
        else:
            call = visit.api.answer_assignment(
                assignment_id, {"text": values["svar"].strip(), "intervention_ids": chosen}
            )
            _, errors = await attempt(call, steering.ANSWER_FIELDS)
            if not errors:
                return redirect(request, f"/uppdrag/{assignment_id}")
        return await assignment_view(
            request,
            visit,
            assignment_id,
            values=values,
            chosen=set(chosen),
            errors=errors,
            status=422,
        )

    @app.post(
        "/uppdrag/{assignment_id}/status", response_class=HTMLResponse, name="assignment_status"
    )
    async def assignment_status(
        request: Request,
        assignment_id: PageId,
        visit: VisitDep,
        status: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    ) -> Response:
        if status not in fmt.ASSIGNMENT_STATUSES:
            raise StarletteHTTPException(422, "Välj en status i listan.")
        _, errors = await attempt(
            visit.api.update_assignment(assignment_id, {"status": status}), {"status": "status"}
        )
        if errors:
            return await assignment_view(request, visit, assignment_id, errors=errors, status=422)
        return redirect(request, f"/uppdrag/{assignment_id}")

    async def plan_view(
        request: Request,
        visit: Visit,
        plan_id: int,
        *,
        values: dict[str, str] | None = None,
        partners: set[int] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        plan = await visit.api.plan(plan_id)
        goal = await visit.api.goal(plan.goal.id) if plan.goal else None
        return render(
            request,
            "plan.html",
            {
                "plan": plan,
                "goal": goal,
                "organisations": _by_name(await visit.api.organisations()),
                "years": list(range(plan.period_start.year, plan.period_end.year + 1)),
                "statuses": fmt.INTERVENTION_STATUSES,
                "f": values or {"astart": plan.period_start.isoformat()},
                "partners": partners or set(),
                "errors": errors or {},
            },
            status=status,
        )

    @page("/planer/{plan_id}", name="plan")
    async def plan_page(request: Request, plan_id: PageId, visit: VisitDep) -> Response:
        return await plan_view(request, visit, plan_id)

    @app.post("/planer/{plan_id}/aktiviteter", response_class=HTMLResponse, name="add_activity")
    async def add_activity(request: Request, plan_id: PageId, visit: VisitDep) -> Response:
        form = await request.form()
        values = steering.values_of(form, list(steering.ACTIVITY_FIELDS.values()))
        partners = fmt.parse_ids(form.getlist("partner"))[:30]
        body, errors = steering.activity_body(values, partners)
        if not errors:
            call = visit.api.create_activity(plan_id, body)
            _, errors = await attempt(call, steering.ACTIVITY_FIELDS)
            if not errors:
                return redirect(request, f"/planer/{plan_id}#aktiviteter")
        return await plan_view(
            request,
            visit,
            plan_id,
            values=values,
            partners=set(partners),
            errors=errors,
            status=422,
        )

    async def plan_year_view(
        request: Request,
        visit: Visit,
        plan_id: int,
        year: int,
        *,
        template: str = "plan_year.html",
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        review = await visit.api.plan_year(plan_id, year)
        return render(request, template, plan_year_context(review, values, errors), status=status)

    def plan_year_context(
        review: Any, values: dict[str, str] | None, errors: dict[str, str] | None
    ) -> dict[str, Any]:
        return {
            "review": review,
            "plan": review.plan,
            "charts": {
                row.indicator.id: charts.indicator_chart(row.indicator, f"i{row.activity.id}")
                for row in review.activities
                if row.indicator is not None
            },
            "statuses": fmt.INTERVENTION_STATUSES,
            "f": values or {},
            "errors": errors or {},
            "now": _now(),
        }

    @page("/planer/{plan_id}/uppfoljning/{year:int}", name="plan_year")
    async def plan_year_page(
        request: Request, plan_id: PageId, year: YearPath, visit: VisitDep
    ) -> Response:
        return await plan_year_view(request, visit, plan_id, year)

    @app.get("/planer/{plan_id}/uppfoljning/{year}.pdf", name="plan_year_pdf")
    async def plan_year_pdf(
        request: Request, plan_id: PageId, year: YearPath, visit: VisitDep
    ) -> Response:
        review = await visit.api.plan_year(plan_id, year)
        html = templates.get_template("plan_year_print.html").render(
            {**common(request), **plan_year_context(review, None, None), "pdf": True}
        )
        pdf = await run_in_threadpool(situation.render_pdf, html)
        name = f"uppfoljning-{review.plan.title}-{year}"
        response = Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": "inline; filename*=UTF-8''" + quote(f"{fmt.slug(name)}.pdf")
            },
        )
        return finish(request, response)

    @page("/planer/{plan_id}/uppfoljning/{year}/utskrift", name="plan_year_print")
    async def plan_year_print(
        request: Request, plan_id: PageId, year: YearPath, visit: VisitDep
    ) -> Response:
        return await plan_year_view(request, visit, plan_id, year, template="plan_year_print.html")

    @app.post(
        "/planer/{plan_id}/uppfoljning/{year:int}", response_class=HTMLResponse, name="plan_summary"
    )
    async def plan_summary(
        request: Request, plan_id: PageId, year: YearPath, visit: VisitDep
    ) -> Response:
        values = steering.values_of(await request.form(), ["sammanfattning"])
        errors: dict[str, str] = {}
        if not values["sammanfattning"].strip():
            errors["sammanfattning"] = "Skriv årets uppföljning av planen."
        else:
            call = visit.api.review_plan(plan_id, year, {"summary": values["sammanfattning"]})
            _, errors = await attempt(call, {"summary": "sammanfattning", "year": "sammanfattning"})
            if not errors:
                return redirect(request, f"/planer/{plan_id}/uppfoljning/{year}")
        return await plan_year_view(
            request, visit, plan_id, year, values=values, errors=errors, status=422
        )

    @app.post(
        "/planer/{plan_id}/uppfoljning/{year}/aktiviteter/{activity_id}",
        response_class=HTMLResponse,
        name="activity_review",
    )
    async def activity_review(
        request: Request, plan_id: PageId, year: YearPath, activity_id: PageId, visit: VisitDep
    ) -> Response:
        plan = await visit.api.plan(plan_id)
        if activity_id not in {a.id for a in plan.activities}:
            raise StarletteHTTPException(404)
        raw = steering.values_of(await request.form(), ["status", "gjort", "bedomning"])
        body, errors = steering.review_body(raw)
        if not errors:
            call = visit.api.review_activity(activity_id, year, body)
            _, errors = await attempt(call, {**steering.REVIEW_FIELDS, "year": "gjort"})
            if not errors:
                return redirect(
                    request, f"/planer/{plan_id}/uppfoljning/{year}#aktivitet-{activity_id}"
                )
        # The errors and what was typed belong to this activity's form on the page.
        return await plan_year_view(
            request,
            visit,
            plan_id,
            year,
            values={f"{activity_id}-{k}": v for k, v in raw.items()},
            errors={f"{activity_id}-{k}": v for k, v in errors.items()},
            status=422,
        )

    if shed_load:
        app.add_middleware(LoadShedder, refuse=overloaded_page, **shedding(settings))
    return app


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _children(categories: list[Any], family: str) -> list[Any]:
    return [c for c in categories if c.parent_code == family]


def _holds(me: Me, group_id: int, roles: frozenset[str]) -> bool:
    """Whether to offer a form (the member forms, writing the lägesbild); the API decides
    again when it is sent."""
    return me.is_admin or any(m.group.id == group_id and m.role in roles for m in me.memberships)


def _manages(me: Me, group_id: int) -> bool:
    return _holds(me, group_id, frozenset({"convener"}))


def _writes(me: Me, group_id: int) -> bool:
    return _holds(me, group_id, frozenset({"convener", "member"}))


def _reads_steering(me: Me) -> bool:
    """Whether to link to the steering group's goals (policy.can_read_steering)."""
    return me.is_admin or any(
        m.group.kind in (GroupKind.steering, GroupKind.coordination) and m.role != "reporter"
        for m in me.memberships
    )


def _by_name(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda item: fmt.sort_key(item.name))


def _by_kind(organisations: list[Any]) -> list[tuple[str, list[Any]]]:
    """The organisations of a group, grouped by kind in a fixed order, each sorted by name."""
    grouped = []
    for kind, label in fmt.ORGANISATION_KIND_HEADINGS.items():
        members = [o for o in organisations if o.kind == kind]
        if members:
            grouped.append((label, _by_name(members)))
    return grouped


def _related(group: GroupRead, others: list[GroupRead]) -> list[tuple[str, list[GroupRead]]]:
    """Where the group stands in the EST structure: the levels above and below it."""
    steering = [g for g in others if g.kind == GroupKind.steering]
    coordination = [g for g in others if g.kind == GroupKind.coordination]
    areas = [g for g in others if g.kind == GroupKind.area]
    if group.kind == GroupKind.steering:
        return [("Samordningsgrupp", coordination), ("Områdesgrupper", _by_name(areas))]
    if group.kind == GroupKind.coordination:
        return [("Styrgrupp", steering), ("Områdesgrupper", _by_name(areas))]
    return [
        ("Styrgrupp", steering),
        ("Samordningsgrupp", coordination),
        ("Övriga områdesgrupper", _by_name(areas)),
    ]


def _groups_of(groups: list[GroupRead]) -> dict[int, list[GroupRead]]:
    found: dict[int, list[GroupRead]] = {}
    for group in groups:
        for organisation in group.organisations:
            found.setdefault(organisation.id, []).append(group)
    return found


def create_split_web_app() -> FastAPI:
    """``est serve-web``: the API is elsewhere, at ``EST_API_URL``."""
    settings = get_settings()
    if not settings.api_url:
        raise RuntimeError("EST_API_URL must be set for serve-web")
    http = httpx.AsyncClient(base_url=settings.api_url, timeout=httpx.Timeout(10.0))
    return create_web_app(ApiClient(http), settings)

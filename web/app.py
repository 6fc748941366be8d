"""The web front end: Swedish pages over the API, through its typed client only.

Every page is whole HTML that works without JavaScript; with htmx, a request that carries
``HX-Request`` (and is not boosted or a history restore) gets only the page's named block.
"""

from __future__ import annotations

import pathlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.middleware import SecurityHeaders
from api.schemas_common import MAX_ID
from api.settings import Settings, get_settings
from api.structure.schemas import GroupKind, GroupRead, OrganisationKind, OrganisationRead
from web import format as fmt
from web.client import ApiClient, ApiError, ApiUnavailable

HERE = pathlib.Path(__file__).parent
HTMX_VERSION = "2.0.11"
HTMX_CDN = f"https://unpkg.com/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
# Subresource integrity of exactly what the CDN serves (npm pack htmx.org@2.0.11).
HTMX_INTEGRITY = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"

MAX_SEARCH = 200
Handler = Callable[..., Awaitable[Response]]
# An id the API could never have: answered here as a missing page, without asking the API.
PageId = Annotated[int, Path(ge=1, le=MAX_ID)]

CSP = (
    "default-src 'self'; script-src 'self' https://unpkg.com; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
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
        group_kind=lambda kind: fmt.GROUP_KINDS.get(kind, kind),
        organisation_kind=lambda kind: fmt.ORGANISATION_KINDS.get(kind, kind),
    )
    env.globals.update(
        htmx_src=HTMX_CDN if settings.htmx_source == "cdn" else None,
        htmx_integrity=HTMX_INTEGRITY,
        htmx_local=f"/static/vendor/htmx.min.js?v={HTMX_VERSION}",
        count_sv=fmt.count_sv,
    )
    return templates


def is_fragment_request(request: Request) -> bool:
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def create_web_app(client: ApiClient, settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    templates = _templates(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await client.aclose()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.client = client
    app.add_middleware(SecurityHeaders, headers=PAGE_HEADERS)
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
            context,
            status_code=status,
            block_name=block if is_fragment_request(request) else None,
        )
        response.headers["Vary"] = VARY
        return response

    def error_page(request: Request, status: int, title: str, detail: str) -> Response:
        # An error is always a whole page, even for htmx: it replaces what was asked for.
        response = templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "title": title, "detail": detail},
            status_code=status,
        )
        response.headers["Vary"] = VARY
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

    async def api_failed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
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
    async def index(request: Request) -> Response:
        municipalities = await client.municipalities()
        groups = await client.groups()
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

    @page("/grupper/{group_id}", name="group")
    async def group_page(request: Request, group_id: PageId) -> Response:
        group = await client.group(group_id)
        places = await client.places(area=group.area.id) if group.area else []
        others = [
            g for g in await client.groups(municipality=group.municipality_id) if g.id != group.id
        ]
        return render(
            request,
            "group.html",
            {
                "group": group,
                "organisations_by_kind": _by_kind(group.organisations),
                "places": sorted(places, key=lambda p: fmt.sort_key(p.name)),
                "related": _related(group, others),
            },
        )

    @page("/omraden/{area_id}", name="area")
    async def area_page(request: Request, area_id: PageId) -> Response:
        area = await client.area(area_id)
        places = await client.places(area=area.id)
        groups = await client.groups(area=area.id)
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
                organisations = await client.organisations(q=q.strip() or None, kind=typ or None)
            except ApiError as exc:
                if exc.status != 422:
                    raise
                names = {"q": "q", "kind": "typ"}
                errors = {names.get(e.field, "q"): e.message for e in exc.problem.errors}
        groups = await client.groups()
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

    return app


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

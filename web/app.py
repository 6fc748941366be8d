"""The web front end: Swedish pages over the API, through its typed client only.

This module only assembles the app: the pages of ``web.pages`` (one router per domain), the
middleware, the error pages for what the handlers raise, and the static files. The templates,
the settings and the API client are put in the app's state, where the handlers find them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.middleware import BodyLimit, LoadShedder, SecurityHeaders, shedding
from api.settings import Settings, get_settings
from web import auth
from web.client import ApiClient, ApiError, ApiUnavailable
from web.deps import PASSWORD_PAGE, PasswordChangeRequired, SignInRequired, check_csrf
from web.pages import (
    about,
    accounts,
    analysis,
    audit,
    evening_log,
    evenings,
    guards,
    imports,
    incidents,
    interventions,
    meetings,
    nightwalks,
    offline,
    own,
    password_sign_in,
    photos,
    plans,
    platform,
    policeareas,
    scim,
    situation,
    sso,
    steering,
    structure,
    tips,
    walk_findings,
    walk_public,
    walk_report,
    walks,
    yearly,
)
from web.public import is_public, photo_mb, public_error
from web.rendering import (
    HERE,
    PAGE_HEADERS,
    error_page,
    make_templates,
    overloaded_page,
    redirect,
    settings_of,
)

# What multipart adds around an uploaded file: its headers and the other fields.
UPLOAD_WRAPPING = 64 * 1024
# The report form's body may hold this many photos at their largest (EST_PHOTO_MAX_BYTES),
# one per incident: a batch's photos together, not an album.
REPORT_PHOTOS = 5
# How many times the photo limit a photo form's body may carry (a phone's large photo,
# refused beside its field rather than with the whole form).
OVERSIZE_PHOTO = 4
# In this order: where two routes could take one path, the first one listed does.
ROUTERS = (
    structure.router,
    incidents.router,
    accounts.router,
    audit.router,
    imports.router,
    yearly.router,
    situation.router,
    analysis.router,
    interventions.router,
    meetings.router,
    nightwalks.router,
    evenings.router,
    steering.router,
    plans.router,
    own.router,
    about.router,
    offline.router,
    walks.router,
    walk_findings.router,
    walk_report.router,
    walk_public.router,
    guards.router,
    evening_log.router,
    tips.router,
    photos.router,
    policeareas.router,
    platform.router,
    sso.router,
    scim.router,
    password_sign_in.router,
)


def create_web_app(
    client: ApiClient, settings: Settings | None = None, *, shed_load: bool = True
) -> FastAPI:
    """``shed_load`` as for api.app.create_api_app."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await client.aclose()

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(check_csrf)],
    )
    app.state.client = client
    app.state.settings = settings
    app.state.templates = make_templates(settings)
    app.add_middleware(SecurityHeaders, headers=PAGE_HEADERS)
    # Forms are small; a file read in is larger by its multipart wrapping only. A form with
    # a photo takes a photo well over the limit too, so that its page (which reads no more
    # of it than the limit) refuses the photo beside its field and keeps the rest of the form.
    photo = OVERSIZE_PHOTO * settings.photo_max_bytes + UPLOAD_WRAPPING
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        larger={
            "/import": settings.max_upload_bytes + UPLOAD_WRAPPING,
            # A resident's tip with a phone's photo (#20).
            "/tipsa": settings.max_body_bytes + photo,
            # A report with its incidents' photos, one of them perhaps too large (#20).
            "/rapportera": settings.max_body_bytes
            + photo
            + (REPORT_PHOTOS - 1) * (settings.photo_max_bytes + UPLOAD_WRAPPING),
        },
        # A photo added to a record on its page (#20: an incident's or a finding's …/bilder),
        # and a safety walk's finding filed with its photo (…/fynd/ny).
        larger_endings={
            "/bilder": settings.max_body_bytes + photo,
            "/fynd/ny": settings.max_body_bytes + photo,
        },
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(PasswordChangeRequired, password_change_required)
    app.add_exception_handler(ApiError, api_failed)
    app.add_exception_handler(RequestValidationError, not_found)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
    app.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    for router in ROUTERS:
        app.include_router(router)
    if shed_load:
        app.add_middleware(LoadShedder, refuse=overloaded_page, **shedding(settings))
    return app


async def healthz() -> dict[str, str]:
    # For the web container's own health check; the API has its own.
    return {"status": "ok"}


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


async def password_change_required(request: Request, _exc: Exception) -> Response:
    """Signed in with a temporary password: to the page that replaces it, and back after."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(request, f"{PASSWORD_PAGE}?next={quote(target, safe='/')}")


async def api_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if exc.status == 401:
        return await sign_in_required(request, SignInRequired(expired=True))
    if exc.status == 403 and exc.problem.code == "second_factor_pending":
        # Half signed in (the code, or setting up the app, is still to come).
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(request, f"/logga-in/kod?next={quote(target, safe='/')}")
    if exc.status == 403 and exc.problem.code == "password_change_required":
        return await password_change_required(request, exc)
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


def photo_form(path: str) -> bool:
    """Whether the path takes a form with a photo (the limits' paths above)."""
    return path in ("/tipsa", "/rapportera") or path.endswith(("/bilder", "/fynd/ny"))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return await not_found(request, exc)
    if exc.status_code == 413 and photo_form(request.url.path):
        # Even past the room a photo form has: said with the photo limit (the one number
        # the forms promise), and to a resident on the public pages' own layout.
        detail = (
            "Det som skickades är för stort för att tas emot. En bild får vara högst "
            f"{photo_mb(settings_of(request))} MB; välj en mindre bild och skicka igen."
        )
        if is_public(request.url.path):
            return await public_error(request, 413, "Bilden är för stor", detail)
        return error_page(request, 413, "Det som skickades är för stort", detail)
    return error_page(request, exc.status_code, "Det gick inte", str(exc.detail))


async def unexpected_error(request: Request, exc: Exception) -> Response:
    # A fault of the page's own (Starlette logs it after this answer): in Swedish, on the
    # site's error page, and plainly if that page cannot be drawn either.
    try:
        return error_page(
            request,
            500,
            "Något gick fel",
            "Sidan kunde inte visas. Felet är loggat; försök igen, eller gå tillbaka.",
        )
    except Exception:  # the page that failed may be the error page itself
        return HTMLResponse(
            "<!doctype html><html lang=sv><title>Något gick fel</title>"
            "<h1>Något gick fel</h1><p>Sidan kunde inte visas. Försök igen.</p></html>",
            status_code=500,
        )


def create_split_web_app() -> FastAPI:
    """``est serve-web``: the API is elsewhere, at ``EST_API_URL``."""
    settings = get_settings()
    if not settings.api_url:
        raise RuntimeError("EST_API_URL must be set for serve-web")
    http = httpx.AsyncClient(base_url=settings.api_url, timeout=httpx.Timeout(10.0))
    return create_web_app(ApiClient(http), settings)

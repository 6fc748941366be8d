"""The API application: routes under ``/api/v1``, OpenAPI at ``/api/docs``, health probes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError

from api import mail, memory, periodic, problems
from api.access.policy import ROUTE_RULES, Rule
from api.accounts.routes import router as accounts_router
from api.actor import Actor
from api.analysis.routes import router as analysis_router
from api.audit import service as audit
from api.audit.routes import router as audit_router
from api.categories.routes import router as categories_router
from api.composition import compose
from api.db import Database
from api.deps import authorize, client_address, get_database, refuse_nul
from api.errors import DomainError
from api.evenings.log_routes import router as evening_log_router
from api.evenings.routes import router as evenings_router
from api.evenings.stream import LogStreams
from api.features.routes import router as features_router
from api.guards.routes import router as guards_router
from api.incidents.photos_routes import router as incident_photos_router
from api.incidents.routes import router as incidents_router
from api.integrations.routes import router as integrations_router
from api.interventions.routes import router as interventions_router
from api.meetings.routes import router as meetings_router
from api.middleware import API_CSP, BodyLimit, LoadShedder, SecurityHeaders, shedding
from api.migrate import current_revision, head_revision
from api.nightwalks.routes import router as nightwalks_router
from api.policeareas.routes import router as policeareas_router
from api.problems import domain_problem, problem_response
from api.retention import schedule
from api.routing import API_PREFIX
from api.safetywalks.routes import router as safetywalks_router
from api.schemas_common import Problem
from api.scim.protocol import SCIM_PREFIX
from api.scim.routes import ScimResponses, scim_router
from api.scim.routes import router as scim_tokens_router
from api.settings import Settings, get_settings
from api.situation.routes import router as situation_router
from api.situation.statistics_routes import router as police_statistics_router
from api.sso.routes import router as sso_router
from api.steering.routes import router as steering_router
from api.structure.routes import router as structure_router
from api.tips.routes import router as tips_router

log = logging.getLogger("est.api")

STATIC = Path(__file__).parent / "static"
SWAGGER_UI = "5.35.0"


def create_api_app(
    settings: Settings | None = None, database: Database | None = None, *, shed_load: bool = True
) -> FastAPI:
    """``shed_load``: turn away what is more than it can work on (api.middleware.LoadShedder);
    off where something in front already does (web.embedded)."""
    memory.return_big_buffers()
    compose()
    settings = settings or get_settings()
    owns_database = database is None
    database = database or Database.from_url(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        retention = schedule.start(database, settings)
        outbox = mail.start(database, settings)
        yield
        # Open log streams end, or the server would wait for them to.
        await _app.state.log_streams.stop()
        await periodic.stop(outbox)
        await schedule.stop(retention)
        if owns_database:
            database.dispose()

    app = FastAPI(
        title="EST Lägesbild API",
        version="1",
        summary="The EST structure, observations and situation pictures of a municipality.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        # A mapping tool's export is larger than any form.
        larger={f"{API_PREFIX}/imports": settings.max_upload_bytes},
        # A file import starts from a heap without the last one's garbage (#17's ceiling).
        before_larger=memory.give_back,
        # A phone's photo is larger than any form (#20); its multipart wrapping is small.
        larger_endings={"/photos": settings.photo_max_bytes + 64 * 1024},
    )
    # Answers hold sensitive data: no cache, shared or private, may keep them.
    app.add_middleware(
        SecurityHeaders,
        headers={"content-security-policy": API_CSP, "cache-control": "no-store"},
    )
    app.state.database = database
    app.state.settings = settings
    app.state.log_streams = LogStreams(database)
    problems.install(app)
    # Logged before it is answered; installed after problems.install so it replaces that one.
    app.add_exception_handler(DomainError, _refusal_logged)
    guarded = [Depends(authorize), Depends(refuse_nul)]
    for router, tag in (
        (accounts_router, "Accounts and sign-in"),
        (sso_router, "Single sign-on"),
        (scim_tokens_router, "Single sign-on"),
        (structure_router, "EST structure"),
        (categories_router, "Categories"),
        (incidents_router, "Observations"),
        (incident_photos_router, "Observations"),
        (situation_router, "Lägesbild"),
        (police_statistics_router, "Lägesbild"),
        (analysis_router, "Analysis"),
        (interventions_router, "Interventions"),
        (meetings_router, "Meetings"),
        (nightwalks_router, "Night walks"),
        (steering_router, "Steering: goals, assignments, plans"),
        (integrations_router, "Integrations"),
        (features_router, "OGC API – Features"),
        (guards_router, "Guard reports"),
        (audit_router, "Audit log"),
        (evenings_router, "Evenings in the field"),
        (evening_log_router, "Evenings: the live log"),
        (tips_router, "Residents' tips"),
        (safetywalks_router, "Safety walks"),
        (policeareas_router, "Police areas"),
    ):
        app.include_router(router, prefix=API_PREFIX, tags=[tag], dependencies=guarded)
    # SCIM provisioning (#22) where directories look for it, beside the API; in SCIM's media
    # type and error format (api.scim.protocol).
    app.include_router(
        scim_router, prefix=SCIM_PREFIX, tags=["SCIM provisioning"], dependencies=guarded
    )
    app.add_middleware(ScimResponses)
    _add_docs(app)
    _add_health(app, database)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    check_every_route_has_a_rule(app)
    if shed_load:
        # Added last, so outermost: a request turned away costs nothing further.
        app.add_middleware(LoadShedder, refuse=problems.overloaded, **shedding(settings))
    return app


def check_every_route_has_a_rule(app: FastAPI) -> None:
    """A route the policy does not name would be refused to all; better not to start."""
    missing = [
        f"{method.upper()} {path} ({operation.get('operationId')})"
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        if operation.get("operationId") not in ROUTE_RULES
    ]
    if missing:
        raise RuntimeError(f"routes without a rule in api.access.policy: {missing}")


async def _refusal_logged(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if exc.refusal:
        await run_in_threadpool(_log_refusal, request, exc)
    return domain_problem(request, exc)


def _log_refusal(request: Request, exc: DomainError) -> None:
    actor = getattr(request.state, "actor", None) or Actor(
        "anonymous", label="anonym", address=client_address(request)
    )
    try:
        with get_database(request).session(write=True) as session:
            audit.bind(session, audit.AuditContext(actor, request.method, request.url.path))
            audit.record(session, action="refused", outcome="refused", status=exc.status)
    except SQLAlchemyError:
        # The refusal stands; only its log line is lost, and that is said in the log.
        log.exception("could not write the audit event of a refusal")


def _add_docs(app: FastAPI) -> None:
    # Swagger UI from the package itself: the docs must open where no CDN can be reached.
    app.mount("/api/static", StaticFiles(directory=STATIC), name="api-static")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="EST Lägesbild API",
            swagger_js_url=f"/api/static/swagger-ui/swagger-ui-bundle.js?v={SWAGGER_UI}",
            swagger_css_url=f"/api/static/swagger-ui/swagger-ui.css?v={SWAGGER_UI}",
            swagger_favicon_url="/api/static/swagger-ui/favicon-32x32.png",
        )
        # Swagger UI starts itself with an inline script.
        page.headers["content-security-policy"] = (
            "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
        )
        return page

    @app.get("/api", include_in_schema=False)
    def api_root() -> RedirectResponse:
        return RedirectResponse("/api/docs")


def _add_health(app: FastAPI, database: Database) -> None:
    expected = head_revision()

    @app.get("/healthz", tags=["Health"], operation_id="healthz", summary="The process is alive")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["Health"],
        operation_id="readyz",
        summary="The database is reachable and migrated",
        responses=problems.problem_responses(503),
        response_model=None,
    )
    def readyz(request: Request) -> dict[str, str | None] | JSONResponse:
        try:
            revision = current_revision(database.engine)
        except SQLAlchemyError:
            return _not_ready(request, "Databasen går inte att nå.")
        if revision != expected:
            return _not_ready(
                request,
                f"Databasen är inte migrerad (har {revision}, väntar {expected}); kör est migrate.",
            )
        return {"status": "ready", "revision": revision}


def _not_ready(request: Request, detail: str) -> JSONResponse:
    return problem_response(
        request,
        status=503,
        code="not_ready",
        title="Inte redo",
        detail=detail,
        headers={"Retry-After": "5"},
    )


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        # Problem is referred to from every route's error responses but used by none as a
        # response_model, so FastAPI would leave it out.
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(problem.pop("$defs", {}))
        components["Problem"] = problem
        # Swagger UI's "Authorize" takes a token from POST /api/v1/auth/token.
        schema["components"]["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "From sign_in."}
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                if ROUTE_RULES.get(operation.get("operationId")) not in (None, Rule.PUBLIC):
                    operation["security"] = [{"bearer": []}]
        app.openapi_schema = schema
    return app.openapi_schema

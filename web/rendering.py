"""How a page answers: the templates, a page whole or as its named block, the headers every
page carries, redirects after a write, error pages, PDF answers, and the page for a request
the load shedder turns away.

A request that carries ``HX-Request`` (and is not boosted or a history restore) gets only
the page's named block (jinja2-fragments); every other request gets the whole page, so that
each page works without JavaScript. The templates and the settings are in the app's state
(``create_web_app`` puts them there); nothing here holds a request's data between calls.
"""

from __future__ import annotations

import functools
import hashlib
import pathlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from api import swedish
from api.middleware import OVERLOADED_RETRY_AFTER
from api.settings import Settings
from api.swedish import ROLES
from api.tips.schemas import PUBLIC_SOURCE
from web import auth
from web import format as fmt
from web.client_photos import photo_data_uri, photo_src

HERE = pathlib.Path(__file__).parent
PRINT_CSS = HERE / "static" / "print.css"
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

Handler = Callable[..., Awaitable[Response]]


class FormErrors(dict[str, str]):
    """A page's form errors as ``render`` hands them to its template: the first invalid field
    the page shows takes the focus (``autofocus``), so that the browser lands at it, not at
    the top of a long page with the message far below."""

    focused = False


def autofocus_first(errors: Any, message: bool = False) -> str:
    """``autofocus`` for the first invalid field (``invalid``) or, where a group of choices
    has no one control, its message (``field_error``); nothing for the rest."""
    if not isinstance(errors, FormErrors) or errors.focused:
        return ""
    errors.focused = True
    # Plain text with nothing to escape: an unquoted attribute value.
    return " tabindex=-1 autofocus" if message else " autofocus"


def error_items(errors: Any) -> list[tuple[str, str]]:
    """The messages of a page's errors for its summary, by field name (a field's message has
    the id ``NAME-error``): not the flags some forms keep beside them (``"ja"``)."""
    if not isinstance(errors, dict):
        return []
    return [
        (name, message)
        for name, message in errors.items()
        if isinstance(message, str) and message != "ja"
    ]


@functools.cache
def static(path: str) -> str:
    """A static file's address with a digest of its content: a browser that kept an older
    copy fetches the new one after a release, without anyone bumping a version by hand."""
    digest = hashlib.sha256((HERE / "static" / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def make_templates(settings: Settings) -> Jinja2Blocks:
    templates = Jinja2Blocks(directory=str(HERE / "templates"))
    env = templates.env
    env.filters.update(
        datetime_sv=fmt.datetime_sv,
        date_sv=fmt.date_sv,
        cadence_sv=fmt.cadence_sv,
        window_sv=fmt.window_sv,
        group_kind=lambda kind: swedish.GROUP_KINDS.get(kind, kind),
        role_sv=lambda role: ROLES.get(role, role),
        audit_action=lambda action: swedish.AUDIT_ACTIONS.get(action, action),
        audit_outcome=lambda outcome: swedish.AUDIT_OUTCOMES.get(outcome, outcome),
        audit_object=lambda table: swedish.AUDIT_OBJECTS.get(table, table),
        audit_rows=fmt.audit_rows,
        organisation_kind=lambda kind: swedish.ORGANISATION_KINDS.get(kind, kind),
        percent_change=fmt.percent_change,
        change_sv=fmt.change_sv,
        share_sv=fmt.share_sv,
        number_sv=fmt.number_sv,
        integer_sv=fmt.integer_sv,
        probability_sv=fmt.probability_sv,
        emerging_class=lambda kind: swedish.EMERGING_CLASSES.get(kind, kind),
        plural=fmt.plural,
        autofocus_first=autofocus_first,
        error_items=error_items,
    )
    env.globals.update(
        htmx_src=HTMX_CDN if settings.htmx_source == "cdn" else None,
        htmx_integrity=HTMX_INTEGRITY,
        htmx_local=static("vendor/htmx.min.js"),
        leaflet_src=LEAFLET_CDN if settings.htmx_source == "cdn" else None,
        leaflet_integrity=LEAFLET_INTEGRITY,
        markercluster_src=MARKERCLUSTER_CDN if settings.htmx_source == "cdn" else None,
        markercluster_integrity=MARKERCLUSTER_INTEGRITY,
        static=static,
        count_sv=fmt.count_sv,
        owner_sv=fmt.owner_sv,
        # The evenings in the field (#19): their kinds' names, for the lägesbild's section.
        evening_kinds=swedish.EVENING_KINDS,
        # Photos (#20): their page address, or a PDF's embedded copy (web.pages.photos).
        photo_src=photo_src,
        photo_data_uri=photo_data_uri,
        # An accepted tip's observations are marked "Från allmänheten" (#20).
        public_source=PUBLIC_SOURCE,
    )
    # Last: a template's module sees the globals as they were when it was made (a copy), so a
    # global added after this would be undefined in its macros (the lägesbild answered 500
    # when evening_kinds came after them). The shared macros are globals, not imports at the
    # top of each page: a block rendered alone for htmx (jinja2-fragments) runs without the
    # page's top-level code, so a macro imported there is undefined in it.
    # The public pages' macros (#20: public_map, honeypot) likewise.
    for shared in ("_macros.html", "_public.html"):
        macros = env.get_template(shared).module
        env.globals.update(
            {name: getattr(macros, name) for name in dir(macros) if not name.startswith("_")}
        )
    env.globals.update(
        situation_macros=env.get_template("_situation.html").module,
        yearly_macros=env.get_template("_yearly.html").module,
        plan_year_macros=env.get_template("_plan_year.html").module,
        agenda_macros=env.get_template("_agenda.html").module,
    )
    return templates


def page(router: APIRouter, path: str, name: str) -> Callable[[Handler], Handler]:
    """A page's route: GET, and HEAD too, for link checkers and uptime probes (FastAPI's GET
    routes refuse it)."""
    return router.api_route(path, methods=["GET", "HEAD"], response_class=HTMLResponse, name=name)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def is_fragment_request(request: Request) -> bool:
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _templates(request: Request) -> Jinja2Blocks:
    templates: Jinja2Blocks = request.app.state.templates
    return templates


def common(request: Request) -> dict[str, Any]:
    """What every template is given: who is signed in, and the form's CSRF token."""
    secret = settings_of(request).secret_key.get_secret_value()
    return {
        "me": getattr(request.state, "me", None),
        "csrf_token": auth.csrf_token(request, secret),
        "csrf_field": auth.CSRF_FIELD,
        # What the write before this page saved (Post/Redirect/Get: ``?sparat=beslut-12``),
        # for the saved_notice macro beside it.
        "saved": request.query_params.get("sparat", "")[:64],
        # A photo field's data-max-bytes (web/static/photo_size.js says so before sending).
        "photo_max_bytes": settings_of(request).photo_max_bytes,
    }


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    block: str = "content",
    status: int = 200,
) -> Response:
    templates = _templates(request)
    errors = context.get("errors")
    if isinstance(errors, dict) and errors:
        context = {**context, "errors": FormErrors(errors)}
    blocks = templates.get_template(name).blocks
    boosted = request.method == "GET" and request.headers.get("hx-boosted") == "true"
    if boosted and needs_full_load(blocks):
        return full_load(request)
    # A page with no such block (a print view, standalone) is always answered whole.
    alone = is_fragment_request(request) and block in blocks
    response = templates.TemplateResponse(
        request,
        name,
        {**common(request), **context},
        status_code=status,
        block_name=block if alone else None,
    )
    if isinstance(context.get("errors"), FormErrors) and request.headers.get("hx-boosted"):
        # A boosted form's answer scrolls to the top after htmx focused the first invalid
        # field (autofocus): without that scroll the browser stays at the field.
        response.headers["HX-Reswap"] = "innerHTML show:none"
    return finish(request, response)


# Blocks of base.html a page fills with its own styles and scripts.
OWN_HEAD_BLOCKS = frozenset({"head", "scripts"})


def needs_full_load(blocks: Mapping[str, Any]) -> bool:
    """Whether a page (its template's own blocks) must arrive by a full page load: a boosted
    link swaps in the body alone, so styles and scripts of the page's own ``head`` or
    ``scripts`` block would never load (nor anything of a standalone page's head, one with
    no ``content`` block)."""
    return bool(OWN_HEAD_BLOCKS & blocks.keys()) or "content" not in blocks


def full_load(request: Request) -> Response:
    """The answer to a boosted link to a page that needs a full load: htmx loads the same
    address again as a plain page, whatever the link looked like."""
    url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = Response(status_code=204, headers={"HX-Redirect": url})
    response.headers["Vary"] = VARY
    response.headers["Cache-Control"] = "no-store"
    return response


def finish(request: Request, response: Response) -> Response:
    response.headers["Vary"] = VARY
    # What a signed-in person saw must not come back from a cache, nor with the back
    # button after signing out.
    response.headers["Cache-Control"] = "no-store"
    auth.ensure_seed(request, response)
    return response


def redirect(request: Request, url: str) -> Response:
    """After a write (Post/Redirect/Get), or to the sign-in page. htmx gets HX-Redirect, a
    full page load, so that nothing of the page before stays on screen."""
    if is_htmx(request):
        # Without the fragment when only it differs from the page's address: a change of
        # fragment alone would not load the page again, and the page must show what was just
        # saved. A new address (``?sparat=…``) loads, and the fragment keeps the place.
        target, _hash, _fragment = url.partition("#")
        here = urlsplit(request.headers.get("hx-current-url", ""))
        there = urlsplit(target)
        same = (here.path, here.query) == (there.path, there.query)
        response: Response = Response(
            status_code=204, headers={"HX-Redirect": target if same else url}
        )
    else:
        response = RedirectResponse(url, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: Request, status: int, title: str, detail: str) -> Response:
    # An error is always a whole page, even for htmx: it replaces what was asked for.
    response = _templates(request).TemplateResponse(
        request,
        "error.html",
        {**common(request), "status": status, "title": title, "detail": detail},
        status_code=status,
    )
    finish(request, response)
    if is_fragment_request(request):
        response.headers["HX-Retarget"] = "body"
    return response


async def pdf_answer(
    request: Request, template: str, context: dict[str, Any], filename: str
) -> Response:
    """A print view as an A4 PDF, shown in the browser and saved as ``filename`` (made
    readable as a file name here) with ``.pdf``."""
    html = (
        _templates(request)
        .get_template(template)
        .render({**common(request), **context, "pdf": True})
    )
    pdf = await run_in_threadpool(render_pdf, html)
    response = Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": "inline; filename*=UTF-8''" + quote(f"{fmt.slug(filename)}.pdf")
        },
    )
    return finish(request, response)


def _refuse(url: str, *args: Any, **kwargs: Any) -> Any:
    # The PDF is made from our own HTML alone: nothing is fetched, so no URL in a text can
    # make the server reach out. A data: URI is that HTML itself (a photo embedded,
    # web.client_photos.photo_data_uri): WeasyPrint's fetcher, allowed data: alone, reads it.
    if url.startswith("data:"):
        from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

        return URLFetcher(allowed_protocols=["data"]).fetch(url)
    raise ValueError(f"not fetched: {url[:80]}")


def render_pdf(html: str) -> bytes:
    """An A4 PDF of a print view (WeasyPrint, fonts from the system)."""
    import weasyprint  # type: ignore[import-untyped]  # slow to import; only the PDF needs it

    document = weasyprint.HTML(string=html, url_fetcher=_refuse)
    pdf = document.write_pdf(stylesheets=[weasyprint.CSS(filename=str(PRINT_CSS))])
    assert pdf is not None
    return bytes(pdf)


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

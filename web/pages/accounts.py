"""Signing in and out: the API's bearer token kept in the session cookie (see web.auth).

Mirrors ``api/accounts``, which answers the token at ``/auth/token``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.accounts.schemas import TokenRead
from api.schemas_common import MAX_ID
from web import auth
from web import client_sso as sso_calls
from web.client import ApiClient
from web.client_errors import ApiError
from web.deps import (
    MAX_FORM_FIELD,
    PASSWORD_PAGE,
    PasswordChangeRequired,
    SignInRequired,
    VisitDep,
    address,
    client_of,
    safe_next,
)
from web.forms.accounts import code_errors, enrolment
from web.forms.sending import Refused, send, unless
from web.rendering import page, redirect, render

router = APIRouter()


async def sign_in_form(
    request: Request,
    *,
    next_url: str,
    email: str = "",
    errors: dict[str, str] | None = None,
    message: str | None = None,
    notice: str | None = None,
    status: int = 200,
    through: int | None = None,
) -> Response:
    # The municipalities whose people may sign in through their own identity provider
    # (#22); the password form stands without them when the API cannot say. ``through``:
    # the municipality that turned passwords off for the person, whose provider alone is
    # offered then, right below the refusal.
    try:
        providers = await sso_calls.choices(client_of(request).acting_for(None, address(request)))
    except ApiError:
        providers = []
    if through is not None:
        providers = [p for p in providers if p.municipality.id == through]
    return render(
        request,
        "sign_in.html",
        {
            "next_url": next_url,
            "email": email,
            "errors": errors or {},
            "message": message,
            "notice": notice,
            "providers": providers,
        },
        status=status,
    )


@page(router, "/logga-in", name="sign_in")
async def sign_in_page(
    request: Request, next: str = "/", utloggad: str = "", utgangen: str = ""
) -> Response:
    notice = None
    if utloggad:
        notice = "Du är utloggad."
    elif utgangen:
        notice = "Din inloggning har gått ut. Logga in igen."
    return await sign_in_form(request, next_url=safe_next(next), notice=notice)


@router.post("/logga-in", response_class=HTMLResponse, name="sign_in_submit")
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
        return await sign_in_form(request, next_url=target, email=email, errors=errors, status=422)
    api = client_of(request).acting_for(None, address(request))
    token = await send(
        api.sign_in(email.strip(), password),
        lambda problem: {e.field: e.message for e in problem.errors},
        # 403: the right password, but the person's municipality is deactivated.
        refusals={401, 403, 422, 429},
    )
    if isinstance(token, Refused):
        if token.status == 422:
            return await sign_in_form(
                request, next_url=target, email=email, errors=token.errors, status=422
            )
        # A wrong password, or too many tries: said above the form, not beside a field.
        # Passwords turned off: on to the identity provider the refusal names.
        through = token.problem.sign_in_through
        return await sign_in_form(
            request,
            next_url=target,
            email=email,
            message=token.problem.detail,
            status=token.status,
            through=through.id if through is not None else None,
        )
    return signed_in(request, token, target)


def signed_in(request: Request, token: TokenRead, target: str) -> Response:
    """The session cookie of a sign-in (the password's, or an identity provider's), and on:
    half a sign-in goes on to the code, or to setting up the app (api.accounts.totp); a
    temporary password (set by someone else) to choosing one's own."""
    after = {"verify": CODE_PAGE, "enrol": SETTINGS_PAGE}.get(token.second_factor or "")
    if after is None and token.password_change_required:
        after = PASSWORD_PAGE
    response = redirect(request, f"{after}?next={quote(target, safe='/')}" if after else target)
    auth.set_session(request, response, token.access_token)
    return response


@router.post("/konto/kommun", response_class=HTMLResponse, name="choose_municipality")
async def choose_municipality(
    request: Request,
    visit: VisitDep,
    municipality_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Which of their municipalities the person acts in (the account menu): kept in a
    cookie, sent to the API with every call. Back to the page they were on (``next``) where
    it is a list of the other municipality too (see ``return_to``)."""
    if municipality_id not in {m.id for m in visit.me.municipalities}:
        raise StarletteHTTPException(403, "Du har ingen roll i den kommunen.")
    response = redirect(request, return_to(request, next))
    # The home municipality is the first of theirs (GET /auth/me): no cookie for it.
    home = visit.me.municipalities[0].id
    auth.choose_municipality(
        request, response, None if municipality_id == home else municipality_id
    )
    return response


def return_to(request: Request, sent: str) -> str:
    """Where a person goes after choosing another municipality: the page they were on, a
    path of this site alone (``safe_next``), when it is one of the site's pages with no
    record in its address. A record's page (``/handelser/12``) is the municipality left
    (the other's would answer 404): its list (``/handelser``) where there is one, else the
    overview. Its query goes: its filters may name the other municipality's areas."""
    path = urlsplit(safe_next(sent)).path
    kept: list[str] = []
    for segment in path.split("/")[1:]:
        if not segment or segment.isdigit():
            break
        kept.append(segment)
    target = "/" + "/".join(kept)
    return target if _is_page(request, target) else "/"


def _is_page(request: Request, path: str) -> bool:
    """Whether the site answers a GET of ``path`` with one of its pages."""
    scope = {"type": "http", "path": path, "method": "GET", "root_path": "", "path_params": {}}
    return any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes)


@router.post("/logga-ut", response_class=HTMLResponse, name="sign_out")
async def sign_out(request: Request) -> Response:
    token = auth.session_token(request)
    if token is not None:
        # Already ended (401): signing out is done anyway.
        await unless(client_of(request).acting_for(token, address(request)).sign_out(), 401)
    response = redirect(request, "/logga-in?utloggad=1")
    auth.clear_session(request, response)
    return response


# Two-factor sign-in ---------------------------------------------------------------------------

CODE_PAGE = "/logga-in/kod"
SETTINGS_PAGE = "/konto/tvastegsverifiering"


def _session_api(request: Request) -> ApiClient:
    """The API as the person signed in, whole or half (these pages serve both)."""
    token = auth.session_token(request)
    if token is None:
        raise SignInRequired()
    return client_of(request).acting_for(token, address(request))


def code_form(
    request: Request,
    *,
    next_url: str,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "sign_in_code.html",
        {"next_url": next_url, "errors": errors or {}, "message": message},
        status=status,
    )


@page(router, CODE_PAGE, name="sign_in_code")
async def sign_in_code_page(request: Request, next: str = "/") -> Response:
    target = safe_next(next)
    status = await _session_api(request).totp_status()
    if status.stage == "enrol":
        return redirect(request, f"{SETTINGS_PAGE}?next={quote(target, safe='/')}")
    if status.stage is None:
        return redirect(request, target)
    return code_form(request, next_url=target)


@router.post(CODE_PAGE, response_class=HTMLResponse, name="sign_in_code_submit")
async def sign_in_code_submit(
    request: Request,
    code: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    next: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "/",
) -> Response:
    target = safe_next(next)
    errors = code_errors(code)
    if errors:
        return code_form(request, next_url=target, errors=errors, status=422)
    api = _session_api(request)
    token = await send(api.verify_totp(code), {"code": "code"}, refusals={409, 422, 429})
    if isinstance(token, Refused):
        if token.status == 409:  # no code awaited: signed in already, or must enrol
            return redirect(request, f"{CODE_PAGE}?next={quote(target, safe='/')}")
        if token.status == 422:
            return code_form(request, next_url=target, errors=token.errors, status=422)
        return code_form(
            request, next_url=target, message=token.problem.detail, status=token.status
        )
    response = redirect(request, target)
    auth.set_session(request, response, token.access_token)
    return response


async def _settings(
    request: Request,
    api: ApiClient,
    *,
    next_url: str,
    shown: Mapping[str, object] | None = None,
    status: int = 200,
    account: bool = True,
) -> Response:
    # None for a whole session begun with a temporary password (403
    # password_change_required): the recovery codes are shown all the same, once.
    totp = await unless(api.totp_status(), 403)
    if totp is None and not (shown or {}).get("recovery_codes"):
        raise PasswordChangeRequired()
    # A half session has no account to show (the page is then all it reaches); nor has a
    # page answered with a new session, whose forms would carry the old one's CSRF token.
    request.state.me = await unless(api.me(), 403) if account else None
    return render(
        request,
        "second_factor.html",
        {
            "totp": totp,
            "next_url": next_url,
            "errors": {},
            "message": None,
            "notice": None,
            **(shown or {}),
        },
        status=status,
    )


@page(router, SETTINGS_PAGE, name="second_factor")
async def second_factor_page(request: Request, next: str = "/", avstangd: str = "") -> Response:
    notice = "Tvåstegsverifieringen är avstängd." if avstangd else None
    return await _settings(
        request, _session_api(request), next_url=safe_next(next), shown={"notice": notice}
    )


@router.post(f"{SETTINGS_PAGE}/ny", response_class=HTMLResponse, name="second_factor_start")
async def second_factor_start(
    request: Request, next: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "/"
) -> Response:
    target = safe_next(next)
    api = _session_api(request)
    started = await send(api.start_totp(), {}, refusals={409})
    if isinstance(started, Refused):
        return await _settings(
            request, api, next_url=target, shown={"message": started.problem.detail}, status=409
        )
    return await _settings(
        request, api, next_url=target, shown={"enrolment": enrolment(started.otpauth_uri)}
    )


@router.post(f"{SETTINGS_PAGE}/bekrafta", response_class=HTMLResponse, name="second_factor_confirm")
async def second_factor_confirm(
    request: Request,
    code: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    uri: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    next: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "/",
) -> Response:
    target = safe_next(next)
    api = _session_api(request)
    errors = code_errors(code)
    confirmed = None
    if not errors:
        confirmed = await send(api.confirm_totp(code), {"code": "code"}, refusals={409, 422})
        if isinstance(confirmed, Refused):
            errors = confirmed.errors
    if confirmed is None or isinstance(confirmed, Refused):
        shown = {"enrolment": enrolment(uri), "errors": errors}
        return await _settings(request, api, next_url=target, shown=shown, status=422)
    if confirmed.session is not None:
        # The half sign-in is whole now: its token has ended, the new one takes its place.
        api = client_of(request).acting_for(confirmed.session.access_token, address(request))
    response = await _settings(
        request,
        api,
        next_url=target,
        shown={"recovery_codes": confirmed.recovery_codes},
        account=confirmed.session is None,
    )
    if confirmed.session is not None:
        auth.set_session(request, response, confirmed.session.access_token)
    return response


@router.post(f"{SETTINGS_PAGE}/stang-av", response_class=HTMLResponse, name="second_factor_off")
async def second_factor_off(request: Request) -> Response:
    api = _session_api(request)
    refused = await send(api.disable_totp(), {}, refusals={409})
    if isinstance(refused, Refused):
        shown = {"message": refused.problem.detail}
        return await _settings(request, api, next_url="/", shown=shown, status=409)
    return redirect(request, f"{SETTINGS_PAGE}?avstangd=1")


# One's own password --------------------------------------------------------------------------


def password_form(
    request: Request,
    *,
    next_url: str,
    temporary: bool,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    # No menu: while the password is temporary the page is all the person reaches.
    request.state.me = None
    return render(
        request,
        "password.html",
        {"next_url": next_url, "temporary": temporary, "errors": errors or {}},
        status=status,
    )


@page(router, PASSWORD_PAGE, name="password")
async def password_page(request: Request, visit: VisitDep, next: str = "/") -> Response:
    return password_form(
        request, next_url=safe_next(next), temporary=visit.me.password_change_required
    )


@router.post(PASSWORD_PAGE, response_class=HTMLResponse, name="password_submit")
async def password_submit(
    request: Request,
    visit: VisitDep,
    current_password: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    new_password: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    repeat_password: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    next: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "/",
) -> Response:
    target = safe_next(next)
    temporary = visit.me.password_change_required
    errors = {}
    if not current_password:
        errors["current_password"] = "Fyll i ditt nuvarande lösenord."  # noqa: S105
    if not new_password:
        errors["new_password"] = "Fyll i ett nytt lösenord."  # noqa: S105
    elif repeat_password != new_password:
        errors["repeat_password"] = "Lösenorden är inte lika. Skriv samma lösenord två gånger."  # noqa: S105
    if not errors:
        changed = await send(
            visit.api.change_password(current_password, new_password),
            {"current_password": "current_password", "new_password": "new_password"},
            refusals={422},
        )
        if not isinstance(changed, Refused):
            return redirect(request, target)
        errors = changed.errors
    return password_form(request, next_url=target, temporary=temporary, errors=errors, status=422)

"""Signing in and out: the API's bearer token kept in the session cookie (see web.auth).

Mirrors ``api/accounts``, which answers the token at ``/auth/token``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from web import auth
from web.deps import MAX_FORM_FIELD, address, client_of, safe_next
from web.forms.sending import Refused, send, unless
from web.rendering import page, redirect, render

router = APIRouter()


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


@page(router, "/logga-in", name="sign_in")
async def sign_in_page(
    request: Request, next: str = "/", utloggad: str = "", utgangen: str = ""
) -> Response:
    notice = None
    if utloggad:
        notice = "Du är utloggad."
    elif utgangen:
        notice = "Din inloggning har gått ut. Logga in igen."
    return sign_in_form(request, next_url=safe_next(next), notice=notice)


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
        return sign_in_form(request, next_url=target, email=email, errors=errors, status=422)
    api = client_of(request).acting_for(None, address(request))
    token = await send(
        api.sign_in(email.strip(), password),
        lambda problem: {e.field: e.message for e in problem.errors},
        refusals={401, 422, 429},
    )
    if isinstance(token, Refused):
        if token.status == 422:
            return sign_in_form(
                request, next_url=target, email=email, errors=token.errors, status=422
            )
        # A wrong password, or too many tries: said above the form, not beside a field.
        return sign_in_form(
            request,
            next_url=target,
            email=email,
            message=token.problem.detail,
            status=token.status,
        )
    response = redirect(request, target)
    auth.set_session(request, response, token.access_token)
    return response


@router.post("/logga-ut", response_class=HTMLResponse, name="sign_out")
async def sign_out(request: Request) -> Response:
    token = auth.session_token(request)
    if token is not None:
        # Already ended (401): signing out is done anyway.
        await unless(client_of(request).acting_for(token, address(request)).sign_out(), 401)
    response = redirect(request, "/logga-in?utloggad=1")
    auth.clear_session(request, response)
    return response

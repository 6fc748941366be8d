"""The browser's side of signing in: the session cookie and the CSRF token.

The session cookie holds the API's bearer token and nothing else: HttpOnly (no script reads
it), SameSite=Lax, and over HTTPS ``Secure`` with the ``__Host-`` prefix (only this host,
path /). The web front end keeps no session state of its own; the API decides whether the
token is still good.

CSRF: every form carries ``csrf_token`` and every htmx request the ``X-CSRF-Token`` header
(set once on <body>). The token is an HMAC, under the secret key, of a random value in its
own cookie and of the session token, so it changes at every sign-in and sign-out and cannot
be made by another site, which can neither read the cookies nor the page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "est_session"
SECURE_SESSION_COOKIE = "__Host-est_session"
SEED_COOKIE = "est_csrf"
SECURE_SEED_COOKIE = "__Host-est_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Posted by another site by design, carrying no token: a SAML IdP's response to the
# AssertionConsumerService, which the API takes only as the answer to the request that this
# browser's sealed flow names (web.pages.sso).
CSRF_EXEMPT = frozenset({"/logga-in/saml/svar"})
# Which of their municipalities a person acts in, chosen in the account menu (#21); the
# typed client sends it to the API as the header EST-Municipality.
MUNICIPALITY_COOKIE = "est_municipality"


def _secure(request: Request) -> bool:
    # Behind a proxy, uvicorn sets the scheme from X-Forwarded-Proto (--forwarded-allow-ips).
    return request.url.scheme == "https"


def _names(request: Request) -> tuple[str, str]:
    if _secure(request):
        return SECURE_SESSION_COOKIE, SECURE_SEED_COOKIE
    return SESSION_COOKIE, SEED_COOKIE


def session_token(request: Request) -> str | None:
    token = request.cookies.get(_names(request)[0])
    return token if token and len(token) <= 200 else None


def set_session(request: Request, response: Response, token: str) -> None:
    _set(request, response, _names(request)[0], token)
    # A new seed with the new session: no token from before the sign-in stays valid.
    new_seed(request, response)


def clear_session(request: Request, response: Response) -> None:
    name = _names(request)[0]
    response.delete_cookie(name, path="/", secure=_secure(request), httponly=True, samesite="lax")
    new_seed(request, response)


def chosen_municipality(request: Request) -> int | None:
    """The municipality chosen in the account menu; None: the person's home one."""
    value = request.cookies.get(MUNICIPALITY_COOKIE, "")
    return int(value) if value.isdigit() and len(value) <= 12 else None


def choose_municipality(request: Request, response: Response, municipality_id: int | None) -> None:
    if municipality_id is None:
        response.delete_cookie(
            MUNICIPALITY_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="lax"
        )
    else:
        _set(request, response, MUNICIPALITY_COOKIE, str(municipality_id))


def _set(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name, value, path="/", secure=_secure(request), httponly=True, samesite="lax"
    )


def seed(request: Request, response: Response | None = None) -> str:
    """The request's CSRF seed: the cookie's, or a new one (set on ``response`` when given,
    else remembered for ``ensure_seed``)."""
    existing = getattr(request.state, "csrf_seed", None) or request.cookies.get(_names(request)[1])
    if existing:
        return str(existing)
    value = secrets.token_urlsafe(32)
    request.state.csrf_seed = value
    request.state.csrf_seed_is_new = True
    if response is not None:
        _set(request, response, _names(request)[1], value)
    return value


def new_seed(request: Request, response: Response) -> None:
    value = secrets.token_urlsafe(32)
    request.state.csrf_seed = value
    request.state.csrf_seed_is_new = False
    _set(request, response, _names(request)[1], value)


def ensure_seed(request: Request, response: Response) -> None:
    """Sets the seed cookie on a page whose forms were given a token from a new seed."""
    if getattr(request.state, "csrf_seed_is_new", False):
        _set(request, response, _names(request)[1], request.state.csrf_seed)


def csrf_token(request: Request, secret: str, *, session: str | None = None) -> str:
    bound = session if session is not None else (session_token(request) or "")
    message = f"{seed(request)}|{hashlib.sha256(bound.encode()).hexdigest()}".encode()
    return hmac.new(secret.encode(), message, "sha256").hexdigest()


def csrf_valid(request: Request, secret: str, sent: str | None) -> bool:
    if not sent or not request.cookies.get(_names(request)[1]):
        return False
    return hmac.compare_digest(sent, csrf_token(request, secret))


# A sign-in under way at an identity provider (web.pages.sso): the API's sealed flow, kept
# in this browser until the provider sends it back, and the page to go to after. Ten minutes
# at most. OpenID Connect's provider sends the browser back with a GET (SameSite=Lax lets the
# cookie along); a SAML IdP posts from its own site, which only SameSite=None lets through,
# and browsers take that over HTTPS alone (plain http: on this machine, where the IdP of the
# tests is the same site).
FLOW_COOKIES = {"oidc": "est_oidc", "saml": "est_saml"}
FLOW_SECONDS = 600


def _flow_samesite(request: Request, protocol: str) -> Literal["lax", "none"]:
    return "none" if protocol == "saml" and _secure(request) else "lax"


def sso_flow(request: Request, protocol: str) -> tuple[str, str] | None:
    """The flow and the page after, or None."""
    value = request.cookies.get(FLOW_COOKIES[protocol], "")
    flow, _, after = value.partition(" ")
    return (flow, after or "/") if flow and len(value) <= 2400 else None


def set_sso_flow(
    request: Request, response: Response, protocol: str, flow: str, after: str
) -> None:
    response.set_cookie(
        FLOW_COOKIES[protocol],
        f"{flow} {after}",
        max_age=FLOW_SECONDS,
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite=_flow_samesite(request, protocol),
    )


def clear_sso_flow(request: Request, response: Response, protocol: str) -> None:
    response.delete_cookie(
        FLOW_COOKIES[protocol],
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite=_flow_samesite(request, protocol),
    )

"""No redirect leaves the site (issue #17, finding 2): ``/logga-in?next=/%09/127.0.0.1:8199/x``
answered ``HX-Redirect: /<TAB>/127.0.0.1:8199/x``, which Chromium follows off-site. One check
(``api.redirects.safe_path``) judges every ``next``, and every ``Location`` and
``HX-Redirect`` the API and the web write passes through it (``SecurityHeaders``).

Whether a target stays on the site is judged here as a browser resolves it (WHATWG URL:
tabs and line breaks dropped, backslashes read as slashes), not by the check's own rules."""

from __future__ import annotations

import html
from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from api.middleware import SecurityHeaders
from api.redirects import safe_path
from api.seed import DEMO_PASSWORD
from tests.support.pages import csrf_of, found
from tests.support.people import PEOPLE, People
from tests.support.servers import Server, http_client

ORIGIN = "http://127.0.0.1:8000"

HOSTILE = [
    "/\t/127.0.0.1:8199/x",
    "/%09/127.0.0.1:8199/x",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "//evil.example",
    "///evil.example",
    "/%2F/evil.example",
    "%2F%2Fevil.example",
    "/%252F/evil.example",
    "/%25252F%25252Fevil.example",
    "/%5Cevil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/%5C%5Cevil.example",
    "https://evil.example/",
    "https:evil.example",
    "http:/\\evil.example",
    "HTTPS://evil.example",
    "//evil.example@127.0.0.1:8000/",
    "/／evil.example",
    "／／evil.example",
    "/＼evil.example",
    "/%EF%BC%8Fevil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\u200b/evil.example",
    "/\u00a0/evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/\u2028/evil.example",
    "",
    "evil.example",
    "?next=//evil.example",
]

# Addresses of this site, as the pages write them: they come through as they are.
OWN = [
    "/",
    "/grupper/5?visa=alla",
    "/handelser?fran=2026-01-01&kategori=klotter&omrade=3",
    "/logga-in?next=%2Fhandelser%3Fkategori%3Dklotter",
    "/lagesbild/3?sparad=1#figurer",
    "/api/v1/meetings/5",
]


def browser_resolves(target: str, origin: str = ORIGIN) -> str:
    """The URL a browser goes to for ``target`` on a page of ``origin`` (what WHATWG URL
    parsing does that matters here: C0 controls and spaces trimmed, tabs and line breaks
    removed, backslashes read as slashes in http(s) URLs)."""
    cleaned = target.strip("".join(chr(c) for c in range(0x21)))
    cleaned = "".join(c for c in cleaned if c not in "\t\n\r").replace("\\", "/")
    return urljoin(origin + "/", cleaned)


def assert_stays(target: str, origin: str = ORIGIN) -> None:
    assert target.isascii() and target.isprintable() and " " not in target, repr(target)
    assert target.startswith("/"), repr(target)
    resolved = urlsplit(browser_resolves(target, origin))
    assert (resolved.scheme, resolved.netloc) == tuple(urlsplit(origin)[:2]), repr(target)


def test_the_browser_model_sees_the_attacks_as_attacks() -> None:
    # Without this, a wrong model of the browser would let every test below pass.
    for target in ("/\t/127.0.0.1:8199/x", "/\\evil.example", "//evil.example", " //e.example"):
        assert urlsplit(browser_resolves(target)).netloc != "127.0.0.1:8000", target


@pytest.mark.parametrize("target", HOSTILE)
def test_a_target_off_the_site_becomes_the_start_page(target: str) -> None:
    checked = safe_path(target)
    assert_stays(checked)
    assert checked == "/" or checked.startswith(("/%", "/?", "/evil", "/javascript")), checked
    # What the check lets through, it lets through again unchanged.
    assert safe_path(checked) == checked


@pytest.mark.parametrize("target", OWN)
def test_the_sites_own_addresses_come_through_unchanged(target: str) -> None:
    assert safe_path(target) == target


def test_the_rest_of_a_long_or_endlessly_encoded_target_is_not_followed() -> None:
    assert safe_path("/" + "a" * 3000) == "/"
    assert safe_path("/%" + "25" * 20 + "2F%2Fevil.example") == "/"
    assert safe_path("/ärende?q=å ä") == "/%C3%A4rende?q=%C3%A5%C3%A4"


# Through HTTP: the sign-in page, without JavaScript and with htmx -------------------------


def next_field(page: str) -> str:
    """The sign-in form's hidden ``next``, as the browser sends it back."""
    return html.unescape(found(r'name="next" value="([^"]*)"', page))


@pytest.fixture
def visitor(server: Server) -> Iterator[httpx.Client]:
    with http_client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.mark.parametrize("target", HOSTILE)
def test_signing_in_with_a_hostile_next_stays_on_the_site(
    visitor: httpx.Client, server: Server, people: People, target: str
) -> None:
    form = visitor.get("/logga-in", params={"next": target})
    assert form.status_code == 200
    assert_stays(next_field(form.text), server.url)
    fields = {"csrf_token": csrf_of(form.text), "email": PEOPLE["kungsangen"]}
    fields |= {"password": DEMO_PASSWORD, "next": target}
    plain = visitor.post("/logga-in", data=fields)
    assert plain.status_code == 303, plain.text
    assert_stays(plain.headers["location"], server.url)
    # Signed out again: a fresh form, its CSRF token made for no session.
    visitor.cookies.clear()
    fields["csrf_token"] = csrf_of(visitor.get("/logga-in", params={"next": target}).text)
    htmx = visitor.post("/logga-in", data=fields, headers={"HX-Request": "true"})
    assert htmx.status_code == 204, htmx.text
    assert_stays(htmx.headers["hx-redirect"], server.url)
    assert "location" not in htmx.headers


def test_the_address_asked_for_before_signing_in_is_where_signing_in_leads(
    visitor: httpx.Client, server: Server, people: People
) -> None:
    asked = "/handelser?kategori=skadegorelse&fran=2026-01-01"
    sent_to = visitor.get(asked).headers["location"]
    form = visitor.get(sent_to)
    fields = {"csrf_token": csrf_of(form.text), "email": PEOPLE["kungsangen"]}
    fields |= {"password": DEMO_PASSWORD, "next": next_field(form.text)}
    signed_in = visitor.post("/logga-in", data=fields, headers={"HX-Request": "true"})
    assert signed_in.headers["hx-redirect"] == asked


def test_the_frameworks_own_redirects_name_a_path_of_the_site(
    server: Server, api: httpx.Client
) -> None:
    # A trailing slash: Starlette answers with the whole URL, Host header and all.
    for host in ("127.0.0.1", "evil.example"):
        answer = api.get("/api/v1/areas/", headers={"Host": host})
        assert answer.status_code == 307
        assert answer.headers["location"] == "/api/v1/areas"
    assert api.get("/api").headers["location"] == "/api/docs"


# Every header any handler writes ------------------------------------------------------------


async def _answers_with_its_query(scope: Scope, receive: Receive, send: Send) -> None:
    """An app whose every answer redirects to its query's ``to``, as given, in UTF-8."""
    target = parse_qs(scope["query_string"].decode(), keep_blank_values=True)["to"][0]
    headers = [(b"location", target.encode()), (b"hx-redirect", target.encode())]
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def test_every_location_and_hx_redirect_a_handler_writes_is_checked() -> None:
    # TestClient runs the app on a loop of its own thread: this one may be running another
    # (Playwright's, left by a browser test in the same worker).
    app = SecurityHeaders(_answers_with_its_query, headers={})
    # Not entered as a context: that would send the app a lifespan, which it does not answer.
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)

    def asked(*targets: str) -> list[httpx.Response]:
        return [client.get("/", params={"to": target}) for target in targets]

    for answer in asked(*HOSTILE):
        for header in ("location", "hx-redirect"):
            assert_stays(answer.headers[header], "http://testserver")
    own, elsewhere = asked("http://testserver/a/?x=1", "http://evil.example/a/")
    assert own.headers["location"] == "/a/?x=1"
    assert elsewhere.headers["location"] == "/"

"""Signing in and out through the web pages, as a browser without JavaScript does it: the
session cookie, the CSRF token, and the headers that keep a signed-in page private."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from api.seed import DEMO_PASSWORD
from tests.support.codes import totp_code
from tests.support.factories import make_municipality
from tests.support.pages import csrf_of, found
from tests.support.people import PEOPLE, People
from tests.support.servers import Server, http_client


@pytest.fixture
def browser(server: Server) -> Iterator[httpx.Client]:
    with http_client(base_url=server.url, timeout=30) as client:
        yield client


def sign_in(
    browser: httpx.Client, email: str, password: str = DEMO_PASSWORD, **extra: str
) -> httpx.Response:
    token = csrf_of(browser.get("/logga-in").text)
    answer = browser.post(
        "/logga-in", data={"csrf_token": token, "email": email, "password": password, **extra}
    )
    code_page = answer.headers.get("location", "")
    if not code_page.startswith("/logga-in/kod"):
        return answer
    # The second step, for those with a second factor: the code from the app.
    form = browser.get(code_page)
    assert form.status_code == 200, form.text
    return browser.post(
        "/logga-in/kod",
        data={
            "csrf_token": csrf_of(form.text),
            "code": totp_code(email),
            "next": found(r'name="next" value="([^"]*)"', form.text),
        },
    )


def test_the_code_step_comes_after_the_password(browser: httpx.Client, people: People) -> None:
    token = csrf_of(browser.get("/logga-in").text)
    answer = browser.post(
        "/logga-in",
        data={"csrf_token": token, "email": PEOPLE["admin"], "password": DEMO_PASSWORD,
              "next": "/admin/logg"},
    )  # fmt: skip
    assert answer.headers["location"] == "/logga-in/kod?next=/admin/logg"
    # Half signed in, every page leads to the code, and none shows data.
    page = browser.get("/admin/logg")
    assert page.status_code == 303
    assert page.headers["location"] == "/logga-in/kod?next=/admin/logg"
    form = browser.get(page.headers["location"])
    assert "Ange kod" in form.text and 'autocomplete="one-time-code"' in form.text
    wrong = browser.post(
        "/logga-in/kod",
        data={"csrf_token": csrf_of(form.text), "code": "12", "next": "/admin/logg"},
    )
    assert wrong.status_code == 422 and 'id="code-error"' in wrong.text
    done = browser.post(
        "/logga-in/kod",
        data={"csrf_token": csrf_of(form.text), "code": totp_code(PEOPLE["admin"]),
              "next": "/admin/logg"},
    )  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == "/admin/logg"
    assert browser.get("/admin/logg").status_code == 200


def test_pages_lead_to_sign_in_and_back(browser: httpx.Client, people: People) -> None:
    group = people["groups"]["EST områdesgrupp Kungsängen"]
    asked = browser.get(f"/grupper/{group['id']}?visa=alla")
    assert asked.status_code == 303
    assert asked.headers["location"] == f"/logga-in?next=/grupper/{group['id']}%3Fvisa%3Dalla"
    assert asked.headers["cache-control"] == "no-store"

    form = browser.get(asked.headers["location"])
    assert form.status_code == 200
    assert 'autocomplete="current-password"' in form.text
    assert f'value="/grupper/{group["id"]}?visa=alla"' in form.text

    signed_in = sign_in(browser, PEOPLE["kungsangen"], next=f"/grupper/{group['id']}")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == f"/grupper/{group['id']}"
    cookie = next(
        c for c in signed_in.headers.get_list("set-cookie") if c.startswith("est_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; see the HTTPS test below

    page = browser.get(f"/grupper/{group['id']}")
    assert page.status_code == 200
    assert "Kalle Kungsängen" in page.text  # the name in the header
    assert "EST områdesgrupp Kungsängen" in page.text and "(medlem)" in page.text
    assert page.headers["cache-control"] == "no-store"
    csp = page.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    # No inline script anywhere: every <script> has a src.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)
    # Every htmx request carries the token.
    assert re.search(r"hx-headers='\{\"X-CSRF-Token\": \"[0-9a-f]{64}\"\}'", page.text)


def test_sign_out_ends_the_session_in_the_api(
    browser: httpx.Client, server: Server, people: People
) -> None:
    sign_in(browser, PEOPLE["coordination"])
    token = browser.cookies["est_session"]
    with server.client(token) as api:
        assert api.get("/api/v1/auth/me").status_code == 200
    page = browser.get("/")
    out = browser.post("/logga-ut", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303
    assert out.headers["location"] == "/logga-in?utloggad=1"
    assert "est_session" not in browser.cookies
    with server.client(token) as api:
        assert api.get("/api/v1/auth/me").status_code == 401
    # The old cookie, kept by someone, opens nothing.
    with http_client(base_url=server.url, cookies={"est_session": token}) as kept:
        again = kept.get("/")
    assert again.status_code == 303
    assert "utgangen=1" in again.headers["location"]


def test_wrong_password_and_unknown_account_get_the_same_answer(
    browser: httpx.Client, people: People
) -> None:
    wrong = sign_in(browser, PEOPLE["viewer"], "inte-rätt-lösenord-alls")
    unknown = sign_in(browser, "ingen-alls@est.demo", "inte-rätt-lösenord-alls")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Fel e-postadress eller lösenord." in response.text
        assert "est_session" not in response.cookies
    empty = sign_in(browser, "", "")
    assert empty.status_code == 422
    assert 'id="email-error"' in empty.text and 'id="password-error"' in empty.text


def test_throttled_sign_in_says_when_to_try_again(
    browser: httpx.Client, server: Server, people: People
) -> None:
    for _ in range(server.settings.throttle_per_account):
        assert sign_in(browser, PEOPLE["viewer"], "inte-rätt-lösenord-alls").status_code == 401
    throttled = sign_in(browser, PEOPLE["viewer"])
    assert throttled.status_code == 429
    assert "För många misslyckade inloggningar" in throttled.text
    assert "est_session" not in throttled.cookies


def test_posts_without_a_valid_csrf_token_are_refused(
    browser: httpx.Client, server: Server, people: People
) -> None:
    no_token = browser.post(
        "/logga-in", data={"email": PEOPLE["viewer"], "password": DEMO_PASSWORD}
    )
    assert no_token.status_code == 403
    assert "säkerhetskod" in no_token.text
    assert "est_session" not in no_token.cookies

    sign_in(browser, PEOPLE["viewer"])
    # A token made for another browser (its own seed cookie) does not fit this one.
    with http_client(base_url=server.url) as other:
        foreign = csrf_of(other.get("/logga-in").text)
    assert browser.post("/logga-ut", data={"csrf_token": foreign}).status_code == 403
    assert browser.post("/logga-ut", headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    # Still signed in.
    assert browser.get("/").status_code == 200
    # The token of the page works, in the form or in htmx's header.
    token = csrf_of(browser.get("/").text)
    out = browser.post("/logga-ut", headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert out.status_code == 204
    assert out.headers["hx-redirect"] == "/logga-in?utloggad=1"


def test_over_https_the_cookie_is_secure_with_the_host_prefix(
    browser: httpx.Client, people: People
) -> None:
    # The test server trusts X-Forwarded-Proto from 127.0.0.1, as from a TLS proxy.
    https = {"X-Forwarded-Proto": "https"}
    form = browser.get("/logga-in", headers=https)
    seed = next(c for c in form.headers.get_list("set-cookie") if c.startswith("__Host-est_csrf="))
    assert "Secure" in seed and "Path=/" in seed and "Domain" not in seed
    token = csrf_of(form.text)
    # httpx keeps a Secure cookie for https only; the proxy speaks http to the app.
    browser.cookies.set("__Host-est_csrf", seed.split(";")[0].split("=", 1)[1])
    signed_in = browser.post(
        "/logga-in",
        headers=https,
        data={"csrf_token": token, "email": PEOPLE["steering"], "password": DEMO_PASSWORD},
    )
    assert signed_in.status_code == 303, signed_in.text
    cookie = next(
        c for c in signed_in.headers.get_list("set-cookie") if c.startswith("__Host-est_session=")
    )
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_next_never_leads_off_the_site(browser: httpx.Client, people: People) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = sign_in(browser, PEOPLE["steering"], next=target)
        assert response.headers["location"] == "/", target


def test_audit_log_page_for_administrators_only(browser: httpx.Client, people: People) -> None:
    sign_in(browser, PEOPLE["reporter"], "inte-rätt-lösenord-alls")
    sign_in(browser, PEOPLE["admin"])
    page = browser.get("/admin/logg", params={"handelse": "sign_in", "utfall": "failed"})
    assert page.status_code == 200
    assert "rapportor@est.demo" in page.text and "Misslyckades" in page.text
    assert "admin@est.demo" not in page.text.split("<main")[1].split("</main>")[0]
    bad = browser.get("/admin/logg", params={"fran": "igår"})
    assert bad.status_code == 422 and 'id="fran-error"' in bad.text
    browser.post("/logga-ut", data={"csrf_token": csrf_of(page.text)})

    sign_in(browser, PEOPLE["coordination"])
    refused = browser.get("/admin/logg")
    assert refused.status_code == 403
    assert "Logg" not in refused.text.split("<nav")[1].split("</nav>")[0]


def test_enrolment_without_javascript(browser: httpx.Client, api: httpx.Client) -> None:
    email, password = "ny-admin@est.test", "blå-kanelbulle-vandrar-93"
    make_municipality(api)  # the test administrator's, where they add an administrator
    created = api.post(
        "/api/v1/users",
        json={"name": "Ny Admin", "email": email, "is_admin": True, "password": password},
    )
    assert created.status_code == 201, created.text
    answer = sign_in(browser, email, password, next="/organisationer")
    assert answer.headers["location"] == "/konto/tvastegsverifiering?next=/organisationer"
    start = browser.get(answer.headers["location"])
    assert "Din roll kräver" in start.text
    enrol = browser.post(
        "/konto/tvastegsverifiering/ny",
        data={"csrf_token": csrf_of(start.text), "next": "/organisationer"},
    )
    assert enrol.status_code == 200, enrol.text
    secret = found(r'id="totp-secret">([A-Z2-7 ]+)<', enrol.text).replace(" ", "")
    uri = found(r'name="uri" value="([^"]+)"', enrol.text)
    form = {"csrf_token": csrf_of(enrol.text), "next": "/organisationer", "uri": uri}
    wrong = browser.post("/konto/tvastegsverifiering/bekrafta", data={**form, "code": "12"})
    # The same key again, beside the message: the app already holds it.
    assert wrong.status_code == 422 and 'id="code-error"' in wrong.text
    assert found(r'id="totp-secret">([A-Z2-7 ]+)<', wrong.text).replace(" ", "") == secret
    done = browser.post(
        "/konto/tvastegsverifiering/bekrafta", data={**form, "code": totp_code(email, secret)}
    )
    assert done.status_code == 200, done.text
    assert len(re.findall(r"<li><code>[a-z2-9-]{14}</code></li>", done.text)) == 10
    assert secret not in done.text
    # The administrator set the password: every page leads to choosing one's own first.
    led = browser.get("/organisationer")
    assert led.status_code == 303
    assert led.headers["location"] == "/konto/nytt-losenord?next=/organisationer"
    choose = browser.get(led.headers["location"])
    assert choose.status_code == 200 and "Välj ett nytt lösenord" in choose.text
    assert 'href="/organisationer"' not in choose.text  # no menu to lead elsewhere
    form = {"csrf_token": csrf_of(choose.text), "next": "/organisationer"}
    own = "grön-lingonsylt-klättrar-41"
    differ = browser.post(
        "/konto/nytt-losenord",
        data={**form, "current_password": password, "new_password": own, "repeat_password": "x"},
    )
    assert differ.status_code == 422 and 'id="repeat_password-error"' in differ.text
    same = browser.post(
        "/konto/nytt-losenord",
        data={**form, "current_password": password, "new_password": password,
              "repeat_password": password},
    )  # fmt: skip
    assert same.status_code == 422 and 'id="new_password-error"' in same.text
    assert "tillfälliga" in same.text
    chosen = browser.post(
        "/konto/nytt-losenord",
        data={**form, "current_password": password, "new_password": own, "repeat_password": own},
    )
    assert chosen.status_code == 303 and chosen.headers["location"] == "/organisationer"
    assert browser.get("/organisationer").status_code == 200
    again = browser.get("/konto/tvastegsverifiering")
    assert "Oanvända reservkoder: 10." in again.text and secret not in again.text


def test_turning_it_off_where_the_role_allows(server: Server, people: People) -> None:
    with server.client(people["tokens"]["viewer"]) as api:
        secret = api.post("/api/v1/auth/totp/enrol").json()["secret"]
        code = totp_code(PEOPLE["viewer"], secret)
        assert api.post("/api/v1/auth/totp/confirm", json={"code": code}).status_code == 200
    cookies = {"est_session": people["tokens"]["viewer"]}
    with http_client(base_url=server.url, timeout=30, cookies=cookies) as viewer:
        page = viewer.get("/konto/tvastegsverifiering")
        assert "Oanvända reservkoder: 10." in page.text and secret not in page.text
        off = viewer.post(
            "/konto/tvastegsverifiering/stang-av", data={"csrf_token": csrf_of(page.text)}
        )
        assert off.status_code == 303
        after = viewer.get(off.headers["location"])
        assert "Tvåstegsverifieringen är avstängd." in after.text
        assert "Kom igång" in after.text
    cookies = {"est_session": people["tokens"]["steering"]}
    with http_client(base_url=server.url, timeout=30, cookies=cookies) as steering:
        page = steering.get("/konto/tvastegsverifiering")
        assert "Din roll kräver tvåstegsverifiering" in page.text
        assert "Stäng av" not in page.text


def test_a_deactivated_municipalitys_people_are_told_why(
    browser: httpx.Client, api: httpx.Client, people: People
) -> None:
    town = people["municipality"]["id"]
    assert api.post(f"/api/v1/municipalities/{town}/deactivate").status_code == 200
    refused = sign_in(browser, PEOPLE["reporter"])
    assert refused.status_code == 403
    assert "Din kommun är avaktiverad" in refused.text and 'role="alert"' in refused.text
    assert "est_session" not in refused.cookies

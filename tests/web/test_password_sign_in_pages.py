"""Password sign-in turned off (#22) through the web pages, as a browser without JavaScript
goes: the administrator's section of /kommun/inloggning, and the sign-in page that leads a
person whose password is refused on to their municipality's identity provider."""

from __future__ import annotations

import httpx

from tests.support.pages import csrf_of
from tests.support.people import Demo
from tests.support.servers import Server, http_client

V1 = "/api/v1"
PAGE = "/kommun/inloggning"
PASSWORD = "ett-långt-lösenord-för-testet"


def test_the_administrator_turns_passwords_off_and_the_sign_in_page_leads_on(
    server: Server, api: httpx.Client, web: httpx.Client, demo: Demo
) -> None:
    municipality = demo["municipality"]["id"]
    page = web.get(PAGE)
    assert page.status_code == 200
    assert "Inloggning med lösenord är just nu <strong>påslagen</strong>" in page.text
    assert "Reservadministratörer</strong> behåller inloggning med lösenord" in page.text
    csrf = {"csrf_token": csrf_of(page.text)}
    refused = web.post(f"{PAGE}/losenord/av", data=csrf)
    assert refused.status_code == 409
    assert 'id="losenord-error"' in refused.text
    assert "förrän kommunen har en identitetsleverantör som är påslagen" in refused.text

    configured = api.put(
        f"{V1}/municipalities/{municipality}/oidc",
        json={"issuer": "http://127.0.0.1:9/", "client_id": "app", "client_secret": "s"},
    )
    assert configured.status_code == 200, configured.text
    me = api.get(f"{V1}/auth/me").json()
    marked = web.post(f"{PAGE}/reservadministrator/{me['id']}/ja", data=csrf)
    assert marked.status_code == 303 and marked.headers["location"].endswith(
        "?sparat=reserv#losenord"
    )
    off = web.post(f"{PAGE}/losenord/av", data=csrf)
    assert off.status_code == 303, off.text
    page = web.get(off.headers["location"])
    assert "Inloggning med lösenord är just nu <strong>avstängd</strong>" in page.text
    assert "Den som var inloggad med lösenord har loggats ut." in page.text

    organisation = demo["organisations"]["Trygghets- och preventionsenheten"]["id"]
    person = {"name": "Pia Person", "email": "pia.pw@est.demo", "password": PASSWORD}
    assert api.post(f"{V1}/users", json={**person, "organisation_id": organisation}).is_success
    with http_client(base_url=server.url, timeout=30) as browser:
        form = browser.get("/logga-in")
        answer = browser.post(
            "/logga-in",
            data={
                "csrf_token": csrf_of(form.text),
                "email": "pia.pw@est.demo",
                "password": PASSWORD,
            },
        )
        assert answer.status_code == 403
        assert "Upplands-Bro kommun har stängt av inloggning med lösenord." in answer.text
        assert f'href="/logga-in/oidc?kommun={municipality}"' in answer.text
        assert "est_session" not in browser.cookies

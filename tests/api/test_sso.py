"""OpenID Connect sign-in (#22) through a real OpenID provider the suite starts
(tests/support/oidc.py: oidc-provider from the npm registry, run by Node.js on 127.0.0.1):
the whole flow over HTTP, through the web pages as a browser without JavaScript goes, and the
refusals (a wrong state, a code used twice, an ID token for another nonce or audience, a
person EST does not know)."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import select, text

from api import sealing
from api.settings import Settings
from api.sso import discovery
from api.sso import service as sso_service
from api.sso.models import OidcIdentity
from api.sso.schemas import REDIRECT_PATH
from tests.support.oidc import OidcProvider, requests_at, set_account, through_provider
from tests.support.people import Demo
from tests.support.servers import Server
from tests.support.sso import groups, make_user, map_group, me

V1 = "/api/v1"
METADATA = "/.well-known/openid-configuration"


def _configure(
    api: httpx.Client, demo: Demo, provider: OidcProvider, **extra: Any
) -> dict[str, Any]:
    municipality = demo["municipality"]["id"]
    answer = api.put(
        f"{V1}/municipalities/{municipality}/oidc",
        json={
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "client_secret": provider.client_secret,
            **extra,
        },
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _through_web(server: Server, login: str) -> tuple[httpx.Client, httpx.Response]:
    """A browser's whole sign-in: the sign-in page's link, the provider's forms, the
    redirect URI. Answers the browser (its cookies) and the redirect URI's answer."""
    browser = httpx.Client(base_url=server.url, timeout=30)
    municipality = _choice(browser)
    started = browser.get("/logga-in/oidc", params={"kommun": municipality})
    assert started.status_code == 303, started.text
    back = through_provider(started.headers["location"], login, server.url + REDIRECT_PATH)
    return browser, browser.get(back)


def _choice(browser: httpx.Client) -> int:
    page = browser.get("/logga-in")
    assert "Logga in med Upplands-Bro kommuns inloggning" in page.text
    choices = browser.get(f"{V1}/auth/sso").json()
    return int(choices[0]["municipality"]["id"])


def _started(server: Server, municipality: int) -> dict[str, Any]:
    with server.client() as client:
        answer = client.post(f"{V1}/auth/oidc/start", json={"municipality_id": municipality})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _answer(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_sign_in_through_the_provider_maps_groups(
    server: Server,
    api: httpx.Client,
    web: httpx.Client,
    demo: Demo,
    oidc_provider: OidcProvider,
) -> None:
    settings = _configure(api, demo, oidc_provider)
    assert settings["redirect_uri"] == server.url + REDIRECT_PATH
    assert "client_secret" not in settings and settings["client_secret_set"] is True
    map_group(api, demo, "est-bro", "EST områdesgrupp Bro", "member")
    map_group(api, demo, "est-samordning", "EST samordningsgrupp", "viewer")
    map_group(api, demo, "est-annat", "EST områdesgrupp Brunna", "member")
    # A temporary password (set by the administrator) holds up no sign-in the provider
    # vouched for: it is not asked to be changed.
    anna = make_user(api, demo, "Anna.SSO@est.demo", password="ett-tillfälligt-lösenord")
    # A membership an administrator gave: a sign-in leaves it alone.
    kungsangen = demo["groups"]["EST områdesgrupp Kungsängen"]["id"]
    given = api.put(f"{V1}/groups/{kungsangen}/memberships/{anna}", json={"role": "reporter"})
    assert given.status_code == 201, given.text

    browser, done = _through_web(server, "anna")
    assert done.status_code == 303 and done.headers["location"] == "/", done.text
    token = browser.cookies["est_session"]
    assert "est_oidc" not in browser.cookies  # the flow is spent
    person = me(server, token)
    assert person["id"] == anna and person["password_change_required"] is False
    with server.client(token) as client:
        assert client.get(f"{V1}/groups").status_code == 200
    assert groups(person) == {
        "EST områdesgrupp Bro": "member",
        "EST samordningsgrupp": "viewer",
        "EST områdesgrupp Kungsängen": "reporter",
    }
    # Which memberships the provider gave, as the API and the pages tell them.
    given_by = {m["group"]["name"]: m["from_identity_provider"] for m in person["memberships"]}
    assert given_by == {
        "EST områdesgrupp Bro": True,
        "EST samordningsgrupp": True,
        "EST områdesgrupp Kungsängen": False,
    }
    bro = demo["groups"]["EST områdesgrupp Bro"]["id"]
    members = api.get(f"{V1}/groups/{bro}/memberships").json()
    assert [(m["user"]["id"], m["from_identity_provider"]) for m in members] == [(anna, True)]
    account = browser.get("/konto").text
    assert "(medlem, via identitetstjänst)" in account and "(rapportör)" in account
    group_page = web.get(f"/grupper/{bro}").text
    assert '<span class="muted">(via identitetstjänst)</span>' in group_page
    # The web's pages take the session as after a password sign-in.
    assert "Anna Andersson" in browser.get("/").text
    events = api.get(f"{V1}/audit-events", params={"action": "sign_in", "user": anna}).json()
    assert [(e["outcome"], e["detail"]) for e in events["items"]] == [("ok", "oidc")]

    # The mappings change: at the next sign-in the memberships they gave follow them.
    mappings = api.get(f"{V1}/municipalities/{demo['municipality']['id']}/sso/group-mappings")
    samordning = next(m for m in mappings.json() if m["claim_value"] == "est-samordning")
    removed = api.delete(
        f"{V1}/municipalities/{demo['municipality']['id']}/sso/group-mappings/{samordning['id']}"
    )
    assert removed.status_code == 204
    # Two of her groups give one EST group: the strongest role wins.
    map_group(api, demo, "est-samordning", "EST områdesgrupp Bro", "convener")
    map_group(api, demo, "est-bro", "EST områdesgrupp Kungsängen", "member")  # the admin's stays
    again, answered = _through_web(server, "anna")
    assert answered.status_code == 303
    assert groups(me(server, again.cookies["est_session"])) == {
        "EST områdesgrupp Bro": "convener",
        "EST områdesgrupp Kungsängen": "reporter",
    }
    browser.close()
    again.close()


def test_wrong_state_is_refused(
    server: Server, api: httpx.Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    _configure(api, demo, oidc_provider)
    make_user(api, demo, "anna.sso@est.demo")
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        started = browser.get("/logga-in/oidc", params={"kommun": demo["municipality"]["id"]})
        back = through_provider(started.headers["location"], "anna", server.url + REDIRECT_PATH)
        answer = _answer(back)
        forged = browser.get(REDIRECT_PATH, params={**answer, "state": "someone-elses-state"})
        assert forged.status_code == 401
        assert "Inloggningen gick inte att slutföra" in forged.text
        assert "est_session" not in browser.cookies
        # Without the flow this browser started (another browser), nothing is finished.
        with httpx.Client(base_url=server.url, timeout=30) as other:
            stray = other.get(REDIRECT_PATH, params=answer)
            assert stray.status_code == 400 and "est_session" not in other.cookies


def test_a_code_is_good_once(
    server: Server, api: httpx.Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    _configure(api, demo, oidc_provider)
    make_user(api, demo, "anna.sso@est.demo")
    started = _started(server, demo["municipality"]["id"])
    back = _answer(
        through_provider(started["authorization_url"], "anna", server.url + REDIRECT_PATH)
    )
    body = {"flow": started["flow"], "state": back["state"], "code": back["code"]}
    with server.client() as client:
        first = client.post(f"{V1}/auth/oidc/finish", json=body)
        assert first.status_code == 201, first.text
        assert first.json()["access_token"].startswith("estu_")
        replayed = client.post(f"{V1}/auth/oidc/finish", json=body)
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "sso_token_refused"
    failed = api.get(f"{V1}/audit-events", params={"action": "sign_in", "outcome": "failed"})
    assert [e["detail"] for e in failed.json()["items"]] == ["oidc: sso_token_refused"]


def test_the_id_token_is_checked_for_nonce_audience_and_signature(
    server: Server, api: httpx.Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    """The provider's real ID token, checked as finish checks it, against what another
    sign-in or another application would expect."""
    _configure(api, demo, oidc_provider)
    started = _started(server, demo["municipality"]["id"])
    query = _answer(started["authorization_url"])
    back = _answer(
        through_provider(started["authorization_url"], "anna", server.url + REDIRECT_PATH)
    )
    with httpx.Client(timeout=15) as client:
        metadata = sso_service._metadata(client, oidc_provider.issuer)
        # The verifier is in the sealed flow, as finish reads it.
        flow = sealing.unseal(
            started["flow"],
            purpose=sso_service._FLOW_PURPOSE,
            context="",
            secret_key=server.settings.secret_key.get_secret_value(),
        )
        assert flow is not None
        verifier = json.loads(flow)["v"]
        tokens = sso_service.exchange_code(
            client,
            metadata,
            client_id=oidc_provider.client_id,
            client_secret=oidc_provider.client_secret,
            code=back["code"],
            verifier=verifier,
            redirect_to=server.url + REDIRECT_PATH,
        )
        assert tokens is not None

        def check(**changed: Any) -> dict[str, Any] | None:
            expected = {"client_id": oidc_provider.client_id, "nonce": query["nonce"], **changed}
            return sso_service.verify_id_token(client, metadata, tokens, **expected)

        claims = check()
        assert claims is not None and claims["sub"] == "anna"
        assert claims["groups"] == ["est-bro", "est-samordning"]
        assert check(nonce="another-sign-ins-nonce") is None
        assert check(client_id="another-application") is None
        header, payload, signature = tokens["id_token"].split(".")
        forged = {**tokens, "id_token": f"{header}.{payload}.{signature[:-4]}AAAA"}
        assert (
            sso_service.verify_id_token(
                client, metadata, forged, client_id=oidc_provider.client_id, nonce=query["nonce"]
            )
            is None
        )
        # Another issuer's metadata (a provider that names itself otherwise) is refused too.
        other = {**metadata, "issuer": "http://127.0.0.1:1/"}
        assert (
            sso_service.verify_id_token(
                client, other, tokens, client_id=oidc_provider.client_id, nonce=query["nonce"]
            )
            is None
        )
    # The code was asked with PKCE (S256), state and nonce.
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]
    assert query["state"] and query["nonce"]


def test_an_unknown_person_is_refused_unless_accounts_are_made(
    server: Server, api: httpx.Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    _configure(api, demo, oidc_provider)
    map_group(api, demo, "est-bro", "EST områdesgrupp Bro", "reporter")
    browser, refused = _through_web(server, "okand")
    assert refused.status_code == 403
    assert "har inget konto i EST Lägesbild" in refused.text
    assert "okand.person@est.demo" in refused.text
    assert "est_session" not in browser.cookies
    browser.close()
    found = api.get(f"{V1}/users", params={"email": "okand.person@est.demo"}).json()
    assert found["items"] == []

    # Just-in-time accounts, turned on, in the organisation the administrator chose.
    organisation = demo["organisations"]["Fältgruppen"]["id"]
    turned_on = api.put(
        f"{V1}/municipalities/{demo['municipality']['id']}/oidc",
        json={
            "issuer": oidc_provider.issuer,
            "client_id": oidc_provider.client_id,
            "provision_accounts": True,
            "provision_organisation_id": organisation,
        },
    )
    assert turned_on.status_code == 200, turned_on.text
    made, answered = _through_web(server, "okand")
    assert answered.status_code == 303
    person = me(server, made.cookies["est_session"])
    assert (person["name"], person["email"]) == ("Okänd Person", "okand.person@est.demo")
    assert person["organisation"]["id"] == organisation
    assert groups(person) == {"EST områdesgrupp Bro": "reporter"}
    made.close()


def test_entra_ids_tenant_and_object_id_name_the_person(
    server: Server, api: httpx.Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    """Entra ID sends no e-mail claim: the UPN (preferred_username) finds the account the
    first time, and the tenant and object id (tid/oid) are kept and find it after, also
    when the address changes."""
    _configure(api, demo, oidc_provider)
    bo = make_user(api, demo, "bo.entra@est.demo", "Bo Berg")
    first, answered = _through_web(server, "entra")
    assert answered.status_code == 303
    first.close()
    with server.database.session(write=False) as session:
        identity = session.scalars(select(OidcIdentity)).one()
        assert identity.user_id == bo and identity.issuer == oidc_provider.issuer
        assert identity.subject == (
            "9a0b3c1d-0000-4000-8000-00000000e57a/1f2e3d4c-0000-4000-8000-0000000000b0"
        )
    renamed = api.patch(f"{V1}/users/{bo}", json={"email": "bo.berg@est.demo"})
    assert renamed.status_code == 200, renamed.text
    second, _ = _through_web(server, "entra")
    assert me(server, second.cookies["est_session"])["id"] == bo
    second.close()


def test_settings_keep_the_secret_and_belong_to_the_administrator(
    server: Server, api: httpx.Client, demo: Demo
) -> None:
    municipality = demo["municipality"]["id"]
    path = f"{V1}/municipalities/{municipality}/oidc"
    empty = api.get(path).json()
    assert empty["configured"] is False
    assert empty["redirect_uri"] == server.url + REDIRECT_PATH
    body = {"issuer": "https://login.microsoftonline.com/tenant/v2.0", "client_id": "app"}
    missing = api.put(path, json=body)
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["client_secret"]
    plain = api.put(path, json={**body, "issuer": "http://idp.example/", "client_secret": "x"})
    assert plain.status_code == 422
    saved = api.put(path, json={**body, "client_secret": "a-secret-value"})
    assert saved.status_code == 200
    read = api.get(path)
    assert "a-secret-value" not in read.text and read.json()["client_secret_set"] is True
    # Saved without the secret: the one kept stays.
    assert api.put(path, json={**body, "enabled": False}).json()["client_secret_set"] is True
    # Not offered while turned off.
    assert api.get(f"{V1}/auth/sso").json() == []
    # The secret is sealed in the database, not kept as typed.
    with server.database.session(write=False) as session:
        kept = session.execute(text("SELECT client_secret FROM oidc_providers")).scalar_one()
    assert "a-secret-value" not in kept
    # Another municipality's settings are not this administrator's.
    assert api.get(f"{V1}/municipalities/{municipality + 1000}/oidc").status_code == 404


def test_the_redirect_uri_follows_the_public_address() -> None:
    settings = Settings(public_url="https://est.kommun.se/")
    assert sso_service.redirect_uri(settings) == "https://est.kommun.se/logga-in/oidc/svar"


def test_the_providers_metadata_and_keys_are_kept_and_new_keys_read_once(
    server: Server, api: httpx.Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    """Counted at the provider: a second sign-in reads neither its metadata nor its keys;
    an ID token signed with a key EST has not seen (the provider rolled its keys over)
    makes EST read the keys again, once, with no restart."""
    _configure(api, demo, oidc_provider)
    make_user(api, demo, "anna.sso@est.demo")
    discovery.forget()
    before = requests_at(oidc_provider)
    first, answered = _through_web(server, "anna")
    assert answered.status_code == 303
    after_first = requests_at(oidc_provider)
    read = {p: after_first.get(p, 0) - before.get(p, 0) for p in (METADATA, "/jwks", "/token")}
    assert read == {METADATA: 1, "/jwks": 1, "/token": 1}
    second, answered = _through_web(server, "anna")
    assert answered.status_code == 303
    after_second = requests_at(oidc_provider)
    assert after_second.get(METADATA) == after_first.get(METADATA)
    assert after_second.get("/jwks") == after_first.get("/jwks")
    assert after_second["/token"] == after_first["/token"] + 1

    # The keys kept are from before a rollover: the provider's key is not among them.
    old = RSAKey.generate_key(2048, parameters={"kid": "the-key-before"}, private=False)
    kept = discovery.key_set(
        oidc_provider.issuer, "the-key-before", lambda: {"keys": [old.as_dict()]}
    )
    assert [k["kid"] for k in kept["keys"]] == ["the-key-before"]
    third, answered = _through_web(server, "anna")
    assert answered.status_code == 303, answered.text
    after_third = requests_at(oidc_provider)
    assert after_third["/jwks"] == after_second["/jwks"] + 1
    assert after_third.get(METADATA) == after_first.get(METADATA)
    for browser in (first, second, third):
        browser.close()


class _Directory(BaseHTTPRequestHandler):
    """Entra ID's getMemberObjects, as a group overage names it: the person's groups for
    a POST with the access token, which it checks at the provider's userinfo endpoint."""

    userinfo = ""
    groups: ClassVar[dict[str, list[str]]] = {}

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        who = httpx.get(
            self.userinfo, headers={"Authorization": self.headers["Authorization"]}, timeout=5
        )
        answer = {"value": self.groups.get(who.json().get("sub", ""), [])}
        ok = who.status_code == 200 and body == {"securityEnabledOnly": False}
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer if ok else {}).encode())

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_entra_group_overage_reads_the_groups_endpoint_and_keeps_them_when_it_fails(
    server: Server,
    api: httpx.Client,
    demo: Demo,
    oidc_provider: OidcProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _configure(api, demo, oidc_provider)
    map_group(api, demo, "est-bro", "EST områdesgrupp Bro", "member")
    map_group(api, demo, "est-samordning", "EST samordningsgrupp", "viewer")
    make_user(api, demo, "many.groups@est.demo", "Många Grupper")
    directory = ThreadingHTTPServer(("127.0.0.1", 0), _Directory)
    port = directory.server_address[1]
    _Directory.userinfo = _metadata_of(oidc_provider)["userinfo_endpoint"]
    _Directory.groups = {"overage": ["est-bro", "est-samordning", "not-mapped"]}
    endpoint = f"http://127.0.0.1:{port}/v1.0/users/overage/getMemberObjects"
    set_account(
        oidc_provider,
        "overage",
        {
            "email": "many.groups@est.demo",
            "email_verified": True,
            "name": "Många Grupper",
            "_claim_names": {"groups": "src1"},
            "_claim_sources": {"src1": {"endpoint": endpoint}},
        },
    )
    thread = threading.Thread(target=directory.serve_forever, daemon=True)
    thread.start()
    try:
        browser, answered = _through_web(server, "overage")
        assert answered.status_code == 303, answered.text
        person = me(server, browser.cookies["est_session"])
        assert groups(person) == {
            "EST områdesgrupp Bro": "member",
            "EST samordningsgrupp": "viewer",
        }
        browser.close()
    finally:
        directory.shutdown()
        directory.server_close()
    # The directory does not answer: the memberships stay, and the log says why.
    with caplog.at_level(logging.WARNING, logger="est.sso"):
        again, answered = _through_web(server, "overage")
    assert answered.status_code == 303, answered.text
    assert groups(me(server, again.cookies["est_session"])) == groups(person)
    assert any("could not be read" in r.getMessage() for r in caplog.records)
    again.close()


def _metadata_of(provider: OidcProvider) -> dict[str, Any]:
    metadata: dict[str, Any] = httpx.get(provider.issuer + METADATA, timeout=5).json()
    return metadata

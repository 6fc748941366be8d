"""SAML 2.0 sign-in (#22) through a real IdP the suite starts (tests/support/saml.py:
SimpleSAMLphp from Debian, served by PHP on 127.0.0.1): EST's metadata registered at the IdP,
the whole flow through the web pages as a browser without JavaScript goes (the IdP's login
form, its form posting the response to the ACS), and the refusals: a tampered or unsigned
response, one for another SP or address, an expired one, one posted twice, an unsolicited
one, a person EST does not know."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
from saml2 import BINDING_HTTP_POST
from saml2.mdstore import InMemoryMetaData
from sqlalchemy import select, text

from api.sso import saml as saml_service
from api.sso.models import OidcIdentity, SamlProvider
from api.sso.schemas import ACS_PATH
from api.sso.service import open_flow
from tests.support.pages import csrf_of
from tests.support.people import Demo
from tests.support.saml import (
    SamlIdp,
    configure,
    register,
    saml_idp,
    through_idp,
    unsolicited,
)
from tests.support.servers import Server
from tests.support.sso import failures, groups, make_user, map_group, me

__all__ = ["saml_idp"]  # the module's IdP, started once

V1 = "/api/v1"


def _configure(api: httpx.Client, demo: Demo, idp: SamlIdp, **extra: Any) -> dict[str, Any]:
    return configure(api, demo["municipality"]["id"], idp, **extra)


def _respond(server: Server, login: str) -> tuple[httpx.Client, str, dict[str, str]]:
    """A browser that chose the IdP on the sign-in page and signed in there: the browser
    (its flow cookie), and the form the IdP has it post to the ACS."""
    browser = httpx.Client(base_url=server.url, timeout=30)
    page = browser.get("/logga-in")
    assert "Logga in via Upplands-Bro kommuns identitetstjänst" in page.text
    choice = next(c for c in browser.get(f"{V1}/auth/sso").json() if c["protocol"] == "saml")
    started = browser.get("/logga-in/saml", params={"kommun": choice["municipality"]["id"]})
    assert started.status_code == 303, started.text
    action, fields = through_idp(started.headers["location"], login)
    return browser, action, fields


def _post(browser: httpx.Client, action: str, fields: dict[str, str]) -> httpx.Response:
    assert action.endswith(ACS_PATH)
    return browser.post(ACS_PATH, data=fields)


def _response_xml(fields: dict[str, str]) -> str:
    return base64.b64decode(fields["SAMLResponse"]).decode()


def _with_xml(fields: dict[str, str], xml: str) -> dict[str, str]:
    return {**fields, "SAMLResponse": base64.b64encode(xml.encode()).decode()}


def _flow(browser: httpx.Client) -> str:
    return str(browser.cookies["est_saml"])


def test_sign_in_through_the_idp_maps_groups(
    server: Server, api: httpx.Client, demo: Demo, saml_idp: SamlIdp
) -> None:
    settings = _configure(api, demo, saml_idp)
    municipality = demo["municipality"]["id"]
    assert settings["sp_entity_id"] == f"{server.url}{V1}/saml/{municipality}/metadata"
    assert settings["acs_url"] == server.url + ACS_PATH
    assert settings["idp_entity_id"] == saml_idp.entity_id
    assert len(settings["idp_certificates"]) == 1
    map_group(api, demo, "est-bro", "EST områdesgrupp Bro", "member")
    map_group(api, demo, "est-samordning", "EST samordningsgrupp", "viewer")
    anna = make_user(api, demo, "anna.saml@est.demo")

    browser, action, fields = _respond(server, "saml-anna")
    flow = _flow(browser)
    done = _post(browser, action, fields)
    assert done.status_code == 303 and done.headers["location"] == "/", done.text
    person = me(server, browser.cookies["est_session"])
    assert person["id"] == anna
    assert groups(person) == {"EST områdesgrupp Bro": "member", "EST samordningsgrupp": "viewer"}
    assert "est_saml" not in browser.cookies  # the flow is spent
    assert "Anna Andersson" in browser.get("/").text
    events = api.get(f"{V1}/audit-events", params={"action": "sign_in", "user": anna}).json()
    assert [(e["outcome"], e["detail"]) for e in events["items"]] == [("ok", "saml")]
    browser.close()

    # The same response again, with a copy of the flow: refused, the assertion was used.
    with httpx.Client(base_url=server.url, timeout=30, cookies={"est_saml": flow}) as copy:
        replayed = _post(copy, action, fields)
        assert replayed.status_code == 401, replayed.text
        assert "Börja om från inloggningssidan" in replayed.text
        assert "est_session" not in copy.cookies
    assert failures(api) == ["saml: sso_response_replayed"]


def test_the_metadata_is_saml_metadata(
    server: Server, api: httpx.Client, demo: Demo, saml_idp: SamlIdp
) -> None:
    municipality = demo["municipality"]["id"]
    assert httpx.get(f"{server.url}{V1}/saml/{municipality}/metadata").status_code == 404
    settings = _configure(api, demo, saml_idp)
    answer = httpx.get(settings["sp_metadata_url"])
    assert answer.headers["content-type"].startswith("application/samlmetadata+xml")
    metadata = InMemoryMetaData(None, answer.text)
    metadata.load()
    entity = settings["sp_entity_id"]
    assert [e for e, _ in metadata.items()] == [entity]
    acs = metadata.service(entity, "spsso_descriptor", "assertion_consumer_service")
    assert [s["location"] for s in acs[BINDING_HTTP_POST]] == [server.url + ACS_PATH]
    certificates = [c.replace("\n", "") for _, c in metadata.certs(entity, "spsso", "signing")]
    assert certificates and certificates[0] in settings["sp_certificate"].replace("\n", "")
    assert "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" in answer.text


def test_tampered_unsigned_and_unsolicited_responses_are_refused(
    server: Server, api: httpx.Client, demo: Demo, saml_idp: SamlIdp
) -> None:
    _configure(api, demo, saml_idp)
    map_group(api, demo, "est-bro", "EST områdesgrupp Bro", "reporter")
    make_user(api, demo, "anna.saml@est.demo")
    browser, action, fields = _respond(server, "saml-anna")
    flow = _flow(browser)
    xml = _response_xml(fields)
    assert "<ds:Signature" in xml and "est-samordning" in xml

    def refused(sent: dict[str, str]) -> None:
        browser.cookies.set("est_saml", flow)
        answer = _post(browser, action, sent)
        assert answer.status_code == 401, answer.text
        assert "kunde inte godtas" in answer.text
        assert "est_session" not in browser.cookies

    # Another group slipped into the signed assertion.
    refused(_with_xml(fields, xml.replace("est-samordning", "est-admin")))
    # No signature at all.
    unsigned = re.sub(r"<ds:Signature.*?</ds:Signature>", "", xml, flags=re.DOTALL)
    assert "Signature" not in unsigned
    refused(_with_xml(fields, unsigned))
    # A response the IdP sent of its own accord (IdP-initiated: no InResponseTo).
    sp_entity_id = f"{server.url}{V1}/saml/{demo['municipality']['id']}/metadata"
    _, pushed = unsolicited(saml_idp, sp_entity_id, "saml-anna")
    assert "InResponseTo" not in _response_xml(pushed)
    refused(pushed)
    assert failures(api) == ["saml: sso_response_refused"] * 3
    # Without the flow of the browser that started, nothing is finished.
    with httpx.Client(base_url=server.url, timeout=30) as other:
        stray = _post(other, action, fields)
        assert stray.status_code == 400 and "est_session" not in other.cookies
    # The genuine response still signs in: the refusals were the changes'.
    browser.cookies.set("est_saml", flow)
    assert _post(browser, action, fields).status_code == 303
    browser.close()


def test_a_response_for_another_sp_or_too_late_is_refused(
    server: Server, api: httpx.Client, demo: Demo, saml_idp: SamlIdp
) -> None:
    settings = _configure(api, demo, saml_idp)
    make_user(api, demo, "anna.saml@est.demo")
    browser, action, fields = _respond(server, "saml-anna")
    opened = open_flow(_flow(browser).strip('"').partition(" ")[0], server.settings)
    assert opened is not None
    request_id = opened[1]["r"]
    with server.database.session(write=False) as session:
        provider = session.scalars(select(SamlProvider)).one()
        session.expunge(provider)
    # As finish checks it, and as another SP (another audience and address) would.
    response = fields["SAMLResponse"]
    assert saml_service.verify(provider, server.settings, response, request_id) is not None
    elsewhere = server.settings.model_copy(update={"public_url": "https://est.annan.se"})
    assert saml_service.verify(provider, elsewhere, response, request_id) is None
    assert saml_service.verify(provider, server.settings, response, "_another") is None
    browser.close()

    # The IdP made to send assertions that expired ten minutes ago.
    register(saml_idp, settings, **{"assertion.lifetime": -600})
    try:
        late, action, fields = _respond(server, "saml-anna")
        answer = _post(late, action, fields)
        assert answer.status_code == 401, answer.text
        assert "est_session" not in late.cookies
        late.close()
    finally:
        register(saml_idp, settings)
    # The IdP made to sign with SHA-1, which xmlsec1 would still accept.
    register(
        saml_idp, settings, **{"signature.algorithm": "http://www.w3.org/2000/09/xmldsig#rsa-sha1"}
    )
    try:
        weak, action, fields = _respond(server, "saml-anna")
        answer = _post(weak, action, fields)
        assert answer.status_code == 401, answer.text
        weak.close()
    finally:
        register(saml_idp, settings)
    assert failures(api) == ["saml: sso_response_refused"] * 2


def test_an_unknown_person_is_refused_unless_accounts_are_made(
    server: Server, api: httpx.Client, demo: Demo, saml_idp: SamlIdp
) -> None:
    _configure(api, demo, saml_idp)
    map_group(api, demo, "est-bro", "EST områdesgrupp Bro", "reporter")
    browser, action, fields = _respond(server, "saml-okand")
    refused = _post(browser, action, fields)
    assert refused.status_code == 403, refused.text
    assert "har inget konto i EST Lägesbild" in refused.text
    assert "okand.saml@est.demo" in refused.text
    browser.close()
    assert failures(api) == ["saml: sso_unknown_account"]

    organisation = demo["organisations"]["Fältgruppen"]["id"]
    _configure(api, demo, saml_idp, provision_accounts=True, provision_organisation_id=organisation)
    made, action, fields = _respond(server, "saml-okand")
    assert _post(made, action, fields).status_code == 303
    person = me(server, made.cookies["est_session"])
    assert (person["name"], person["email"]) == ("Okänd Person", "okand.saml@est.demo")
    assert person["organisation"]["id"] == organisation
    assert groups(person) == {"EST områdesgrupp Bro": "reporter"}
    made.close()


def test_entra_ids_attributes_name_the_person(
    server: Server, api: httpx.Client, demo: Demo, saml_idp: SamlIdp
) -> None:
    """Entra ID as a SAML app: no mail attribute, the UPN finds the account the first
    time, the object id is kept and finds it after; its groups claim gives the groups. The
    IdP encrypts its assertions to EST's certificate from EST's metadata, as Sambi's do."""
    settings = _configure(api, demo, saml_idp)
    register(saml_idp, settings, **{"assertion.encryption": True})
    map_group(api, demo, "est-bro", "EST områdesgrupp Bro", "member")
    bo = make_user(api, demo, "bo.saml@est.demo", "Bo Berg")
    browser, action, fields = _respond(server, "saml-entra")
    encrypted = _response_xml(fields)
    assert "EncryptedAssertion" in encrypted and "est-bro" not in encrypted
    assert _post(browser, action, fields).status_code == 303
    assert groups(me(server, browser.cookies["est_session"])) == {"EST områdesgrupp Bro": "member"}
    browser.close()
    with server.database.session(write=False) as session:
        identity = session.scalars(select(OidcIdentity)).one()
        assert (identity.user_id, identity.issuer) == (bo, saml_idp.entity_id)
        assert identity.subject == "1f2e3d4c-0000-4000-8000-0000000000c1"
    renamed = api.patch(f"{V1}/users/{bo}", json={"email": "bo.berg@est.demo"})
    assert renamed.status_code == 200, renamed.text
    again, action, fields = _respond(server, "saml-entra")
    assert _post(again, action, fields).status_code == 303
    assert me(server, again.cookies["est_session"])["id"] == bo
    again.close()


def test_settings_are_checked_and_belong_to_the_administrator(
    server: Server, api: httpx.Client, demo: Demo, saml_idp: SamlIdp
) -> None:
    municipality = demo["municipality"]["id"]
    path = f"{V1}/municipalities/{municipality}/saml"
    empty = api.get(path).json()
    assert empty["configured"] is False and empty["sp_certificate"] is None
    assert empty["attributes"]["email"][0] == "urn:oid:0.9.2342.19200300.100.1.3"
    nothing = api.put(path, json={})
    assert nothing.status_code == 422
    assert "metadata" in nothing.json()["errors"][0]["message"]
    bad = api.put(
        path,
        json={
            "idp_entity_id": "https://idp.kommun.se",
            "idp_sso_url": "https://idp.kommun.se/sso",
            "idp_certificate": "inte ett certifikat",
        },
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["idp_certificate"]
    assert "Certifikatet går inte att läsa" in bad.text
    garbage = api.put(path, json={"metadata_xml": "<inte-metadata/>"})
    assert garbage.status_code == 422
    # Typed in by hand: the same as from the metadata.
    typed = api.put(
        path,
        json={
            "idp_entity_id": saml_idp.entity_id,
            "idp_sso_url": saml_idp.sso_url,
            "idp_certificate": saml_idp.certificate,
            "enabled": False,
        },
    )
    assert typed.status_code == 200, typed.text
    assert typed.json()["idp_certificates"] == _configure(api, demo, saml_idp)["idp_certificates"]
    # The SP's private key is sealed in the database, never answered.
    with server.database.session(write=False) as session:
        kept = session.execute(text("SELECT sp_private_key FROM saml_providers")).scalar_one()
    assert kept.startswith("v1.") and "PRIVATE KEY" not in api.get(path).text
    assert api.get(f"{V1}/municipalities/{municipality + 1000}/saml").status_code == 404
    assert api.delete(path).status_code == 204
    assert api.delete(path).status_code == 404


def test_the_settings_page_saves_the_idp(
    server: Server, api: httpx.Client, demo: Demo, saml_idp: SamlIdp
) -> None:
    """The administrator's page, as a browser without JavaScript uses it."""
    token = api.headers["Authorization"].removeprefix("Bearer ")
    with httpx.Client(base_url=server.url, timeout=30, cookies={"est_session": token}) as web:
        page = web.get("/kommun/inloggning")
        assert page.status_code == 200, page.text
        assert server.url + ACS_PATH in page.text
        groups_attribute = "urn:oid:1.3.6.1.4.1.5923.1.5.1.1"
        saved = web.post(
            "/kommun/inloggning/saml",
            data={
                "csrf_token": csrf_of(page.text),
                "saml_metadata_url": saml_idp.metadata_url,
                "saml_aktiv": "on",
                "saml_attr_groups": groups_attribute + "\r\n",
            },
        )
        assert saved.status_code == 303, saved.text
        shown = web.get(saved.headers["location"])
        assert "SAML-identitetstjänsten är sparad" in shown.text
        assert saml_idp.entity_id in shown.text
        refused = web.post(
            "/kommun/inloggning/saml",
            data={
                "csrf_token": csrf_of(shown.text),
                "saml_entity_id": "https://idp.kommun.se",
                "saml_sso_url": "https://idp.kommun.se/sso",
                "saml_certifikat": "inte ett certifikat",
            },
        )
        assert refused.status_code == 422
        assert "Certifikatet går inte att läsa" in refused.text
    municipality = demo["municipality"]["id"]
    kept = api.get(f"{V1}/municipalities/{municipality}/saml").json()
    assert kept["attributes"]["groups"] == [groups_attribute]
    assert kept["idp_entity_id"] == saml_idp.entity_id

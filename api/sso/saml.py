"""SAML 2.0 sign-in (#22): EST as a service provider (SP) of a municipality's identity
provider (IdP): a Sambi member's IdP, SITHS via one, or Entra ID as a SAML application.
pysaml2 makes the requests and checks the responses (its signatures with the ``xmlsec1``
program, from Debian).

Each municipality's SP has its own entity id, the address of its metadata
(``EST_PUBLIC_URL`` + ``/api/v1/saml/<id>/metadata``), and its own key pair, made when the
IdP is first saved (the private key sealed, api.sealing): the metadata publishes the
certificate, for the IdP to encrypt assertions to. The AssertionConsumerService is the
web's page ``/logga-in/saml/svar`` (HTTP-POST).

How a sign-in goes. ``start`` makes an AuthnRequest for the HTTP-Redirect binding and
answers its address with the *flow*, the request's id sealed with the municipality and an
expiry (as OpenID Connect's, api.sso.service). The web keeps the flow in a cookie of the
browser that started. ``finish`` takes the response the IdP had the browser post: it must be
signed (the response or its assertions) by a certificate the administrator configured,
answer this very request (``InResponseTo``; an unsolicited response is refused), be meant
for this SP (``Audience``) at this address (``Destination``, ``Recipient``) and be valid now
(``NotBefore``/``NotOnOrAfter``, with a small allowance for clocks), and its assertion must
not have been used before (kept in ``saml_used_assertions`` until it expires). Then the
person is found, their groups applied and a session begun as for OpenID Connect
(api.sso.people), with ``saml`` in the audit log.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, md
from saml2 import xmldsig as ds
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.mdstore import InMemoryMetaData
from saml2.metadata import entity_descriptor
from saml2.response import AuthnResponse
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api import sealing, tenancy
from api.accounts import service as account_service
from api.actor import Actor
from api.errors import DomainError, Invalid, NotAuthenticated, NotFound
from api.localtime import utcnow
from api.routing import API_PREFIX
from api.settings import Settings
from api.sso import people, schemas
from api.sso.models import SamlProvider, SamlUsedAssertion
from api.sso.service import (
    START_AGAIN,
    ProviderUnavailable,
    check_provisioning,
    configurable,
    delete_provider,
    enabled_provider,
    open_flow,
    seal_flow,
    set_provisioning,
)
from api.structure.models import Municipality

logger = logging.getLogger("est.sso")
_KEY_PURPOSE = b"est saml service provider key"
# The IdP's clock and ours may differ a little; no more than this.
CLOCK_SKEW_SECONDS = 90
# An assertion is kept as used at least this long (some IdPs give long validity).
_KEPT_AT_LEAST = dt.timedelta(minutes=10)
_TIMEOUT = httpx.Timeout(10.0)
_MD = "urn:oasis:names:tc:SAML:2.0:metadata"
_DS = "http://www.w3.org/2000/09/xmldsig#"
NO_PROVIDER = "Kommunen har ingen inloggning via SAML."
_VIA = "saml"
# Where a municipality's SP metadata is published (api.sso.routes), under EST_PUBLIC_URL; the
# same address is the SP's entity id.
METADATA_ROUTE = schemas.SAML_METADATA_ROUTE


def sp_entity_id(settings: Settings, municipality_id: int) -> str:
    """The SP's entity id: the address of its metadata."""
    path = API_PREFIX + METADATA_ROUTE.format(municipality_id=municipality_id)
    return settings.public_url.rstrip("/") + path


def acs_url(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + schemas.ACS_PATH


# The IdP, from its metadata or as typed ---------------------------------------------------------


@dataclass(frozen=True)
class Idp:
    entity_id: str
    sso_url: str
    certificates: list[str]  # base64 DER


def _certificate(text: str, field: str) -> str:
    """A certificate as base64 DER, from PEM or base64; Invalid when it is none."""
    body = "".join(
        line for line in text.strip().splitlines() if not line.startswith("-----")
    ).replace(" ", "")
    try:
        x509.load_der_x509_certificate(base64.b64decode(body, validate=True))
    except (ValueError, binascii.Error):
        raise Invalid.field(field, "Certifikatet går inte att läsa.", "invalid") from None
    return body


def _idp_from_metadata(xml: str, entity_id: str | None, field: str) -> Idp:
    metadata = InMemoryMetaData(None, xml)
    try:
        metadata.load()
    except Exception as exc:  # pysaml2 raises many kinds for what it cannot read
        message = "Metadata går inte att läsa som SAML-metadata."
        raise Invalid.field(field, message, "invalid") from exc
    idps = [e for e, entity in metadata.items() if entity.get("idpsso_descriptor")]
    if entity_id is None and len(idps) == 1:
        entity_id = idps[0]
    if entity_id is None or entity_id not in idps:
        raise Invalid.field(
            "idp_entity_id",
            "Ange vilken identitetstjänst i metadata som ska användas (dess entity id).",
            "idp_not_chosen" if entity_id is None else "idp_not_in_metadata",
        )
    locations = [
        s["location"]
        for s in metadata.service(entity_id, "idpsso_descriptor", "single_sign_on_service").get(
            BINDING_HTTP_REDIRECT, []
        )
        if isinstance(s.get("location"), str)
    ]
    # pysaml2 answers (key name, certificate) pairs.
    certificates = [
        _certificate(c, field) for _, c in metadata.certs(entity_id, "idpsso", use="signing")
    ]
    if not locations or not certificates:
        raise Invalid.field(
            field,
            "Identitetstjänsten saknar inloggningsadress (HTTP-Redirect) eller "
            "signeringscertifikat i metadata.",
            "invalid",
        )
    return Idp(entity_id, locations[0], list(dict.fromkeys(certificates)))


def _fetch_metadata(url: str) -> str:
    try:
        with httpx.Client(timeout=_TIMEOUT, follow_redirects=True) as client:
            response = client.get(url)
            response.raise_for_status()
    except httpx.HTTPError as exc:
        # The administrator's address, beside its field: a typing error or an IdP that does
        # not answer there is theirs to put right, not a fault of the service (no 5xx).
        raise Invalid.field(
            "metadata_url",
            "Identitetstjänstens metadata gick inte att hämta från adressen. Kontrollera den, "
            "eller klistra in metadata i stället.",
            "metadata_unreachable",
        ) from exc
    return response.text


def _idp(data: schemas.SamlSettingsWrite) -> Idp:
    if data.metadata_xml is not None:
        return _idp_from_metadata(data.metadata_xml, data.idp_entity_id, "metadata_xml")
    if data.metadata_url is not None:
        return _idp_from_metadata(
            _fetch_metadata(data.metadata_url), data.idp_entity_id, "metadata_url"
        )
    missing = [
        name
        for name in ("idp_entity_id", "idp_sso_url", "idp_certificate")
        if getattr(data, name) is None
    ]
    if missing:
        raise Invalid.field(
            missing[0],
            "Klistra in identitetstjänstens metadata, ange adressen till den, eller fyll i "
            "entity id, inloggningsadress och certifikat.",
            "idp_not_described",
        )
    assert data.idp_entity_id and data.idp_sso_url and data.idp_certificate
    return Idp(
        data.idp_entity_id,
        data.idp_sso_url,
        [_certificate(data.idp_certificate, "idp_certificate")],
    )


def _idp_metadata(provider: SamlProvider) -> str:
    """The IdP's metadata as configured, for pysaml2."""
    keys = "".join(
        f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{escape(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        for c in provider.idp_certificates
    )
    return (
        f'<md:EntityDescriptor xmlns:md="{_MD}" xmlns:ds="{_DS}" '
        f"entityID={quoteattr(provider.idp_entity_id)}>"
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"{keys}<md:SingleSignOnService Binding={quoteattr(BINDING_HTTP_REDIRECT)} "
        f"Location={quoteattr(provider.idp_sso_url)}/>"
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


# EST's service provider -------------------------------------------------------------------------


def key_pair(municipality: str) -> tuple[str, str]:
    """A new RSA key and its self-signed certificate for ten years (federations take
    self-signed certificates in metadata: the metadata vouches for them)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, f"EST Lägesbild {municipality}"[:64])]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


@contextmanager
def _client(
    provider: SamlProvider, settings: Settings, *, with_key: bool = False
) -> Iterator[Saml2Client]:
    """pysaml2's client for this SP and IdP. pysaml2 and xmlsec1 read keys from files: the
    certificate (and, to decrypt assertions, the unsealed key) are written to a private
    temporary folder, removed after."""
    with tempfile.TemporaryDirectory(prefix="est-saml-") as folder:
        cert_file = Path(folder) / "sp.crt"
        cert_file.write_text(provider.sp_certificate)
        config: dict[str, Any] = {
            "entityid": sp_entity_id(settings, provider.municipality_id),
            "xmlsec_binary": shutil.which("xmlsec1") or "xmlsec1",
            "cert_file": str(cert_file),
            "metadata": {"inline": [_idp_metadata(provider)]},
            "accepted_time_diff": CLOCK_SKEW_SECONDS,
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [(acs_url(settings), BINDING_HTTP_POST)]
                    },
                    "allow_unsolicited": False,
                    "authn_requests_signed": False,
                    "want_response_signed": False,
                    "want_assertions_signed": False,
                    "want_assertions_or_response_signed": True,
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT],
                    "requested_attributes": [],
                }
            },
        }
        if with_key:
            key = sealing.unseal(
                provider.sp_private_key,
                purpose=_KEY_PURPOSE,
                context=str(provider.municipality_id),
                secret_key=settings.secret_key.get_secret_value(),
            )
            if key is None:
                raise ProviderUnavailable(
                    "EST:s nyckel för SAML går inte att läsa, eftersom tjänstens hemliga nyckel "
                    "har bytts. Be kommunens administratör spara inställningarna på nytt."
                )
            key_file = Path(folder) / "sp.key"
            key_file.touch(mode=0o600)
            key_file.write_text(key)
            config["key_file"] = str(key_file)
            config["encryption_keypairs"] = [
                {"key_file": str(key_file), "cert_file": str(cert_file)}
            ]
        sp = SPConfig()
        sp.load(config)
        yield Saml2Client(config=sp)


def metadata(session: Session, municipality_id: int, *, settings: Settings) -> str:
    """The SP's metadata (public): what the IdP or the federation registers."""
    provider = session.scalar(
        select(SamlProvider).where(SamlProvider.municipality_id == municipality_id)
    )
    if provider is None:
        raise NotFound(NO_PROVIDER, code="no_identity_provider")
    with _client(provider, settings) as client:
        descriptor = entity_descriptor(client.config)
    # pysaml2 lists every algorithm xmlsec1 knows (MD5 and SHA-1 too): none is promised.
    descriptor.extensions = None
    xml: bytes = descriptor.to_string(nspair={"md": md.NAMESPACE, "ds": ds.NAMESPACE})
    return xml.decode()


# The administrator's settings -------------------------------------------------------------------


def _provider(session: Session, municipality_id: int) -> SamlProvider | None:
    return session.scalar(
        select(SamlProvider).where(SamlProvider.municipality_id == municipality_id)
    )


def _described(certificate: str) -> schemas.SamlCertificate:
    der = base64.b64decode(certificate)
    loaded = x509.load_der_x509_certificate(der)
    return schemas.SamlCertificate(
        sha256=hashlib.sha256(der).hexdigest(),
        not_after=loaded.not_valid_after_utc.isoformat(),
    )


def _read(
    municipality_id: int, provider: SamlProvider | None, settings: Settings
) -> schemas.SamlSettingsRead:
    entity_id = sp_entity_id(settings, municipality_id)
    common = {
        "municipality_id": municipality_id,
        "sp_entity_id": entity_id,
        "sp_metadata_url": entity_id,
        "acs_url": acs_url(settings),
    }
    if provider is None:
        return schemas.SamlSettingsRead(
            **common,
            configured=False,
            idp_entity_id=None,
            idp_sso_url=None,
            idp_certificates=[],
            metadata_url=None,
            attributes=schemas.SamlAttributes(),
            sp_certificate=None,
            enabled=False,
            provision_accounts=False,
            provision_organisation_id=None,
        )
    return schemas.SamlSettingsRead(
        **common,
        configured=True,
        idp_entity_id=provider.idp_entity_id,
        idp_sso_url=provider.idp_sso_url,
        idp_certificates=[_described(c) for c in provider.idp_certificates],
        metadata_url=provider.metadata_url,
        attributes=schemas.SamlAttributes.model_validate(provider.attributes),
        sp_certificate=provider.sp_certificate,
        enabled=provider.enabled,
        provision_accounts=provider.provision_accounts,
        provision_organisation_id=provider.provision_organisation_id,
    )


def get_settings(
    session: Session, municipality_id: int, *, actor: Actor, settings: Settings
) -> schemas.SamlSettingsRead:
    configurable(actor, municipality_id)
    return _read(municipality_id, _provider(session, municipality_id), settings)


def put_settings(
    session: Session,
    municipality_id: int,
    data: schemas.SamlSettingsWrite,
    *,
    actor: Actor,
    settings: Settings,
) -> schemas.SamlSettingsRead:
    configurable(actor, municipality_id)
    check_provisioning(session, data, actor=actor)
    idp = _idp(data)
    provider = _provider(session, municipality_id)
    if provider is None:
        municipality = session.get(Municipality, municipality_id)
        key, certificate = key_pair(municipality.name if municipality else str(municipality_id))
        provider = SamlProvider(
            municipality_id=municipality_id,
            sp_private_key=sealing.seal(
                key,
                purpose=_KEY_PURPOSE,
                context=str(municipality_id),
                secret_key=settings.secret_key.get_secret_value(),
            ),
            sp_certificate=certificate,
        )
        session.add(provider)
    provider.idp_entity_id = idp.entity_id
    provider.idp_sso_url = idp.sso_url
    provider.idp_certificates = idp.certificates
    provider.metadata_url = data.metadata_url
    provider.attributes = data.attributes.model_dump()
    set_provisioning(provider, data)
    session.flush()
    return _read(municipality_id, provider, settings)


def delete_settings(session: Session, municipality_id: int, *, actor: Actor) -> None:
    delete_provider(session, SamlProvider, municipality_id, actor=actor)


# A sign-in --------------------------------------------------------------------------------------


def start(
    session: Session, data: schemas.SignInStart, *, settings: Settings
) -> schemas.SamlStarted:
    provider = enabled_provider(session, SamlProvider, data.municipality_id)
    with _client(provider, settings) as client:
        request_id, info = client.prepare_for_authenticate(
            entityid=provider.idp_entity_id, binding=BINDING_HTTP_REDIRECT
        )
    location = dict(info["headers"])["Location"]
    flow = seal_flow(provider.municipality_id, {"r": request_id}, settings)
    return schemas.SamlStarted(redirect_url=location, flow=flow)


def verify(
    provider: SamlProvider, settings: Settings, saml_response: str, request_id: str
) -> AuthnResponse | None:
    """The IdP's response, checked by pysaml2 (signature, InResponseTo, Audience,
    Destination, validity in time); None when anything is wrong."""
    with _client(provider, settings, with_key=True) as client:
        try:
            response = client.parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"}
            )
        except Exception as exc:  # pysaml2 refuses with many kinds of exception
            # Why, for the operator (the person is told only to start again).
            logger.info("SAML response refused: %s: %s", type(exc).__name__, exc)
            return None
    if not isinstance(response, AuthnResponse) or response.assertion is None:
        return None
    if response.in_response_to != request_id:
        return None
    weak = _weak_algorithms(response)
    if weak:
        # xmlsec1 still checks SHA-1 signatures; federations have left them (Sambi asks for
        # SHA-256), and a SHA-1 digest can be forged.
        logger.info("SAML response refused: signed with %s", ", ".join(weak))
        return None
    return response


_WEAK = ("#rsa-sha1", "#dsa-sha1", "#hmac-sha1", "#sha1", "#rsa-md5", "#md5")


def _weak_algorithms(response: AuthnResponse) -> list[str]:
    """The SHA-1 (or MD5) signature and digest methods the response and its assertion were
    signed with."""
    found = []
    for signed in (response.response, response.assertion):
        signature = getattr(signed, "signature", None)
        info = getattr(signature, "signed_info", None)
        if info is None:
            continue
        methods = [info.signature_method] + [r.digest_method for r in info.reference or []]
        found += [
            m.algorithm for m in methods if m is not None and str(m.algorithm).endswith(_WEAK)
        ]
    return found


def _first(attributes: dict[str, list[Any]], names: list[str]) -> list[str]:
    for name in names:
        values = [v for v in attributes.get(name, []) if isinstance(v, str) and v.strip()]
        if values:
            return values
    return []


def vouched(provider: SamlProvider, response: AuthnResponse) -> people.Vouched | None:
    """What the assertion vouches for, by the administrator's attribute names."""
    names = schemas.SamlAttributes.model_validate(provider.attributes)
    # By their names as sent (pysaml2's ``ava`` renames those it knows).
    attributes: dict[str, list[Any]] = {}
    for statement in response.assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            attributes.setdefault(str(attribute.name), []).extend(
                value.text for value in attribute.attribute_value or []
            )
    name_id = response.name_id
    subject = next(iter(_first(attributes, names.subject)), "")
    if not subject and name_id is not None and name_id.format != NAMEID_FORMAT_TRANSIENT:
        subject = str(name_id.text or "")
    emails = [v for v in _first(attributes, names.email) if "@" in v]
    logins = [v for v in _first(attributes, names.login) if "@" in v]
    login = (emails or logins or [""])[0].strip()[:254]
    subject = subject or login
    if not subject:
        return None
    display = _first(attributes, names.name)
    groups = [g for name in names.groups for g in attributes.get(name, []) if isinstance(g, str)]
    return people.Vouched(
        issuer=provider.idp_entity_id,
        subject=subject[:300],
        login=login,
        name=display[0] if display else "",
        groups=groups,
    )


def _used(session: Session, municipality_id: int, response: AuthnResponse) -> bool:
    """Whether the assertion signed someone in before; if not, it is kept as used now."""
    assertion = response.assertion
    now = utcnow()
    session.execute(delete(SamlUsedAssertion).where(SamlUsedAssertion.expires_at < now))
    key = f"{assertion.issuer.text if assertion.issuer else ''}|{assertion.id}"
    key = hashlib.sha256(key.encode()).hexdigest()
    if session.scalar(select(SamlUsedAssertion.id).where(SamlUsedAssertion.assertion_id == key)):
        return True
    session.add(
        SamlUsedAssertion(
            municipality_id=municipality_id,
            assertion_id=key,
            expires_at=now + max(_KEPT_AT_LEAST, dt.timedelta(seconds=2 * CLOCK_SKEW_SECONDS)),
        )
    )
    session.flush()
    return False


def finish(
    session: Session, data: schemas.SamlFinish, *, actor: Actor, settings: Settings
) -> account_service.SignedIn | DomainError:
    """The IdP's response: a new session, or the refusal (returned, not raised, so the
    request's transaction keeps its line in the audit log)."""
    opened = open_flow(data.flow, settings)
    if opened is None:
        error = NotAuthenticated(START_AGAIN, code="sso_flow_invalid")
        return people.refused(session, error, via=_VIA, municipality_id=None)
    municipality_id, flow = opened
    tenancy.rebind(session, [municipality_id])
    provider = enabled_provider(session, SamlProvider, municipality_id)
    response = verify(provider, settings, data.saml_response, str(flow.get("r", "")))
    if response is None:
        error = NotAuthenticated(
            "Svaret från kommunens identitetstjänst kunde inte godtas. Börja om från "
            "inloggningssidan.",
            code="sso_response_refused",
        )
        return people.refused(session, error, via=_VIA, municipality_id=municipality_id)
    if _used(session, municipality_id, response):
        error = NotAuthenticated(START_AGAIN, code="sso_response_replayed")
        return people.refused(session, error, via=_VIA, municipality_id=municipality_id)
    found = vouched(provider, response)
    if found is None:
        error = NotAuthenticated(
            "Kommunens identitetstjänst skickade ingen uppgift om vem du är. Kontakta "
            "kommunens EST-administratör.",
            code="sso_no_subject",
        )
        return people.refused(session, error, via=_VIA, municipality_id=municipality_id)
    return people.sign_in(session, provider, found, via=_VIA, actor=actor, settings=settings)

"""A real SAML 2.0 identity provider for the single sign-on tests: SimpleSAMLphp from Debian
(the Makefile installs the package ``simplesamlphp``), served by PHP's own web server on
127.0.0.1 from a configuration made here in a temporary folder: the IdP (saml20-idp-hosted,
its own signing key), users in an ``exampleauth:UserPass`` source with Sambi-style
attributes (urn:oid names) and Entra ID-style ones, and EST's service providers
(saml20-sp-remote) as the test registers them from EST's own metadata."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

import httpx
import pytest

from api.sso.saml import key_pair
from tests.support.servers import free_port

WWW = Path("/usr/share/simplesamlphp/www")
MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
EPPN = "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"
DISPLAY_NAME = "urn:oid:2.16.840.1.113730.3.1.241"
IS_MEMBER_OF = "urn:oid:1.3.6.1.4.1.5923.1.5.1.1"
ENTRA_OBJECT_ID = "http://schemas.microsoft.com/identity/claims/objectidentifier"
ENTRA_GROUPS = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
ENTRA_UPN = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
PASSWORD = "test-only-password"

# The IdP's users: the login typed in its form, and the attributes it releases.
USERS: dict[str, dict[str, list[str]]] = {
    # As a Sambi member organisation's IdP releases a person.
    "saml-anna": {
        MAIL: ["anna.saml@est.demo"],
        EPPN: ["anna@kommun.example"],
        DISPLAY_NAME: ["Anna Andersson"],
        IS_MEMBER_OF: ["est-bro", "est-samordning"],
    },
    # As Entra ID names a person in a SAML app: the object id, the UPN, the groups' ids.
    "saml-entra": {
        ENTRA_OBJECT_ID: ["1f2e3d4c-0000-4000-8000-0000000000c1"],
        ENTRA_UPN: ["bo.saml@est.demo"],
        ENTRA_GROUPS: ["est-bro"],
    },
    # Someone EST has no account for.
    "saml-okand": {
        MAIL: ["okand.saml@est.demo"],
        DISPLAY_NAME: ["Okänd Person"],
        IS_MEMBER_OF: ["est-bro"],
    },
}


def _php(value: Any) -> str:
    """A PHP literal of a JSON-like value."""
    if isinstance(value, dict):
        return "[" + ", ".join(f"{_php(k)} => {_php(v)}" for k, v in value.items()) + "]"
    if isinstance(value, list):
        return "[" + ", ".join(_php(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass
class SamlIdp:
    url: str
    entity_id: str
    sso_url: str
    certificate: str
    folder: Path
    service_providers: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def metadata_url(self) -> str:
        return self.url + "/saml2/idp/metadata.php"

    def register(self, entity_id: str, acs_url: str, **options: Any) -> None:
        """Registers a service provider (as a federation's operator would from its
        metadata); options as SimpleSAMLphp's saml20-sp-remote takes them."""
        self.service_providers[entity_id] = {
            "AssertionConsumerService": [
                {"Binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", "Location": acs_url}
            ],
            "attributes.NameFormat": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
            **options,
        }
        body = "".join(
            f"$metadata[{_php(k)}] = {_php(v)};\n" for k, v in self.service_providers.items()
        )
        (self.folder / "metadata/saml20-sp-remote.php").write_text(f"<?php\n{body}")


def _configure(folder: Path, url: str) -> str:
    key, certificate = key_pair("EST test IdP")
    (folder / "cert").mkdir()
    (folder / "metadata").mkdir()
    (folder / "sessions").mkdir()
    (folder / "cert/idp.pem").write_text(key)
    (folder / "cert/idp.crt").write_text(certificate)
    config = {
        "baseurlpath": url + "/",
        "certdir": str(folder / "cert") + "/",
        "loggingdir": str(folder) + "/",
        "datadir": str(folder) + "/",
        "tempdir": str(folder / "tmp"),
        "metadatadir": str(folder / "metadata") + "/",
        "attributenamemapdir": "/etc/simplesamlphp/attributemap/",
        "secretsalt": "test-only-salt-" + os.urandom(8).hex(),
        "auth.adminpassword": "test-only-admin-" + os.urandom(8).hex(),
        "technicalcontact_name": "EST tests",
        "technicalcontact_email": "est@est.demo",
        "timezone": "Europe/Stockholm",
        "enable.saml20-idp": True,
        "logging.level": 3,
        "logging.handler": "errorlog",
        "module.enable": {"exampleauth": True, "core": True, "saml": True},
        "store.type": "phpsession",
        "session.phpsession.savepath": str(folder / "sessions"),
        "session.cookie.secure": False,
        "session.cookie.samesite": None,
        "language.default": "en",
    }
    (folder / "config.php").write_text(f"<?php\n$config = {_php(config)};\n")
    users = ", ".join(
        f"{_php(f'{login}:{PASSWORD}')} => {_php(attributes)}"
        for login, attributes in USERS.items()
    )
    (folder / "authsources.php").write_text(
        "<?php\n$config = ['admin' => ['core:AdminPassword'], "
        f"'users' => ['exampleauth:UserPass', {users}]];\n"
    )
    hosted = {
        "__DYNAMIC:1__": {
            "host": "__DEFAULT__",
            "privatekey": "idp.pem",
            "certificate": "idp.crt",
            "auth": "users",
            "attributes.NameFormat": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
            "sign.logout": True,
            "saml20.sign.assertion": True,
            "saml20.sign.response": True,
        }
    }
    (folder / "metadata/saml20-idp-hosted.php").write_text(
        "<?php\n" + "".join(f"$metadata[{_php(k)}] = {_php(v)};\n" for k, v in hosted.items())
    )
    (folder / "metadata/saml20-sp-remote.php").write_text("<?php\n")
    return certificate


def _start(folder: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["php", "-S", f"127.0.0.1:{port}", "-t", str(WWW)],
        cwd=folder,
        env={**os.environ, "SIMPLESAMLPHP_CONFIG_DIR": str(folder)},
        stdout=subprocess.DEVNULL,
        stderr=(folder / "php.log").open("wb"),
    )


@contextmanager
def running_idp() -> Iterator[SamlIdp]:
    """SimpleSAMLphp on a free port of 127.0.0.1, stopped and removed after."""
    # A real IdP or a failure, never a skip: `make test` installs it from Debian.
    assert WWW.is_dir() and shutil.which("php"), (
        "SimpleSAMLphp is missing: `make test` installs the Debian package simplesamlphp"
    )
    assert shutil.which("xmlsec1"), "xmlsec1 is missing: `make test` installs it from Debian"
    with tempfile.TemporaryDirectory(prefix="est-saml-idp-") as name:
        folder = Path(name)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        certificate = _configure(folder, url)
        process = _start(folder, port)
        try:
            idp = SamlIdp(
                url=url,
                entity_id=url + "/saml2/idp/metadata.php",
                sso_url=url + "/saml2/idp/SSOService.php",
                certificate=certificate,
                folder=folder,
            )
            deadline = time.monotonic() + 20
            while True:
                try:
                    answer = httpx.get(idp.metadata_url, timeout=2)
                    assert answer.status_code == 200, answer.text[:2000]
                    break
                except httpx.TransportError:
                    assert process.poll() is None, (folder / "php.log").read_text()
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            yield idp
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def saml_idp() -> Iterator[SamlIdp]:
    with running_idp() as idp:
        yield idp


_FORM = re.compile(r"<form[^>]*action=\"([^\"]+)\"", re.IGNORECASE)
_INPUT = re.compile(r"<input[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"(name|value)=\"([^\"]*)\"", re.IGNORECASE)


def _form(page: str, url: str) -> tuple[str, dict[str, str]]:
    """The page's (first) form: its action and its inputs' names and values."""
    found = _FORM.search(page)
    assert found, page[:2000]
    fields: dict[str, str] = {}
    for tag in _INPUT.findall(page):
        attributes = dict((k.lower(), v) for k, v in _ATTR.findall(tag))
        if "name" in attributes:
            fields[attributes["name"]] = html.unescape(attributes.get("value", ""))
    return urljoin(url, html.unescape(found.group(1))), fields


def through_idp(redirect_url: str, login: str) -> tuple[str, dict[str, str]]:
    """Signs in at the IdP as ``login`` through its login form and answers the form the
    IdP has the browser post back: the ACS address and the fields (SAMLResponse,
    RelayState)."""
    with httpx.Client(timeout=15, follow_redirects=True) as browser:
        page = browser.get(redirect_url)
        assert page.status_code == 200, page.text[:2000]
        action, fields = _form(page.text, str(page.url))
        assert "password" in fields, page.text[:2000]
        answered = browser.post(action, data={**fields, "username": login, "password": PASSWORD})
        assert answered.status_code == 200, answered.text[:2000]
        return _form(answered.text, str(answered.url))


def unsolicited(idp: SamlIdp, sp_entity_id: str, login: str) -> tuple[str, dict[str, str]]:
    """An IdP-initiated response (no AuthnRequest, no InResponseTo), as SimpleSAMLphp
    sends one when asked to at its own address."""
    url = f"{idp.url}/saml2/idp/SSOService.php?spentityid={quote(sp_entity_id, safe='')}"
    return through_idp(url, login)


def configure(
    api: httpx.Client, municipality_id: int, idp: SamlIdp, **extra: Any
) -> dict[str, Any]:
    """The municipality's IdP from its metadata address, through EST's API, and EST
    registered at the IdP from EST's own metadata, as a federation's operator would."""
    answer = api.put(
        f"/api/v1/municipalities/{municipality_id}/saml",
        json={"metadata_url": idp.metadata_url, **extra},
    )
    assert answer.status_code == 200, answer.text
    settings: dict[str, Any] = answer.json()
    register(idp, settings)
    return settings


def register(idp: SamlIdp, settings: dict[str, Any], **options: Any) -> None:
    """EST's SP as the IdP knows it, from EST's published metadata (its certificate too,
    for the IdP to encrypt to); options as SimpleSAMLphp's saml20-sp-remote takes them."""
    metadata = httpx.get(settings["sp_metadata_url"])
    assert metadata.status_code == 200, metadata.text
    found = re.search(r"<ds:X509Certificate>([^<]+)</ds:X509Certificate>", metadata.text)
    assert found is not None, metadata.text
    idp.register(settings["sp_entity_id"], settings["acs_url"], certData=found.group(1), **options)

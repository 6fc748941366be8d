"""A real OpenID provider for the single sign-on tests: ``oidc-provider`` from the npm
registry (installed by the Makefile into .venv/, like axe-core), run by Node.js on 127.0.0.1
(tests/support/oidc_provider.mjs), with one static client that must use PKCE and the
accounts below. Its built-in login and consent forms are driven over HTTP by
``through_provider``, as a browser would fill them in."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from api.sso.schemas import REDIRECT_PATH
from tests.support.servers import Server, free_port

ROOT = Path(__file__).resolve().parents[2]
VERSION = "9.13.3"  # the Makefile's OIDC_PROVIDER_VERSION
PACKAGE = Path(os.environ.get("EST_OIDC_PROVIDER", ROOT / f".venv/oidc-provider-{VERSION}"))
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "est-lagesbild"
CLIENT_SECRET = "test-only-client-secret-not-for-anything-else"

# The provider's accounts: the login typed in its form, and the claims it vouches for.
ACCOUNTS: dict[str, dict[str, Any]] = {
    # An ordinary provider: a verified e-mail address, a login name and groups.
    "anna": {
        "email": "anna.sso@est.demo",
        "email_verified": True,
        "preferred_username": "anna.sso@est.demo",
        "name": "Anna Andersson",
        "groups": ["est-bro", "est-samordning"],
    },
    # As Entra ID names a person: its tenant and object id, the UPN, no e-mail claim.
    "entra": {
        "tid": "9a0b3c1d-0000-4000-8000-00000000e57a",
        "oid": "1f2e3d4c-0000-4000-8000-0000000000b0",
        "preferred_username": "bo.entra@est.demo",
        "name": "Bo Berg",
        "groups": ["est-bro"],
    },
    # Someone EST has no account for.
    "okand": {
        "email": "okand.person@est.demo",
        "email_verified": True,
        "preferred_username": "okand.person@est.demo",
        "name": "Okänd Person",
        "groups": ["est-bro"],
    },
}


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str


def _start(port: int, redirect_uri: str) -> subprocess.Popen[str]:
    config = {
        "module": str(PACKAGE / "node_modules/oidc-provider/lib/index.js"),
        "port": port,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [redirect_uri],
        "accounts": ACCOUNTS,
    }
    return subprocess.Popen(
        ["node", str(SCRIPT)],
        env={**os.environ, "OIDC_TEST_CONFIG": json.dumps(config)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


@pytest.fixture(scope="session")
def oidc_provider(server: Server) -> Iterator[OidcProvider]:
    """The provider, for the session's server (its redirect URI registered), stopped after."""
    # A real provider or a failure, never a skip: `make test` installs it (as axe-core).
    assert shutil.which("node") is not None, "Node.js is missing: the OpenID provider runs on it"
    assert (PACKAGE / "node_modules/oidc-provider").is_dir(), (
        f"oidc-provider is not installed in {PACKAGE}: `make test` installs it with npm"
    )
    port = free_port()
    process = _start(port, server.url + REDIRECT_PATH)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("ready "), f"the OpenID provider did not start: {line!r}"
        issuer = line.split()[1]
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(issuer + "/.well-known/openid-configuration", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield OidcProvider(issuer, CLIENT_ID, CLIENT_SECRET)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.IGNORECASE)


def through_provider(authorization_url: str, login: str, redirect_uri: str) -> str:
    """Signs in at the provider as ``login`` (its login form, then its consent form) and
    answers where it sends the browser back: the redirect URI with the code and state."""
    with httpx.Client(timeout=15) as browser:
        url = authorization_url
        for _ in range(12):
            response = browser.get(url)
            if response.status_code in (302, 303):
                url = urljoin(url, str(response.headers["location"]))
                if url.startswith(redirect_uri):
                    return url
                continue
            response.raise_for_status()
            found = _FORM.search(response.text)
            assert found, response.text[:500]
            action = urljoin(url, str(found.group(1)))
            if 'name="login"' in response.text:
                fields = {"prompt": "login", "login": login, "password": "any"}
            else:
                fields = {"prompt": "consent"}
            submitted = browser.post(action, data=fields)
            assert submitted.status_code in (302, 303), submitted.text[:500]
            url = urljoin(action, str(submitted.headers["location"]))
            if url.startswith(redirect_uri):
                return url
    raise AssertionError("the provider did not send the browser back")


def requests_at(provider: OidcProvider) -> dict[str, int]:
    """How many requests the provider had at each of its paths (what EST read of it)."""
    counts: dict[str, int] = httpx.get(provider.issuer + "/_test/counts", timeout=5).json()
    return counts


def set_account(provider: OidcProvider, login: str, claims: dict[str, Any]) -> None:
    """An account the provider vouches for, with these claims, from now on."""
    answer = httpx.put(f"{provider.issuer}/_test/accounts/{login}", json=claims, timeout=5)
    assert answer.status_code == 204, answer.text

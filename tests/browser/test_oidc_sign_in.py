"""Signing in through the municipality's identity provider in a real Chromium at a phone's
size: the sign-in page's button, the OpenID provider's own login and consent forms (the
npm oidc-provider the suite starts, tests/support/oidc.py), and back on EST's start page
with the group the provider's groups claim maps to."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.oidc import OidcProvider
from tests.support.people import Demo
from tests.support.servers import Server

# A sign-in through the provider in Chromium: the backend is the API tests' (test_sso.py,
# test_saml.py); one run is enough here.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["sqlite"], scope="session"),
]
V1 = "/api/v1"


def test_sign_in_through_the_identity_provider_lands_with_the_mapped_group(
    page: Page, server: Server, api: httpx.Client, demo: Demo, oidc_provider: OidcProvider
) -> None:
    municipality = demo["municipality"]["id"]
    settings = {
        "issuer": oidc_provider.issuer,
        "client_id": oidc_provider.client_id,
        "client_secret": oidc_provider.client_secret,
    }
    assert api.put(f"{V1}/municipalities/{municipality}/oidc", json=settings).is_success
    mapping = {
        "claim_value": "est-bro",
        "group_id": demo["groups"]["EST områdesgrupp Bro"]["id"],
        "role": "member",
    }
    mapped = api.post(f"{V1}/municipalities/{municipality}/sso/group-mappings", json=mapping)
    assert mapped.status_code == 201, mapped.text
    organisation = demo["organisations"]["Trygghets- och preventionsenheten"]["id"]
    person = {"name": "Anna Andersson", "email": "anna.sso@est.demo"}
    assert api.post(f"{V1}/users", json={**person, "organisation_id": organisation}).is_success
    # The provider's page asks a font of Google's, which this closed network refuses.
    page.route("https://fonts.googleapis.com/**", lambda route: route.abort())
    assert page.viewport_size == {"width": 390, "height": 844}

    page.goto(f"{server.url}/logga-in")
    page.get_by_role("link", name="Logga in med Upplands-Bro kommuns inloggning").click()
    # The provider's own forms: any login it knows, then its consent.
    page.locator("input[name=login]").fill("anna")
    page.locator("input[name=password]").fill("vilket-som-helst")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{server.url}/")
    page.locator(".account-menu summary", has_text="Anna Andersson").click()
    groups = page.locator(".account-groups")
    expect(groups.get_by_role("link", name="EST områdesgrupp Bro")).to_be_visible()
    expect(groups).to_contain_text("medlem")

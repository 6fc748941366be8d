"""Signing in through the municipality's SAML IdP in a real Chromium on a phone: the
sign-in page's button, the IdP's own login form (SimpleSAMLphp, tests/support/saml.py), its
form posting the response back, and the start page with the groups the IdP's groups give."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.people import Demo
from tests.support.saml import PASSWORD, SamlIdp, configure, saml_idp
from tests.support.servers import Server

# A sign-in through the provider in Chromium: the backend is the API tests' (test_sso.py,
# test_saml.py); one run is enough here.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("backend", ["sqlite"], scope="session"),
]
__all__ = ["saml_idp"]  # the module's IdP


def test_sign_in_through_the_idp_on_a_phone(
    page: Page, server: Server, api: httpx.Client, demo: Demo, saml_idp: SamlIdp
) -> None:
    configure(api, demo["municipality"]["id"], saml_idp)
    group = demo["groups"]["EST områdesgrupp Bro"]
    mapped = api.post(
        f"/api/v1/municipalities/{demo['municipality']['id']}/sso/group-mappings",
        json={"claim_value": "est-bro", "group_id": group["id"], "role": "member"},
    )
    assert mapped.status_code == 201, mapped.text
    organisation = demo["organisations"]["Trygghets- och preventionsenheten"]["id"]
    made = api.post(
        "/api/v1/users",
        json={
            "name": "Anna Andersson",
            "email": "anna.saml@est.demo",
            "organisation_id": organisation,
        },
    )
    assert made.status_code == 201, made.text

    page.goto(f"{server.url}/logga-in")
    page.get_by_role("link", name="Logga in via Upplands-Bro kommuns identitetstjänst").click()
    # The IdP's own login form, on its own address.
    expect(page).to_have_url(re.compile(re.escape(saml_idp.url) + "/"))
    page.locator("#username").fill("saml-anna")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    # Its form posts the response to EST, which signs in and goes on to the start page.
    expect(page).to_have_url(f"{server.url}/", timeout=20_000)
    page.locator(".account-menu summary", has_text="Anna Andersson").click()
    groups = page.locator(".account-groups")
    expect(groups.get_by_role("link", name="EST områdesgrupp Bro")).to_be_visible()

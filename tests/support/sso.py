"""What the single sign-on tests (OpenID Connect and SAML, API and browser) do alike: map a
provider's group, make an account for the provider's person, read who a session is and what
groups it has, and read the refused sign-ins in the audit log."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.people import Demo
from tests.support.servers import Server

V1 = "/api/v1"


def map_group(api: httpx.Client, demo: Demo, value: str, group: str, role: str) -> dict[str, Any]:
    """The provider's group ``value`` gives the EST group ``group`` with ``role``."""
    municipality = demo["municipality"]["id"]
    answer = api.post(
        f"{V1}/municipalities/{municipality}/sso/group-mappings",
        json={"claim_value": value, "group_id": demo["groups"][group]["id"], "role": role},
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def make_user(
    api: httpx.Client, demo: Demo, email: str, name: str = "Anna Andersson", **extra: Any
) -> int:
    organisation = demo["organisations"]["Trygghets- och preventionsenheten"]["id"]
    answer = api.post(
        f"{V1}/users",
        json={"name": name, "email": email, "organisation_id": organisation, **extra},
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def me(server: Server, token: str) -> dict[str, Any]:
    with server.client(token) as client:
        answer: dict[str, Any] = client.get(f"{V1}/auth/me").json()
    return answer


def groups(person: dict[str, Any]) -> dict[str, str]:
    return {m["group"]["name"]: m["role"] for m in person["memberships"]}


def failures(api: httpx.Client) -> list[str]:
    """The refused sign-ins' details in the audit log."""
    failed = api.get(f"{V1}/audit-events", params={"action": "sign_in", "outcome": "failed"})
    return [e["detail"] for e in failed.json()["items"]]

"""Password sign-in turned off per municipality (#22): refused for its people with a 403
naming the identity provider, kept for break-glass administrators with a second factor,
strict for a person of several municipalities, and never turned off without an identity
provider and a break-glass administrator ready."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from api.accounts.models import Membership, User
from api.structure.models import Municipality
from tests.support.codes import totp_code
from tests.support.people import Demo
from tests.support.servers import Server

V1 = "/api/v1"
PASSWORD = "ett-långt-lösenord-för-testet"


def _person(api: httpx.Client, demo: Demo, email: str, **extra: Any) -> int:
    organisation = demo["organisations"]["Trygghets- och preventionsenheten"]["id"]
    body = {"name": email.split("@")[0].title(), "email": email, "password": PASSWORD}
    answer = api.post(f"{V1}/users", json={"organisation_id": organisation, **body, **extra})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def _sign_in(server: Server, email: str, password: str = PASSWORD) -> httpx.Response:
    with server.client() as client:
        return client.post(f"{V1}/auth/token", json={"email": email, "password": password})


def _events(api: httpx.Client, action: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.get(f"{V1}/audit-events", params={"action": action}).json()[
        "items"
    ]
    return items


def test_password_sign_in_turned_off_and_the_break_glass(
    server: Server, api: httpx.Client, demo: Demo
) -> None:
    municipality = demo["municipality"]["id"]
    path = f"{V1}/municipalities/{municipality}/password-sign-in"
    read = api.get(path).json()
    assert read["enabled"] is True and read["identity_providers"] == []
    anna = _person(api, demo, "anna.pw@est.demo")
    # An administrator with a second factor (token_for enrols it) and one without.
    bo = _person(api, demo, "bo.glas@est.demo", is_admin=True)
    server.token_for("bo.glas@est.demo")
    nils = _person(api, demo, "nils.glas@est.demo", is_admin=True)
    session_before = _sign_in(server, "anna.pw@est.demo").json()["access_token"]

    # Not without an identity provider turned on...
    refused = api.put(path, json={"enabled": False})
    assert refused.status_code == 409 and refused.json()["code"] == "no_identity_provider"
    assert "identitetsleverantör" in refused.json()["detail"]
    configured = api.put(
        f"{V1}/municipalities/{municipality}/oidc",
        json={
            "issuer": "https://login.microsoftonline.com/tenant/v2.0",
            "client_id": "app",
            "client_secret": "a-secret-value",
        },
    )
    assert configured.status_code == 200, configured.text
    # ...nor without a break-glass administrator with a second factor.
    refused = api.put(path, json={"enabled": False})
    assert refused.status_code == 409 and refused.json()["code"] == "no_break_glass_administrator"
    marked = api.put(f"{path}/break-glass/{nils}", json={"break_glass": True})
    assert marked.json() == {
        "user": {"id": nils, "name": "Nils.Glas"},
        "break_glass": True,
        "second_factor_enrolled": False,
    }
    assert api.put(path, json={"enabled": False}).status_code == 409
    # Only an administrator of the municipality may be one.
    assert api.put(f"{path}/break-glass/{anna}", json={"break_glass": True}).status_code == 404
    assert api.put(f"{path}/break-glass/{bo}", json={"break_glass": True}).status_code == 200
    turned_off = api.put(path, json={"enabled": False})
    assert turned_off.status_code == 200, turned_off.text
    assert turned_off.json()["enabled"] is False
    label = "Logga in med Upplands-Bro kommuns inloggning"
    assert turned_off.json()["identity_providers"] == [label]
    admins = {a["user"]["id"]: a for a in turned_off.json()["administrators"]}
    assert admins[bo]["break_glass"] and admins[bo]["second_factor_enrolled"]

    # The password session begun before ends; the password signs in no more.
    with server.client(session_before) as client:
        assert client.get(f"{V1}/auth/me").status_code == 401
    answer = _sign_in(server, "anna.pw@est.demo")
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == "password_sign_in_off"
    assert problem["detail"] == (
        "Upplands-Bro kommun har stängt av inloggning med lösenord. Logga in med ”Logga in "
        "med Upplands-Bro kommuns inloggning” i stället."
    )
    assert problem["sign_in_through"] == {"id": municipality, "name": "Upplands-Bro kommun"}
    # A wrong password is a wrong password still: nothing told about the account.
    wrong = _sign_in(server, "anna.pw@est.demo", "fel-lösenord-helt-klart")
    assert wrong.status_code == 401 and "sign_in_through" not in wrong.json()

    # The break-glass administrator: the password, and then the code, always.
    glass = _sign_in(server, "bo.glas@est.demo")
    assert glass.status_code == 201 and glass.json()["second_factor"] == "verify"
    with server.client() as client:
        verified = client.post(
            f"{V1}/auth/totp/verify",
            json={"code": totp_code("bo.glas@est.demo")},
            headers={"Authorization": f"Bearer {glass.json()['access_token']}"},
        )
    assert verified.status_code == 201, verified.text
    # One who has not set up the second factor is refused until they have.
    unready = _sign_in(server, "nils.glas@est.demo")
    assert unready.status_code == 403
    assert unready.json()["code"] == "break_glass_without_second_factor"
    # The last break-glass administrator ready stays while passwords are off.
    last = api.put(f"{path}/break-glass/{bo}", json={"break_glass": False})
    assert last.status_code == 409 and last.json()["code"] == "last_break_glass_administrator"
    # Nor is that administrator deactivated, demoted or robbed of the second factor.
    for taken in (
        api.post(f"{V1}/users/{bo}/deactivate"),
        api.patch(f"{V1}/users/{bo}", json={"is_admin": False}),
        api.delete(f"{V1}/users/{bo}/totp"),
    ):
        assert taken.status_code == 409, taken.text
        assert taken.json()["code"] == "last_break_glass_administrator"
    assert _sign_in(server, "bo.glas@est.demo").json()["second_factor"] == "verify"

    refusals = [e["detail"] for e in _events(api, "sign_in") if e["outcome"] == "refused"]
    assert sorted(refusals) == ["break_glass_without_second_factor", "password_sign_in_off"]
    assert [e["object_id"] for e in _events(api, "password_sign_in_off")] == [str(municipality)]
    assert sorted(e["object_id"] for e in _events(api, "break_glass_on")) == sorted(
        [str(nils), str(bo)]
    )

    assert api.put(path, json={"enabled": True}).json()["enabled"] is True
    assert _sign_in(server, "anna.pw@est.demo").status_code == 201
    assert len(_events(api, "password_sign_in_on")) == 1


def test_a_person_of_two_municipalities_is_held_to_the_stricter(
    server: Server, api: httpx.Client, demo: Demo
) -> None:
    """Home where passwords are on, a member where they are off: refused, with the other
    municipality's identity provider named."""
    municipality = demo["municipality"]["id"]
    _person(api, demo, "kim.tva@est.demo")
    with server.database.session(write=True) as session:
        other = Municipality(name="Testby kommun")
        session.add(other)
        session.flush()
        kim = session.scalars(select(User).where(User.email_key == "kim.tva@est.demo")).one()
        kim.municipality_id, kim.organisation_id = other.id, None
        kim.is_admin = True  # (an organisation is not needed then)
        session.add(
            Membership(
                user_id=kim.id,
                group_id=demo["groups"]["EST områdesgrupp Bro"]["id"],
                role="member",
                municipality_id=municipality,
            )
        )
        upplands_bro = session.get(Municipality, municipality)
        assert upplands_bro is not None
        upplands_bro.password_sign_in = False
    answer = _sign_in(server, "kim.tva@est.demo")
    assert answer.status_code == 403, answer.text
    assert answer.json()["sign_in_through"]["id"] == municipality

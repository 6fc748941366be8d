"""A password set by someone other than the person is temporary (api.accounts.service
.set_password): after signing in with it (and the second factor, where one is required) the
person reaches only the change of password, sign-out and /auth/me until they choose their
own, which must differ from it. Every way one person sets another's password: an
administrator making an account or resetting its password, a platform operator making a
municipality with its first administrator, ``est user create`` and ``est operator create``.
An unused temporary password expires. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select, update

from api.access.route_rules import PASSWORD_CHANGE_ROUTES
from api.accounts.models import User
from api.accounts.totp import enrol_with_secret
from api.localtime import utcnow
from api.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.support.codes import totp_code
from tests.support.people import PEOPLE, People
from tests.support.servers import Server

V1 = "/api/v1"
GIVEN = "blå-kanelbulle-vandrar-93"
OWN = "grön-lingonsylt-klättrar-41"
EMAIL = "ny-person@est.test"


def _est(server: Server, stdin: str, *args: str) -> str:
    env = {**os.environ, "EST_DATABASE_URL": server.settings.database_url}
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "the password is temporary" in done.stdout
    return done.stdout


def _by_admin_create(server: Server, api: httpx.Client, people: People) -> str:
    organisation = people["users"]["reporter"]["organisation"]["id"]
    made = api.post(
        f"{V1}/users",
        json={"name": "Ny Person", "email": EMAIL, "organisation_id": organisation,
              "password": GIVEN},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    return GIVEN


def _by_admin_reset(server: Server, api: httpx.Client, people: People) -> str:
    # The reporter's own password (the demo's), reset by the administrator.
    reset = api.patch(f"{V1}/users/{people['users']['reporter']['id']}", json={"password": GIVEN})
    assert reset.status_code == 200, reset.text
    return GIVEN


def _by_operator(server: Server, api: httpx.Client, people: People) -> str:
    # The test administrator is a platform operator too (tests.support.people.make_admin).
    made = api.post(
        f"{V1}/platform/municipalities",
        json={"name": "Nykommun", "administrator": {"name": "Nora Admin", "email": EMAIL}},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["one_time_password"])


def _by_user_create(server: Server, api: httpx.Client, people: People) -> str:
    name = people["municipality"]["name"]
    _est(server, GIVEN + "\n", "user", "create", "--admin", "--email", EMAIL, "--name",
         "Ny Person", "--municipality", name, "--password-stdin")  # fmt: skip
    return GIVEN


def _by_operator_create(server: Server, api: httpx.Client, people: People) -> str:
    out = _est(server, "", "operator", "create", "--email", EMAIL, "--name", "Ny Operatör")
    return out.split("one-time password (shown once): ")[1].split()[0]


WAYS: dict[str, Callable[[Server, httpx.Client, People], str]] = {
    "administrator creates": _by_admin_create,
    "administrator resets": _by_admin_reset,
    "operator makes a municipality": _by_operator,
    "est user create": _by_user_create,
    "est operator create": _by_operator_create,
}


def _email(way: str) -> str:
    return PEOPLE["reporter"] if way == "administrator resets" else EMAIL


def _sign_in(server: Server, anon: httpx.Client, email: str, password: str) -> httpx.Response:
    """A sign-in with the password and, where the person has a second factor, the code."""
    answer = anon.post(f"{V1}/auth/token", json={"email": email, "password": password})
    if answer.status_code != 201 or answer.json()["second_factor"] is None:
        return answer
    assert answer.json()["second_factor"] == "verify", answer.text
    return anon.post(
        f"{V1}/auth/totp/verify",
        json={"code": totp_code(email)},
        headers={"Authorization": f"Bearer {answer.json()['access_token']}"},
    )


def _enrol_if_required(server: Server, email: str) -> None:
    # Those who must have a second factor get the demo's (as the seed does): the test is
    # of the password, not the enrolment (tests/api/test_totp.py).
    with server.database.session(write=True) as session:
        user = session.scalar(select(User).where(User.email_key == email))
        assert user is not None
        if user.is_admin or user.is_operator:
            key = server.settings.secret_key.get_secret_value()
            enrol_with_secret(session, user.id, DEMO_TOTP_SECRET, secret_key=key)


@pytest.mark.parametrize("way", list(WAYS))
def test_a_password_set_by_someone_else_must_be_changed_first(
    way: str, server: Server, api: httpx.Client, anon: httpx.Client, people: People
) -> None:
    given = WAYS[way](server, api, people)
    email = _email(way)
    _enrol_if_required(server, email)
    signed = _sign_in(server, anon, email, given)
    assert signed.status_code == 201, signed.text
    assert signed.json()["password_change_required"] is True
    with server.client(signed.json()["access_token"]) as client:
        me = client.get(f"{V1}/auth/me")
        assert me.status_code == 200 and me.json()["password_change_required"] is True
        for path in ("/groups", "/municipalities", "/auth/totp", "/incidents"):
            refused = client.get(f"{V1}{path}")
            assert refused.status_code == 403, (path, refused.text)
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.json()["code"] == "password_change_required"
        assert client.post(f"{V1}/platform/municipalities", json={}).status_code == 403
        # The temporary one again is no new password.
        same = client.put(
            f"{V1}/auth/password", json={"current_password": given, "new_password": given}
        )
        assert same.status_code == 422
        assert same.json()["errors"][0]["field"] == "new_password"
        assert same.json()["errors"][0]["code"] == "same_password"
        changed = client.put(
            f"{V1}/auth/password", json={"current_password": given, "new_password": OWN}
        )
        assert changed.status_code == 204, changed.text
        me = client.get(f"{V1}/auth/me").json()
        assert me["password_change_required"] is False
        assert client.get(f"{V1}/auth/totp").status_code == 200
    # The temporary one works no more; one's own does, and is not temporary.
    assert _sign_in(server, anon, email, given).status_code == 401
    again = _sign_in(server, anon, email, OWN)
    assert again.status_code == 201 and again.json()["password_change_required"] is False


def test_an_unused_temporary_password_expires(
    server: Server, api: httpx.Client, anon: httpx.Client, people: People
) -> None:
    _by_admin_create(server, api, people)
    days = server.settings.temporary_password_days
    assert days > 0
    with server.database.session(write=True) as session:
        session.execute(
            update(User)
            .where(User.email_key == EMAIL)
            .values(password_set_at=utcnow() - dt.timedelta(days=days, minutes=1))
        )
    expired = _sign_in(server, anon, EMAIL, GIVEN)
    assert expired.status_code == 401
    assert expired.json()["code"] == "wrong_credentials"
    with server.database.session(write=True) as session:
        session.execute(
            update(User)
            .where(User.email_key == EMAIL)
            .values(password_set_at=utcnow() - dt.timedelta(days=days) + dt.timedelta(hours=1))
        )
    assert _sign_in(server, anon, EMAIL, GIVEN).status_code == 201


def test_ones_own_password_and_the_demos_are_not_temporary(
    server: Server, anon: httpx.Client, people: People
) -> None:
    with server.database.session(write=False) as session:
        flagged = session.scalars(
            select(User.email).where(User.email_key.in_(PEOPLE.values()), User.password_temporary)
        ).all()
    assert flagged == []
    signed = _sign_in(server, anon, PEOPLE["reporter"], DEMO_PASSWORD)
    assert signed.json()["password_change_required"] is False
    with server.client(signed.json()["access_token"]) as client:
        assert client.get(f"{V1}/groups").status_code == 200
        changed = client.put(
            f"{V1}/auth/password", json={"current_password": DEMO_PASSWORD, "new_password": OWN}
        )
        assert changed.status_code == 204
        assert client.get(f"{V1}/groups").status_code == 200
        assert client.get(f"{V1}/auth/me").json()["password_change_required"] is False


def test_the_routes_a_temporary_password_reaches_exist() -> None:
    from api.access.route_rules import ROUTE_RULES

    assert set(ROUTE_RULES) >= PASSWORD_CHANGE_ROUTES

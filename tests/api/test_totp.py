"""Two-factor sign-in (TOTP, recovery codes), through the API over real HTTP."""

from __future__ import annotations

import datetime as dt

import httpx
import pyotp
from sqlalchemy import select

from api.accounts.models import TotpFactor
from api.accounts.totp import seal
from api.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.support.codes import totp_code
from tests.support.people import PEOPLE, People, whole_token
from tests.support.servers import Server

V1 = "/api/v1"
NEW_PASSWORD = "blå-kanelbulle-vandrar-93"
# The newcomer's own, chosen instead of the one the administrator set.
OWN_PASSWORD = "grön-lingonsylt-klättrar-41"


def sign_in(client: httpx.Client, email: str, password: str = DEMO_PASSWORD) -> httpx.Response:
    return client.post(f"{V1}/auth/token", json={"email": email, "password": password})


def half(client: httpx.Client, email: str, stage: str = "verify") -> str:
    answer = sign_in(client, email)
    assert answer.status_code == 201, answer.text
    assert answer.json()["second_factor"] == stage
    return str(answer.json()["access_token"])


def verify(server: Server, token: str, code: str) -> httpx.Response:
    with server.client(token) as client:
        return client.post(f"{V1}/auth/totp/verify", json={"code": code})


def actions(api: httpx.Client, action: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = api.get(
        f"{V1}/audit-events", params={"action": action, "limit": 100}
    ).json()["items"]
    return items


def new_admin(api: httpx.Client, email: str = "ny-admin@est.test") -> int:
    created = api.post(
        f"{V1}/users",
        json={"name": "Ny Admin", "email": email, "is_admin": True, "password": NEW_PASSWORD},
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def test_a_half_session_reaches_nothing_until_the_code(
    anon: httpx.Client, server: Server, api: httpx.Client, people: People
) -> None:
    email = PEOPLE["steering"]
    token = half(anon, email)
    with server.client(token) as client:
        refused = client.get(f"{V1}/groups")
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "second_factor_pending"
        assert client.get(f"{V1}/auth/me").status_code == 403
        status = client.get(f"{V1}/auth/totp").json()
        assert status["stage"] == "verify" and status["enrolled"] and status["required"]
        assert "secret" not in status
    wrong = verify(server, token, "000000" if totp_code(email) != "000000" else "111111")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "code"
    assert "Koden stämmer inte" in wrong.json()["detail"]
    whole = verify(server, token, totp_code(email))
    assert whole.status_code == 201, whole.text
    assert whole.json()["second_factor"] is None
    with server.client(whole.json()["access_token"]) as client:
        me = client.get(f"{V1}/auth/me").json()
        assert me["second_factor_enrolled"] and me["second_factor_required"]
        assert client.get(f"{V1}/groups").status_code == 200
    # The half session ended with the whole one's beginning.
    with server.client(token) as client:
        assert client.get(f"{V1}/auth/totp").status_code == 401
    assert [e["outcome"] for e in actions(api, "totp_verify")] == ["failed"]


def test_a_code_is_taken_once(anon: httpx.Client, server: Server, people: People) -> None:
    email = PEOPLE["admin"]
    code = totp_code(email)
    assert verify(server, half(anon, email), code).status_code == 201
    again = verify(server, half(anon, email), code)
    assert again.status_code == 422, again.text
    # A code of a step long past is refused too.
    stale = pyotp.TOTP(DEMO_TOTP_SECRET).at(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    assert verify(server, half(anon, email), stale).status_code == 422


def test_guessing_codes_is_throttled_like_passwords(
    anon: httpx.Client, server: Server, api: httpx.Client, people: People
) -> None:
    email = PEOPLE["steering"]
    token = half(anon, email)
    right = totp_code(email)
    wrong = "123456" if right != "123456" else "654321"
    for _ in range(server.settings.throttle_per_account - 1):
        assert verify(server, token, wrong).status_code == 422
    # The password again does not wipe the count of wrong codes.
    token = half(anon, email)
    assert verify(server, token, wrong).status_code == 422
    throttled = verify(server, token, right)
    assert throttled.status_code == 429, throttled.text
    assert int(throttled.headers["Retry-After"]) > 0
    # The account is locked as after wrong passwords: signing in again does not reset it.
    assert sign_in(anon, email).status_code == 429
    outcomes = [e["outcome"] for e in actions(api, "totp_verify")]
    assert outcomes.count("failed") == server.settings.throttle_per_account
    assert "throttled" in outcomes


def test_an_administrator_must_enrol_before_anything(
    anon: httpx.Client, server: Server, api: httpx.Client, people: People
) -> None:
    user_id = new_admin(api)
    answer = sign_in(anon, "ny-admin@est.test", NEW_PASSWORD)
    assert answer.json()["second_factor"] == "enrol"
    token = answer.json()["access_token"]
    with server.client(token) as client:
        assert client.get(f"{V1}/groups").json()["code"] == "second_factor_pending"
        assert client.post(f"{V1}/auth/totp/verify", json={"code": "123456"}).status_code == 409
        started = client.post(f"{V1}/auth/totp/enrol")
        assert started.status_code == 201, started.text
        enrolment = started.json()
        assert enrolment["qr_svg"].startswith("<svg") and "<path" in enrolment["qr_svg"]
        assert enrolment["otpauth_uri"].startswith("otpauth://totp/")
        assert f"secret={enrolment['secret']}" in enrolment["otpauth_uri"]
        refused = client.post(f"{V1}/auth/totp/confirm", json={"code": "12"})
        assert refused.status_code == 422
        code = pyotp.TOTP(enrolment["secret"]).now()
        confirmed = client.post(f"{V1}/auth/totp/confirm", json={"code": code})
        assert confirmed.status_code == 200, confirmed.text
        status = client.get(f"{V1}/auth/totp")
        assert status.status_code == 401  # the half session has ended
    body = confirmed.json()
    assert len(body["recovery_codes"]) == 10 == len(set(body["recovery_codes"]))
    whole = body["session"]["access_token"]
    with server.client(whole) as client:
        # The administrator set the password: the newcomer chooses their own next.
        assert client.get(f"{V1}/groups").json()["code"] == "password_change_required"
        changed = client.put(
            f"{V1}/auth/password",
            json={"current_password": NEW_PASSWORD, "new_password": OWN_PASSWORD},
        )
        assert changed.status_code == 204, changed.text
        assert client.get(f"{V1}/groups").status_code == 200
        status = client.get(f"{V1}/auth/totp").json()
        assert status == {**status, "enrolled": True, "stage": None, "recovery_codes_left": 10}
        assert "secret" not in status
        assert client.post(f"{V1}/auth/totp/enrol").status_code == 409
    assert [e["object_id"] for e in actions(api, "totp_enrol")] == [str(user_id)]

    # A recovery code signs in once, typed as people type it.
    recovery = body["recovery_codes"][0]
    answer = sign_in(anon, "ny-admin@est.test", OWN_PASSWORD)
    half_token = answer.json()["access_token"]
    assert answer.json()["second_factor"] == "verify"
    used = verify(server, half_token, f" {recovery.upper()} ")
    assert used.status_code == 201, used.text
    answer = sign_in(anon, "ny-admin@est.test", OWN_PASSWORD)
    assert verify(server, answer.json()["access_token"], recovery).status_code == 422
    with server.client(used.json()["access_token"]) as client:
        assert client.get(f"{V1}/auth/totp").json()["recovery_codes_left"] == 9


def test_others_may_enrol_and_turn_it_off(
    anon: httpx.Client, server: Server, people: People
) -> None:
    email = PEOPLE["viewer"]
    with server.client(people["tokens"]["viewer"]) as client:
        assert client.get(f"{V1}/auth/totp").json()["required"] is False
        secret = client.post(f"{V1}/auth/totp/enrol").json()["secret"]
        confirmed = client.post(
            f"{V1}/auth/totp/confirm", json={"code": totp_code(email, secret)}
        ).json()
        assert confirmed["session"] is None  # this session was whole already
        assert len(confirmed["recovery_codes"]) == 10
    waiting = half(anon, email)
    with server.client(people["tokens"]["viewer"]) as client:
        assert client.delete(f"{V1}/auth/totp").status_code == 204
    assert sign_in(anon, email).json()["second_factor"] is None
    # A half sign-in that waited for a code does not turn whole when it is off.
    with server.client(waiting) as client:
        assert client.get(f"{V1}/groups").status_code == 401
    # Those whose role requires it cannot turn it off.
    with server.client(people["tokens"]["steering"]) as client:
        refused = client.delete(f"{V1}/auth/totp")
        assert refused.status_code == 409
        assert "kräver tvåstegsverifiering" in refused.json()["detail"]


def test_an_administrator_resets_a_second_factor(
    anon: httpx.Client, server: Server, api: httpx.Client, people: People
) -> None:
    steering = people["users"]["steering"]
    token = whole_token(anon, sign_in(anon, PEOPLE["steering"]).json(), PEOPLE["steering"])
    assert api.delete(f"{V1}/users/{steering['id']}/totp").status_code == 204
    with server.client(token) as client:
        assert client.get(f"{V1}/groups").status_code == 401  # their sessions ended
    assert sign_in(anon, PEOPLE["steering"]).json()["second_factor"] == "enrol"
    assert [e["object_id"] for e in actions(api, "totp_reset")] == [str(steering["id"])]
    assert api.delete(f"{V1}/users/2147483647/totp").status_code == 404


def test_a_person_given_a_role_that_requires_it_must_enrol_at_once(
    server: Server, api: httpx.Client, people: People
) -> None:
    viewer = people["users"]["viewer"]
    token = people["tokens"]["viewer"]
    steering = people["groups"]["EST styrgrupp"]["id"]
    put = api.put(f"{V1}/groups/{steering}/memberships/{viewer['id']}", json={"role": "viewer"})
    assert put.status_code == 201, put.text
    with server.client(token) as client:
        assert client.get(f"{V1}/groups").json()["code"] == "second_factor_pending"
        assert client.get(f"{V1}/auth/totp").json()["stage"] == "enrol"


def test_the_secret_is_kept_sealed(anon: httpx.Client, server: Server, people: People) -> None:
    steering = people["users"]["steering"]
    with server.database.session(write=True) as session:
        factor = session.scalar(select(TotpFactor).where(TotpFactor.user_id == steering["id"]))
        assert factor is not None
        assert DEMO_TOTP_SECRET not in factor.secret
        # Sealed for another person, it does not open for this one.
        other = people["users"]["admin"]["id"]
        key = server.settings.secret_key.get_secret_value()
        factor.secret = seal(DEMO_TOTP_SECRET, user_id=other, secret_key=key)
    token = half(anon, PEOPLE["steering"])
    unreadable = verify(server, token, totp_code(PEOPLE["steering"]))
    assert unreadable.status_code == 409
    assert unreadable.json()["code"] == "second_factor_unreadable"
    assert "nyckel har bytts" in unreadable.json()["detail"]

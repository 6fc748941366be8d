"""Sign-in, sessions and passwords, through the API over real HTTP."""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from api.accounts.models import AuthSession
from api.seed import DEMO_PASSWORD
from tests.support.people import PEOPLE, People, whole_token
from tests.support.servers import Server

V1 = "/api/v1"
NEW_PASSWORD = "blå-kanelbulle-vandrar-93"


def sign_in(client: httpx.Client, email: str, password: str = DEMO_PASSWORD) -> httpx.Response:
    return client.post(f"{V1}/auth/token", json={"email": email, "password": password})


def token_of(client: httpx.Client, email: str, password: str = DEMO_PASSWORD) -> str:
    response = sign_in(client, email, password)
    assert response.status_code == 201, response.text
    return whole_token(client, response.json(), email)


def me(server: Server, token: str) -> httpx.Response:
    with server.client(token) as client:
        return client.get(f"{V1}/auth/me")


def assert_signed_out(server: Server, token: str) -> None:
    response = me(server, token)
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def sessions_of(server: Server, user_id: int) -> list[AuthSession]:
    with server.database.session(write=False) as session:
        found = session.scalars(select(AuthSession).where(AuthSession.user_id == user_id))
        return list(found)


def set_session(server: Server, token: str, **values: Any) -> None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    with server.database.session(write=True) as session:
        changed = session.execute(
            update(AuthSession).where(AuthSession.token_hash == digest).values(**values)
        )
        assert changed.rowcount == 1  # type: ignore[attr-defined]


def test_sign_in_answers_an_opaque_token_stored_only_hashed(
    server: Server, anon: httpx.Client, people: People
) -> None:
    response = sign_in(anon, PEOPLE["kungsangen"])
    assert response.status_code == 201, response.text
    body = response.json()
    token = body["access_token"]
    assert token.startswith("estu_") and len(token) > 40
    assert body["token_type"] == "bearer"
    assert body["idle_timeout_seconds"] == server.settings.session_idle_minutes * 60
    assert dt.datetime.fromisoformat(body["expires_at"]).utcoffset() is not None

    rows = sessions_of(server, people["users"]["kungsangen"]["id"])
    hashes = {row.token_hash for row in rows}
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    assert all(token not in str(vars(row)) for row in rows)

    shown = me(server, token)
    assert shown.status_code == 200, shown.text
    assert shown.json()["email"] == PEOPLE["kungsangen"]
    assert [m["group"]["name"] for m in shown.json()["memberships"]] == [
        "EST områdesgrupp Kungsängen"
    ]


def test_every_sign_in_starts_a_new_session(
    anon: httpx.Client, server: Server, people: People
) -> None:
    first = token_of(anon, PEOPLE["viewer"])
    second = token_of(anon, PEOPLE["viewer"])
    assert first != second
    assert me(server, first).status_code == 200
    assert me(server, second).status_code == 200


def test_sign_out_revokes_the_token(anon: httpx.Client, server: Server, people: People) -> None:
    token = token_of(anon, PEOPLE["steering"])
    other = token_of(anon, PEOPLE["steering"])
    with server.client(token) as client:
        assert client.delete(f"{V1}/auth/token").status_code == 204
        again = client.get(f"{V1}/auth/me")
    assert again.status_code == 401
    assert again.json()["code"] == "token_rejected"
    # Only the session signed out of ends.
    assert me(server, other).status_code == 200


def test_refusals_of_sign_in_do_not_tell_accounts_apart(
    anon: httpx.Client, api: httpx.Client, people: People
) -> None:
    viewer = people["users"]["viewer"]
    assert api.post(f"{V1}/users/{viewer['id']}/deactivate").status_code == 200
    answers = [
        sign_in(anon, PEOPLE["kungsangen"], "fel-lösenord-helt-enkelt"),
        sign_in(anon, "finns-inte@est.demo"),
        sign_in(anon, PEOPLE["viewer"]),  # the right password of a deactivated account
    ]
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert answers[0].json()["code"] == "wrong_credentials"
    assert {a.headers["WWW-Authenticate"] for a in answers} == {'Bearer realm="est"'}


def test_unknown_account_and_wrong_password_take_as_long(
    anon: httpx.Client, people: People
) -> None:
    def median_seconds(email: str, password: str) -> float:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            assert sign_in(anon, email, password).status_code == 401
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    # Five each is the throttle's limit per account: every attempt is a real check.
    sign_in(anon, "uppvärmning@est.demo", "x")
    unknown = median_seconds("finns-inte@est.demo", "fel-lösenord-helt-enkelt")
    wrong = median_seconds(PEOPLE["kungsangen"], "fel-lösenord-helt-enkelt")
    assert 0.5 < unknown / wrong < 2, (unknown, wrong)


def test_an_idle_session_ends(server: Server, people: People) -> None:
    token = server.token_for(PEOPLE["coordination"])
    idle = dt.timedelta(minutes=server.settings.session_idle_minutes)
    set_session(
        server, token, last_used_at=dt.datetime.now(dt.UTC) - idle + dt.timedelta(minutes=1)
    )
    assert me(server, token).status_code == 200
    set_session(
        server, token, last_used_at=dt.datetime.now(dt.UTC) - idle - dt.timedelta(seconds=1)
    )
    assert_signed_out(server, token)


def test_a_session_ends_at_its_absolute_lifetime(server: Server, people: People) -> None:
    token = server.token_for(PEOPLE["coordination"])
    # In use a second ago, and still at its end.
    set_session(
        server,
        token,
        last_used_at=dt.datetime.now(dt.UTC),
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1),
    )
    assert_signed_out(server, token)


def test_the_lifetime_is_set_at_sign_in(server: Server, anon: httpx.Client, people: People) -> None:
    before = dt.datetime.now(dt.UTC)
    expires = dt.datetime.fromisoformat(sign_in(anon, PEOPLE["viewer"]).json()["expires_at"])
    lifetime = dt.timedelta(hours=server.settings.session_max_hours)
    assert (
        before + lifetime - dt.timedelta(minutes=1)
        < expires
        < before + lifetime + dt.timedelta(minutes=1)
    )


def test_deactivating_a_user_ends_all_their_sessions(
    server: Server, api: httpx.Client, people: People
) -> None:
    user = people["users"]["kungsangen"]
    tokens = [people["tokens"]["kungsangen"], server.token_for(PEOPLE["kungsangen"])]
    assert api.post(f"{V1}/users/{user['id']}/deactivate").status_code == 200
    for token in tokens:
        assert_signed_out(server, token)
    # Ended, not only paused: they stay ended when the account is activated again.
    assert api.post(f"{V1}/users/{user['id']}/activate").status_code == 200
    for token in tokens:
        assert_signed_out(server, token)
    assert all(s.revoked_at is not None for s in sessions_of(server, user["id"]))


def test_an_admin_ends_a_users_sessions(server: Server, api: httpx.Client, people: People) -> None:
    user = people["users"]["reporter"]
    tokens = [people["tokens"]["reporter"], server.token_for(PEOPLE["reporter"])]
    ended = api.delete(f"{V1}/users/{user['id']}/sessions")
    assert ended.status_code == 200, ended.text
    assert ended.json() == {"ended": 2}
    for token in tokens:
        assert_signed_out(server, token)
    # The account itself goes on: signing in again works.
    assert me(server, server.token_for(PEOPLE["reporter"])).status_code == 200
    assert me(server, people["tokens"]["viewer"]).status_code == 200


def test_a_new_password_set_by_an_admin_ends_the_sessions(
    server: Server, api: httpx.Client, anon: httpx.Client, people: People
) -> None:
    user = people["users"]["viewer"]
    changed = api.patch(f"{V1}/users/{user['id']}", json={"password": NEW_PASSWORD})
    assert changed.status_code == 200, changed.text
    assert_signed_out(server, people["tokens"]["viewer"])
    assert sign_in(anon, PEOPLE["viewer"]).status_code == 401
    assert sign_in(anon, PEOPLE["viewer"], NEW_PASSWORD).status_code == 201


def test_changing_ones_own_password(server: Server, anon: httpx.Client, people: People) -> None:
    # Someone without a second factor: each sign-in here would otherwise spend a code.
    token = token_of(anon, PEOPLE["coordination"])
    other = token_of(anon, PEOPLE["coordination"])
    with server.client(token) as client:
        wrong = client.put(
            f"{V1}/auth/password",
            json={"current_password": "inte-det-rätta-alls", "new_password": NEW_PASSWORD},
        )
        assert wrong.status_code == 422, wrong.text
        assert [(e["field"], e["code"]) for e in wrong.json()["errors"]] == [
            ("current_password", "wrong")
        ]
        assert me(server, other).status_code == 200

        changed = client.put(
            f"{V1}/auth/password",
            json={"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD},
        )
        assert changed.status_code == 204, changed.text
        # This session goes on; the others end.
        assert client.get(f"{V1}/auth/me").status_code == 200
    assert_signed_out(server, other)
    assert sign_in(anon, PEOPLE["coordination"]).status_code == 401
    assert sign_in(anon, PEOPLE["coordination"], NEW_PASSWORD).status_code == 201


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("kort-ord-9", "minst 12 tecken"),
        ("qwerty123456", "vanligaste"),  # in zxcvbn's list of common passwords
        ("password12345", "lätt att gissa"),  # one of them with a digit more
        ("Kungsängen2024!", "lätt att gissa"),
        ("Sommar2024!!", "lätt att gissa"),  # a season, a year and a flourish
        ("Stina Styrgrupp 1", "lätt att gissa"),  # the user's own name
    ],
)
def test_weak_passwords_are_refused(
    server: Server, people: People, api: httpx.Client, password: str, words: str
) -> None:
    with server.client(people["tokens"]["steering"]) as client:
        refused = client.put(
            f"{V1}/auth/password",
            json={"current_password": DEMO_PASSWORD, "new_password": password},
        )
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["errors"]
    assert error["field"] == "new_password"
    assert words in error["message"], error["message"]
    # An admin setting someone's password gets the same refusal.
    user = people["users"]["steering"]
    by_admin = api.patch(f"{V1}/users/{user['id']}", json={"password": password})
    assert by_admin.status_code == 422
    assert [e["field"] for e in by_admin.json()["errors"]] == ["password"]


def assert_throttled(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["code"] == "too_many_requests"


@pytest.mark.parametrize("email", [PEOPLE["kungsangen"], "påhittad@est.demo"])
def test_failed_sign_ins_for_one_account_are_throttled(
    anon: httpx.Client, server: Server, people: People, email: str
) -> None:
    for _ in range(server.settings.throttle_per_account):
        assert sign_in(anon, email, "fel-lösenord-helt-enkelt").status_code == 401
    assert_throttled(sign_in(anon, email, "fel-lösenord-helt-enkelt"))
    # Not even the right password gets through now, so guessing on cannot find it.
    assert_throttled(sign_in(anon, email))
    # The same address typed otherwise is the same account.
    assert_throttled(sign_in(anon, f" {email.upper()} "))
    # Other accounts are not held up.
    assert sign_in(anon, PEOPLE["viewer"]).status_code == 201


def test_failed_sign_ins_from_one_address_are_throttled(
    anon: httpx.Client, server: Server, people: People
) -> None:
    for n in range(server.settings.throttle_per_address):
        assert sign_in(anon, f"gissning-{n}@est.demo", "fel-lösenord").status_code == 401
    assert_throttled(sign_in(anon, "ännu-en@est.demo", "fel-lösenord"))
    assert_throttled(sign_in(anon, PEOPLE["viewer"]))

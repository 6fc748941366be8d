"""Who the tests act as: the test administrator, the demo accounts one per role, and the types
of the ``demo`` and ``people`` fixtures (tests/support/fixtures.py).

The fixtures are TypedDicts, not dataclasses: some 250 places in the tests read them as
``people["tokens"]["admin"]`` or ``demo["areas"]["Bro"]["id"]``, and a TypedDict gives those
very reads a type without changing one of them. The records inside are JSON as the API
answers it, so they stay ``dict[str, Any]``."""

from __future__ import annotations

import functools
from typing import Any, TypedDict

import httpx
from sqlalchemy import select, update

from api.accounts.models import User
from api.accounts.passwords import hash_password
from api.db import Database
from api.seed import DEMO_PASSWORD
from api.structure.models import Municipality
from tests.support.codes import totp_code
from tests.support.servers import Server

# A record as the API answers it.
Record = dict[str, Any]


class Demo(TypedDict):
    """The demo structure of Upplands-Bro, its records by name (areas, organisations and
    groups by ``name``)."""

    municipality: Record
    areas: dict[str, Record]
    organisations: dict[str, Record]
    groups: dict[str, Record]


class People(Demo):
    """The demo structure and the demo accounts by what the tests call them (PEOPLE's keys):
    a fresh session token for each, and each one's user record."""

    tokens: dict[str, str]
    users: dict[str, Record]


# The demo accounts by what the tests call them (see api.seed.DEMO_USERS).
PEOPLE = {
    "admin": "admin@est.demo",
    "steering": "styrgrupp@est.demo",
    "coordination": "samordnare@est.demo",  # convener of the coordination group
    "kungsangen": "kungsangen@est.demo",  # member of the Kungsängen area group
    "reporter": "rapportor@est.demo",  # reporter in the Bro area group
    "viewer": "lasare@est.demo",  # viewer in the coordination group
}

# The operations after which a session may be gone (the caller's, or the person's the
# request names): a test sending requests as several people makes their sessions afresh
# after one of these.
ENDS_SESSIONS = frozenset({"sign_out", "change_password", "end_user_sessions", "deactivate_user",
                           "update_user", "disable_totp", "reset_user_totp"})  # fmt: skip

ADMIN_EMAIL = "test-admin@est.test"
# Those who sign in with a code too (policy.requires_second_factor): the seed, and
# Server.token_for for anyone else, give them DEMO_TOTP_SECRET.
SECOND_FACTOR_PEOPLE = frozenset({PEOPLE["admin"], PEOPLE["steering"], ADMIN_EMAIL})

# Two-factor sign-in ---------------------------------------------------------------------------


def whole_token(client: httpx.Client, answer: dict[str, Any], email: str) -> str:
    """The token of a whole session from a password sign-in's answer: where it is half of
    one, completed with the code from the app (POST /auth/totp/verify)."""
    if answer["second_factor"] is None:
        return str(answer["access_token"])
    assert answer["second_factor"] == "verify", answer
    verified = client.post(
        "/api/v1/auth/totp/verify",
        json={"code": totp_code(email)},
        headers={"Authorization": f"Bearer {answer['access_token']}"},
    )
    assert verified.status_code == 201, verified.text
    return str(verified.json()["access_token"])


@functools.cache
def _admin_password_hash() -> str:
    return hash_password("test-admin-lösenord-långt")


@functools.cache
def demo_password_hash() -> str:
    return hash_password(DEMO_PASSWORD)


def make_admin(database: Database) -> None:
    with database.session(write=True) as session:
        if session.scalar(select(User).where(User.email_key == ADMIN_EMAIL)) is None:
            session.add(
                User(
                    name="Test Admin",
                    email=ADMIN_EMAIL,
                    is_admin=True,
                    # Makes the tests' municipalities (make_municipality); administers the
                    # first one made or loaded (adopt_municipality).
                    is_operator=True,
                    password_hash=_admin_password_hash(),
                )
            )


def adopt_municipality(database: Database, municipality_id: int, *, instead: bool = False) -> None:
    """The test administrator administers ``municipality_id`` when they administer none
    yet (or ``instead`` of the one they do): the first municipality a test makes or loads
    is theirs (#21)."""
    mine = User.email_key == ADMIN_EMAIL
    with database.session(write=True) as session:
        session.execute(
            update(User)
            .where(mine if instead else mine & User.municipality_id.is_(None))
            .values(municipality_id=municipality_id)
        )


def only_active(database: Database, municipality_id: int) -> None:
    """Every other municipality deactivated: the installation of one municipality, whose
    public pages name none (the demo holds two, whose public pages ask which, #21)."""
    with database.session(write=True) as session:
        session.execute(
            update(Municipality).where(Municipality.id != municipality_id).values(active=False)
        )


def session_cookie(api: httpx.Client) -> dict[str, str]:
    return {"est_session": api.headers["Authorization"].removeprefix("Bearer ")}


def as_(server: Server, people: People, who: str) -> httpx.Client:
    """An API client signed in as one of the demo accounts (PEOPLE's keys)."""
    return server.client(people["tokens"][who])


def gid(people: Demo, name: str) -> int:
    """The id of a demo group by its name."""
    return int(people["groups"][name]["id"])


def oid(people: People, name: str) -> int:
    """A demo organisation's id by its name."""
    return int(people["organisations"][name]["id"])

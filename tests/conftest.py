from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api import migrate
from api.accounts.models import User
from api.accounts.passwords import hash_password
from api.accounts.service import start_session
from api.db import Database
from api.seed import DEMO_PASSWORD, load_demo, load_demo_users
from api.settings import Settings
from tests.servers import PG_URL, LiveServer, empty_tables, fresh_postgres_database, sqlite_url
from web.embedded import create_embedded_app

BACKENDS = ["sqlite", "postgresql"]


def settings_for(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": database_url,
        "secret_key": "t" * 40,
        "htmx_source": "local",
        **overrides,
    }
    return Settings(**values)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("EST_TEST_DATABASE_URL is not set (.ci/run sets it to the local PostgreSQL)")
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database for the API server, one per backend for the whole session."""
    if backend == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("db") / "est.db")
    else:
        url = fresh_postgres_database("api")
    migrate.upgrade(url)
    return url


@dataclass
class Server:
    url: str
    database: Database
    backend: str
    settings: Settings

    def token_for(self, email: str) -> str:
        """A session for an existing account, as a sign-in would start it (without spending
        an argon2 verification on every test)."""
        with self.database.session(write=True) as session:
            user = session.scalar(select(User).where(User.email_key == email))
            assert user is not None, email
            token, _ = start_session(session, user, settings=self.settings, address="test")
        return token

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, timeout=30, headers=headers)


ADMIN_EMAIL = "test-admin@est.test"


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
                    password_hash=_admin_password_hash(),
                )
            )


@pytest.fixture(scope="session")
def server(database_url: str, backend: str) -> Iterator[Server]:
    settings = settings_for(database_url)
    app = create_embedded_app(settings)
    live = LiveServer(app).start()
    database = Database.from_url(database_url)
    try:
        yield Server(live.url, database, backend, settings)
    finally:
        live.stop()
        database.dispose()


@pytest.fixture
def api(server: Server) -> Iterator[httpx.Client]:
    """An HTTP client of the running server, signed in as an administrator. The tables are
    emptied after each test: requests commit for real, so a test's own transaction could
    not hold them."""
    try:
        make_admin(server.database)
        with server.client(server.token_for(ADMIN_EMAIL)) as client:
            yield client
    finally:
        empty_tables(server.database)


@pytest.fixture
def web(server: Server, api: httpx.Client) -> Iterator[httpx.Client]:
    """The web pages as a browser without JavaScript sees them, signed in as the test
    administrator (the session cookie holds the API token, as after signing in)."""
    with httpx.Client(base_url=server.url, timeout=30, cookies=session_cookie(api)) as client:
        yield client


def session_cookie(api: httpx.Client) -> dict[str, str]:
    return {"est_session": api.headers["Authorization"].removeprefix("Bearer ")}


@pytest.fixture
def anon(server: Server, api: httpx.Client) -> Iterator[httpx.Client]:
    """A client that has not signed in (the tables are emptied after the test by ``api``)."""
    with server.client() as client:
        yield client


@pytest.fixture
def demo(server: Server, api: httpx.Client) -> dict[str, Any]:
    """The demo structure of Upplands-Bro, and its records by name as the API shows them."""
    with server.database.session(write=True) as session:
        load_demo(session)

    def by_name(path: str) -> dict[str, Any]:
        items = api.get(path, params={"limit": 200}).json()["items"]
        return {item.get("name", item.get("code")): item for item in items}

    return {
        "municipality": api.get("/api/v1/municipalities").json()["items"][0],
        "areas": by_name("/api/v1/areas"),
        "organisations": by_name("/api/v1/organisations"),
        "groups": by_name("/api/v1/groups"),
    }


# The demo accounts by what the tests call them (see api.seed.DEMO_USERS).
PEOPLE = {
    "admin": "admin@est.demo",
    "steering": "styrgrupp@est.demo",
    "coordination": "samordnare@est.demo",  # convener of the coordination group
    "kungsangen": "kungsangen@est.demo",  # member of the Kungsängen area group
    "reporter": "rapportor@est.demo",  # reporter in the Bro area group
    "viewer": "lasare@est.demo",  # viewer in the coordination group
}


@pytest.fixture
def people(server: Server, demo: dict[str, Any]) -> dict[str, Any]:
    """The demo accounts, one per role, each with a fresh session token: ``tokens[name]``,
    and their user records as the API shows them: ``users[name]``. Password: DEMO_PASSWORD."""
    with server.database.session(write=True) as session:
        load_demo_users(session, password_hash=demo_password_hash())
    tokens = {name: server.token_for(email) for name, email in PEOPLE.items()}
    with server.client(tokens["admin"]) as admin:
        users = {
            name: admin.get("/api/v1/users", params={"email": email}).json()["items"][0]
            for name, email in PEOPLE.items()
        }
    return {"tokens": tokens, "users": users, **demo}


def file_report(server: Server, token: str, *incidents: dict[str, Any]) -> dict[str, Any]:
    """A report filed through the API by the token's person: each incident is klotter on
    the evening of 20 November 2026, of medium assessment, unless it says otherwise (it must
    say where)."""
    body = {
        "incidents": [
            {
                "category": "skadegorelse.klotter",
                "occurred_from": "2026-11-20T21:30",
                "assessment": "medium",
                **incident,
            }
            for incident in incidents
        ]
    }
    with server.client(token) as client:
        response = client.post("/api/v1/reports", json=body)
    assert response.status_code == 201, response.text
    report: dict[str, Any] = response.json()
    return report

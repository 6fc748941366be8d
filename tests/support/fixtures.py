"""The fixtures every test may ask for, loaded through ``pytest_plugins`` in tests/conftest.py:
one migrated database and one live server per backend for the session (per pytest-xdist
worker, as each worker is its own session), clients of it, and the demo data. Requests commit
for real, so ``api`` empties the tables after each test rather than rolling back."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api import migrate
from api.composition import compose
from api.db import Database
from api.demo_boundaries import DEMO_TOWNS, UPPLANDS_BRO
from api.seed import load_demo, load_demo_users
from api.structure.models import Municipality
from tests.support.factories import DATABASES
from tests.support.people import (
    ADMIN_EMAIL,
    PEOPLE,
    Demo,
    People,
    adopt_municipality,
    demo_password_hash,
    make_admin,
    session_cookie,
)
from tests.support.servers import (
    PG_URL,
    LiveServer,
    Server,
    empty_tables,
    free_port,
    fresh_postgres_database,
    http_client,
    settings_for,
    sqlite_url,
)
from tests.support.snapshots import load_once
from web.embedded import create_embedded_app

BACKENDS = ["sqlite", "postgresql"]


def pytest_configure(config: pytest.Config) -> None:
    """The suite is a way in too, as the API app, the command line and the demo seed are
    (api/composition.py): its support calls services directly (a session's token, the demo
    seed), not only through an app. Composed here, at start, so that a test run alone works
    as it does after another test built the session's app, which composed the process."""
    compose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not PG_URL:
        pytest.skip("EST_TEST_DATABASE_URL is not set (.ci/run sets it to the local PostgreSQL)")
    return str(request.param)


# The API server's SQLite file lives in memory where the machine has a tmpfs: the same
# SQLite with the same WAL and synchronous=FULL (tests/api/test_durability.py checks them on
# this file), but the fsync at every commit (5 ms on this disk, more while the other worker
# writes) costs nothing there. Some 1,600 tests commit five times or more each.
MEMORY_DISK = Path("/dev/shm")


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for the API server, one per backend for the whole session."""
    with contextlib.ExitStack() as cleanup:
        if backend == "sqlite":
            if MEMORY_DISK.is_dir() and os.access(MEMORY_DISK, os.W_OK):
                folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(dir=MEMORY_DISK)))
            else:
                folder = tmp_path_factory.mktemp("db")
            url = sqlite_url(folder / "est.db")
        else:
            url = fresh_postgres_database("api")
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def server(
    database_url: str, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    # Photos (#20) in a directory of the session's own, not the checkout's var/photos.
    # Its public address is its own (an identity provider sends the browser back to it).
    port = free_port()
    settings = settings_for(
        database_url,
        photo_dir=str(tmp_path_factory.mktemp("photos")),
        public_url=f"http://127.0.0.1:{port}",
    )
    app = create_embedded_app(settings)
    live = LiveServer(app, port).start()
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
            DATABASES[id(client)] = server.database
            yield client
            DATABASES.pop(id(client), None)
    finally:
        empty_tables(server.database)


@pytest.fixture
def web(server: Server, api: httpx.Client) -> Iterator[httpx.Client]:
    """The web pages as a browser without JavaScript sees them, signed in as the test
    administrator (the session cookie holds the API token, as after signing in)."""
    with http_client(base_url=server.url, timeout=30, cookies=session_cookie(api)) as client:
        yield client


@pytest.fixture
def anon(server: Server, api: httpx.Client) -> Iterator[httpx.Client]:
    """A client that has not signed in (the tables are emptied after the test by ``api``)."""
    with server.client() as client:
        yield client


@pytest.fixture
def demo_towns(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """The demo municipalities ``demo`` loads: Upplands-Bro alone, as most tests need; every
    one (DEMO_TOWNS, as ``est seed --demo`` loads them) for a test marked ``jarfalla``,
    where Järfälla plays a part (``pytestmark = pytest.mark.jarfalla`` for a module)."""
    return DEMO_TOWNS if request.node.get_closest_marker("jarfalla") else (UPPLANDS_BRO,)


@pytest.fixture
def demo(server: Server, api: httpx.Client, demo_towns: tuple[str, ...]) -> Demo:
    """The demo structure of Upplands-Bro (and of its neighbours, with ``demo_towns``), and
    Upplands-Bro's records by name as the API shows them."""

    def load() -> None:
        with server.database.session(write=True) as session:
            load_demo(session, towns=demo_towns)

    load_once(server.database, "demo:" + ",".join(demo_towns), load)
    with server.database.session(write=False) as session:
        home = session.scalar(select(Municipality.id).order_by(Municipality.id))
    assert home is not None
    adopt_municipality(server.database, home)

    def by_name(path: str) -> dict[str, Any]:
        items = api.get(path, params={"limit": 200}).json()["items"]
        return {item.get("name", item.get("code")): item for item in items}

    return {
        "municipality": api.get("/api/v1/municipalities").json()["items"][0],
        "areas": by_name("/api/v1/areas"),
        "organisations": by_name("/api/v1/organisations"),
        "groups": by_name("/api/v1/groups"),
    }


@pytest.fixture
def people(server: Server, demo: Demo) -> People:
    """The demo accounts, one per role, each with a fresh session token: ``tokens[name]``,
    and their user records as the API shows them: ``users[name]``. Password: DEMO_PASSWORD."""

    def load() -> None:
        with server.database.session(write=True) as session:
            load_demo_users(
                session,
                password_hash=demo_password_hash(),
                secret_key=server.settings.secret_key.get_secret_value(),
            )

    load_once(server.database, "people", load)
    by_email = server.tokens_for(PEOPLE.values())
    tokens = {name: by_email[email] for name, email in PEOPLE.items()}
    with server.client(tokens["admin"]) as admin:
        listed = admin.get("/api/v1/users", params={"limit": 200}).json()["items"]
    users = {
        name: next(u for u in listed if u["email"].lower() == email)
        for name, email in PEOPLE.items()
    }
    return {"tokens": tokens, "users": users, **demo}

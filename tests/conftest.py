from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api import migrate
from api.db import Database
from api.seed import load_demo
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


@pytest.fixture(scope="session")
def server(database_url: str, backend: str) -> Iterator[Server]:
    app = create_embedded_app(settings_for(database_url))
    live = LiveServer(app).start()
    database = Database.from_url(database_url)
    try:
        yield Server(live.url, database, backend)
    finally:
        live.stop()
        database.dispose()


@pytest.fixture
def api(server: Server) -> Iterator[httpx.Client]:
    """An HTTP client of the running server. The tables are emptied after each test: requests
    commit for real, so a test's own transaction could not hold them."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        try:
            yield client
        finally:
            empty_tables(server.database)


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

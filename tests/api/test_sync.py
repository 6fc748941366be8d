"""The change feed and `est sync`, between two running instances of this product: what is
filed, corrected and withdrawn on the remote arrives here, page by page, once; a sync
resumes where the last one stopped; a flaky remote is retried."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.accounts import schemas as account_schemas
from api.accounts import service_tokens
from api.accounts.models import User
from api.actor import SYSTEM
from api.db import Database
from api.integrations import sync
from api.seed import load_demo
from api.structure.models import Organisation
from tests.support.factories import file_report
from tests.support.people import Demo, People, demo_password_hash
from tests.support.servers import LiveServer, Server, migrated_database, settings_for
from web.embedded import create_embedded_app

V1 = "/api/v1"
REMOTE_ADMIN = "fjarr@est.test"


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[Server]:
    """A second instance on its own SQLite file, with Upplands-Bro's structure and a feed
    without lag (what changed is served at once)."""
    url = migrated_database("sqlite", "remote", tmp_path)
    database = Database.from_url(url)
    with database.session(write=True) as session:
        load_demo(session)
        rapid = session.scalar(select(Organisation).where(Organisation.name == "Rapid Säkerhet"))
        assert rapid is not None
        # Someone who files there: an administrator of an organisation.
        session.add(
            User(name="Fjärr Admin", email=REMOTE_ADMIN, is_admin=True,
                 organisation_id=rapid.id, municipality_id=rapid.municipality_id,
                 password_hash=demo_password_hash())
        )  # fmt: skip
    settings = settings_for(url, feed_lag_seconds=0)
    live = LiveServer(create_embedded_app(settings)).start()
    try:
        yield Server(live.url, database, "sqlite", settings)
    finally:
        live.stop()
        database.dispose()


def feed_token(remote: Server) -> str:
    with remote.database.session(write=True) as session:
        organisation = session.scalar(
            select(Organisation.id).where(Organisation.name == "Rapid Säkerhet")
        )
        assert organisation is not None
        token, _ = service_tokens.create_service_token(
            session,
            account_schemas.ServiceTokenCreate(source="embrace", organisation_id=organisation),
            actor=SYSTEM,
        )
    return token


def file_on(remote: Server, *days: int) -> list[int]:
    with remote.client(remote.token_for(REMOTE_ADMIN)) as admin:
        areas = {a["name"]: a["id"] for a in admin.get(f"{V1}/areas").json()["items"]}
        organisations = admin.get(f"{V1}/organisations", params={"limit": 100}).json()["items"]
        rapid = next(o["id"] for o in organisations if o["name"] == "Rapid Säkerhet")
        filed = admin.post(
            f"{V1}/reports",
            json={
                "organisation_id": rapid,
                "incidents": [
                    {"category": "skadegorelse.klotter", "area_id": areas["Bro"],
                     "occurred_from": f"2025-05-{day:02d}", "precision": "day",
                     "assessment": "medium", "description": f"Klotter dag {day}."}
                    for day in days
                ],
            },
        )  # fmt: skip
    assert filed.status_code == 201, filed.text
    return [i["id"] for i in filed.json()["incidents"]]


def feed_url(remote: Server) -> str:
    return f"{remote.url}{V1}/integrations/embrace/changes"


def ours(api: httpx.Client) -> dict[str, dict[str, Any]]:
    items = api.get(f"{V1}/incidents", params={"source": "remote", "limit": 100}).json()["items"]
    withdrawn = api.get(
        f"{V1}/incidents", params={"source": "remote", "limit": 100, "withdrawn": "true"}
    ).json()["items"]
    return {i["external_id"]: i for i in items + withdrawn}


def run_sync(server: Server, remote: Server, token: str) -> str:
    """`est sync` as a person runs it, against this test's server's database."""
    environment = {
        **os.environ,
        "EST_DATABASE_URL": server.database.engine.url.render_as_string(hide_password=False),
    }
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "sync", "--source", "remote", "--url",
         feed_url(remote), "--token", token, "--municipality", "Upplands-Bro kommun"],
        capture_output=True, text=True, env=environment, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_what_changes_on_the_remote_arrives_here_once(
    server: Server, api: httpx.Client, demo: Demo, remote: Server
) -> None:
    token = feed_token(remote)
    first, second, third = file_on(remote, 1, 2, 3)
    said = run_sync(server, remote, token)
    assert "3 nya, 0 ändrade" in said, said
    here = ours(api)
    assert set(here) == {str(first), str(second), str(third)}
    one = here[str(first)]
    assert (one["precision"], one["description"]) == ("day", "Klotter dag 1.")
    assert one["occurred_from"] == "2025-04-30T22:00:00Z"  # the Swedish day, as there
    assert one["organisation"]["name"] == "Rapid Säkerhet"

    # Nothing new: nothing taken.
    assert "0 nya, 0 ändrade, 0 oförändrade" in run_sync(server, remote, token)

    # Corrected, withdrawn, and a new one on the remote.
    with remote.client(remote.token_for(REMOTE_ADMIN)) as admin:
        assert (
            admin.patch(f"{V1}/incidents/{first}", json={"assessment": "high"}).status_code == 200
        )
        assert (
            admin.post(f"{V1}/incidents/{second}/withdraw", json={"reason": "mistake"}).status_code
            == 200
        )
    (fourth,) = file_on(remote, 4)
    said = run_sync(server, remote, token)
    assert "1 nya, 2 ändrade, 0 oförändrade, 0 avvisade" in said, said
    here = ours(api)
    assert here[str(first)]["assessment"] == "high"
    assert here[str(first)]["version"] == 2
    assert here[str(second)]["withdrawn"] is True
    assert str(fourth) in here


class Flaky:
    """A proxy in front of the remote that answers its first ``failures`` requests with 503
    and Retry-After: 0, and passes the rest through."""

    def __init__(self, target: str, failures: int) -> None:
        self.target = target
        self.failures = failures
        self.calls = 0
        self.lock = threading.Lock()
        self.app = Starlette(routes=[Route("/{path:path}", self.handle)])

    async def handle(self, request: Request) -> Response:
        with self.lock:
            self.calls += 1
            failing = self.calls <= self.failures
        if failing:
            return Response("busy", status_code=503, headers={"Retry-After": "0"})
        async with httpx.AsyncClient() as client:
            answer = await client.get(
                f"{self.target}{request.url.path}",
                params=request.query_params,
                headers={"Authorization": request.headers.get("authorization", "")},
            )
        return Response(answer.content, answer.status_code, media_type="application/json")


def test_a_sync_pages_resumes_and_retries(
    server: Server, api: httpx.Client, demo: Demo, remote: Server
) -> None:
    token = feed_token(remote)
    town = demo["municipality"]["id"]
    filed = file_on(remote, 1, 2, 3, 4, 5)
    flaky = Flaky(remote.url, failures=2)
    proxy = LiveServer(flaky.app).start()
    waited: list[float] = []
    try:
        url = f"{proxy.url}{V1}/integrations/embrace/changes"
        # Two pages of two, then stopped: as if the machine went down.
        result = sync.sync(
            server.database,
            "remote",
            url,
            token,
            page_size=2,
            max_pages=2,
            sleep=waited.append,
            municipality_id=town,
        )
        assert (result.pages, result.counts["created"]) == (2, 4)
        assert waited == [0.5, 1.0]  # the two 503s, retried with backoff
        assert len(ours(api)) == 4
        # Resumed: only the fifth, then an empty page says it is done.
        result = sync.sync(
            server.database,
            "remote",
            url,
            token,
            page_size=2,
            sleep=waited.append,
            municipality_id=town,
        )
        assert (result.counts["created"], result.counts["unchanged"]) == (1, 0)
        assert set(ours(api)) == {str(i) for i in filed}
        # A remote that refuses says so, without retrying.
        with pytest.raises(sync.SyncFailed, match="401"):
            sync.sync(
                server.database,
                "remote",
                url,
                "ests_fel",
                sleep=waited.append,
                municipality_id=town,
            )
        flaky.failures = flaky.calls + 10
        with pytest.raises(sync.SyncFailed, match="gav upp efter 3 försök"):
            sync.sync(
                server.database,
                "other",
                url,
                token,
                retries=2,
                sleep=waited.append,
                municipality_id=town,
            )
    finally:
        proxy.stop()


def test_the_feed_holds_back_what_changed_a_moment_ago(
    server: Server, api: httpx.Client, people: People
) -> None:
    """On a server with the default lag: an incident changed just now is not served yet,
    and the cursor waits for it."""
    rapid = people["organisations"]["Rapid Säkerhet"]["id"]
    token = api.post(
        f"{V1}/service-tokens", json={"source": "embrace", "organisation_id": rapid}
    ).json()["token"]
    file_report(
        server,
        people["tokens"]["coordination"],
        {"category": "trafik", "area_id": people["areas"]["Bro"]["id"]},
    )
    with server.client(token) as tool:
        now = tool.get(f"{V1}/integrations/embrace/changes").json()
        assert now["items"] == []
        time.sleep(server.settings.feed_lag_seconds + 0.2)
        later = tool.get(f"{V1}/integrations/embrace/changes", params={"cursor": now["cursor"]})
        assert [i["category"] for i in later.json()["items"]] == ["trafik"]
        refused = tool.get(f"{V1}/integrations/embrace/changes", params={"cursor": "inte"})
        assert refused.status_code == 422

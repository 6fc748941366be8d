"""A page that fails in a way no handler foresaw is still answered in Swedish, on the site's
error page with status 500, never with a bare English "Internal Server Error" or a reset."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from tests.support.servers import settings_for
from web.app import create_web_app
from web.client import ApiClient


def test_a_failing_page_answers_500_in_swedish() -> None:
    settings = settings_for("sqlite://")
    api = ApiClient(httpx.AsyncClient(base_url="http://127.0.0.1:9"))
    app = create_web_app(api, settings, shed_load=False)

    async def broken() -> None:
        raise RuntimeError("a template's undefined macro, say")

    app.add_api_route("/trasig", broken, methods=["GET"])
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/trasig")
    assert answer.status_code == 500
    assert "text/html" in answer.headers["content-type"]
    assert "Något gick fel" in answer.text
    assert "Internal Server Error" not in answer.text

"""The web pages, served for real and read as a browser without JavaScript would."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_api_app
from tests.support.factories import make_municipality
from tests.support.people import Demo, session_cookie
from tests.support.servers import LiveServer, Server, free_port, settings_for
from web.app import create_web_app
from web.client import ApiClient


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_start_page_shows_the_est_structure(web: httpx.Client, demo: Demo) -> None:
    response = web.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["vary"] == "HX-Request, HX-Boosted, HX-History-Restore-Request"
    html = response.text
    text = text_of(html)
    assert '<html lang="sv">' in html
    assert "EST-strukturen i Upplands-Bro kommun" in text
    # Top to bottom: steering, coordination, then the three area groups.
    positions = [
        text.index(name)
        for name in (
            "EST styrgrupp",
            "EST samordningsgrupp",
            "EST områdesgrupp Bro",
            "EST områdesgrupp Brunna",
            "EST områdesgrupp Kungsängen",
        )
    ]
    assert positions == sorted(positions)
    assert "varannan vecka" in text
    assert "Rapid Säkerhet" in text and "Nattvandrare (föreningar)" in text
    for group in demo["groups"].values():
        assert f'href="/grupper/{group["id"]}"' in html
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    head = web.head("/")
    assert head.status_code == 200
    assert head.content == b""


def test_group_page(web: httpx.Client, demo: Demo) -> None:
    bro = demo["groups"]["EST områdesgrupp Bro"]
    response = web.get(f"/grupper/{bro['id']}")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Områdesgrupp" in text
    assert "Deltagande aktörer (13)" in text
    for name in ("Hembla", "Räddningstjänsten", "Systerskap i Bro", "Fältgruppen"):
        assert name in text
    assert "Platser i Bro" in text and "Finnsta" in text and "Råbyskolan" in text
    # Swedish order: Råby, Råbyskolan, Råbystigen, then Örnstigen last.
    assert text.index("Råbystigen") < text.index("Örnstigen")
    assert f'href="/omraden/{demo["areas"]["Bro"]["id"]}"' in response.text
    coordination = demo["groups"]["EST samordningsgrupp"]
    assert f'href="/grupper/{coordination["id"]}"' in response.text


def test_area_page(web: httpx.Client, demo: Demo) -> None:
    kungsängen = demo["areas"]["Kungsängen"]
    text = text_of(web.get(f"/omraden/{kungsängen['id']}").text)
    assert "EST områdesgrupp Kungsängen" in text
    assert "Trappans fritidsgård" in text


@pytest.mark.parametrize("path", ["/grupper/987654", "/grupper/abc", "/omraden/0", "/finns-inte"])
def test_missing_pages_are_swedish_404s(web: httpx.Client, path: str) -> None:
    response = web.get(path)
    assert response.status_code == 404
    assert "Sidan finns inte" in response.text
    assert 'href="/"' in response.text


def test_organisation_filter_whole_page_and_fragment(web: httpx.Client, demo: Demo) -> None:
    whole = web.get("/organisationer", params={"typ": "housing"})
    assert whole.status_code == 200
    assert "<html" in whole.text
    assert "Upplands-Brohus" in whole.text and "Hembla" in whole.text
    assert "Rapid Säkerhet" not in text_of(whole.text.split('id="results"')[1])

    fragment = web.get("/organisationer", params={"q": "polis"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<section id="results"')
    assert "Polisen, lokalpolisområde" in fragment.text
    assert "1 organisation" in text_of(fragment.text)

    # Boosted navigation and history restores need the whole page.
    for header in ("HX-Boosted", "HX-History-Restore-Request"):
        response = web.get("/organisationer", headers={"HX-Request": "true", header: "true"})
        assert "<html" in response.text


def test_bad_filter_is_shown_beside_the_field(web: httpx.Client, demo: Demo) -> None:
    response = web.get("/organisationer", params={"typ": "maffia"})
    assert response.status_code == 200
    assert 'id="typ-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Välj en typ i listan." in response.text


def test_errors_reach_the_form_also_with_htmx(web: httpx.Client, demo: Demo) -> None:
    long = web.get("/organisationer", params={"q": "x" * 300})
    assert long.status_code == 200
    assert 'id="q-error"' in long.text and "högst 200 tecken" in long.text
    # For htmx, the form (not only the results) is swapped in, so the message shows.
    fragment = web.get("/organisationer", params={"q": "a\u0000b"}, headers={"HX-Request": "true"})
    assert fragment.headers["hx-retarget"] == "#main"
    assert 'id="q-error"' in fragment.text
    assert "<html" not in fragment.text


def test_web_health(server: Server, split: tuple[str, str]) -> None:
    _api_url, web_url = split
    assert httpx.get(f"{web_url}/healthz").json() == {"status": "ok"}


def test_empty_database_says_what_to_do(web: httpx.Client, api: httpx.Client) -> None:
    # The administrator of a municipality with nothing in it yet: what to set up first, in
    # Swedish and with links, never a developer's command.
    make_municipality(api, "Håbo kommun")
    html = web.get("/").text
    text = text_of(html)
    assert "est seed" not in text and "Upplands-Bro" not in text
    assert "EST-strukturen i Håbo kommun" in text
    assert "Det finns inga EST-grupper i Håbo kommun än" in text and "Börja så här" in text
    assert 'href="/kommun/installningar"' in html and 'href="/organisationer"' in html


@pytest.fixture
def split(server: Server, database_url: str) -> Iterator[tuple[str, str]]:
    """The compose topology: the API and the web front end as two servers."""
    settings = settings_for(database_url)
    api_server = LiveServer(create_api_app(settings)).start()
    web = create_web_app(ApiClient(httpx.AsyncClient(base_url=api_server.url)), settings)
    web_server = LiveServer(web).start()
    try:
        yield api_server.url, web_server.url
    finally:
        web_server.stop()
        api_server.stop()


def test_split_mode_reads_through_the_api_url(
    split: tuple[str, str], demo: Demo, api: httpx.Client
) -> None:
    _api_url, web_url = split
    response = httpx.get(f"{web_url}/", cookies=session_cookie(api))
    assert response.status_code == 200
    assert "EST samordningsgrupp" in response.text


def test_unreachable_api_is_a_clear_503(database_url: str) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    web = create_web_app(ApiClient(httpx.AsyncClient(base_url=closed)), settings_for(database_url))
    server = LiveServer(web).start()
    try:
        response = httpx.get(f"{server.url}/", cookies={"est_session": "estu_whatever"})
    finally:
        server.stop()
    assert response.status_code == 503
    assert "Tjänsten svarar inte just nu" in response.text

"""What makes the report page installable and able to open offline, as a browser fetches it:
the manifest, its icons and the service worker, with the types and headers they need."""

from __future__ import annotations

import json
import re

import httpx

from tests.support.pages import browser_for
from tests.support.people import People
from tests.support.servers import Server


def allows_self(csp: str, directive: str) -> bool:
    """Whether a page's policy lets it load a worker or a manifest from its own site: the
    first of the directives the browser falls back through that the policy names decides."""
    rules: dict[str, list[str]] = {}
    for part in filter(str.strip, csp.split(";")):
        name, *sources = part.split()
        rules[name] = sources
    order = {
        "worker-src": ("worker-src", "child-src", "script-src", "default-src"),
        "manifest-src": ("manifest-src", "default-src"),
    }[directive]
    for name in order:
        if name in rules:
            return "'self'" in rules[name]
    return True


def test_the_service_worker_is_served_from_the_root_as_javascript_and_revalidated(
    anon: httpx.Client,
) -> None:
    response = anon.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    # A new version reaches the phones at their next visit.
    assert response.headers["cache-control"] == "no-cache"
    # Served from /, it may control /rapportera without a Service-Worker-Allowed header.
    assert 'importScripts("/static/offline-queue.js")' in response.text
    assert anon.get("/static/offline-queue.js").status_code == 200


def test_the_manifest_names_the_report_page_and_its_icons_are_there(anon: httpx.Client) -> None:
    response = anon.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(response.text)
    assert manifest["name"] == "EST Rapportera"
    assert manifest["lang"] == "sv"
    assert manifest["start_url"] == "/rapportera"
    assert manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        image = anon.get(icon["src"])
        assert image.status_code == 200, icon["src"]
        assert image.headers["content-type"].split(";")[0] == icon["type"]
        sizes.add(icon["sizes"])
        if icon["type"] == "image/png":
            side = int(icon["sizes"].split("x")[0])
            # The PNG's own header says the size the manifest says.
            assert image.content[:8] == b"\x89PNG\r\n\x1a\n"
            assert int.from_bytes(image.content[16:20]) == side
            assert int.from_bytes(image.content[20:24]) == side
    assert {"192x192", "512x512"} <= sizes


def test_the_report_page_links_the_manifest_and_its_policy_lets_the_worker_run(
    server: Server, people: People
) -> None:
    # A reporter's page: the report form is refused to whoever may not file (the test's
    # administrator belongs to no organisation).
    with browser_for(server, people, "reporter") as reporter:
        page = reporter.get("/rapportera")
    assert page.status_code == 200
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page.text
    assert re.search(r'<script src="/static/offline.js\?v=[0-9a-f]{10}"></script>', page.text)
    assert 'id="vantande"' in page.text
    csp = page.headers["content-security-policy"]
    assert allows_self(csp, "worker-src")
    assert allows_self(csp, "manifest-src")
    assert not allows_self("default-src 'self'; worker-src 'none'", "worker-src")

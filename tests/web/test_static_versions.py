"""Every static file a page names carries a digest of the content served at that address, so
a browser that kept an older copy (or the report page's service worker) fetches the new one
after a release; no version is bumped by hand any more (est.css stayed at "v=10" through
changes before)."""

from __future__ import annotations

import hashlib
import re

import httpx

from tests.support.pages import browser_for
from tests.support.people import People
from tests.support.servers import Server

PAGES = ["/", "/rapportera", "/handelser", "/karta", "/konto", "/tillganglighet"]
NAMED = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def test_each_static_address_names_the_digest_of_what_it_serves(
    server: Server, people: People
) -> None:
    seen: set[str] = set()
    # A reporter's pages: the report form is theirs (refused to whoever may not file).
    with browser_for(server, people, "reporter") as web:
        for path in PAGES:
            page = web.get(path)
            assert page.status_code == 200, path
            seen.update(NAMED.findall(page.text))
        _check(web, seen)


def _check(web: httpx.Client, seen: set[str]) -> None:
    assert any(address.startswith("/static/est.css?") for address in seen), seen
    for address in sorted(seen):
        _, _, query = address.partition("?")
        assert re.fullmatch(r"v=[0-9a-f]{10}", query), address
        served = web.get(address)
        assert served.status_code == 200, address
        assert query == "v=" + hashlib.sha256(served.content).hexdigest()[:10], address

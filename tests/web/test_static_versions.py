"""Every static file a page names carries a digest of the content served at that address, so
a browser that kept an older copy (or the report page's service worker) fetches the new one
after a release; no version is bumped by hand any more (est.css stayed at "v=10" through
changes before)."""

from __future__ import annotations

import hashlib
import re

import httpx

from tests.support.people import Demo

PAGES = ["/", "/rapportera", "/handelser", "/karta", "/konto", "/tillganglighet"]
NAMED = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def test_each_static_address_names_the_digest_of_what_it_serves(
    web: httpx.Client, demo: Demo
) -> None:
    seen: set[str] = set()
    for path in PAGES:
        page = web.get(path)
        assert page.status_code == 200, path
        seen.update(NAMED.findall(page.text))
    assert any(address.startswith("/static/est.css?") for address in seen), seen
    for address in sorted(seen):
        _, _, query = address.partition("?")
        assert re.fullmatch(r"v=[0-9a-f]{10}", query), address
        served = web.get(address)
        assert served.status_code == 200, address
        assert query == "v=" + hashlib.sha256(served.content).hexdigest()[:10], address

"""What makes the report page an installable web app that files without a connection: its
manifest and its service worker (web/static/sw.js, with web/static/offline-queue.js and
web/static/offline.js in the page).

The worker is served from the site's root, not from /static, because a worker controls only
pages under the path it was served from; registered with the scope /rapportera it controls
the report page and nothing else. It is asked for again at each visit (``no-cache``), so that
a new version reaches the phones at once.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from web.rendering import HERE

router = APIRouter()

SERVICE_WORKER = HERE / "static" / "sw.js"
# Swedish, as the pages; the colours are est.css's accent and wash.
MANIFEST: dict[str, Any] = {
    "name": "EST Rapportera",
    "short_name": "EST Rapportera",
    "description": "Rapportera iakttagelser till EST – även utan anslutning.",
    "lang": "sv",
    "dir": "ltr",
    "id": "/rapportera",
    "start_url": "/rapportera",
    "scope": "/",
    "display": "standalone",
    "background_color": "#f3f5f7",
    "theme_color": "#0b5cad",
    "icons": [
        {"src": "/static/icons/est-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icons/est-512.png", "sizes": "512x512", "type": "image/png"},
        {
            "src": "/static/icons/est-maskable-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": "/static/icons/est.svg", "sizes": "any", "type": "image/svg+xml"},
    ],
}


@router.get("/sw.js", include_in_schema=False)
async def service_worker() -> Response:
    return Response(
        SERVICE_WORKER.read_bytes(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/manifest.webmanifest", include_in_schema=False)
async def manifest() -> Response:
    return Response(
        json.dumps(MANIFEST, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> Response:
    # Browsers ask for it whatever the page links; a PNG answers as well as an .ico.
    return Response(
        (HERE / "static" / "icons" / "est-192.png").read_bytes(),
        media_type="image/png",
        headers={"Cache-Control": "public, max-age=86400"},
    )

"""The pages about the service itself, readable without signing in and linked from every
page's footer: the accessibility statement (tillgänglighetsredogörelse, which the DOS law,
lag 2018:1937, requires in the structure DIGG gives) and the privacy notice
(integritetsmeddelande), whose text the municipality sets through the API.

Mirrors the privacy notice of ``api/structure``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.structure.schemas import PrivacyNoticeRead
from web import auth
from web.client import ApiError
from web.deps import PrivacyEditVisit, Visit, address, client_of
from web.forms.sending import Refused, send
from web.public import Addressed, addressed
from web.rendering import page, redirect, render

router = APIRouter()

# The longest notice the API takes, and a little room for line breaks sent as CR LF.
MAX_NOTICE = 25_000
# When the accessibility statement was last reviewed against the pages (DIGG asks for it).
STATEMENT_REVIEWED = dt.date(2026, 12, 5)


@dataclass
class Block:
    """A part of a text written as plain lines: a heading, a paragraph or a list."""

    kind: str  # heading, paragraph, list
    lines: list[str] = field(default_factory=list)


def blocks(text: str) -> list[Block]:
    """The notice's plain text as blocks: parts separated by an empty line, a line
    beginning with "## " a heading, lines beginning with "- " a list. Only text comes out,
    never markup: the template escapes every line."""
    found: list[Block] = []
    for part in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in part.split("\n") if line.strip()]
        while lines and lines[0].startswith("## "):
            found.append(Block("heading", [lines.pop(0)[3:].strip()]))
        if not lines:
            continue
        items = [line[2:].strip() for line in lines if line.startswith("- ")]
        if len(items) == len(lines):
            found.append(Block("list", items))
        else:
            found.append(Block("paragraph", [" ".join(lines)]))
    return found


async def _maybe_signed_in(request: Request) -> None:
    """These pages are open to all; a signed-in person still sees their menu on them."""
    token = auth.session_token(request)
    if token is None:
        return
    chosen = auth.chosen_municipality(request)
    try:
        request.state.me = await client_of(request).acting_for(token, address(request), chosen).me()
    except ApiError as exc:
        # A choice of municipality that no longer holds: the menu is left out then.
        if exc.status != 401 and exc.problem.code != "not_in_municipality":
            raise


async def _notice(
    request: Request, kommun: str | None
) -> tuple[PrivacyNoticeRead | None, Addressed]:
    """The notice of the municipality the page is for: the one chosen (``?kommun=``), else
    the signed-in person's, else the installation's only one; None where there is no
    municipality yet, or several and none chosen (the page offers the choice)."""
    me = getattr(request.state, "me", None)
    own = me.municipality.id if me is not None and me.municipality is not None else None
    town = await addressed(request, kommun, fallback=own)
    if town.chosen is None:
        return None, town
    api = client_of(request).acting_for(None, address(request))
    return await api.privacy_notice(town.chosen), town


Kommun = Annotated[str, Query(max_length=12)]


@page(router, "/tillganglighet", name="accessibility")
async def accessibility_page(request: Request, kommun: Kommun = "") -> Response:
    await _maybe_signed_in(request)
    notice, _town = await _notice(request, kommun)
    return render(
        request,
        "accessibility.html",
        {
            "nav": "accessibility",
            "municipality": notice.municipality.name if notice else None,
            "reviewed": STATEMENT_REVIEWED,
        },
    )


@page(router, "/integritet", name="privacy")
async def privacy_page(request: Request, kommun: Kommun = "") -> Response:
    await _maybe_signed_in(request)
    notice, town = await _notice(request, kommun)
    return render(
        request,
        "privacy.html",
        {
            "nav": "privacy",
            "notice": notice,
            "addressed": town,
            "blocks": blocks(notice.text) if notice else [],
        },
    )


async def _editable(visit: Visit) -> PrivacyNoticeRead:
    # Only for set_privacy_notice (PrivacyEditVisit of the routes that call this).
    # The notice of the municipality the administrator acts in.
    acting = visit.me.municipality
    return await visit.api.privacy_notice(acting.id if acting is not None else None)


def _edit_form(
    request: Request,
    notice: PrivacyNoticeRead,
    text: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "privacy_edit.html",
        {"nav": "privacy", "notice": notice, "text": text, "errors": errors or {}},
        status=status,
    )


@page(router, "/integritet/andra", name="privacy_edit")
async def privacy_edit_page(request: Request, visit: PrivacyEditVisit) -> Response:
    notice = await _editable(visit)
    return _edit_form(request, notice, notice.text)


@router.post("/integritet/andra", response_class=HTMLResponse, name="privacy_edit_submit")
async def privacy_edit_submit(
    request: Request,
    visit: PrivacyEditVisit,
    text: Annotated[str, Form(max_length=MAX_NOTICE)] = "",
    standard: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    notice = await _editable(visit)
    saved = await send(
        visit.api.set_privacy_notice(notice.municipality.id, None if standard else text),
        {"text": "text"},
    )
    if isinstance(saved, Refused):
        return _edit_form(request, notice, text, saved.errors, status=422)
    return redirect(request, "/integritet")

"""A person's own account page (/konto): their choices, today whether they get an e-mail when
feedback arrives on what they reported (#18). Their reports are on the start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from web import client_own as own
from web.deps import MAX_FORM_FIELD, VisitDep
from web.rendering import page, redirect, render

router = APIRouter()


@page(router, "/konto", name="account")
async def account_page(request: Request, visit: VisitDep) -> Response:
    saved = request.query_params.get("sparat") == "1"
    return render(request, "account.html", {"saved": saved})


@router.post("/konto", response_class=HTMLResponse, name="account_submit")
async def account_submit(
    request: Request,
    visit: VisitDep,
    # An unticked box is not sent at all.
    aterkoppling: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
) -> Response:
    await own.update_me(visit.api, feedback_email=aterkoppling == "ja")
    return redirect(request, "/konto?sparat=1")

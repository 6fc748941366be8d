"""Reading in a mapping tool's export: the upload, its preview and confirmation, and the
sources' category names mapped onto the categories.

Mirrors the import side of ``api/integrations``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from web import format as fmt
from web.choices import choices
from web.deps import MAX_FORM_FIELD, ImportVisit, PageId, Visit
from web.forms import imports as forms
from web.forms.sending import Refused, send, unless
from web.rendering import page, redirect, render, settings_of

router = APIRouter()


async def import_form(
    request: Request,
    visit: Visit,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    organisations = sorted(await visit.api.organisations(), key=lambda o: fmt.sort_key(o.name))
    return render(
        request,
        "import.html",
        {
            "organisations": organisations,
            "f": values or {"kalla": "embrace", "organisation": ""},
            "errors": errors or {},
            "max_mb": settings_of(request).max_upload_bytes // (1024 * 1024),
        },
        status=status,
    )


@page(router, "/import", name="import_form")
async def import_page(request: Request, visit: ImportVisit) -> Response:
    return await import_form(request, visit)


@router.post("/import", response_class=HTMLResponse, name="import_upload")
async def import_upload(request: Request, visit: ImportVisit) -> Response:
    largest = settings_of(request).max_upload_bytes
    form = await request.form(max_part_size=largest + 1)
    values = {
        "kalla": str(form.get("kalla", "")).strip()[:40],
        "organisation": str(form.get("organisation", ""))[:20],
    }
    errors: dict[str, str] = {}
    upload = form.get("fil")
    content = b""
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["fil"] = "Välj filen att läsa in."
    else:
        content = await upload.read(largest + 1)
        if len(content) > largest:
            errors["fil"] = (
                f"Filen är större än {largest // (1024 * 1024)} MB. Läs in "
                "den med kommandot est import i stället."
            )
    if not errors and isinstance(upload, UploadFile):
        kept = await send(
            visit.api.upload_import(
                values["kalla"],
                upload.filename or "fil",
                content,
                fmt.parse_id(values["organisation"]),
            ),
            forms.UPLOAD_FIELDS,
            refusals={422},
        )
        if not isinstance(kept, Refused):
            return redirect(request, f"/import/{kept.id}")
        errors = kept.errors
    return await import_form(request, visit, values=values, errors=errors, status=422)


@page(router, "/import/kategorier", name="category_mappings")
async def mappings_page(
    request: Request, visit: ImportVisit, kalla: str = "", namn: str = ""
) -> Response:
    return await mappings_view(
        request, visit, values={"kalla": kalla[:40] or "embrace", "namn": namn[:200]}
    )


async def mappings_view(
    request: Request,
    visit: Visit,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "mappings.html",
        {
            **await choices(visit),
            "mappings": await visit.api.category_mappings(),
            "f": values,
            "errors": errors or {},
        },
        status=status,
    )


@router.post("/import/kategorier", response_class=HTMLResponse, name="put_mapping")
async def put_mapping(
    request: Request,
    visit: ImportVisit,
    kalla: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    namn: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    kategori: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
) -> Response:
    values = {"kalla": kalla.strip(), "namn": namn.strip(), "kategori": kategori}
    sent = await send(
        visit.api.put_category_mapping(values["kalla"], values["namn"], kategori),
        forms.MAPPING_FIELDS,
        refusals={422},
    )
    if isinstance(sent, Refused):
        return await mappings_view(request, visit, values=values, errors=sent.errors, status=422)
    return redirect(request, "/import/kategorier?sparat=1")


@router.post(
    "/import/kategorier/{mapping_id}/ta-bort",
    response_class=HTMLResponse,
    name="delete_mapping",
)
async def delete_mapping(request: Request, mapping_id: PageId, visit: ImportVisit) -> Response:
    await visit.api.delete_category_mapping(mapping_id)
    return redirect(request, "/import/kategorier")


@page(router, "/import/{import_id}", name="import_preview")
async def import_preview(request: Request, import_id: PageId, visit: ImportVisit) -> Response:
    kept = await visit.api.import_(import_id)
    return render(request, "import_show.html", {"imp": kept})


@router.post("/import/{import_id}", response_class=HTMLResponse, name="import_confirm")
async def import_confirm(request: Request, import_id: PageId, visit: ImportVisit) -> Response:
    # Confirmed already (409): the preview shows what came of it.
    await unless(visit.api.confirm_import(import_id), 409)
    return redirect(request, f"/import/{import_id}")

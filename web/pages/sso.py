"""Single sign-on (#22): signing in through the municipality's identity provider, and the
municipality administrator's page for it (the provider, and its groups mapped to EST
groups). Mirrors ``api/sso``; the API decides everything, the pages carry its answers.

A sign-in: ``/logga-in/oidc?kommun=<id>`` asks the API to start one and sends the browser on
to the provider, keeping the API's sealed flow in a cookie of this browser; the provider
sends the browser back to ``/logga-in/oidc/svar`` (the redirect URI), where the API finishes
it with the flow and the provider's answer, and the session cookie is set as after a
password sign-in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.accounts.schemas import USUAL_ROLE
from api.middleware import allow_external_redirect
from api.schemas_common import MAX_ID
from api.sso.schemas import ACS_PATH, DEFAULT_ATTRIBUTES, REDIRECT_PATH
from api.swedish import ROLES
from web import auth
from web import client_password_sign_in as password_calls
from web import client_sso as calls
from web.client_errors import ApiError
from web.deps import MunicipalityVisit, PageId, address, client_of, safe_next
from web.forms.sending import Refused, send
from web.pages.accounts import sign_in_form, signed_in
from web.rendering import page, redirect, render

router = APIRouter()
PAGE = "/kommun/inloggning"
Short = Annotated[str, Form(max_length=500)]
Protocol = Annotated[str, Query(max_length=2000)]
Municipality = Annotated[int, Query(ge=1, le=MAX_ID)]
Next = Annotated[str, Query(max_length=2000)]
START_AGAIN = "Inloggningen gick inte att slutföra. Börja om från inloggningssidan."


async def _start(request: Request, protocol: str, municipality_id: int, next_url: str) -> Response:
    """Asks the API to start a sign-in and sends the browser on to the provider, keeping
    the API's sealed flow in a cookie of this browser."""
    target = safe_next(next_url)
    api = client_of(request).acting_for(None, address(request))
    try:
        if protocol == "saml":
            saml = await calls.saml_start(api, municipality_id)
            location, flow = saml.redirect_url, saml.flow
        else:
            oidc = await calls.start(api, municipality_id)
            location, flow = oidc.authorization_url, oidc.flow
    except ApiError as exc:
        return await sign_in_form(
            request, next_url=target, message=exc.problem.detail, status=exc.problem.status
        )
    # Off this site, to the provider: the one redirect the security headers let through.
    allow_external_redirect(request.scope, location)
    response = Response(status_code=303, headers={"location": location})
    auth.set_sso_flow(request, response, protocol, flow, target)
    return response


async def _finish(request: Request, protocol: str, body: dict[str, str | None]) -> Response:
    """Asks the API to finish the sign-in with the provider's answer and the flow: the
    session cookie and on, or the sign-in page with the refusal."""
    kept = auth.sso_flow(request, protocol)
    if kept is None:
        return await sign_in_form(request, next_url="/", message=START_AGAIN, status=400)
    flow, target = kept
    api = client_of(request).acting_for(None, address(request))
    finish = calls.saml_finish if protocol == "saml" else calls.finish
    try:
        token = await finish(api, {"flow": flow, **body})
    except ApiError as exc:
        response = await sign_in_form(
            request, next_url=target, message=exc.problem.detail, status=exc.problem.status
        )
    else:
        response = signed_in(request, token, safe_next(target))
    # The flow is spent either way: the provider's answer is good once.
    auth.clear_sso_flow(request, response, protocol)
    return response


@page(router, "/logga-in/oidc", name="oidc_sign_in")
async def oidc_sign_in(request: Request, kommun: Municipality, next: Next = "/") -> Response:
    return await _start(request, "oidc", kommun, next)


@page(router, REDIRECT_PATH, name="oidc_callback")
async def oidc_callback(
    request: Request,
    state: Protocol = "",
    code: Protocol = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    return await _finish(
        request, "oidc", {"state": state, "code": code or None, "error": error or None}
    )


@page(router, "/logga-in/saml", name="saml_sign_in")
async def saml_sign_in(request: Request, kommun: Municipality, next: Next = "/") -> Response:
    return await _start(request, "saml", kommun, next)


@router.post(ACS_PATH, response_class=HTMLResponse, name="saml_acs")
async def saml_acs(
    request: Request,
    SAMLResponse: Annotated[str, Form(max_length=500_000)] = "",
    RelayState: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The AssertionConsumerService: the IdP's form posts its response here, from its own
    site (no CSRF token: the response answers the request this browser's flow names)."""
    return await _finish(
        request, "saml", {"saml_response": SAMLResponse, "relay_state": RelayState or None}
    )


# The administrator's page ----------------------------------------------------------------------

SETTINGS_FIELDS = {
    "issuer": "utfardare",
    "client_id": "klient_id",
    "client_secret": "klienthemlighet",
    "provision_organisation_id": "organisation",
}
MAPPING_FIELDS = {"claim_value": "grupp_varde", "group_id": "grupp", "role": "roll"}
SAML_FIELDS = {
    "metadata_url": "saml_metadata_url",
    "metadata_xml": "saml_metadata",
    "idp_entity_id": "saml_entity_id",
    "idp_sso_url": "saml_sso_url",
    "idp_certificate": "saml_certifikat",
    "provision_organisation_id": "saml_organisation",
    **{f"attributes.{kind}": f"saml_attr_{kind}" for kind in DEFAULT_ATTRIBUTES},
}


async def _page(
    request: Request,
    visit: MunicipalityVisit,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    saved: str = "",
    status: int = 200,
) -> Response:
    assert visit.me.municipality is not None  # the capability says so
    municipality_id = visit.me.municipality.id
    current = await calls.settings(visit.api, municipality_id)
    saml = await calls.saml_settings(visit.api, municipality_id)
    mappings = await calls.mappings(visit.api, municipality_id)
    groups = await visit.api.groups()
    organisations = await visit.api.organisations()
    # Password sign-in turned off, and the break-glass administrators (web.pages.password_sign_in).
    password = await password_calls.settings(visit.api, municipality_id)
    shown = {
        "utfardare": current.issuer or "",
        "klient_id": current.client_id or "",
        "aktiv": "on" if current.enabled or not current.configured else "",
        "nya_konton": "on" if current.provision_accounts else "",
        "organisation": str(current.provision_organisation_id or ""),
        "saml_metadata_url": saml.metadata_url or "",
        "saml_entity_id": saml.idp_entity_id or "",
        "saml_sso_url": saml.idp_sso_url or "",
        "saml_aktiv": "on" if saml.enabled or not saml.configured else "",
        "saml_nya_konton": "on" if saml.provision_accounts else "",
        "saml_organisation": str(saml.provision_organisation_id or ""),
        **{
            f"saml_attr_{kind}": "\n".join(getattr(saml.attributes, kind))
            for kind in DEFAULT_ATTRIBUTES
        },
        **(values or {}),
    }
    return render(
        request,
        "sign_in_settings.html",
        {
            "nav": "municipality",
            "municipality": visit.me.municipality,
            "current": current,
            "saml": saml,
            "mappings": mappings,
            "groups": groups,
            "organisations": organisations,
            "roles": ROLES,
            "usual_role": USUAL_ROLE,
            "values": shown,
            "errors": errors or {},
            "saved": saved,
            "password": password,
        },
        status=status,
    )


settings_page = _page  # the page with another section's refusal (web.pages.password_sign_in)


@page(router, PAGE, name="sign_in_settings")
async def sign_in_settings_page(
    request: Request, visit: MunicipalityVisit, sparat: str = ""
) -> Response:
    return await _page(request, visit, saved=sparat)


@router.post(PAGE, response_class=HTMLResponse, name="sign_in_settings_submit")
async def sign_in_settings_submit(
    request: Request,
    visit: MunicipalityVisit,
    utfardare: Short = "",
    klient_id: Short = "",
    klienthemlighet: Short = "",
    aktiv: Short = "",
    nya_konton: Short = "",
    organisation: Short = "",
) -> Response:
    assert visit.me.municipality is not None
    values = {
        "utfardare": utfardare,
        "klient_id": klient_id,
        "aktiv": aktiv,
        "nya_konton": nya_konton,
        "organisation": organisation,
    }
    body = {
        "issuer": utfardare.strip(),
        "client_id": klient_id.strip(),
        # Left empty: the secret kept stays.
        "client_secret": klienthemlighet or None,
        "enabled": bool(aktiv),
        "provision_accounts": bool(nya_konton),
        "provision_organisation_id": int(organisation) if organisation.isdigit() else None,
    }
    saved = await send(
        calls.set_settings(visit.api, visit.me.municipality.id, body), SETTINGS_FIELDS
    )
    if isinstance(saved, Refused):
        return await _page(request, visit, values=values, errors=saved.errors, status=422)
    return redirect(request, f"{PAGE}?sparat=leverantor")


@router.post(f"{PAGE}/grupper", response_class=HTMLResponse, name="sign_in_mapping_add")
async def sign_in_mapping_add(
    request: Request,
    visit: MunicipalityVisit,
    grupp_varde: Short = "",
    grupp: Short = "",
    roll: Short = "",
) -> Response:
    assert visit.me.municipality is not None
    body = {
        "claim_value": grupp_varde.strip(),
        "group_id": int(grupp) if grupp.isdigit() else None,
        "role": roll,
    }
    added = await send(calls.add_mapping(visit.api, visit.me.municipality.id, body), MAPPING_FIELDS)
    if isinstance(added, Refused):
        values = {"grupp_varde": grupp_varde, "grupp": grupp, "roll": roll}
        return await _page(request, visit, values=values, errors=added.errors, status=422)
    return redirect(request, f"{PAGE}?sparat=grupp#grupper")


@router.post(
    f"{PAGE}/grupper/{{mapping_id}}/ta-bort",
    response_class=HTMLResponse,
    name="sign_in_mapping_remove",
)
async def sign_in_mapping_remove(
    request: Request, visit: MunicipalityVisit, mapping_id: PageId
) -> Response:
    assert visit.me.municipality is not None
    await calls.remove_mapping(visit.api, visit.me.municipality.id, mapping_id)
    return redirect(request, f"{PAGE}?sparat=borttagen#grupper")


@router.post(f"{PAGE}/saml", response_class=HTMLResponse, name="sign_in_saml_submit")
async def sign_in_saml_submit(request: Request, visit: MunicipalityVisit) -> Response:
    """The municipality's SAML IdP: its metadata (an address, or pasted), or its entity id,
    address and certificate; the attributes' names, one a line."""
    assert visit.me.municipality is not None
    form = await request.form()
    values = {k: v for k, v in form.items() if k.startswith("saml_") and isinstance(v, str)}

    def given(name: str) -> str | None:
        return values.get(name, "").strip() or None

    organisation = values.get("saml_organisation", "")
    body = {
        "metadata_url": given("saml_metadata_url"),
        "metadata_xml": given("saml_metadata"),
        "idp_entity_id": given("saml_entity_id"),
        "idp_sso_url": given("saml_sso_url"),
        "idp_certificate": given("saml_certifikat"),
        "attributes": {
            kind: [n.strip() for n in values.get(f"saml_attr_{kind}", "").splitlines() if n.strip()]
            or DEFAULT_ATTRIBUTES[kind]
            for kind in DEFAULT_ATTRIBUTES
        },
        "enabled": bool(values.get("saml_aktiv")),
        "provision_accounts": bool(values.get("saml_nya_konton")),
        "provision_organisation_id": int(organisation) if organisation.isdigit() else None,
    }
    saved = await send(
        calls.set_saml_settings(visit.api, visit.me.municipality.id, body), SAML_FIELDS
    )
    if isinstance(saved, Refused):
        return await _page(request, visit, values=values, errors=saved.errors, status=422)
    return redirect(request, f"{PAGE}?sparat=saml#saml")

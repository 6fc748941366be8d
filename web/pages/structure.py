"""The EST structure: the start page, a group with its members, an area, the organisations.

Mirrors ``api/structure`` (and the memberships of ``api/accounts``, which a group's page
shows and its conveners change).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api import swedish
from api.access.schemas import Capability
from api.accounts.schemas import USUAL_ROLE
from api.schemas_common import MAX_SEARCH
from api.structure.schemas import GroupKind, GroupRead, OrganisationKind, OrganisationRead
from api.swedish import ROLES
from web import format as fmt
from web.client_own import own_reports
from web.deps import MAX_FORM_FIELD, MunicipalDataVisit, PageId, Visit, VisitDep
from web.forms.sending import Refused, send, unless
from web.rendering import is_fragment_request, page, redirect, render

router = APIRouter()


# What a person in the field may do beyond reading a group: filing, the evenings they work,
# their guard company's reports.
FIELD_WORK = frozenset(
    {
        # What everyone acting in a municipality reads (its incidents, map, organisations).
        Capability.read_municipality,
        Capability.file_reports,
        Capability.read_evenings,
        Capability.read_guard_reports,
        Capability.file_guard_reports,
        # The safety walks their organisation is invited to (they file findings there).
        Capability.read_safety_walks,
    }
)


@page(router, "/", name="index")
async def index(request: Request, visit: VisitDep) -> Response:
    # The municipality acted in (GET /auth/me), never the installation's first: a person of
    # several municipalities sees the one they chose, and one acting in none (a platform
    # operator) the platform's start page.
    municipality = visit.me.municipality
    if municipality is None:
        return render(request, "index.html", {"municipality": None, "platform_start": True})
    groups = await visit.api.groups()
    for group in groups:
        group.organisations = fmt.by_name(group.organisations)
    mine = await own_reports(visit.api)
    return render(
        request,
        "index.html",
        {
            # Reporting first, and the organisation chart folded away, for those who read no
            # group and may do nothing beyond filing: what the API says, not a role (#18).
            # (The evenings they work and their company's guard reports are the same field
            # work, #19.)
            "reporter_first": not any(m.reads_as_member for m in visit.me.memberships)
            and set(visit.me.can) <= FIELD_WORK,
            "own_reports": mine,
            "report_statuses": swedish.REPORT_STATUSES,
            "municipality": municipality,
            "headings": swedish.GROUP_KIND_HEADINGS,
            "steering": [g for g in groups if g.kind == GroupKind.steering],
            "coordination": [g for g in groups if g.kind == GroupKind.coordination],
            "area_groups": sorted(
                (g for g in groups if g.kind == GroupKind.area),
                key=lambda g: fmt.sort_key(g.area.name if g.area else g.name),
            ),
        },
    )


async def group_view(
    request: Request,
    visit: Visit,
    group_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    group = await visit.api.group(group_id)
    places = await visit.api.places(area=group.area.id) if group.area else []
    in_municipality = await visit.api.groups(municipality=group.municipality_id)
    others = [g for g in in_municipality if g.id != group.id]
    # Only the group's own (and the steering group) see who is in it.
    members = await unless(visit.api.memberships(group.id), 403)
    decided = (await visit.api.interventions(group=group.id, limit=50)).items
    # Those in the group (and the municipality-wide readers) see what it was asked.
    waiting = await visit.api.assignments(to_group=group.id, status="open")
    return render(
        request,
        "group.html",
        {
            "group": group,
            "assignments": waiting,
            "organisations_by_kind": _by_kind(group.organisations),
            "places": sorted(places, key=lambda p: fmt.sort_key(p.name)),
            "related": _related(group, others),
            "members": members,
            "interventions": decided,
            "intervention_statuses": swedish.INTERVENTION_STATUSES,
            "roles": ROLES,
            "usual_role": USUAL_ROLE,
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


@page(router, "/grupper/{group_id}", name="group")
async def group_page(request: Request, group_id: PageId, visit: VisitDep) -> Response:
    return await group_view(request, visit, group_id)


@router.post("/grupper/{group_id}/medlemmar", response_class=HTMLResponse, name="add_member")
async def add_member(
    request: Request,
    group_id: PageId,
    visit: VisitDep,
    email: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    roll: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
) -> Response:
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = "Fyll i personens e-postadress."
    if roll not in ROLES:
        errors["roll"] = "Välj en roll i listan."
    user = None
    if not errors:
        user = await visit.api.user_by_email(email.strip())
        if user is None:
            errors["email"] = (
                "Det finns inget konto med den e-postadressen. Be en administratör "
                "skapa kontot först."
            )
    if errors or user is None:
        values = {"email": email, "roll": roll}
        return await group_view(request, visit, group_id, errors=errors, values=values, status=422)
    await visit.api.put_membership(group_id, user.id, roll)
    return redirect(request, f"/grupper/{group_id}#medlemmar")


@router.post(
    "/grupper/{group_id}/medlemmar/{user_id}/ta-bort",
    response_class=HTMLResponse,
    name="remove_member",
)
async def remove_member(
    request: Request, group_id: PageId, user_id: PageId, visit: VisitDep
) -> Response:
    await visit.api.remove_membership(group_id, user_id)
    return redirect(request, f"/grupper/{group_id}#medlemmar")


@page(router, "/omraden/{area_id}", name="area")
async def area_page(request: Request, area_id: PageId, visit: VisitDep) -> Response:
    area = await visit.api.area(area_id)
    places = await visit.api.places(area=area.id)
    groups = await visit.api.groups(area=area.id)
    return render(
        request,
        "area.html",
        {
            "area": area,
            "places": sorted(places, key=lambda p: fmt.sort_key(p.name)),
            "groups": groups,
        },
    )


@page(router, "/organisationer", name="organisations")
async def organisations_page(
    request: Request,
    visit: MunicipalDataVisit,
    q: str = "",
    typ: str = "",
) -> Response:
    errors: dict[str, str] = {}
    organisations: list[OrganisationRead] = []
    if typ and typ not in {k.value for k in OrganisationKind}:
        errors["typ"] = "Välj en typ i listan."
    if len(q) > MAX_SEARCH:
        errors["q"] = f"Sök med högst {MAX_SEARCH} tecken."
    if not errors:
        found = await send(
            visit.api.organisations(q=q.strip() or None, kind=typ or None),
            {"q": "q", "kind": "typ"},
            refusals={422},
            other="q",
        )
        if isinstance(found, Refused):
            errors = found.errors
        else:
            organisations = found
    groups = await visit.api.groups()
    response = render(
        request,
        "organisations.html",
        {
            "q": q[:MAX_SEARCH],
            "typ": typ,
            "errors": errors,
            "kinds": swedish.ORGANISATION_KINDS,
            "organisations": sorted(organisations, key=lambda o: fmt.sort_key(o.name)),
            "groups_of": _groups_of(groups),
        },
        # A message beside a field needs the form, not only the results, swapped in.
        block="content" if errors else "results",
    )
    if errors and is_fragment_request(request):
        response.headers["HX-Retarget"] = "#main"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def _by_kind(organisations: list[Any]) -> list[tuple[str, list[Any]]]:
    """The organisations of a group, grouped by kind in a fixed order, each sorted by name."""
    grouped = []
    for kind, label in swedish.ORGANISATION_KIND_HEADINGS.items():
        members = [o for o in organisations if o.kind == kind]
        if members:
            grouped.append((label, fmt.by_name(members)))
    return grouped


def _related(group: GroupRead, others: list[GroupRead]) -> list[tuple[str, list[GroupRead]]]:
    """Where the group stands in the EST structure: the levels above and below it."""
    steering = [g for g in others if g.kind == GroupKind.steering]
    coordination = [g for g in others if g.kind == GroupKind.coordination]
    areas = [g for g in others if g.kind == GroupKind.area]
    heading = swedish.GROUP_KIND_HEADINGS
    if group.kind == GroupKind.steering:
        return [(heading["coordination"], coordination), (heading["area"], fmt.by_name(areas))]
    if group.kind == GroupKind.coordination:
        return [(heading["steering"], steering), (heading["area"], fmt.by_name(areas))]
    return [
        (heading["steering"], steering),
        (heading["coordination"], coordination),
        (f"Övriga {heading['area'].lower()}", fmt.by_name(areas)),
    ]


def _groups_of(groups: list[GroupRead]) -> dict[int, list[GroupRead]]:
    found: dict[int, list[GroupRead]] = {}
    for group in groups:
        for organisation in group.organisations:
            found.setdefault(organisation.id, []).append(group)
    return found

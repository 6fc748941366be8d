from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.audit import service as audit
from api.deps import ActorDep, SessionDep
from api.nightwalks import grants, hosts, schemas, service
from api.problems import problem_responses
from api.routing import PurposeQuery, location, page, shown
from api.schemas_common import ListQuery, Page, QueryId

router = APIRouter()
PathId = Annotated[QueryId, Path()]
TermQuery = Annotated[
    schemas.Term, Query(description="`2026-VT` (Jan–Jun) or `2026-HT` (Jul–Dec).")
]
READ = problem_responses(401, 403, 404, 422, 503)
WRITE = problem_responses(400, 401, 403, 404, 409, 422, 503)


# The hosts register --------------------------------------------------------------------------


@router.get(
    "/associations/{organisation_id}/hosts",
    response_model=Page[schemas.HostRead],
    operation_id="list_hosts",
    summary="An association's trained night-walk hosts (vandravärdar), as registered",
    responses=READ,
)
def list_hosts(
    request: Request,
    organisation_id: PathId,
    query: Annotated[ListQuery, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> Page[schemas.HostRead]:
    found = hosts.list_hosts(session, organisation_id, query, actor=actor)
    # Names of persons, all of an association's: a read of many records.
    audit.record_export(
        session,
        object_type="hosts",
        form="list",
        asked={"organisation": organisation_id},
        rows=len(found.items),
    )
    return page(request, found, schemas.HostRead)


@router.post(
    "/associations/{organisation_id}/hosts",
    response_model=schemas.HostRead,
    status_code=201,
    operation_id="create_host",
    summary="Add a trained host to the association's register",
    responses=WRITE,
)
def create_host(
    organisation_id: PathId,
    body: schemas.HostCreate,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.HostRead:
    return shown(schemas.HostRead, hosts.create_host(session, organisation_id, body, actor=actor))


@router.patch(
    "/associations/{organisation_id}/hosts/{host_id}",
    response_model=schemas.HostRead,
    operation_id="update_host",
    summary="Change a host's name or training day, or make them inactive",
    responses=WRITE,
)
def update_host(
    organisation_id: PathId,
    host_id: PathId,
    body: schemas.HostUpdate,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.HostRead:
    host = hosts.update_host(session, organisation_id, host_id, body, actor=actor)
    return shown(schemas.HostRead, host)


# Walks ----------------------------------------------------------------------------------------


@router.get(
    "/night-walks",
    response_model=Page[schemas.NightWalkRead],
    operation_id="list_night_walks",
    summary="Night walks the caller reads, newest booked first, with filters",
    responses=problem_responses(400, 401, 403, 422, 503),
)
def list_night_walks(
    request: Request,
    query: Annotated[schemas.NightWalkFilter, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> Page[schemas.NightWalkRead]:
    found = service.list_walks(session, query, actor=actor)
    audit.record_export(
        session,
        object_type="night_walks",
        form="list",
        asked=query.model_dump(exclude={"limit", "cursor"}, by_alias=True),
        rows=len(found.items),
    )
    next_link = None
    if found.next_cursor is not None:
        url = request.url.include_query_params(cursor=found.next_cursor)
        next_link = f"{url.path}?{url.query}"
    return Page[schemas.NightWalkRead](
        items=[service.read(session, w, actor=actor) for w in found.items], next=next_link
    )


@router.post(
    "/night-walks",
    response_model=schemas.NightWalkRead,
    status_code=201,
    operation_id="create_night_walk",
    summary="Book an association's walk on an evening: at least three walkers, one a trained host",
    responses=WRITE,
)
def create_night_walk(
    body: schemas.NightWalkCreate, session: SessionDep, actor: ActorDep, response: Response
) -> schemas.NightWalkRead:
    walk = service.book(session, body, actor=actor)
    response.headers["Location"] = location(f"/night-walks/{walk.id}")
    return service.read(session, walk, actor=actor)


@router.get(
    "/night-walks/booking",
    response_model=schemas.WalkBooking,
    operation_id="get_night_walk_booking",
    summary="What the caller may book: their associations with hosts, and the evenings offered",
    responses=READ,
)
def get_night_walk_booking(session: SessionDep, actor: ActorDep) -> schemas.WalkBooking:
    return service.booking(session, actor=actor)


@router.get(
    "/night-walks/grants",
    response_model=schemas.GrantReport,
    operation_id="get_walk_grants",
    summary="Per association and term: reported walks, hours and person-hours (the grant basis)",
    responses=READ,
)
def get_walk_grants(
    term: TermQuery, session: SessionDep, actor: ActorDep, purpose: PurposeQuery = None
) -> schemas.GrantReport:
    report = grants.grant_report(session, term, actor=actor)
    audit.record_printout(
        session, purpose, object_type="night_walks", object_id=term, asked={"term": term},
        rows=len(report.associations),
    )  # fmt: skip
    return report


@router.get(
    "/night-walks/grants.csv",
    operation_id="walk_grants_csv",
    summary="The grant report as CSV for Excel (semicolons, decimal commas, inert cells)",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        **READ,
    },
)
def walk_grants_csv(term: TermQuery, session: SessionDep, actor: ActorDep) -> Response:
    report = grants.grant_report(session, term, actor=actor)
    audit.record_export(
        session,
        object_type="night_walks",
        object_id=term,
        form="csv",
        asked={"term": term},
        rows=len(report.associations),
    )
    return Response(
        grants.csv_text(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="nattvandringar-{term}.csv"'},
    )


@router.get(
    "/night-walks/{walk_id:int}",
    response_model=schemas.NightWalkRead,
    operation_id="get_night_walk",
    summary="A night walk, with its report once given",
    responses=READ,
)
def get_night_walk(walk_id: PathId, session: SessionDep, actor: ActorDep) -> schemas.NightWalkRead:
    return service.read(session, service.get_walk(session, walk_id, actor=actor), actor=actor)


@router.patch(
    "/night-walks/{walk_id:int}",
    response_model=schemas.NightWalkRead,
    operation_id="update_night_walk",
    summary="Change a walk (walkers, hosts, times, route), or cancel it",
    responses=WRITE,
)
def update_night_walk(
    walk_id: PathId, body: schemas.NightWalkUpdate, session: SessionDep, actor: ActorDep
) -> schemas.NightWalkRead:
    return service.read(session, service.update(session, walk_id, body, actor=actor), actor=actor)


@router.post(
    "/night-walks/{walk_id:int}/report",
    response_model=schemas.NightWalkRead,
    operation_id="report_night_walk",
    summary="Report the walk after it: real times, walkers, what was seen; observations filed once",
    responses=WRITE,
)
def report_night_walk(
    walk_id: PathId, body: schemas.NightWalkReport, session: SessionDep, actor: ActorDep
) -> schemas.NightWalkRead:
    return service.read(session, service.report(session, walk_id, body, actor=actor), actor=actor)

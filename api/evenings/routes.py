from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from api.actor import Actor
from api.audit import service as audit
from api.deps import ActorDep, SessionDep
from api.evenings import schemas, service, suggestions
from api.evenings.models import Evening
from api.problems import problem_responses
from api.routing import IfMatch, location
from api.schemas_common import DEFAULT_LIMIT, MAX_LIMIT, ListQuery, Page, QueryId
from api.situation.schemas import Day

router = APIRouter()
PathId = Annotated[QueryId, Path()]


def _read(
    session: SessionDep, evening: Evening, actor: Actor, response: Response
) -> schemas.EveningRead:
    response.headers["ETag"] = service.evening_etag(evening)
    return service.read(session, evening, actor=actor)


@router.get(
    "/evenings",
    response_model=Page[schemas.EveningRead],
    operation_id="list_evenings",
    summary="Evenings in the field the caller reads: the upcoming ones first, or of a period",
    responses=problem_responses(401, 403, 422, 503),
)
def list_evenings(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    first: Annotated[Day | None, Query(alias="from", description="First local day.")] = None,
    last: Annotated[Day | None, Query(alias="to", description="Last local day.")] = None,
    area: Annotated[QueryId | None, Query(description="One area's evenings.")] = None,
    when: Annotated[
        schemas.EveningWhen | None,
        Query(
            description="Without a period: upcoming (the default; the next first), past or "
            "all (the latest first). With `from` or `to`: the period's, in time order."
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[schemas.EveningRead]:
    found = service.list_evenings(
        session,
        ListQuery(limit=limit, cursor=cursor),
        first=first,
        last=last,
        area_id=area,
        when=when,
        actor=actor,
    )
    # A read of many records: its filter and how many, as other lists log it.
    audit.record_export(
        session,
        object_type="evenings",
        form="list",
        asked={"from": first, "to": last, "area": area, "when": when, "cursor": cursor},
        rows=len(found.items),
    )
    next_link = None
    if found.next_cursor is not None:
        url = request.url.include_query_params(cursor=found.next_cursor)
        next_link = f"{url.path}?{url.query}"
    return Page[schemas.EveningRead](
        items=[service.read(session, e, actor=actor) for e in found.items], next=next_link
    )


@router.post(
    "/evenings",
    response_model=schemas.EveningRead,
    status_code=201,
    operation_id="create_evening",
    summary="Plan an evening: its day (18:00–01:00) or times, area, kind, briefing, shifts",
    responses=problem_responses(400, 401, 403, 422, 503),
)
def create_evening(
    body: schemas.EveningCreate, session: SessionDep, actor: ActorDep, response: Response
) -> schemas.EveningRead:
    evening = service.create_evening(session, body, actor=actor)
    response.headers["Location"] = location(f"/evenings/{evening.id}")
    return _read(session, evening, actor, response)


@router.post(
    "/evenings/next-weekend",
    response_model=schemas.NextWeekendResult,
    operation_id="plan_next_weekend",
    summary="The coming Friday and Saturday evenings of an area, from its latest ones; "
    "those already planned are kept",
    responses={
        201: {"model": schemas.NextWeekendResult},
        **problem_responses(400, 401, 403, 422, 503),
    },
)
def plan_next_weekend(
    body: schemas.NextWeekend, session: SessionDep, actor: ActorDep
) -> JSONResponse:
    created, existing = service.next_weekend(session, body, actor=actor)
    result = schemas.NextWeekendResult(
        created=[service.read(session, e, actor=actor) for e in created],
        existing=[service.read(session, e, actor=actor) for e in existing],
    )
    return JSONResponse(result.model_dump(mode="json"), status_code=201 if created else 200)


@router.get(
    "/evenings/{evening_id:int}",
    response_model=schemas.EveningRead,
    operation_id="get_evening",
    summary="An evening: its briefing, shifts, places to watch, and what the caller may do",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_evening(
    evening_id: PathId, session: SessionDep, actor: ActorDep, response: Response
) -> schemas.EveningRead:
    return _read(session, service.get_evening(session, evening_id, actor=actor), actor, response)


@router.patch(
    "/evenings/{evening_id:int}",
    response_model=schemas.EveningRead,
    operation_id="update_evening",
    summary="Change the evening; `shifts` and `watch` replace the lists; If-Match optional",
    responses=problem_responses(400, 401, 403, 404, 412, 422, 503),
)
def update_evening(
    evening_id: PathId,
    body: schemas.EveningUpdate,
    session: SessionDep,
    actor: ActorDep,
    response: Response,
    if_match: IfMatch = None,
) -> schemas.EveningRead:
    evening = service.update_evening(session, evening_id, body, if_match=if_match, actor=actor)
    return _read(session, evening, actor, response)


@router.post(
    "/evenings/{evening_id:int}/close",
    response_model=schemas.EveningRead,
    operation_id="close_evening",
    summary="The evening is over: its log takes no more posts",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def close_evening(
    evening_id: PathId, session: SessionDep, actor: ActorDep, response: Response
) -> schemas.EveningRead:
    return _read(session, service.close_evening(session, evening_id, actor=actor), actor, response)


@router.get(
    "/evenings/{evening_id:int}/suggestions",
    response_model=schemas.EveningSuggestions,
    operation_id="get_evening_suggestions",
    summary="Places and hours to watch: the lägesbild's hot spots and past evenings like it",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_evening_suggestions(
    evening_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    weeks: Annotated[int, Query(ge=1, le=52, description="Past weeks to look at.")] = 8,
) -> schemas.EveningSuggestions:
    return suggestions.suggestions(session, evening_id, actor=actor, weeks=weeks)

"""An evening's live log: read it, post in it, follow it as it is written (server-sent
events), and make a post an observation."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from api.audit import service as audit
from api.db import Database
from api.deps import ActorDep, SessionDep, get_database
from api.evenings import log, schemas
from api.evenings.access import evening_for, log_open
from api.evenings.models import Evening
from api.evenings.stream import LogStreams
from api.idempotency import IdempotencyDep
from api.incidents import schemas as incident_schemas
from api.incidents import service as incident_service
from api.problems import problem_responses
from api.routing import location
from api.schemas_common import MAX_ID, QueryId
from api.tenancy import scope_of

router = APIRouter()
PathId = Annotated[QueryId, Path()]

# A comment line this often keeps proxies and the browser from thinking the stream dead.
HEARTBEAT_SECONDS = 15.0
# A stream ends after this long; the browser reconnects at once (Last-Event-ID), and access
# is checked again then, so a session ended or a shift removed stops the reading.
STREAM_LIFETIME_SECONDS = 30 * 60
# How soon a browser reconnects after the stream ended or broke, in ms.
RECONNECT_MS = 2000


def _source(
    client: Annotated[
        str | None,
        Header(
            alias="X-EST-Client",
            max_length=20,
            description="`web` from the web front end; otherwise the observation's source is "
            "`api`.",
        ),
    ] = None,
) -> str:
    return "web" if client == "web" else "api"


def log_streams(request: Request) -> LogStreams:
    streams: LogStreams | None = getattr(request.app.state, "log_streams", None)
    if streams is None:
        streams = request.app.state.log_streams = LogStreams(get_database(request))
    return streams


@router.get(
    "/evenings/{evening_id}/log",
    response_model=schemas.LogRead,
    operation_id="list_evening_log",
    summary="An evening's live log, oldest post first (after=: only what is new)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_evening_log(
    evening_id: PathId,
    query: Annotated[schemas.LogQuery, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> schemas.LogRead:
    read = log.read_log(session, evening_id, actor=actor, after=query.after, limit=query.limit)
    audit.record_export(
        session,
        object_type="log_posts",
        object_id=evening_id,
        form="list",
        asked=query.model_dump(exclude_defaults=True),
        rows=len(read.items),
    )
    return read


@router.post(
    "/evenings/{evening_id}/log",
    response_model=schemas.LogPostRead,
    status_code=201,
    operation_id="create_log_post",
    summary="Post in an evening's live log (those on shift, the groups' conveners)",
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def create_log_post(
    evening_id: PathId,
    body: schemas.LogPostCreate,
    session: SessionDep,
    actor: ActorDep,
    idempotency: IdempotencyDep,
) -> JSONResponse:
    def post() -> schemas.LogPostRead:
        created = log.create_post(session, evening_id, body, actor=actor)
        return log.read_posts(session, [created], reader=actor.user_id)[0]

    return idempotency.answer(body, post, location=location(f"/evenings/{evening_id}/log"))


@router.post(
    "/evenings/{evening_id}/log/{post_id}/observation",
    response_model=incident_schemas.IncidentRead,
    status_code=201,
    operation_id="create_log_observation",
    summary="Make a post an observation (once: asked again, the same one is answered, 200)",
    responses={
        200: {"description": "The post was made an observation before: that one."},
        **problem_responses(400, 401, 403, 404, 409, 422, 503),
    },
)
def create_log_observation(
    evening_id: PathId,
    post_id: PathId,
    body: schemas.ObservationCreate,
    session: SessionDep,
    actor: ActorDep,
    source: Annotated[str, Depends(_source)],
) -> JSONResponse:
    incident, created = log.make_observation(
        session, evening_id, post_id, body, actor=actor, source=source
    )
    read = incident_service.read(session, incident, actor=actor)
    return JSONResponse(
        read.model_dump(mode="json"),
        status_code=201 if created else 200,
        headers={"Location": location(f"/incidents/{incident.id}")},
    )


@router.get(
    "/evenings/{evening_id}/log/stream",
    operation_id="stream_evening_log",
    summary="An evening's live log as it is written (server-sent events)",
    description="Each new post is an event `post` whose `id` is the post's id and whose "
    "`data` is the post as JSON (as the log lists it). `Last-Event-ID` (or `after=`) sends "
    "the posts after that one first; without either, only posts written from now on come. A "
    "comment line comes every 15 seconds. When the evening's log closes, an event `closed` "
    "ends the stream; any stream ends after 30 minutes (reconnect with Last-Event-ID).",
    response_class=StreamingResponse,
    responses={
        200: {
            # Each event as a client reads it: its name, its id, its data (JSON text).
            "content": {
                "text/event-stream": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "event": {"type": "string", "enum": ["post", "closed"]},
                            "id": {"type": "string"},
                            "data": {"type": "string"},
                            "retry": {"type": "integer"},
                        },
                    }
                }
            },
            "description": "Server-sent events, until the client goes.",
        },
        **problem_responses(401, 403, 404, 422, 503),
    },
)
def stream_evening_log(
    request: Request,
    evening_id: PathId,
    session: SessionDep,
    actor: ActorDep,
    streams: Annotated[LogStreams, Depends(log_streams)],
    after: Annotated[
        int | None,
        Query(ge=0, le=MAX_ID, description="Send the posts after this one first (0: all)."),
    ] = None,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            max_length=100,
            description="As EventSource sends it: a post's id (anything else is passed over).",
        ),
    ] = None,
) -> StreamingResponse:
    # Access is checked here, as the stream opens, in the request's short session; the
    # stream itself reads in sessions of its own, a moment each.
    evening = evening_for(session, evening_id, actor)
    # Without a place to start from, from the last post there is now: a post written before
    # the stream below has subscribed is then still after it, and sent.
    sent = (last_event_id or "").strip()
    if sent.isascii() and sent.isdigit() and int(sent) <= MAX_ID:
        start = int(sent)
    else:
        start = after if after is not None else log.last_post_id(session, evening.id)
    audit.record_export(
        session,
        object_type="log_posts",
        object_id=evening.id,
        form="stream",
        asked={"after": start},
        rows=0,
    )
    return StreamingResponse(
        _events(
            get_database(request),
            streams,
            evening.id,
            start,
            reader=actor.user_id,
            scope=scope_of(actor),
        ),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},
    )


def _event(post: schemas.LogPostRead) -> str:
    data = json.dumps(post.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
    return f"id: {post.id}\nevent: post\ndata: {data}\n\n"


def _news(
    database: Database,
    evening_id: int,
    after: int,
    reader: int | None,
    scope: frozenset[int] | None,
) -> tuple[list[schemas.LogPostRead], int, bool]:
    """The posts after ``after``, the last id, and whether the log still takes posts. In a
    session of its own, a moment long."""
    with database.session(write=False, municipalities=scope) as session:
        evening = session.get(Evening, evening_id)
        if evening is None:
            return [], after, False
        posts = log.posts_after(session, evening_id, after)
        last = posts[-1].id if posts else after
        return log.read_posts(session, posts, reader=reader), last, log_open(evening)


async def _events(
    database: Database,
    streams: LogStreams,
    evening_id: int,
    after: int,
    *,
    reader: int | None,
    scope: frozenset[int] | None,
) -> AsyncIterator[str]:
    # Subscribed before the first read, so that a post written in between is not lost.
    subscription = streams.subscribe(evening_id)
    ends = time.monotonic() + STREAM_LIFETIME_SECONDS
    try:
        yield f"retry: {RECONNECT_MS}\n\n"
        while True:
            posts, after, still_open = await run_in_threadpool(
                _news, database, evening_id, after, reader, scope
            )
            for post in posts:
                yield _event(post)
            if len(posts) == schemas.MAX_POSTS:
                continue  # more missed than one read gives: the rest at once
            if not still_open:
                yield "event: closed\ndata: {}\n\n"
                return
            if time.monotonic() > ends:
                return
            if not await subscription.wait(HEARTBEAT_SECONDS):
                yield ": ping\n\n"
            if subscription.closed:
                return  # the server is stopping
    finally:
        streams.close(subscription)

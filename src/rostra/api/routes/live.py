"""Server-sent events: a thread's changes as they happen."""

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from rostra.api.context import AppContext
from rostra.api.cors import allow_origin
from rostra.api.params import RowId
from rostra.api.schemas import ErrorOut
from rostra.domain.numbers import parse_count
from rostra.errors import InvalidInput, NotFound
from rostra.live.broker import Stream
from rostra.store import events as event_store
from rostra.store import sites as site_store
from rostra.store import threads as thread_store
from rostra.store.events import EventRow

router = APIRouter(tags=["live"], responses={400: {"model": ErrorOut}, 404: {"model": ErrorOut}})

HEARTBEAT_SECONDS = 15.0


def _event(row: EventRow) -> bytes:
    return f"id: {row.id}\nevent: {row.kind}\ndata: {row.data}\n\n".encode()


def _last_event_id(request: Request) -> int:
    given = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    if given is None:
        return 0
    after = parse_count(given)
    if after is None:
        raise InvalidInput(
            "invalid_last_event_id", "Last-Event-ID must be an event id this server sent."
        )
    return after


@router.get(
    "/threads/{thread_id}/events",
    summary="Live updates of a thread (server-sent events)",
    response_class=StreamingResponse,
    responses={
        204: {"description": "Live updates are off for this thread"},
        503: {"model": ErrorOut},
    },
)
async def thread_events(thread_id: RowId, request: Request):
    """Events `comment`, `edit`, `remove` and `vote`, each with its id for
    `Last-Event-ID` resumption; a comment line every 15 s keeps proxies open."""
    ctx: AppContext = request.app.state.rostra
    after = _last_event_id(request)
    thread, origins = await run_in_threadpool(_thread_and_origins, ctx, thread_id)
    if not ctx.live.accepts(thread):
        return Response(status_code=204)
    stream = ctx.live.broker.subscribe(thread_id)
    if stream is None:
        return Response(
            b'{"error":"too_many_streams","message":"This server has no room for more live readers."}',
            status_code=503,
            media_type="application/json",
            headers={"Retry-After": "10"},
        )
    backlog = await run_in_threadpool(_backlog, ctx, thread_id, after) if after else []
    response = StreamingResponse(
        _stream(ctx, stream, backlog, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    allow_origin(request, response, origins)
    return response


def _thread_and_origins(ctx: AppContext, thread_id: int):
    with ctx.db.read() as conn:
        thread = thread_store.thread_by_id(conn, thread_id)
        if thread is None:
            raise NotFound("unknown_thread", f"Thread {thread_id} does not exist.")
        return thread, site_store.site_by_id(conn, thread.site_id).origins


def _backlog(ctx: AppContext, thread_id: int, after: int) -> list[EventRow]:
    with ctx.db.read() as conn:
        return event_store.for_thread_after(conn, thread_id, after)


async def _stream(
    ctx: AppContext, stream: Stream, backlog: list[EventRow], after: int
) -> AsyncIterator[bytes]:
    # Live rows can repeat the backlog (the stream was open while it was
    # read), but they must not be filtered by "newer than the last one sent":
    # ids are taken before commit, so a transaction that commits late brings
    # an older id after a newer one, and that event is new to the reader.
    already_sent = {row.id for row in backlog}
    try:
        yield b"retry: 3000\n\n"
        for row in backlog:
            yield _event(row)
        while not stream.dropped:
            try:
                row = await asyncio.wait_for(stream.queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                yield b": ping\n\n"
                continue
            if row is None:
                break
            if row.id not in already_sent and row.id > after:
                yield _event(row)
    finally:
        ctx.live.broker.unsubscribe(stream)

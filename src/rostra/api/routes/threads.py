"""Reading threads: pages, more replies, counts."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from rostra.api.context import AppContext, context
from rostra.api.cors import allow_origin
from rostra.api.params import RowId
from rostra.api.responses import CompactJSON
from rostra.api.schemas import CountsOut, ErrorOut, PageOut, RepliesOut
from rostra.errors import InvalidInput, NotFound
from rostra.service import pages
from rostra.service.threads import thread_key
from rostra.store import sites as site_store
from rostra.store import threads as thread_store

router = APIRouter(tags=["threads"], responses={400: {"model": ErrorOut}, 404: {"model": ErrorOut}})

JSON = "application/json"
MAX_COUNT_KEYS = 200


def _bounded(name: str) -> dict:
    low, high = pages.PAGE_BOUNDS[name]
    return {
        "type": "integer",
        "default": pages.PAGE_DEFAULTS[name],
        "minimum": low,
        "maximum": high,
    }


def _bounded_query(name: str, default: int, description: str):
    low, high = pages.PAGE_BOUNDS[name]
    # Documented, not enforced here: the service answers with its own error codes.
    return Query(
        default, description=description, json_schema_extra={"minimum": low, "maximum": high}
    )


_PAGE_PARAMETERS = [
    {"name": "site", "in": "query", "required": True, "schema": {"type": "string"}},
    {
        "name": "key",
        "in": "query",
        "description": "Thread id chosen by the page (preferred)",
        "schema": {"type": "string"},
    },
    {
        "name": "url",
        "in": "query",
        "description": "Page URL, when the page gives no id",
        "schema": {"type": "string"},
    },
    {
        "name": "sort",
        "in": "query",
        "schema": {"enum": ["best", "newest", "oldest"], "default": "best"},
    },
    {
        "name": "limit",
        "in": "query",
        "description": "Top-level comments per page (1-100)",
        "schema": _bounded("limit"),
    },
    {
        "name": "replies",
        "in": "query",
        "description": "Replies shown under each comment (0-20)",
        "schema": _bounded("replies"),
    },
    {
        "name": "depth",
        "in": "query",
        "description": "Levels of replies shown (0-10)",
        "schema": _bounded("depth"),
    },
    {
        "name": "cursor",
        "in": "query",
        "description": "From the previous page's `cursor`",
        "schema": {"type": "string"},
    },
    {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
]


@router.get(
    "/threads",
    response_model=PageOut,
    summary="A page of a thread",
    openapi_extra={"parameters": _PAGE_PARAMETERS},
    responses={304: {"description": "The reader's copy is current"}},
)
async def thread_page(request: Request):
    """Top-level comments in the chosen order, each with its first replies.

    Answers 304 when `If-None-Match` holds the current ETag.
    """
    # Current pages are usually answered by ThreadPageFastPath before routing;
    # this route builds pages on a cache miss and is the documented endpoint.
    ctx: AppContext = request.app.state.rostra
    wanted = pages.PageRequest.from_query(request.query_params)
    if_none_match = request.headers.get("if-none-match")
    if ctx.db.dialect == "sqlite":
        result = pages.check_current(ctx.db, ctx.pages, wanted, if_none_match)
    else:
        # A network round trip must not stall the event loop.
        result = await run_in_threadpool(
            pages.check_current, ctx.db, ctx.pages, wanted, if_none_match
        )
    if isinstance(result, pages.NotModified):
        response = Response(status_code=304, headers={"ETag": result.etag})
        allow_origin(request, response, result.origins)
        return response
    if isinstance(result, pages.PageMiss):
        result = await run_in_threadpool(pages.build_page, ctx.db, ctx.pages, result)
    response = Response(
        result.body, media_type=JSON, headers={"ETag": result.etag, "Cache-Control": "no-cache"}
    )
    allow_origin(request, response, result.origins)
    return response


@router.get("/comments/{comment_id}/replies", response_model=RepliesOut, summary="More replies")
def more_replies(
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    comment_id: RowId,
    cursor: str | None = None,
    limit: int = _bounded_query("limit", 20, "Replies per page (1-100)"),
    replies: int = _bounded_query("replies", 3, "Replies shown under each reply (0-20)"),
    depth: int = _bounded_query("depth", 3, "Levels of replies shown (0-10)"),
):
    body, site_id = pages.replies_page(ctx.db, comment_id, cursor, limit, replies, depth)
    response = Response(body, media_type=JSON)
    with ctx.db.read() as conn:
        allow_origin(request, response, site_store.site_by_id(conn, site_id).origins)
    return response


_COUNT_PARAMETERS = [
    {"name": "site", "in": "query", "required": True, "schema": {"type": "string"}},
    {
        "name": "key",
        "in": "query",
        "description": "Thread ids (repeat)",
        "schema": {"type": "array", "items": {"type": "string"}},
    },
    {
        "name": "url",
        "in": "query",
        "description": "Page URLs (repeat)",
        "schema": {"type": "array", "items": {"type": "string"}},
    },
]


@router.get(
    "/counts",
    response_model=CountsOut,
    summary="Comment counts for many pages",
    openapi_extra={"parameters": _COUNT_PARAMETERS},
)
async def counts(request: Request):
    """Counts of published comments, keyed by the ids and URLs exactly as given."""
    ctx: AppContext = request.app.state.rostra
    query = request.query_params
    site = query.get("site")
    if not site:
        raise InvalidInput("invalid_request", "site: the site's name is required.")
    asked = [(k, thread_key(k, None)) for k in query.getlist("key")]
    asked += [(u, thread_key(None, u)) for u in query.getlist("url")]
    if not asked or len(asked) > MAX_COUNT_KEYS:
        raise InvalidInput("invalid_counts", f"Ask for 1 to {MAX_COUNT_KEYS} threads at once.")
    # One indexed query; on SQLite it runs inline, cheaper than a thread hop.
    keys = [normalized for _, normalized in asked]
    if ctx.db.dialect == "sqlite":
        origins, found = _counts(ctx, site, keys)
    else:
        origins, found = await run_in_threadpool(_counts, ctx, site, keys)
    response = CompactJSON(
        {"counts": {given: found.get(normalized, 0) for given, normalized in asked}}
    )
    allow_origin(request, response, origins)
    return response


def _counts(ctx: AppContext, site: str, keys: list[str]) -> tuple[list[str], dict[str, int]]:
    found = thread_store.site_counts(ctx.db, site, keys)
    if found is None:
        raise NotFound("unknown_site", f"There is no site named {site!r}.")
    return found

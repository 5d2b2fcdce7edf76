"""Reading threads: pages, more replies, counts."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from rostra.api.context import AppContext, context
from rostra.api.cors import allow_origin
from rostra.api.schemas import CountsOut, ErrorOut, PageOut, RepliesOut
from rostra.errors import InvalidInput, NotFound
from rostra.service import pages
from rostra.service.threads import thread_key
from rostra.store import sites as site_store
from rostra.store import threads as thread_store

router = APIRouter(tags=["threads"], responses={400: {"model": ErrorOut}, 404: {"model": ErrorOut}})

JSON = "application/json"
MAX_COUNT_KEYS = 200


@router.get("/threads", response_model=PageOut, summary="A page of a thread")
def thread_page(
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    site: str,
    key: str | None = None,
    url: str | None = None,
    sort: str = "best",
    limit: int = Query(20, description="Top-level comments per page (1-100)"),
    replies: int = Query(3, description="Replies shown under each comment (0-20)"),
    depth: int = Query(4, description="Levels of replies shown (0-10)"),
    cursor: str | None = None,
):
    """Top-level comments in the chosen order, each with its first replies.

    Answers 304 when `If-None-Match` holds the current ETag.
    """
    wanted = pages.PageRequest(site, key, url, sort, limit, replies, depth, cursor)
    result = pages.thread_page(ctx.db, ctx.pages, wanted, request.headers.get("if-none-match"))
    if isinstance(result, str):
        response = Response(status_code=304, headers={"ETag": result})
        return response
    response = Response(
        result.body, media_type=JSON, headers={"ETag": result.etag, "Cache-Control": "no-cache"}
    )
    allow_origin(request, response, result.origins)
    return response


@router.get("/comments/{comment_id}/replies", response_model=RepliesOut, summary="More replies")
def more_replies(
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    comment_id: int,
    cursor: str | None = None,
    limit: int = 20,
    replies: int = 3,
    depth: int = 3,
):
    body, site_id = pages.replies_page(ctx.db, comment_id, cursor, limit, replies, depth)
    response = Response(body, media_type=JSON)
    with ctx.db.read() as conn:
        allow_origin(request, response, site_store.site_by_id(conn, site_id).origins)
    return response


@router.get("/counts", response_model=CountsOut, summary="Comment counts for many pages")
def counts(
    request: Request,
    response: Response,
    ctx: Annotated[AppContext, Depends(context)],
    site: str,
    key: Annotated[list[str], Query(description="Thread ids")] = [],  # noqa: B006
    url: Annotated[list[str], Query(description="Page URLs")] = [],  # noqa: B006
):
    """Counts of published comments, keyed by the ids and URLs exactly as given."""
    asked = [(k, thread_key(k, None)) for k in key] + [(u, thread_key(None, u)) for u in url]
    if not asked or len(asked) > MAX_COUNT_KEYS:
        raise InvalidInput("invalid_counts", f"Ask for 1 to {MAX_COUNT_KEYS} threads at once.")
    with ctx.db.read() as conn:
        found_site = site_store.site_by_name(conn, site)
        if found_site is None:
            raise NotFound("unknown_site", f"There is no site named {site!r}.")
        found = thread_store.counts_for_keys(conn, found_site.id, [k for _, k in asked])
    allow_origin(request, response, found_site.origins)
    return {"counts": {given: found.get(normalized, 0) for given, normalized in asked}}

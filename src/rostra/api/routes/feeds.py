"""Atom feeds."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from rostra.api.context import AppContext, context
from rostra.api.schemas import ErrorOut
from rostra.service import feeds

router = APIRouter(tags=["feeds"], responses={404: {"model": ErrorOut}})
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def _base_url(ctx: AppContext, request: Request) -> str:
    return (ctx.settings.public_url or str(request.base_url)).rstrip("/")


@router.get("/feeds/{site}.atom", summary="Latest comments on a site", response_class=Response)
def site_feed(site: str, request: Request, ctx: Annotated[AppContext, Depends(context)]):
    return Response(feeds.site_feed(ctx.db, site, _base_url(ctx, request)), media_type=ATOM_TYPE)


@router.get(
    "/feeds/{site}/thread.atom", summary="Latest comments on a thread", response_class=Response
)
def thread_feed(
    site: str,
    request: Request,
    ctx: Annotated[AppContext, Depends(context)],
    key: str | None = None,
    url: str | None = None,
):
    body = feeds.thread_feed(ctx.db, site, key, url, _base_url(ctx, request))
    return Response(body, media_type=ATOM_TYPE)

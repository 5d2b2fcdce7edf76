"""Writing comments: create, edit, delete, vote, and a Markdown preview."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response

from rostra.api.context import AppContext, client, context
from rostra.api.cors import allow_origin
from rostra.api.params import RowId
from rostra.api.responses import CompactJSON
from rostra.api.schemas import (
    CommentIn,
    EditIn,
    ErrorOut,
    FormTokenOut,
    OwnCommentOut,
    PreviewIn,
    PreviewOut,
    VoteIn,
    VoteOut,
)
from rostra.domain.markdown import render_markdown
from rostra.domain.text import clean_body
from rostra.errors import Refused
from rostra.moderation import formtoken
from rostra.moderation.settings import ModerationSettings
from rostra.ops.metrics import COMMENTS
from rostra.service import comments as comment_service
from rostra.service import links
from rostra.service.pages import iso, record_json
from rostra.service.sites import site_rules
from rostra.store import comments as comment_store
from rostra.store import sites as site_store
from rostra.store import threads as thread_store
from rostra.store.comments import CommentRecord
from rostra.store.sites import SiteRow

router = APIRouter(
    tags=["comments"],
    responses={code: {"model": ErrorOut} for code in (400, 403, 404, 409, 413)},
)


def _own_json(record: CommentRecord, thread_key: str, token: str | None, window: int) -> dict:
    # A shadow-banned author is not told: their comment looks published to them.
    return {
        "comment": record_json(record),
        "source": record.body_source,
        "status": record.status,
        "thread": thread_key,
        "edit_token": token,
        "editable_until": iso(record.created_at + timedelta(seconds=window)),
    }


def _own_response(
    request: Request,
    record: CommentRecord,
    token: str | None,
    site: SiteRow,
    thread_key: str,
    status: int = 200,
) -> CompactJSON:
    """The author's view of their comment, with the Markdown source for editing."""
    window = site_rules(site).edit_window_seconds
    response = CompactJSON(_own_json(record, thread_key, token, window), status)
    allow_origin(request, response, site.origins)
    return response


def _allow_for_comment(
    ctx: AppContext, request: Request, response: Response, comment_id: RowId
) -> None:
    with ctx.db.read() as conn:
        record = comment_store.comment_by_id(conn, comment_id)
        if record is not None:
            allow_origin(request, response, site_store.site_by_id(conn, record.site_id).origins)


@router.post(
    "/comments",
    status_code=201,
    response_model=OwnCommentOut,
    summary="Post a comment or reply",
    responses={
        429: {
            "model": ErrorOut,
            "description": "Too many comments a minute from this author or address; "
            "the Retry-After header says when to try again",
        }
    },
)
def create_comment(
    request: Request, payload: CommentIn, ctx: Annotated[AppContext, Depends(context)]
):
    """The answer holds the edit token: keep it to edit or delete within the site's window."""
    new = comment_service.NewComment(
        site=payload.site,
        body=payload.body,
        name=payload.author.name if payload.author else "",
        thread_key=payload.thread.key,
        thread_url=payload.thread.url,
        thread_title=payload.thread.title,
        parent_id=payload.parent,
        email=payload.author.email if payload.author else None,
        website=payload.author.website if payload.author else None,
        form_token=payload.form_token,
        honeypot=payload.homepage,
        confirmed=payload.confirm,
        notify_replies=payload.notify,
    )
    try:
        created = comment_service.create_comment(
            ctx.db, ctx.hasher, new, client(request, ctx), ctx.pipeline
        )
    except Refused as refusal:
        COMMENTS.labels(refusal.code).inc()
        raise
    COMMENTS.labels(created.comment.status).inc()
    return _own_response(
        request, created.comment, created.edit_token, created.site, created.thread_key, 201
    )


@router.patch("/comments/{comment_id}", response_model=OwnCommentOut, summary="Edit your comment")
def edit_comment(
    request: Request,
    comment_id: RowId,
    payload: EditIn,
    ctx: Annotated[AppContext, Depends(context)],
    x_edit_token: Annotated[str | None, Header()] = None,
):
    record = comment_service.edit_comment(
        ctx.db, comment_id, x_edit_token, payload.body, client(request, ctx)
    )
    # Edits are rare, so the site and thread are simply read again.
    with ctx.db.read() as conn:
        site = site_store.site_by_id(conn, record.site_id)
        thread = thread_store.thread_by_id(conn, record.thread_id)
    return _own_response(request, record, None, site, thread.key)


@router.delete("/comments/{comment_id}", summary="Delete your comment")
def delete_comment(
    request: Request,
    comment_id: RowId,
    ctx: Annotated[AppContext, Depends(context)],
    x_edit_token: Annotated[str | None, Header()] = None,
):
    """A comment with replies stays as a tombstone ("removed") so its replies keep their place."""
    tombstone = comment_service.delete_comment(
        ctx.db, comment_id, x_edit_token, client(request, ctx)
    )
    response = CompactJSON({"id": comment_id, "deleted": True, "tombstone": tombstone})
    _allow_for_comment(ctx, request, response, comment_id)
    return response


@router.post("/comments/{comment_id}/vote", response_model=VoteOut, summary="Vote on a comment")
def vote(
    request: Request,
    comment_id: RowId,
    payload: VoteIn,
    ctx: Annotated[AppContext, Depends(context)],
):
    """One vote per reader and comment; voting again changes it, 0 withdraws it."""
    result = comment_service.vote(
        ctx.db, ctx.hasher, comment_id, payload.value, client(request, ctx)
    )
    response = CompactJSON(
        {
            "id": result.comment_id,
            "upvotes": result.upvotes,
            "downvotes": result.downvotes,
            "score": result.upvotes - result.downvotes,
            "your_vote": result.your_vote,
        }
    )
    _allow_for_comment(ctx, request, response, comment_id)
    return response


@router.post("/preview", response_model=PreviewOut, summary="Render Markdown as a comment would be")
def preview(request: Request, payload: PreviewIn, ctx: Annotated[AppContext, Depends(context)]):
    response = CompactJSON({"html": render_markdown(clean_body(payload.body))})
    with ctx.db.read() as conn:
        allow_origin(request, response, list(site_store.all_origins(conn)))
    return response


@router.get("/comments/{comment_id}/context", summary="Where a comment sits, for deep links")
def comment_context(
    request: Request,
    comment_id: RowId,
    ctx: Annotated[AppContext, Depends(context)],
    sort: str = "best",
):
    """A thread-page cursor starting at the comment's top-level ancestor, and the
    path of ancestors, each with a replies cursor starting at the next one down."""
    body, site_id = links.comment_context(ctx.db, comment_id, sort)
    response = CompactJSON(body)
    with ctx.db.read() as conn:
        allow_origin(request, response, site_store.site_by_id(conn, site_id).origins)
    return response


@router.get("/form-token", response_model=FormTokenOut, summary="A token for the comment form")
def form_token(request: Request, site: str, ctx: Annotated[AppContext, Depends(context)]):
    """Fetch when the form is shown and send back with the comment: comments
    posted sooner than the site's minimum after it are held as likely bots."""
    with ctx.db.read() as conn:
        found = site_store.require_site(conn, site)
    token = formtoken.issue(ctx.pipeline.secret, found.id, datetime.now(UTC))
    minimum = ModerationSettings.of_site(found.settings).min_seconds_to_post
    response = CompactJSON(
        {"token": token, "min_seconds": minimum}, headers={"Cache-Control": "no-store"}
    )
    allow_origin(request, response, found.origins)
    return response

"""Readers reporting comments to the moderators."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from rostra.api.context import AppContext, client, context
from rostra.api.cors import allow_origin
from rostra.api.params import RowId
from rostra.api.responses import CompactJSON
from rostra.api.schemas import ErrorOut, Strict
from rostra.service import reports as report_service

router = APIRouter(
    tags=["reports"], responses={code: {"model": ErrorOut} for code in (400, 403, 404, 409)}
)


class ReportIn(Strict):
    reason: Literal["abuse", "spam", "off_topic", "other"]
    note: str | None = Field(None, max_length=report_service.MAX_NOTE)


class ReportOut(BaseModel):
    id: int
    reported: bool


@router.post(
    "/comments/{comment_id}/report",
    status_code=201,
    response_model=ReportOut,
    summary="Report a comment to the moderators",
)
def report_comment(
    request: Request,
    comment_id: RowId,
    payload: ReportIn,
    ctx: Annotated[AppContext, Depends(context)],
):
    """One report per reader and comment. Enough reports hold the comment for a moderator."""
    reported = report_service.report_comment(
        ctx.db, ctx.hasher, comment_id, payload.reason, payload.note, client(request)
    )
    # Whether the comment was held is the moderators' business, not the reporter's.
    response = CompactJSON({"id": comment_id, "reported": True}, status_code=201)
    allow_origin(request, response, reported.site_origins)
    return response

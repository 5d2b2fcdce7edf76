"""Moderation actions on comments: one at a time, in bulk, and undo."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from rostra.admin import actions, sanctions, undo
from rostra.admin.actions import Outcome
from rostra.admin.web import AdminRoute, Ctx, Form, Posted, done, wants_json
from rostra.api.params import RowId
from rostra.domain.numbers import parse_count
from rostra.errors import InvalidInput, NotFound

router = APIRouter(route_class=AdminRoute)

BULK = ("approve", "reject", "feature", "unfeature")


def _answer(request: Request, outcome: Outcome, form: Form, default_back: str) -> Response:
    payload = {
        "action": outcome.action,
        "changed": outcome.changed,
        "skipped": outcome.skipped,
        "message": outcome.message,
        "undoable": outcome.undoable,
    }
    return done(request, payload, form.get("next") or default_back)


def _run(ctx: Ctx, user, action: str, ids: list[int], form: Form) -> Outcome:
    reason = form.get("reason") or None
    if action == "approve":
        return actions.approve(ctx.db, user, ids, reason)
    if action == "reject":
        return actions.reject(ctx.db, user, ids, reason)
    if action in ("feature", "unfeature"):
        return actions.feature(ctx.db, user, ids, on=action == "feature")
    if action == "ban" and len(ids) == 1:
        return sanctions.ban_author(ctx.db, user, ids[0], reason)
    if action == "edit" and len(ids) == 1:
        return actions.edit(ctx.db, user, ids[0], form.get("body"), reason)
    if action == "sanction" and len(ids) == 1:
        return sanctions.sanction_author(
            ctx.db, user, ids[0], form.get("kind"), reason, form.get("hours"), form.getlist("match")
        )
    raise NotFound("unknown_action", f"There is no action {action!r}.")


@router.post("/comments/{comment_id}/{action}")
def act(request: Request, comment_id: RowId, action: str, ctx: Ctx, posted: Posted) -> Response:
    user, form = posted
    outcome = _run(ctx, user, action, [comment_id], form)
    return _answer(request, outcome, form, f"/admin/comments/{comment_id}")


@router.post("/bulk")
def bulk(request: Request, ctx: Ctx, posted: Posted) -> Response:
    user, form = posted
    action = form.get("action")
    if action not in BULK:
        raise InvalidInput("unknown_action", f"Bulk actions are: {', '.join(BULK)}.")
    ids = [parse_count(value) for value in form.getlist("ids")]
    if None in ids:
        raise InvalidInput("invalid_ids", "The selection holds something that is not a comment id.")
    if not ids and not wants_json(request):
        # A plain form sent with nothing ticked: back to the queue, which says so.
        notice = {"message": "Nothing was selected: tick the comments to act on first."}
        return done(request, notice, form.get("next") or "/admin/queue/held")
    return _answer(request, _run(ctx, user, action, ids, form), form, "/admin/queue/held")


@router.post("/undo")
def undo_last(request: Request, ctx: Ctx, posted: Posted) -> Response:
    user, form = posted
    return _answer(request, undo.undo_last(ctx.db, user), form, "/admin/queue/held")

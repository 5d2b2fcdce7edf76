"""Decisions for a whole thread."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from rostra.admin import threads
from rostra.admin.web import AdminRoute, Ctx, Posted, done
from rostra.api.params import RowId

router = APIRouter(route_class=AdminRoute)


@router.post("/threads/{thread_id}/policy")
def set_policy(request: Request, thread_id: RowId, ctx: Ctx, posted: Posted) -> Response:
    user, form = posted
    outcome = threads.set_policy(ctx.db, user, thread_id, form.get("policy"), form.get("reason"))
    payload = {"action": outcome.action, "changed": outcome.changed, "message": outcome.message}
    return done(request, payload, form.get("next") or "/admin/queue/held")

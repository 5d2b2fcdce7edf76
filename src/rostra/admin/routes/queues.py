"""The queue pages and a comment's detail page."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rostra.admin import queue as queue_service
from rostra.admin.routes.common import page as render_page
from rostra.admin.sanctions import DURATION_LABELS, LABELS
from rostra.admin.threads import POLICY_LABELS
from rostra.admin.web import AdminRoute, Ctx, Moderating
from rostra.api.params import RowId
from rostra.store.sanctions import KINDS

router = APIRouter(route_class=AdminRoute)

QUEUE_TITLES = {"held": "Held", "reported": "Reported", "recent": "Recent", "rejected": "Rejected"}


@router.get("/queue/{queue}")
def queue_page(
    request: Request, queue: str, ctx: Ctx, user: Moderating, site: str = "", page: int = 1,
    q: str = "",
) -> HTMLResponse:  # fmt: skip
    found = queue_service.queue_page(ctx.db, user, queue, site or None, page, q)
    return render_page(request, ctx, user, "queue.html", queue=found, titles=QUEUE_TITLES)


@router.get("/comments/{comment_id}")
def comment_page(request: Request, comment_id: RowId, ctx: Ctx, user: Moderating) -> HTMLResponse:
    found = queue_service.detail(ctx.db, user, comment_id)
    return render_page(
        request, ctx, user, "comment.html", detail=found, item=found.item, kinds=KINDS,
        labels=LABELS, durations=DURATION_LABELS, titles=QUEUE_TITLES,
        policies=POLICY_LABELS,
    )  # fmt: skip

"""The audit log (admins) and the moderators' dashboard."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rostra.admin import metrics
from rostra.admin.queue import visible_sites
from rostra.admin.routes.common import page as render_page
from rostra.admin.web import AdminRoute, Ctx, Moderating
from rostra.errors import Forbidden, InvalidInput
from rostra.store import audit
from rostra.store import users as user_store

router = APIRouter(route_class=AdminRoute)
AUDIT_PAGE = 50


@router.get("/audit")
def audit_page(
    request: Request, ctx: Ctx, user: Moderating, page: int = 1, action: str = ""
) -> HTMLResponse:
    if not user.is_admin:
        raise Forbidden("admins_only", "The audit log is for admins.")
    if not 1 <= page <= 1000:
        raise InvalidInput("invalid_page", "Pages run from 1 to 1000.")
    with ctx.db.read() as conn:
        rows = audit.entries(
            conn, None, action=action or None, limit=AUDIT_PAGE + 1, offset=(page - 1) * AUDIT_PAGE
        )
        names = user_store.usernames(conn, {row.actor_id for row in rows if row.actor_id})
        sites = {site.id: site.name for site in visible_sites(conn, user)}
        undone = audit.undone_ids(conn, [row.id for row in rows])
    return render_page(
        request, ctx, user, "audit.html", rows=rows[:AUDIT_PAGE], names=names, sites=sites,
        undone=undone, page=page, has_next=len(rows) > AUDIT_PAGE, action=action,
    )  # fmt: skip


@router.get("/metrics")
def metrics_page(request: Request, ctx: Ctx, user: Moderating) -> HTMLResponse:
    return render_page(request, ctx, user, "metrics.html", board=metrics.dashboard(ctx.db, user))

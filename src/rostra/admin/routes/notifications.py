"""Mail settings of one's own account, and a site's webhooks with their delivery log."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rostra.admin.accounts import Moderator
from rostra.admin.routes.common import page
from rostra.admin.web import AdminRoute, Ctx, Moderating, Posted
from rostra.api.params import RowId
from rostra.errors import Forbidden, RostraError
from rostra.notify import moderators, webhooks
from rostra.store import audit
from rostra.store import sites as site_store
from rostra.store import webhooks as webhook_store
from rostra.store.database import Database
from rostra.store.sites import SiteRow

router = APIRouter(route_class=AdminRoute)


@router.get("/account")
def account(request: Request, ctx: Ctx, user: Moderating) -> HTMLResponse:
    email, notify_held = moderators.preferences(ctx.db, user.id)
    return _account_page(request, ctx, user, email or "", notify_held)


@router.post("/account")
def save_account(request: Request, ctx: Ctx, posted: Posted) -> HTMLResponse:
    user, form = posted
    email, notify_held = form.get("email").strip(), form.get("notify_held")
    try:
        moderators.set_preferences(ctx.db, user.id, email=email, notify_held=notify_held)
    except RostraError as exc:
        return _account_page(request, ctx, user, email, notify_held, error=exc.message, status=400)
    return _account_page(request, ctx, user, email, notify_held, saved=True)


def _account_page(request, ctx, user, email, notify_held, *, status=200, **values) -> HTMLResponse:
    return page(
        request, ctx, user, "account.html", status, email=email, notify_held=notify_held,
        choices=moderators.CHOICES, **values,
    )  # fmt: skip


def _admin_site(db: Database, user: Moderator, name: str) -> SiteRow:
    if not user.is_admin:
        raise Forbidden("admins_only", "Only admins manage webhooks.")
    with db.read() as conn:
        return site_store.require_site(conn, name)


def _webhooks_page(request, ctx, user, site: SiteRow, status=200, **values) -> HTMLResponse:
    with ctx.db.read() as conn:
        hooks = webhook_store.webhooks_of(conn, site.id)
    return page(
        request, ctx, user, "webhooks.html", status, site=site, hooks=hooks,
        deliveries=webhooks.delivery_log(ctx.db, site.id), events=webhooks.EVENTS, **values,
    )  # fmt: skip


@router.get("/sites/{name}/webhooks")
def webhook_list(request: Request, name: str, ctx: Ctx, user: Moderating) -> HTMLResponse:
    return _webhooks_page(request, ctx, user, _admin_site(ctx.db, user, name))


@router.post("/sites/{name}/webhooks")
def add_webhook(request: Request, name: str, ctx: Ctx, posted: Posted) -> HTMLResponse:
    user, form = posted
    site = _admin_site(ctx.db, user, name)
    try:
        with ctx.db.write() as conn:
            added = webhooks.add_webhook(conn, site.id, form.get("url"), form.getlist("events"))
            _audit(conn, user, site, "webhook_add", added.webhook.id, added.webhook.url)
    except RostraError as exc:
        return _webhooks_page(
            request, ctx, user, site, 400, error=exc.message, typed=form.get("url"),
            chosen=form.getlist("events"),
        )  # fmt: skip
    return _webhooks_page(request, ctx, user, site, 201, added=added)


@router.post("/sites/{name}/webhooks/{webhook_id}/delete")
def remove_webhook(
    request: Request, name: str, webhook_id: RowId, ctx: Ctx, posted: Posted
) -> HTMLResponse:
    user, _ = posted
    site = _admin_site(ctx.db, user, name)
    with ctx.db.write() as conn:
        removed = webhooks.remove_webhook(conn, site.id, webhook_id)
        _audit(conn, user, site, "webhook_remove", removed.id, removed.url)
    return _webhooks_page(
        request, ctx, user, site, message=f"Removed the webhook to {removed.url}."
    )


def _audit(conn, user: Moderator, site: SiteRow, action: str, webhook_id: int, url: str) -> None:
    audit.record(
        conn, site_id=site.id, actor_id=user.id, action=action, target_type="webhook",
        target_id=webhook_id, now=datetime.now(UTC), details={"url": url},
    )  # fmt: skip

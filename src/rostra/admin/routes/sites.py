"""Site settings pages (admins only)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from rostra.admin import site_settings
from rostra.admin.queue import visible_sites
from rostra.admin.routes.common import page
from rostra.admin.web import AdminRoute, Ctx, Moderating, Posted
from rostra.errors import Forbidden
from rostra.moderation.settings import Premoderation

router = APIRouter(route_class=AdminRoute)


@router.get("/sites")
def site_list(request: Request, ctx: Ctx, user: Moderating) -> HTMLResponse:
    if not user.is_admin:
        raise Forbidden("admins_only", "Only admins change site settings.")
    with ctx.db.read() as conn:
        sites = visible_sites(conn, user)
    return page(request, ctx, user, "sites.html", sites=sites)


def _settings_page(request, ctx, user, form, status: int = 200) -> HTMLResponse:
    return page(
        request, ctx, user, "settings.html", status, form=form,
        premoderation=list(Premoderation),
    )  # fmt: skip


@router.get("/sites/{name}/settings")
def settings_form(request: Request, name: str, ctx: Ctx, user: Moderating) -> HTMLResponse:
    return _settings_page(request, ctx, user, site_settings.load_form(ctx.db, user, name))


@router.post("/sites/{name}/settings")
def save_settings(request: Request, name: str, ctx: Ctx, posted: Posted) -> Response:
    user, form = posted
    result = site_settings.save_form(ctx.db, user, name, form.as_dict())
    return _settings_page(request, ctx, user, result, 400 if result.errors else 200)

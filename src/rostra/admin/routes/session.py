"""Logging in and out, and the admin pages' own static files."""

import html
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from rostra.admin import auth
from rostra.admin.web import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    AdminRoute,
    Ctx,
    LoginRequired,
    Posted,
    Posting,
    current_moderator,
    new_login_token,
    render,
    safe_next,
    secure_cookies,
)
from rostra.errors import NotFound, RostraError
from rostra.identity import readers

STATIC = Path(__file__).parent.parent / "static"
STATIC_FILES = {
    "admin.css": "text/css; charset=utf-8",
    "admin.js": "text/javascript; charset=utf-8",
}

router = APIRouter(route_class=AdminRoute)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/admin/queue/held", status_code=303)


@router.get("/static/{name}")
def static_file(name: str) -> FileResponse:
    if name not in STATIC_FILES:
        raise NotFound("not_found", "Not Found")
    return FileResponse(
        STATIC / name, media_type=STATIC_FILES[name], headers={"Cache-Control": "no-cache"}
    )


def _login_page(
    request: Request, ctx: Ctx, next_url: str, error: str | None = None, status: int = 200,
    username: str = "",
) -> Response:  # fmt: skip
    token = new_login_token()
    response = render(
        request, "login.html", status, user=None, next_url=safe_next(next_url),
        login_token=token, error=error, username=username,
    )  # fmt: skip
    response.set_cookie(
        LOGIN_COOKIE, token, max_age=3600, path="/admin/login", httponly=True,
        samesite="strict", secure=secure_cookies(request, ctx),
    )  # fmt: skip
    return response


@router.get("/login")
def login_form(request: Request, ctx: Ctx, next: str = "/admin") -> Response:
    try:
        current_moderator(request, ctx)
        return RedirectResponse(safe_next(next), status_code=303)
    except LoginRequired:
        return _login_page(request, ctx, next)


@router.post("/login")
def login(request: Request, ctx: Ctx, form: Posting) -> Response:
    next_url = form.get("next", "/admin")
    username = form.get("username")[:64]
    # The login form is guarded by a double-submit token: a cookie only this
    # origin can set must match the hidden field, so no other site can log
    # a moderator into an account of its choosing.
    if not auth.csrf_matches(request.cookies.get(LOGIN_COOKIE, ""), form.get("login_token")):
        return _login_page(
            request, ctx, next_url, "The login form expired; try again.", 403, username
        )
    try:
        session = auth.log_in(ctx.db, username, form.get("password"))
    except RostraError as exc:
        return _login_page(request, ctx, next_url, exc.message, exc.status, username)
    response = RedirectResponse(safe_next(next_url), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, session.token, expires=session.expires_at, path="/admin", httponly=True,
        samesite="strict", secure=secure_cookies(request, ctx),
    )  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE, path="/admin/login")
    return response


@router.get("/sso")
def sso_login(
    request: Request, ctx: Ctx, site: str = "", token: str = "", next: str = "/admin"
) -> Response:
    """Moderators granted by the site's sign-on (a `roles` claim of moderator or
    admin) arrive here from a link the site's CMS gives them, with a fresh token."""
    session = readers.moderator_session_from_sso(ctx.db, site, token)
    target = html.escape(safe_next(next), quote=True)
    # A page, not a redirect: a strict same-site cookie set while arriving from
    # the CMS is sent on the next navigation only if that one starts here.
    page = (
        f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={target}">'
        f'<title>Signed in</title><p>Signed in. <a href="{target}">Continue to the queue</a>.'
    )
    response = HTMLResponse(page)
    response.set_cookie(
        SESSION_COOKIE, session.token, expires=session.expires_at, path="/admin", httponly=True,
        samesite="strict", secure=secure_cookies(request, ctx),
    )  # fmt: skip
    return response


@router.post("/logout")
def logout(request: Request, ctx: Ctx, posted: Posted) -> Response:
    auth.log_out(ctx.db, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/admin")
    return response

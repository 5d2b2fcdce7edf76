"""The plumbing of the /admin pages: templates, sessions, CSRF, forms, errors.

Every page works as plain HTML forms; the keyboard script posts the same
forms with fetch and asks for JSON. Errors become a page (or JSON for fetch),
never a bare 500, and every answer carries headers that keep the pages out of
frames, caches and other sites' reach.
"""

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl, quote, unquote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException

from rostra.admin.accounts import Moderator
from rostra.admin.auth import csrf_matches, session_moderator
from rostra.api.context import AppContext, context
from rostra.api.responses import CompactJSON
from rostra.domain.urls import readable_url
from rostra.errors import RostraError

SESSION_COOKIE = "rostra_session"
LOGIN_COOKIE = "rostra_login"
NOTICE_COOKIE = "rostra_notice"
# Separates "undo" from the notice's text when the action it reports can be undone.
_UNDOABLE_MARK = "\x1f"
CSRF_HEADER = "x-csrf-token"
MAX_FORM_BYTES = 128 * 1024

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def ago(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return ""
    seconds = int(((now or datetime.now(UTC)) - when).total_seconds())
    if seconds >= 30 * 86400:  # "1010 d ago" says less than the date (imported archives)
        return f"{when.day} {when:%b %Y}"
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


TEMPLATES.filters.update(ago=ago, duration=duration, percent=percent, readable_url=readable_url)
TEMPLATES.globals["stamp"] = lambda when: when.strftime("%Y-%m-%d %H:%M UTC") if when else ""


class LoginRequired(Exception):
    """No live session: pages redirect to the login form, fetch calls get 401."""


class Form:
    """A parsed application/x-www-form-urlencoded body (no multipart needed)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def get(self, name: str, default: str = "") -> str:
        for key, value in self.pairs:
            if key == name:
                return value
        return default

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def as_dict(self) -> dict[str, str]:
        return {key: value for key, value in reversed(self.pairs)}


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def render(request: Request, template: str, status: int = 200, **values) -> HTMLResponse:
    notice = request.cookies.get(NOTICE_COOKIE)
    undoable, _, message = unquote(notice or "").rpartition(_UNDOABLE_MARK)
    page = TEMPLATES.get_template(template).render(
        request=request, notice=message or None, notice_undoable=bool(undoable), **values
    )
    response = HTMLResponse(page, status_code=status)
    if notice:
        response.delete_cookie(NOTICE_COOKIE, path="/admin")
    return response


def _error(request: Request, status: int, code: str, message: str) -> Response:
    if wants_json(request):
        return CompactJSON({"error": code, "message": message}, status_code=status)
    return render(
        request, "error.html", status, error_status=status, code=code, message=message, user=None
    )


def _describe(exc: RequestValidationError) -> str:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(
        str(part) for part in first.get("loc", ()) if part not in ("body", "path", "query")
    )
    return f"{where or 'request'}: {first.get('msg', 'invalid value')}"


class AdminRoute(APIRoute):
    """Turns every failure of an admin handler into a clear page or JSON error."""

    def get_route_handler(self) -> Callable:
        handle = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                response = await handle(request)
            except LoginRequired:
                if wants_json(request) or request.method != "GET":
                    response = _error(
                        request, 401, "login_required", "Your session has ended; log in again."
                    )
                else:
                    target = quote(
                        request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    )
                    response = RedirectResponse(f"/admin/login?next={target}", status_code=303)
            except RostraError as exc:
                response = _error(request, exc.status, exc.code, exc.message)
            except RequestValidationError as exc:
                response = _error(request, 400, "invalid_request", _describe(exc))
            except HTTPException as exc:
                response = _error(request, exc.status_code, "http_error", str(exc.detail))
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return guarded


def secure_cookies(request: Request, ctx: AppContext) -> bool:
    """Secure cookies over https, and always when the public URL is https (behind a proxy)."""
    public = ctx.settings.public_url or ""
    return request.url.scheme == "https" or public.startswith("https://")


Ctx = Annotated[AppContext, Depends(context)]


def current_moderator(request: Request, ctx: Ctx) -> Moderator:
    moderator = session_moderator(ctx.db, request.cookies.get(SESSION_COOKIE))
    if moderator is None:
        raise LoginRequired()
    return moderator


async def read_form(request: Request) -> Form:
    if request.method != "POST":
        return Form([])
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    body = await request.body()
    if body and kind != "application/x-www-form-urlencoded":
        raise RostraError("unsupported_form", "Send the form as application/x-www-form-urlencoded.")
    if len(body) > MAX_FORM_BYTES:
        raise RostraError("form_too_large", "The form is too large.")
    try:
        fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=1000)
        if any("\x00" in name or "\x00" in value for name, value in fields):
            raise ValueError("a NUL character")
        return Form(fields)
    except (UnicodeDecodeError, ValueError):
        raise RostraError("malformed_form", "The form could not be read.") from None


class CsrfFailed(RostraError):
    status = 403


def posted_by(
    request: Request,
    moderator: Annotated[Moderator, Depends(current_moderator)],
    form: Annotated[Form, Depends(read_form)],
) -> tuple[Moderator, Form]:
    """The moderator behind a POST whose CSRF token matches their session."""
    given = form.get("csrf") or request.headers.get(CSRF_HEADER)
    if not csrf_matches(moderator.csrf_token, given):
        raise CsrfFailed(
            "csrf_failed",
            "This form has expired or did not come from Rostra. Reload and try again.",
        )
    return moderator, form


Moderating = Annotated[Moderator, Depends(current_moderator)]
Posted = Annotated[tuple[Moderator, Form], Depends(posted_by)]
Posting = Annotated[Form, Depends(read_form)]


def safe_next(target: str | None, default: str = "/admin") -> str:
    """Only paths inside /admin: a login or action never sends anyone elsewhere."""
    if not target or not target.startswith("/admin") or target.startswith("//") or "\\" in target:
        return default
    return target


def done(request: Request, payload: dict, back: str) -> Response:
    """Answer a finished action: JSON for fetch, else back to the page with a notice."""
    if wants_json(request):
        return CompactJSON({"ok": True, **payload})
    response = RedirectResponse(safe_next(back), status_code=303)
    if payload.get("message"):
        mark = "undo" + _UNDOABLE_MARK if payload.get("undoable") else ""
        response.set_cookie(
            NOTICE_COOKIE, quote(mark + payload["message"]), max_age=60, path="/admin",
            httponly=True, samesite="strict",
        )  # fmt: skip
    return response


def new_login_token() -> str:
    return secrets.token_urlsafe(24)

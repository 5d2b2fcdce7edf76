"""The pages behind the links in reply mails: confirming, and unsubscribing
(a page with a button, and the one-click POST of RFC 8058 that mail
providers send on the reader's behalf)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from rostra.api.context import AppContext, context
from rostra.notify import subscriptions
from rostra.notify.render import render_page
from rostra.notify.subscriptions import LinkOutcome

router = APIRouter(include_in_schema=False)

# The token is in the URL: never hand it on in a Referer, never cache or index it.
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}

Ctx = Annotated[AppContext, Depends(context)]


def _page(request: Request, outcome: LinkOutcome, token: str) -> HTMLResponse:
    language = outcome.language
    if outcome.state == "invalid":
        # Nothing tells whose link it was: answer in the reader's browser language.
        language = "de" if request.headers.get("accept-language", "").startswith("de") else "en"
    html = render_page(language, state=outcome.state, site=outcome.site, token=token)
    return HTMLResponse(html, 400 if outcome.state == "invalid" else 200, headers=_HEADERS)


@router.get("/subscriptions/confirm")
def confirm(request: Request, ctx: Ctx, token: str = "") -> HTMLResponse:
    return _page(request, subscriptions.confirm(ctx.db, token), token)


@router.get("/unsubscribe")
def unsubscribe_page(request: Request, ctx: Ctx, token: str = "") -> HTMLResponse:
    """Links are opened by mail scanners too, so opening one changes nothing: the
    page asks for a click."""
    return _page(request, subscriptions.check_unsubscribe(ctx.db, token), token)


@router.post("/unsubscribe")
def unsubscribe(request: Request, ctx: Ctx, token: str = "") -> HTMLResponse:
    return _page(request, subscriptions.unsubscribe(ctx.db, token), token)

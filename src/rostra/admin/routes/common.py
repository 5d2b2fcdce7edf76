"""What every admin page shows around its content: who is logged in and the queue sizes."""

from fastapi import Request
from fastapi.responses import HTMLResponse

from rostra.admin.accounts import Moderator
from rostra.admin.queue import sizes_for
from rostra.admin.web import render
from rostra.api.context import AppContext


def page(
    request: Request, ctx: AppContext, user: Moderator, template: str, status: int = 200, **values
) -> HTMLResponse:
    return render(request, template, status, user=user, sizes=sizes_for(ctx.db, user), **values)

"""The sanctions page: who is sanctioned, why and until when; new sanctions; lifting."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from rostra.admin import sanctions as sanction_service
from rostra.admin.actions import Outcome
from rostra.admin.queue import visible_sites
from rostra.admin.routes.common import page
from rostra.admin.sanctions import DURATION_LABELS, LABELS, Target
from rostra.admin.web import AdminRoute, Ctx, Moderating, Posted, done
from rostra.api.params import RowId
from rostra.store import sanctions as sanction_store
from rostra.store import users as user_store
from rostra.store.sanctions import KINDS

router = APIRouter(route_class=AdminRoute)


@router.get("/sanctions")
def sanctions_page(request: Request, ctx: Ctx, user: Moderating, all: int = 0) -> HTMLResponse:
    now = datetime.now(UTC)
    with ctx.db.read() as conn:
        sites = visible_sites(conn, user)
        rows = sanction_store.sanctions_in(
            conn, [site.id for site in sites], active_only=not all, now=now, limit=500
        )
        people = {row.created_by for row in rows} | {row.lifted_by for row in rows}
        names = user_store.usernames(conn, {person for person in people if person})
    return page(
        request, ctx, user, "sanctions.html", rows=rows, names=names, now=now, show_all=bool(all),
        site_names={site.id: site.name for site in sites}, sites=sites, kinds=KINDS, labels=LABELS,
        durations=DURATION_LABELS,
    )  # fmt: skip


@router.post("/sanctions")
def create(request: Request, ctx: Ctx, posted: Posted) -> Response:
    user, form = posted
    target = Target(form.get("author_key"), form.get("email"), form.get("ip_hash"))
    outcome = sanction_service.sanction_by_identifiers(
        ctx.db, user, form.get("site"), form.get("kind"), target, form.get("reason"),
        form.get("hours"),
    )  # fmt: skip
    return done(request, _payload(outcome), "/admin/sanctions")


@router.post("/sanctions/{sanction_id}/lift")
def lift(request: Request, sanction_id: RowId, ctx: Ctx, posted: Posted) -> Response:
    user, form = posted
    outcome = sanction_service.lift(ctx.db, user, sanction_id, form.get("reason") or None)
    return done(request, _payload(outcome), form.get("next") or "/admin/sanctions")


def _payload(outcome: Outcome) -> dict:
    return {"message": outcome.message, "undoable": outcome.undoable}

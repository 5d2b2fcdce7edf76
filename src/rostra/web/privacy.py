"""The page an emailed privacy link opens: download or erase one's comments.

It serves readers who commented with an email address but never signed in;
signed-in readers do the same from the widget.
"""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from rostra.admin.web import Posting
from rostra.api.context import AppContext, context
from rostra.api.responses import CompactJSON
from rostra.errors import RostraError
from rostra.identity import email_links, privacy
from rostra.service.sites import site_language
from rostra.store import sites as site_store
from rostra.web.routes import TEMPLATES

router = APIRouter(include_in_schema=False)

TEXTS = {
    "en": {
        "title": "Your comments",
        "intro": "This page lets you download or erase every comment written with {email} "
        "on {site}.",
        "export": "Download my comments (JSON)",
        "erase_explained": "Erasing removes your name, email, IP address traces and the text "
        "of your comments. Replies by others stay in place under a “removed” note. "
        "This cannot be undone.",
        "confirm": "Yes, erase my data",
        "erase": "Erase my data",
        "erased": "Done: {count} comments were erased.",
    },
    "de": {
        "title": "Ihre Kommentare",
        "intro": "Hier können Sie alle Kommentare herunterladen oder löschen, die Sie mit {email} "
        "auf {site} geschrieben haben.",
        "export": "Meine Kommentare herunterladen (JSON)",
        "erase_explained": "Beim Löschen werden Ihr Name, Ihre E-Mail-Adresse, Spuren Ihrer "
        "IP-Adresse und der Text Ihrer Kommentare entfernt. Antworten anderer bleiben unter "
        "einem Hinweis „entfernt“ stehen. Das lässt sich nicht rückgängig machen.",
        "confirm": "Ja, meine Daten löschen",
        "erase": "Meine Daten löschen",
        "erased": "Erledigt: {count} Kommentare wurden gelöscht.",
    },
}

Ctx = Annotated[AppContext, Depends(context)]


def _page(status: int = 200, lang: str = "en", **values) -> HTMLResponse:
    values = {"error": None, "erased": None, "email": "", "site": "", "token": "", **values}
    texts = TEXTS.get(lang, TEXTS["en"])
    page = TEMPLATES.get_template("reader/privacy.html").render(lang=lang, t=texts, **values)
    return HTMLResponse(page, status, headers={"Cache-Control": "no-store"})


def _language(ctx: AppContext, site_id: int) -> tuple[str, str]:
    with ctx.db.read() as conn:
        site = site_store.site_by_id(conn, site_id)
    return site.name, site_language(site)


@router.get("/privacy")
def privacy_page(ctx: Ctx, token: str = "") -> HTMLResponse:
    try:
        link = email_links.privacy_link(ctx.db, token, use=False)
    except RostraError as exc:
        return _page(exc.status, error=exc.message)
    site, lang = _language(ctx, link.site_id)
    return _page(lang=lang, email=link.email, site=site, token=token)


@router.post("/privacy/export")
def export_by_link(ctx: Ctx, form: Posting):
    token = form.get("token")
    try:
        link = email_links.privacy_link(ctx.db, token, use=False)
    except RostraError as exc:
        return _page(exc.status, error=exc.message)
    data = privacy.export(ctx.db, privacy.Person(link.site_id, email=link.email))
    disposition = f'attachment; filename="comments-{data["site"]}.json"'
    return CompactJSON(
        data, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"}
    )


@router.post("/privacy/erase")
def erase_by_link(ctx: Ctx, form: Posting) -> HTMLResponse:
    token = form.get("token")
    try:
        link = email_links.privacy_link(ctx.db, token, use=False)
    except RostraError as exc:
        return _page(exc.status, error=exc.message)
    site, lang = _language(ctx, link.site_id)
    if form.get("confirm") != "yes":
        error = TEXTS[lang]["confirm"] + "?"
        return _page(400, lang, error=error, site=site)
    email_links.privacy_link(ctx.db, token, use=True)
    erased = privacy.erase(ctx.db, privacy.Person(link.site_id, email=link.email))
    return _page(lang=lang, erased=erased, site=site)

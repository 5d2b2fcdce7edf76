"""Readers signing in and out, and getting or erasing their own data."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from rostra.api.context import AppContext, bearer_token, client, context
from rostra.api.cors import allow_origin
from rostra.api.responses import CompactJSON
from rostra.api.schemas import (
    EmailLinkIn,
    ErrorOut,
    ReaderOut,
    RedeemIn,
    SessionOut,
    SsoSignInIn,
)
from rostra.errors import Unauthorized
from rostra.identity import email_links, privacy
from rostra.identity import readers as reader_service
from rostra.identity.readers import SignedIn
from rostra.service.pages import iso
from rostra.store import sites as site_store
from rostra.store.readers import ReaderRow
from rostra.store.sites import SiteRow

router = APIRouter(
    tags=["readers"],
    responses={code: {"model": ErrorOut} for code in (400, 401, 403, 404, 429)},
)

NO_STORE = {"Cache-Control": "no-store"}


def reader_json(reader: ReaderRow) -> dict:
    return {
        "id": reader.id,
        "name": reader.display_name,
        "avatar": reader.avatar_url,
        "email": reader.email,
        "provider": reader.provider,
        "roles": reader.roles,
        "verified": True,
    }


def _for_site(ctx: AppContext, request: Request, response: Response, site_id: int) -> Response:
    with ctx.db.read() as conn:
        allow_origin(request, response, site_store.site_by_id(conn, site_id).origins)
    return response


def _session_response(ctx: AppContext, request: Request, signed: SignedIn) -> Response:
    body = {
        "session": signed.session,
        "expires": iso(signed.expires_at),
        "reader": reader_json(signed.reader),
    }
    return _for_site(ctx, request, CompactJSON(body, headers=NO_STORE), signed.reader.site_id)


def _signed_in(request: Request, ctx: AppContext) -> ReaderRow:
    reader = client(request, ctx).reader
    if reader is None:
        raise Unauthorized("not_signed_in", "Sign in first.")
    return reader


@router.post("/auth/sso", response_model=SessionOut, summary="Sign in with the site's token")
def sign_in_with_sso(
    request: Request, payload: SsoSignInIn, ctx: Annotated[AppContext, Depends(context)]
):
    """Exchange the JWT the host page was given for a Rostra session. Expired,
    not-yet-valid, wrongly signed and `alg: none` tokens are refused (401)."""
    signed = reader_service.sign_in_with_sso(ctx.db, payload.site, payload.token)
    return _session_response(ctx, request, signed)


def _base_url(request: Request, ctx: AppContext) -> str:
    return ctx.settings.public_url or str(request.base_url)


@router.post("/auth/email", status_code=202, summary="Mail a one-time sign-in link")
def send_signin_link(
    request: Request, payload: EmailLinkIn, ctx: Annotated[AppContext, Depends(context)]
):
    """For sites without their own accounts (when the site allows it). The link
    leads back to `return_url`, where the widget completes the sign-in."""
    link = email_links.LinkRequest(
        payload.site, payload.email, "signin", payload.name, payload.return_url
    )
    return _sent(request, email_links.send_link(ctx.db, link, _base_url(request, ctx)))


def _sent(request: Request, site: SiteRow) -> Response:
    response = CompactJSON({"sent": True}, 202)
    allow_origin(request, response, site.origins)
    return response


@router.post("/auth/email/redeem", response_model=SessionOut, summary="Complete an email sign-in")
def redeem_signin_link(
    request: Request, payload: RedeemIn, ctx: Annotated[AppContext, Depends(context)]
):
    signed = email_links.redeem_signin(ctx.db, payload.token)
    return _session_response(ctx, request, signed)


@router.get("/auth/me", response_model=ReaderOut, summary="Who is signed in")
def who_am_i(request: Request, ctx: Annotated[AppContext, Depends(context)]):
    reader = _signed_in(request, ctx)
    response = CompactJSON(reader_json(reader), headers=NO_STORE)
    return _for_site(ctx, request, response, reader.site_id)


@router.delete("/auth/session", summary="Sign out")
def sign_out(request: Request, ctx: Annotated[AppContext, Depends(context)]):
    reader = reader_service.reader_for_session(ctx.db, bearer_token(request))
    reader_service.sign_out(ctx.db, bearer_token(request))
    response = CompactJSON({"signed_out": True})
    if reader is not None:
        _for_site(ctx, request, response, reader.site_id)
    return response


@router.get("/me/comments", summary="Download all your comments (JSON)")
def export_my_comments(request: Request, ctx: Annotated[AppContext, Depends(context)]):
    reader = _signed_in(request, ctx)
    data = privacy.export(ctx.db, privacy.Person.of_reader(reader))
    headers = {
        **NO_STORE,
        "Content-Disposition": f'attachment; filename="comments-{data["site"]}.json"',
    }
    return _for_site(ctx, request, CompactJSON(data, headers=headers), reader.site_id)


@router.delete("/me", summary="Erase your data")
def erase_me(request: Request, ctx: Annotated[AppContext, Depends(context)]):
    """Your comments become tombstones (replies stay); your name, email, IP hashes
    and texts are removed, and you are signed out everywhere."""
    reader = _signed_in(request, ctx)
    erased = privacy.erase(ctx.db, privacy.Person.of_reader(reader))
    return _for_site(ctx, request, CompactJSON({"erased": erased}), reader.site_id)


@router.post("/privacy/request", status_code=202, summary="Mail a link to export or erase")
def request_privacy_link(
    request: Request, payload: EmailLinkIn, ctx: Annotated[AppContext, Depends(context)]
):
    """For readers who commented with an email but never signed in: the mailed
    link opens a page to download or erase everything written with that email."""
    link = email_links.LinkRequest(payload.site, payload.email, "privacy")
    return _sent(request, email_links.send_link(ctx.db, link, _base_url(request, ctx)))

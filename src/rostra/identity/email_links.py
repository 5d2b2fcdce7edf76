"""One-time links sent by email: signing in without a password, and proving who
one is before exporting or erasing one's data.

A link is good for one use within its lifetime; only a hash of its token is
stored. Sign-in links lead back to the article (the widget picks the token up
from the address); privacy links lead to a page Rostra serves itself.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

from sqlalchemy import Connection

from rostra.domain import text
from rostra.domain.names import name_key
from rostra.errors import Forbidden, InvalidInput, Refused, Unauthorized
from rostra.identity.readers import (
    SignedIn,
    check_name_free,
    open_session,
)
from rostra.identity.settings import IdentitySettings
from rostra.notify.outbox import enqueue_mail
from rostra.service.identity import hash_token
from rostra.service.sites import site_language
from rostra.store import readers as reader_store
from rostra.store import sites as site_store
from rostra.store.database import Database
from rostra.store.readers import EmailLinkRow, ReaderRow
from rostra.store.sites import SiteRow

LIFETIME = {"signin": timedelta(minutes=30), "privacy": timedelta(hours=24)}
MAX_LINKS_PER_HOUR = 5
SIGNIN_FRAGMENT = "rostra-signin"


@dataclass(frozen=True)
class LinkRequest:
    site: str
    email: str
    purpose: str  # signin or privacy
    name: str | None = None  # for signin: the name to comment under
    return_url: str | None = None  # for signin: the article to come back to


def _now() -> datetime:
    return datetime.now(UTC)


def _clean_email(email: str) -> str:
    try:
        cleaned = text.clean_email(email)
    except text.InvalidText as exc:
        raise InvalidInput(exc.code, exc.message) from None
    if cleaned is None:
        raise InvalidInput("invalid_email", "An email address is required.")
    return cleaned.lower()


def _signin_return(site: SiteRow, url: str | None) -> str:
    """Sign-in links lead only to the site's own pages, never anywhere else."""
    parts = urlsplit(url or "")
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    if origin not in site.origins:
        raise InvalidInput(
            "invalid_return_url", "The return address must be a page on one of the site's origins."
        )
    return url.split("#", 1)[0]


def _link_for(request: LinkRequest, site: SiteRow, token: str, base_url: str) -> str:
    if request.purpose == "signin":
        return f"{_signin_return(site, request.return_url)}#{SIGNIN_FRAGMENT}={token}"
    return f"{base_url.rstrip('/')}/privacy?{urlencode({'token': token})}"


def _check_allowed(conn: Connection, request: LinkRequest, site: SiteRow, email: str) -> str:
    if request.purpose not in LIFETIME:
        raise InvalidInput("invalid_purpose", "A link is for signin or privacy.")
    if request.purpose != "signin":
        return ""
    if not IdentitySettings.of_site(site.settings).email_signin:
        raise Forbidden("email_signin_off", "This site does not offer sign-in by email.")
    try:
        name = text.clean_name(request.name or "")
    except text.InvalidText as exc:
        raise InvalidInput(exc.code, exc.message) from None
    current = reader_store.reader_by_subject(conn, site.id, "email", email)
    check_name_free(conn, site.id, name, current)
    return name


def send_link(db: Database, request: LinkRequest, base_url: str) -> SiteRow:
    """Mail a one-time link; refuses more than a few an hour for one address.

    Returns the site, whose origins the answer names."""
    email = _clean_email(request.email)
    now = _now()
    with db.write() as conn:
        site = site_store.require_site(conn, request.site)
        name = _check_allowed(conn, request, site, email)
        if reader_store.links_sent_since(conn, site.id, email, now - timedelta(hours=1)) >= (
            MAX_LINKS_PER_HOUR
        ):
            raise Refused(
                429, "too_many_links", "Several links were sent to this address in the last "
                "hour; please use one of them or try later.", {"retry_after": 3600},
            )  # fmt: skip
        token = secrets.token_urlsafe(32)
        token_hash = hash_token(token)
        link = _link_for(request, site, token, base_url)
        reader_store.insert_email_link(
            conn, token_hash=token_hash, site_id=site.id, email=email, purpose=request.purpose,
            display_name=name or None, created_at=now, expires_at=now + LIFETIME[request.purpose],
        )  # fmt: skip
        enqueue_mail(
            conn, site_id=site.id, kind=request.purpose, recipient=email,
            dedupe_key=f"link:{token_hash}", context={"link": link, "site": site.name},
            language=site_language(site),
        )  # fmt: skip
    return site


def _live_link(conn: Connection, token: str, purpose: str, now: datetime) -> EmailLinkRow:
    link = reader_store.email_link(conn, hash_token(token or ""))
    if link is None or link.purpose != purpose:
        raise Unauthorized("link_invalid", "This link is not valid. Ask for a new one.")
    if link.used_at is not None:
        raise Unauthorized("link_used", "This link was already used. Ask for a new one.")
    if link.expires_at <= now:
        raise Unauthorized("link_expired", "This link has expired. Ask for a new one.")
    return link


def redeem_signin(db: Database, token: str) -> SignedIn:
    """Sign in with a link from a sign-in mail; the link then stops working."""
    now = _now()
    with db.write() as conn:
        link = _live_link(conn, token, "signin", now)
        reader_store.claim_email_link(conn, link.token_hash, now)
        site = site_store.site_by_id(conn, link.site_id)
        reader = _upsert_email_reader(conn, link, now)
        check_name_free(conn, site.id, reader.display_name, reader)
        return open_session(conn, reader, site)


def _upsert_email_reader(conn: Connection, link: EmailLinkRow, now: datetime) -> ReaderRow:
    values = dict(
        display_name=link.display_name, name_key=name_key(link.display_name),
        email=link.email, last_seen_at=now,
    )  # fmt: skip
    found = reader_store.reader_by_subject(conn, link.site_id, "email", link.email)
    if found is None:
        reader_id = reader_store.insert_reader(
            conn, site_id=link.site_id, provider="email", subject=link.email, roles=[],
            avatar_url=None, created_at=now, **values,
        )  # fmt: skip
    else:
        reader_id = found.id
        reader_store.update_reader(conn, reader_id, **values)
    return reader_store.reader_by_id(conn, reader_id)


def privacy_link(db: Database, token: str, *, use: bool) -> EmailLinkRow:
    """The live privacy link for `token`; `use` spends it (erasing is done once)."""
    now = _now()
    with db.write() as conn:
        link = _live_link(conn, token, "privacy", now)
        if use:
            reader_store.claim_email_link(conn, link.token_hash, now)
        return link

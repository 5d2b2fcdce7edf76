"""Signing readers in and out, and knowing who holds a session.

A reader signs in with the host site's token (single sign-on) or an emailed
link; either way Rostra answers with its own session token, which the widget
sends as `Authorization: Bearer …` and forgets on logout.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from rostra.admin import auth as admin_auth
from rostra.admin.auth import NewSession
from rostra.domain.names import name_key
from rostra.errors import Conflict, Forbidden, InvalidInput
from rostra.identity import staff
from rostra.identity.settings import IdentitySettings
from rostra.identity.sso import SsoClaims, verify_token
from rostra.service.identity import hash_token
from rostra.store import readers as reader_store
from rostra.store import sites as site_store
from rostra.store.database import Database
from rostra.store.readers import ReaderRow
from rostra.store.sites import SiteRow


@dataclass(frozen=True)
class SignedIn:
    session: str  # given to the widget once; only its hash is stored
    expires_at: datetime
    reader: ReaderRow


def _now() -> datetime:
    return datetime.now(UTC)


def _verified_claims(db: Database, site_name: str, token: str):
    with db.read() as conn:
        site = site_store.require_site(conn, site_name)
    identity = IdentitySettings.of_site(site.settings)
    if identity.sso is None:
        raise InvalidInput("sso_not_configured", f"Site {site_name!r} has no single sign-on.")
    return site, identity, verify_token(token, identity.sso)


def sign_in_with_sso(db: Database, site_name: str, token: str) -> SignedIn:
    site, identity, claims = _verified_claims(db, site_name, token)
    now = _now()
    with db.write() as conn:
        reader = _upsert_sso_reader(conn, site.id, claims, now)
        staff.grant_from_sso(conn, site, reader, identity.sso.trust_admin_role, now)
        return _open_session(conn, reader, identity, now)


def moderator_session_from_sso(db: Database, site_name: str, token: str) -> NewSession:
    """An admin-pages session for a reader whose token carries a moderator role."""
    site, identity, claims = _verified_claims(db, site_name, token)
    now = _now()
    with db.write() as conn:
        reader = _upsert_sso_reader(conn, site.id, claims, now)
        user_id = staff.grant_from_sso(conn, site, reader, identity.sso.trust_admin_role, now)
        if user_id is not None:
            return admin_auth.open_session(conn, user_id, now)
    raise Forbidden("not_a_moderator", "Your sign-in token gives you no moderator role here.")


def _upsert_sso_reader(conn: Connection, site_id: int, claims: SsoClaims, now: datetime):
    values = dict(
        display_name=claims.name, name_key=name_key(claims.name), avatar_url=claims.avatar_url,
        email=claims.email, roles=list(claims.roles), last_seen_at=now,
    )  # fmt: skip
    found = reader_store.reader_by_subject(conn, site_id, "sso", claims.subject)
    if found is None:
        reader_id = reader_store.insert_reader(
            conn, site_id=site_id, provider="sso", subject=claims.subject, created_at=now, **values
        )
    else:
        reader_id = found.id
        reader_store.update_reader(conn, reader_id, **values)
    return reader_store.reader_by_id(conn, reader_id)


def _open_session(
    conn: Connection, reader: ReaderRow, identity: IdentitySettings, now: datetime
) -> SignedIn:
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(days=identity.session_days)
    reader_store.insert_session(conn, hash_token(token), reader.id, now, expires)
    return SignedIn(token, expires, reader)


def open_session(conn: Connection, reader: ReaderRow, site: SiteRow) -> SignedIn:
    return _open_session(conn, reader, IdentitySettings.of_site(site.settings), _now())


def reader_for_session(db: Database, token: str | None) -> ReaderRow | None:
    if not token:
        return None
    with db.read() as conn:
        return reader_store.reader_by_session(conn, hash_token(token), _now())


def sign_out(db: Database, token: str | None) -> None:
    if token:
        with db.write() as conn:
            reader_store.delete_session(conn, hash_token(token))


def check_name_free(
    conn: Connection, site_id: int, name: str, reader: ReaderRow | None = None
) -> None:
    """Refuse a name that looks like a signed-in reader's, unless it is theirs."""
    holder = reader_store.name_holder(conn, site_id, name_key(name), reader.id if reader else None)
    if holder is not None:
        raise Conflict(
            "name_reserved",
            f"The name {name!r} (or one that looks the same) belongs to a verified reader "
            "of this site. Please choose another name, or sign in.",
        )

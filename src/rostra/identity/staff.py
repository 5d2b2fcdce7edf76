"""Moderators granted by a site's single sign-on: a `roles` claim of moderator or admin.

The site's sign-on stays the authority: each sign-in brings the account in
line with the token, and a reader whose roles were taken away loses access.
"""

from datetime import datetime

from sqlalchemy import Connection

from rostra.admin.accounts import Role
from rostra.store import users as user_store
from rostra.store.readers import ReaderRow
from rostra.store.sites import SiteRow


def external_ref(site: SiteRow, reader: ReaderRow) -> str:
    return f"sso:{site.id}:{reader.subject}"


def _role_for(roles: list[str], trust_admin_role: bool) -> Role | None:
    if "admin" in roles and trust_admin_role:
        return Role.ADMIN
    if "admin" in roles or "moderator" in roles:
        # A site's admin moderates that site; the server-wide admin role is
        # only handed out when the operator trusts this site's sign-on with it.
        return Role.MODERATOR
    return None


def grant_from_sso(
    conn: Connection, site: SiteRow, reader: ReaderRow, trust_admin_role: bool, now: datetime
) -> int | None:
    """Create, update or disable the moderator account behind an SSO reader; its id."""
    ref = external_ref(site, reader)
    existing = user_store.user_by_external_ref(conn, ref)
    role = _role_for(reader.roles, trust_admin_role)
    if role is None:
        if existing is not None and not existing.disabled:
            user_store.update_user(conn, existing.id, disabled=True)
        return None
    if existing is None:
        user_id = user_store.insert_user(
            conn, username=f"sso-{site.name}-{reader.id}"[:64], email=reader.email,
            password_hash=None, role=role.value, created_at=now, failed_logins=0,
            disabled=False, external_ref=ref, notify_held="off",
        )  # fmt: skip
    else:
        user_id = existing.id
        user_store.update_user(conn, user_id, role=role.value, email=reader.email, disabled=False)
    user_store.grant_sites(conn, user_id, {site.id})
    return user_id

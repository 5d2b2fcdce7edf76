"""Queries on moderators' accounts, the sites they moderate, and their sessions."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, or_, select

from rostra.store.schema import admin_sessions, login_failures, user_sites, users


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    email: str | None
    password_hash: str | None
    role: str
    created_at: datetime
    failed_logins: int
    locked_until: datetime | None
    disabled: bool


@dataclass(frozen=True)
class SessionRow:
    token_hash: str
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime


_USER_COLUMNS = [getattr(users.c, name) for name in UserRow.__dataclass_fields__]
_SESSION_COLUMNS = [getattr(admin_sessions.c, name) for name in SessionRow.__dataclass_fields__]


def insert_user(conn: Connection, **values) -> int:
    return conn.execute(users.insert().values(**values)).inserted_primary_key[0]


def user_by_name(conn: Connection, username: str) -> UserRow | None:
    row = conn.execute(select(*_USER_COLUMNS).where(users.c.username == username)).first()
    return UserRow(*row) if row else None


def user_by_external_ref(conn: Connection, ref: str) -> UserRow | None:
    row = conn.execute(select(*_USER_COLUMNS).where(users.c.external_ref == ref)).first()
    return UserRow(*row) if row else None


def user_by_id(conn: Connection, user_id: int) -> UserRow | None:
    row = conn.execute(select(*_USER_COLUMNS).where(users.c.id == user_id)).first()
    return UserRow(*row) if row else None


def all_users(conn: Connection) -> list[UserRow]:
    return [UserRow(*row) for row in conn.execute(select(*_USER_COLUMNS).order_by(users.c.id))]


def update_user(conn: Connection, user_id: int, **values) -> None:
    conn.execute(users.update().where(users.c.id == user_id).values(**values))


def usernames(conn: Connection, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = conn.execute(select(users.c.id, users.c.username).where(users.c.id.in_(user_ids)))
    return {row.id: row.username for row in rows}


def site_ids_of(conn: Connection, user_id: int) -> set[int]:
    rows = conn.execute(select(user_sites.c.site_id).where(user_sites.c.user_id == user_id))
    return {row.site_id for row in rows}


def grant_sites(conn: Connection, user_id: int, site_ids: set[int]) -> None:
    already = site_ids_of(conn, user_id)
    for site_id in sorted(site_ids - already):
        conn.execute(user_sites.insert().values(user_id=user_id, site_id=site_id))


def insert_session(conn: Connection, **values) -> None:
    conn.execute(admin_sessions.insert().values(**values))


def session_by_hash(conn: Connection, token_hash: str) -> SessionRow | None:
    row = conn.execute(
        select(*_SESSION_COLUMNS).where(admin_sessions.c.token_hash == token_hash)
    ).first()
    return SessionRow(*row) if row else None


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(admin_sessions).where(admin_sessions.c.token_hash == token_hash))


def delete_sessions_of(conn: Connection, user_id: int) -> None:
    conn.execute(delete(admin_sessions).where(admin_sessions.c.user_id == user_id))


def delete_expired_sessions(conn: Connection, now: datetime) -> None:
    conn.execute(delete(admin_sessions).where(admin_sessions.c.expires_at <= now))


@dataclass(frozen=True)
class HeldRecipient:
    """A moderator of a site who asked to be mailed about held comments."""

    id: int
    email: str
    notify_held: str  # immediate or hourly


def held_recipients(conn: Connection, site_id: int) -> list[HeldRecipient]:
    granted = select(user_sites.c.user_id).where(user_sites.c.site_id == site_id)
    query = select(users.c.id, users.c.email, users.c.notify_held).where(
        users.c.disabled.is_(False),
        users.c.email.is_not(None),
        users.c.notify_held != "off",
        or_(users.c.role == "admin", users.c.id.in_(granted)),
    )
    return [HeldRecipient(*row) for row in conn.execute(query.order_by(users.c.id))]


def notify_held_of(conn: Connection, user_id: int) -> str:
    return conn.execute(select(users.c.notify_held).where(users.c.id == user_id)).scalar_one()


# --- failed logins under names that are no account ---------------------------------------


def unknown_name_locked_until(conn: Connection, name_key: str) -> datetime | None:
    query = select(login_failures.c.locked_until).where(login_failures.c.name_key == name_key)
    return conn.execute(query).scalar_one_or_none()


def count_unknown_name_failure(
    conn: Connection, name_key: str, now: datetime, max_failures: int, lock_until: datetime
) -> bool:
    """Count one more failure under the name; return whether this one locks it."""
    row = conn.execute(
        select(login_failures.c.failures).where(login_failures.c.name_key == name_key)
    ).first()
    failures = (row[0] if row else 0) + 1
    locked = failures >= max_failures
    values = dict(
        failures=0 if locked else failures,
        locked_until=lock_until if locked else None,
        last_failed_at=now,
    )
    if row is None:
        conn.execute(login_failures.insert().values(name_key=name_key, **values))
    else:
        conn.execute(
            login_failures.update().where(login_failures.c.name_key == name_key).values(**values)
        )
    return locked


def forget_login_failures_before(conn: Connection, when: datetime) -> None:
    """Drop the counts of names nobody has tried since `when` (and no longer locked)."""
    conn.execute(
        delete(login_failures).where(
            login_failures.c.last_failed_at < when,
            or_(login_failures.c.locked_until.is_(None), login_failures.c.locked_until < when),
        )
    )

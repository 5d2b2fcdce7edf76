"""Logging in and out: argon2 passwords, hashed session tokens, CSRF tokens, lockout."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2.exceptions import InvalidHashError, VerificationError

from rostra.admin.accounts import PASSWORDS, Moderator, Role
from rostra.errors import RostraError
from rostra.service.identity import hash_token, same_secret
from rostra.store import users as user_store
from rostra.store.database import Database
from rostra.store.secrets import read_secret

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
FORGET_UNKNOWN_NAMES_AFTER = timedelta(days=1)
# Verified against when the username is unknown, so that a wrong name takes
# as long as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = PASSWORDS.hash(secrets.token_urlsafe(16))


class LoginFailed(RostraError):
    status = 401


class AccountLocked(RostraError):
    status = 429


@dataclass(frozen=True)
class NewSession:
    token: str  # goes in the cookie; only its hash is stored
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, round((until - now).total_seconds() / 60))
    return (
        f"Too many failed attempts: this account is locked for {minutes} more minute"
        f"{'s' if minutes != 1 else ''}. Try again later or ask an admin to unlock it."
    )


def log_in(db: Database, username: str, password: str) -> NewSession:
    """Check the password and open a session, or raise LoginFailed / AccountLocked."""
    now = _now()
    name = username.strip()
    with db.read() as conn:
        user = user_store.user_by_name(conn, name)
        locked_until = (
            user.locked_until
            if user is not None
            else user_store.unknown_name_locked_until(conn, _name_key(conn, name))
        )
    if locked_until is not None and locked_until > now:
        raise AccountLocked("account_locked", _locked_message(locked_until, now))
    valid = _verify(user.password_hash if user else None, password)
    if user is None or user.disabled or not valid:
        if user is None:
            _count_unknown_name_failure(db, name, now)
        elif not valid:
            _count_failure(db, user.id, now)
        raise LoginFailed("login_failed", "Wrong username or password.")
    with db.write() as conn:
        changes: dict = dict(failed_logins=0, locked_until=None)
        if PASSWORDS.check_needs_rehash(user.password_hash):
            changes["password_hash"] = PASSWORDS.hash(password)
        user_store.update_user(conn, user.id, **changes)
        return open_session(conn, user.id, now)


def open_session(conn, user_id: int, now: datetime) -> NewSession:
    """A new session for an account that proved who it is (password or sign-on)."""
    token = secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    user_store.delete_expired_sessions(conn, now)
    user_store.insert_session(
        conn, token_hash=hash_token(token), user_id=user_id,
        csrf_token=secrets.token_urlsafe(32), created_at=now, expires_at=expires,
    )  # fmt: skip
    return NewSession(token, expires)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return PASSWORDS.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(db: Database, user_id: int, now: datetime) -> None:
    with db.write() as conn:
        failures = user_store.user_by_id(conn, user_id).failed_logins + 1
        locked = failures >= MAX_FAILURES
        if locked:
            user_store.update_user(conn, user_id, failed_logins=0, locked_until=now + LOCK_FOR)
        else:
            user_store.update_user(conn, user_id, failed_logins=failures)
    # Raised after the transaction: raising inside it would roll the lock back.
    if locked:
        raise AccountLocked("account_locked", _locked_message(now + LOCK_FOR, now))


def _name_key(conn, name: str) -> str:
    # A keyed digest: what people type as a name is sometimes their password.
    key = bytes.fromhex(read_secret(conn, "hash_salt"))
    return hmac.new(key, b"login-name\x1f" + name.encode(), hashlib.sha256).hexdigest()


def _count_unknown_name_failure(db: Database, name: str, now: datetime) -> None:
    """Count failures under a name that is no account as an account's are counted."""
    with db.write() as conn:
        user_store.forget_login_failures_before(conn, now - FORGET_UNKNOWN_NAMES_AFTER)
        locked = user_store.count_unknown_name_failure(
            conn, _name_key(conn, name), now, MAX_FAILURES, now + LOCK_FOR
        )
    if locked:
        raise AccountLocked("account_locked", _locked_message(now + LOCK_FOR, now))


def session_moderator(db: Database, token: str | None) -> Moderator | None:
    """Who holds this session cookie, if it is a live session of an enabled account."""
    if not token:
        return None
    with db.read() as conn:
        session = user_store.session_by_hash(conn, hash_token(token))
        if session is None or session.expires_at <= _now():
            return None
        user = user_store.user_by_id(conn, session.user_id)
        if user is None or user.disabled:
            return None
        site_ids = frozenset(user_store.site_ids_of(conn, user.id))
    return Moderator(user.id, user.username, Role(user.role), site_ids, session.csrf_token)


def log_out(db: Database, token: str | None) -> None:
    if token:
        with db.write() as conn:
            user_store.delete_session(conn, hash_token(token))


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and same_secret(given, expected)

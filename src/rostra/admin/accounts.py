"""Moderators' accounts: who may log in, with which role, for which sites."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from argon2 import PasswordHasher
from sqlalchemy.exc import IntegrityError

from rostra.errors import Conflict, InvalidInput, NotFound
from rostra.notify.moderators import check_choice
from rostra.store import sites as site_store
from rostra.store import users as user_store
from rostra.store.database import Database
from rostra.store.users import UserRow

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MIN_PASSWORD = 10

# One hasher for the process: argon2id with the library's current defaults.
PASSWORDS = PasswordHasher()


class Role(StrEnum):
    ADMIN = "admin"  # every site, settings, the audit log
    MODERATOR = "moderator"  # the queues of the sites granted to them


@dataclass(frozen=True)
class Moderator:
    """A logged-in user and what they may see."""

    id: int
    username: str
    role: Role
    site_ids: frozenset[int]  # the sites granted; admins see every site whatever this holds
    csrf_token: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def may_moderate(self, site_id: int) -> bool:
        return self.is_admin or site_id in self.site_ids


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("weak_password", f"A password needs at least {MIN_PASSWORD} characters.")


def create_user(
    db: Database,
    username: str,
    password: str,
    role: str,
    *,
    sites: list[str] = (),
    email: str | None = None,
    notify_held: str = "off",
) -> UserRow:
    if not _USERNAME.match(username):
        raise InvalidInput(
            "invalid_username",
            "A username is 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit.",
        )
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput("invalid_role", "The role is admin or moderator.") from None
    check_password_strength(password)
    if role == Role.MODERATOR and not sites:
        raise InvalidInput("no_sites", "A moderator needs at least one site (--site).")
    if notify_held != "off" and not email:
        raise InvalidInput("email_required", "Mail about held comments needs an email (--email).")
    password_hash = PASSWORDS.hash(password)
    try:
        with db.write() as conn:
            site_ids = set()
            for name in sites:
                found = site_store.require_site(conn, name)
                site_ids.add(found.id)
            user_id = user_store.insert_user(
                conn, username=username, email=email or None, password_hash=password_hash,
                role=role.value, created_at=datetime.now(UTC), failed_logins=0, disabled=False,
                notify_held=check_choice(notify_held),
            )  # fmt: skip
            user_store.grant_sites(conn, user_id, site_ids)
            return user_store.user_by_id(conn, user_id)
    except IntegrityError:
        raise Conflict("user_exists", f"A user named {username!r} already exists.") from None


def list_users(db: Database) -> list[tuple[UserRow, list[str]]]:
    with db.read() as conn:
        names = {site.id: site.name for site in site_store.all_sites(conn)}
        return [
            (user, sorted(names[i] for i in user_store.site_ids_of(conn, user.id) if i in names))
            for user in user_store.all_users(conn)
        ]


def unlock_user(db: Database, username: str) -> None:
    with db.write() as conn:
        user = user_store.user_by_name(conn, username)
        if user is None:
            raise NotFound("unknown_user", f"There is no user named {username!r}.")
        user_store.update_user(conn, user.id, failed_logins=0, locked_until=None)

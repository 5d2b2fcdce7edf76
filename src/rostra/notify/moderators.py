"""Mail to moderators about held comments, as each of them chose: off, one
mail per held comment, or an hourly digest."""

from datetime import datetime, timedelta

from sqlalchemy import Connection

from rostra.domain import text
from rostra.errors import InvalidInput
from rostra.notify.outbox import enqueue_mail
from rostra.store import users as user_store
from rostra.store.comments import CommentRecord
from rostra.store.database import Database

CHOICES = ("off", "immediate", "hourly")


def next_full_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def mail_held(conn: Connection, comment: CommentRecord, language: str, now: datetime) -> None:
    """Tell the site's moderators who asked; once per comment and moderator,
    even when the comment is held again later."""
    for user in user_store.held_recipients(conn, comment.site_id):
        common = dict(
            site_id=comment.site_id, recipient=user.email, language=language,
            dedupe_key=f"held:{user.id}:{comment.id}", context={"comment_id": comment.id},
        )  # fmt: skip
        if user.notify_held == "immediate":
            enqueue_mail(conn, kind="held", **common)
        else:
            enqueue_mail(
                conn, kind="held_digest", group_key=f"held:{user.id}:{comment.site_id}",
                deliver_after=next_full_hour(now), **common,
            )  # fmt: skip


def check_choice(value: str) -> str:
    if value not in CHOICES:
        raise InvalidInput(
            "invalid_notify_held", "Mail about held comments: off, immediate or hourly."
        )
    return value


def set_preferences(db: Database, user_id: int, *, email: str | None, notify_held: str) -> None:
    """A moderator's own mail settings; mail needs an address."""
    notify_held = check_choice(notify_held)
    try:
        email = text.clean_email(email)
    except text.InvalidText as exc:
        raise InvalidInput(exc.code, exc.message) from None
    if notify_held != "off" and not email:
        raise InvalidInput("email_required", "Give an email address to be mailed.")
    with db.write() as conn:
        user_store.update_user(conn, user_id, email=email or None, notify_held=notify_held)


def preferences(db: Database, user_id: int) -> tuple[str | None, str]:
    with db.read() as conn:
        user = user_store.user_by_id(conn, user_id)
        return user.email, user_store.notify_held_of(conn, user_id)

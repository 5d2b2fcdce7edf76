"""Queries behind a reader's export and erasure, and the retention limits."""

from array import array
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, case, delete, func, or_, select, update

from rostra.store.comments import RECORD_COLUMNS, CommentRecord
from rostra.store.imports import ERASED_DIGEST
from rostra.store.schema import (
    comment_revisions,
    comments,
    email_links,
    outbox,
    reader_sessions,
    subscriptions,
    threads,
)


def _authored_by(site_id: int, reader_id: int | None, email: str | None):
    mine = []
    if reader_id is not None:
        mine.append(comments.c.reader_id == reader_id)
    if email:
        # Addresses are compared as their owners mean them: case does not count.
        mine.append(func.lower(comments.c.author_email) == email.lower())
    return and_(comments.c.site_id == site_id, or_(*mine) if mine else False)


def authored_comments(
    conn: Connection,
    site_id: int,
    reader_id: int | None,
    email: str | None,
    limit: int | None = None,
) -> list[tuple[CommentRecord, str, str | None, str | None]]:
    """A reader's comments, each with its thread's key, URL and title, oldest first
    (the first `limit` of them)."""
    query = (
        select(*RECORD_COLUMNS, threads.c.key, threads.c.url, threads.c.title)
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(_authored_by(site_id, reader_id, email))
        .order_by(comments.c.created_at, comments.c.id)
        .limit(limit)
    )
    width = len(RECORD_COLUMNS)
    return [(CommentRecord(*row[:width]), *row[width:]) for row in conn.execute(query)]


def scrub_comments(conn: Connection, comment_ids: list[int]) -> None:
    """Remove everything personal the comments hold; the rows stay for their replies."""
    conn.execute(
        update(comments)
        .where(comments.c.id.in_(comment_ids))
        .values(
            author_name=None,
            author_email=None,
            author_website=None,
            author_key=None,
            ip_hash=None,
            body_source="",
            body_html="",
            edit_token_hash=None,
            reader_id=None,
            verified=False,
            author_avatar=None,
            fingerprint=None,
            moderation=None,
            # An older export still holds the text: importing it again must not restore it.
            source_digest=ERASED_DIGEST,
        )  # fmt: skip
    )
    conn.execute(delete(comment_revisions).where(comment_revisions.c.comment_id.in_(comment_ids)))


def forget_email(conn: Connection, site_id: int, email: str) -> None:
    email = email.lower()  # subscriptions and links keep addresses in lower case
    conn.execute(
        delete(subscriptions).where(
            subscriptions.c.site_id == site_id, subscriptions.c.email == email
        )
    )
    conn.execute(
        delete(email_links).where(email_links.c.site_id == site_id, email_links.c.email == email)
    )
    # Mails not sent yet would only tell them about data that is gone.
    conn.execute(
        delete(outbox).where(
            outbox.c.site_id == site_id,
            outbox.c.channel == "mail",
            func.lower(outbox.c.recipient) == email.lower(),
            outbox.c.status == "pending",
        )
    )


def _subscribed():
    return select(subscriptions.c.email).where(
        subscriptions.c.site_id == comments.c.site_id,
        subscriptions.c.email == func.lower(comments.c.author_email),
    )


def _due(name: str, site_id: int, before: datetime):
    """The condition under which a comment's `name` column (ip_hash or
    author_email) is past its retention limit `before`."""
    column = comments.c[name]
    due = [comments.c.site_id == site_id, column.is_not(None), comments.c.created_at < before]
    if name == "author_email":
        due.append(~_subscribed().exists())  # kept for the reply mails the reader asked for
    return and_(*due)


@dataclass(frozen=True)
class RetentionLimits:
    site_id: int
    ip_hash_before: datetime
    email_before: datetime

    def ip_hash_due(self):
        return _due("ip_hash", self.site_id, self.ip_hash_before)

    def email_due(self):
        return _due("author_email", self.site_id, self.email_before)


def due_for_retention(conn: Connection, limits: RetentionLimits) -> array:
    """Ids of the site's comments holding an IP hash or an email past its limit,
    in id order, for batches that rewrite neighbouring rows."""
    # One search per column, each ordered by that column: SQLite, which keeps no
    # statistics here, then takes the (site, ip_hash) index, which holds only the
    # hashes still stored, rather than the one on creation time, which covers all
    # history. (For emails it still takes the latter: docs/PRIVACY.md.)
    found = set()
    for name, due in (("ip_hash", limits.ip_hash_due()), ("author_email", limits.email_due())):
        found.update(
            conn.execute(select(comments.c.id).where(due).order_by(comments.c[name])).scalars()
        )
    return array("q", sorted(found))


def clear_for_retention(conn: Connection, limits: RetentionLimits, comment_ids) -> tuple[int, int]:
    """Clear what is past its limit in those comments, checked again (a row may
    have changed since it was found), both columns in one write of each row;
    how many IP hashes and emails were cleared."""
    ip_due, email_due = limits.ip_hash_due(), limits.email_due()
    found = conn.execute(
        select(comments.c.id, ip_due, email_due)
        .where(comments.c.id.in_(list(comment_ids)), or_(ip_due, email_due))
        .with_for_update()  # PostgreSQL: nothing changes them between this look and the write
    ).all()
    ip_ids = [comment_id for comment_id, ip, _ in found if ip]
    email_ids = [comment_id for comment_id, _, email in found if email]
    if found:
        # On PostgreSQL every write of a row adds it to each of the table's indexes
        # again: one write for both columns costs half what one for each does.
        conn.execute(
            update(comments)
            .where(comments.c.id.in_([row.id for row in found]))
            .values(
                ip_hash=case((comments.c.id.in_(ip_ids), None), else_=comments.c.ip_hash),
                author_email=case(
                    (comments.c.id.in_(email_ids), None), else_=comments.c.author_email
                ),
            )
        )
    return len(ip_ids), len(email_ids)


def forget_expired_credentials(conn: Connection, now: datetime) -> None:
    conn.execute(delete(reader_sessions).where(reader_sessions.c.expires_at <= now))
    conn.execute(delete(email_links).where(email_links.c.expires_at <= now))

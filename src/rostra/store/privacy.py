"""Queries behind a reader's export and erasure, and the retention limits."""

from array import array
from datetime import datetime

from sqlalchemy import Connection, and_, delete, func, or_, select, update

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


def _due(name: str, site_id: int, before: datetime) -> list:
    column = comments.c[name]
    due = [comments.c.site_id == site_id, column.is_not(None), comments.c.created_at < before]
    if name == "author_email":
        due.append(~_subscribed().exists())  # kept for the reply mails the reader asked for
    return due


def due_for_retention(conn: Connection, name: str, site_id: int, before: datetime) -> array:
    """Ids of the site's comments whose `name` column (ip_hash or author_email) is
    past `before`, in id order, for batches that rewrite neighbouring rows."""
    # Ordered by the column so that SQLite, which keeps no statistics here, takes
    # the (site, ip_hash) index, which holds only the hashes still stored, rather
    # than the one on creation time, which covers all history. (For emails it
    # still takes the latter: docs/PRIVACY.md.)
    query = select(comments.c.id).where(*_due(name, site_id, before)).order_by(comments.c[name])
    return array("q", sorted(conn.execute(query).scalars()))


def clear_for_retention(
    conn: Connection, name: str, site_id: int, before: datetime, comment_ids
) -> int:
    """Clear that column of those comments still due (checked again: a row may have
    changed since it was found); how many were cleared."""
    return conn.execute(
        update(comments)
        .where(comments.c.id.in_(list(comment_ids)), *_due(name, site_id, before))
        .values({name: None})
    ).rowcount


def forget_expired_credentials(conn: Connection, now: datetime) -> None:
    conn.execute(delete(reader_sessions).where(reader_sessions.c.expires_at <= now))
    conn.execute(delete(email_links).where(email_links.c.expires_at <= now))

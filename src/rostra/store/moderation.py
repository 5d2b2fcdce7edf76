"""Queries the moderation checkers ask before a comment is stored."""

from datetime import datetime

from sqlalchemy import Connection, func, or_, select

from rostra.store.schema import comments, threads


def approved_count(conn: Connection, site_id: int, author_key: str, email: str | None) -> int:
    """Published comments by this author, to tell first-time commenters apart."""
    who = comments.c.author_key == author_key
    if email:
        who = or_(who, comments.c.author_email == email)
    query = select(func.count()).where(
        comments.c.site_id == site_id, comments.c.status == "published", who
    )
    return conn.execute(query).scalar_one()


def recent_count(
    conn: Connection, site_id: int, author_key: str, ip_hash: str, since: datetime
) -> int:
    """Comments from this author or address since a moment, held ones included."""
    by_author = select(comments.c.id).where(
        comments.c.site_id == site_id,
        comments.c.author_key == author_key,
        comments.c.created_at >= since,
    )
    by_address = select(comments.c.id).where(
        comments.c.site_id == site_id, comments.c.ip_hash == ip_hash, comments.c.created_at >= since
    )
    union = by_author.union(by_address).subquery()
    return conn.execute(select(func.count()).select_from(union)).scalar_one()


def oldest_recent(
    conn: Connection, site_id: int, author_key: str, ip_hash: str, since: datetime
) -> datetime | None:
    query = select(func.min(comments.c.created_at)).where(
        comments.c.site_id == site_id,
        or_(comments.c.author_key == author_key, comments.c.ip_hash == ip_hash),
        comments.c.created_at >= since,
    )
    return conn.execute(query).scalar_one()


def recent_texts_by_author(
    conn: Connection, site_id: int, author_key: str, since: datetime, limit: int = 20
) -> list[tuple[str, str | None]]:
    query = (
        select(comments.c.body_source, comments.c.fingerprint)
        .where(
            comments.c.site_id == site_id,
            comments.c.author_key == author_key,
            comments.c.created_at >= since,
        )
        .order_by(comments.c.created_at.desc())
        .limit(limit)
    )
    return [(row.body_source, row.fingerprint) for row in conn.execute(query)]


def authors_with_fingerprint(
    conn: Connection, site_id: int, fingerprint: str, since: datetime
) -> int:
    query = select(func.count(func.distinct(comments.c.author_key))).where(
        comments.c.site_id == site_id,
        comments.c.fingerprint == fingerprint,
        comments.c.created_at >= since,
    )
    return conn.execute(query).scalar_one()


def set_thread_policy(conn: Connection, thread_id: int, policy: str | None) -> None:
    conn.execute(threads.update().where(threads.c.id == thread_id).values(policy=policy))


def thread_policy(conn: Connection, site_id: int, key: str) -> tuple[int | None, str | None]:
    row = conn.execute(
        select(threads.c.id, threads.c.policy).where(
            threads.c.site_id == site_id, threads.c.key == key
        )
    ).first()
    return (row.id, row.policy) if row else (None, None)

"""Queries the moderation checkers ask before a comment is stored.

Built once with bound parameters: they run on every post.
"""

from datetime import datetime

from sqlalchemy import Connection, bindparam, func, or_, select

from rostra.store.schema import comments, threads

_SITE = comments.c.site_id == bindparam("site")
_SINCE = comments.c.created_at >= bindparam("since")

_APPROVED_BY_KEY = select(func.count()).where(
    _SITE, comments.c.status == "published", comments.c.author_key == bindparam("key")
)
_APPROVED_BY_KEY_OR_EMAIL = select(func.count()).where(
    _SITE,
    comments.c.status == "published",
    or_(comments.c.author_key == bindparam("key"), comments.c.author_email == bindparam("email")),
)
_RECENT_IDS = (
    select(comments.c.id)
    .where(_SITE, comments.c.author_key == bindparam("key"), _SINCE)
    .union(select(comments.c.id).where(_SITE, comments.c.ip_hash == bindparam("ip"), _SINCE))
    .subquery()
)
_RECENT_COUNT = select(func.count()).select_from(_RECENT_IDS)
_OLDEST_RECENT = select(func.min(comments.c.created_at)).where(
    _SITE,
    or_(comments.c.author_key == bindparam("key"), comments.c.ip_hash == bindparam("ip")),
    _SINCE,
)
_RECENT_TEXTS = (
    select(comments.c.body_source, comments.c.fingerprint)
    .where(_SITE, comments.c.author_key == bindparam("key"), _SINCE)
    .order_by(comments.c.created_at.desc())
    .limit(bindparam("limit"))
)
_AUTHORS_WITH_FINGERPRINT = select(func.count(func.distinct(comments.c.author_key))).where(
    _SITE, comments.c.fingerprint == bindparam("fingerprint"), _SINCE
)
_THREAD_POLICY = select(threads.c.id, threads.c.policy, threads.c.created_at).where(
    threads.c.site_id == bindparam("site"), threads.c.key == bindparam("key")
)


def approved_count(conn: Connection, site_id: int, author_key: str, email: str | None) -> int:
    """Published comments by this author, to tell first-time commenters apart."""
    if email:
        params = {"site": site_id, "key": author_key, "email": email}
        return conn.execute(_APPROVED_BY_KEY_OR_EMAIL, params).scalar_one()
    return conn.execute(_APPROVED_BY_KEY, {"site": site_id, "key": author_key}).scalar_one()


def recent_count(
    conn: Connection, site_id: int, author_key: str, ip_hash: str, since: datetime
) -> int:
    """Comments from this author or address since a moment, held ones included."""
    params = {"site": site_id, "key": author_key, "ip": ip_hash, "since": since}
    return conn.execute(_RECENT_COUNT, params).scalar_one()


def oldest_recent(
    conn: Connection, site_id: int, author_key: str, ip_hash: str, since: datetime
) -> datetime | None:
    params = {"site": site_id, "key": author_key, "ip": ip_hash, "since": since}
    return conn.execute(_OLDEST_RECENT, params).scalar_one()


def recent_texts_by_author(
    conn: Connection, site_id: int, author_key: str, since: datetime, limit: int = 20
) -> list[tuple[str, str | None]]:
    params = {"site": site_id, "key": author_key, "since": since, "limit": limit}
    return [(row.body_source, row.fingerprint) for row in conn.execute(_RECENT_TEXTS, params)]


def authors_with_fingerprint(
    conn: Connection, site_id: int, fingerprint: str, since: datetime
) -> int:
    params = {"site": site_id, "fingerprint": fingerprint, "since": since}
    return conn.execute(_AUTHORS_WITH_FINGERPRINT, params).scalar_one()


def set_thread_policy(conn: Connection, thread_id: int, policy: str | None) -> None:
    conn.execute(threads.update().where(threads.c.id == thread_id).values(policy=policy))


def thread_policy(
    conn: Connection, site_id: int, key: str
) -> tuple[int | None, str | None, datetime | None]:
    """The thread's id, own policy and when it opened; Nones where it has no comment yet."""
    row = conn.execute(_THREAD_POLICY, {"site": site_id, "key": key}).first()
    return (row.id, row.policy, row.created_at) if row else (None, None, None)

"""The moderators' queues: held, reported, recent and rejected comments, and authors' records."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Float, cast, func, literal_column, or_, select, text, union

from rostra.store.schema import comments, reports, sites, threads

QUEUES = ("held", "reported", "recent", "rejected")


@dataclass(frozen=True)
class QueueRow:
    """A comment with what a moderator needs to judge it at a glance."""

    id: int
    site_id: int
    site_name: str
    thread_id: int
    thread_title: str | None
    thread_key: str
    thread_url: str | None
    parent_id: int | None
    status: str
    shadowed: bool
    featured: bool
    author_name: str | None
    author_email: str | None
    author_key: str | None
    ip_hash: str | None
    body_source: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    toxicity: float | None
    moderation: dict | None
    reply_count: int
    source_ref: str | None  # where an imported comment came from


_COLUMNS = (
    comments.c.id,
    comments.c.site_id,
    sites.c.name.label("site_name"),
    comments.c.thread_id,
    threads.c.title.label("thread_title"),
    threads.c.key.label("thread_key"),
    threads.c.url.label("thread_url"),
    comments.c.parent_id,
    comments.c.status,
    comments.c.shadowed,
    comments.c.featured,
    comments.c.author_name,
    comments.c.author_email,
    comments.c.author_key,
    comments.c.ip_hash,
    comments.c.body_source,
    comments.c.body_html,
    comments.c.created_at,
    comments.c.edited_at,
    comments.c.toxicity,
    comments.c.moderation,
    comments.c.reply_count,
    comments.c.source_ref,
)
_JOINED = comments.join(threads, threads.c.id == comments.c.thread_id).join(
    sites, sites.c.id == comments.c.site_id
)


def _row(row) -> QueueRow:
    values = list(row[: len(_COLUMNS)])
    return QueueRow(*values)


def _reason_count(conn: Connection):
    """How many reasons the pipeline gave, read from the JSON column on either backend."""
    if conn.dialect.name == "postgresql":
        return literal_column(
            "coalesce(CASE WHEN json_typeof(comments.moderation -> 'reasons') = 'array'"
            " THEN json_array_length(comments.moderation -> 'reasons') END, 0)"
        )
    return func.coalesce(func.json_array_length(comments.c.moderation, text("'$.reasons'")), 0)


def _base(site_ids: Iterable[int]):
    return select(*_COLUMNS).select_from(_JOINED).where(comments.c.site_id.in_(list(site_ids)))


_SEARCHED = (comments.c.body_source, comments.c.author_name, comments.c.author_email)


def _matching(conn: Connection, query, words: str):
    """Comments whose text, author name or email holds `words` (any case; % and _ are literal)."""
    if conn.dialect.name == "sqlite":
        # A function of the connection (store.database): case folding in every script.
        folded = words.casefold()
        found = [func.casefold(c).contains(folded, autoescape=True) for c in _SEARCHED]
    else:
        found = [c.icontains(words, autoescape=True) for c in _SEARCHED]
    return query.where(or_(*found))


def queue_page(
    conn: Connection, queue: str, site_ids: Iterable[int], *, limit: int, offset: int,
    search: str | None = None,
) -> list[QueueRow]:  # fmt: skip
    """One page of a queue, riskiest (or newest) first; with `search`, only the comments that match."""
    site_ids = list(site_ids)
    if queue == "held":
        query = _base(site_ids).where(comments.c.status == "pending")
        query = query.order_by(
            func.coalesce(comments.c.toxicity, -1.0).desc(),
            _reason_count(conn).desc(),
            comments.c.created_at.asc(),
            comments.c.id.asc(),
        )
    elif queue == "reported":
        # Driven by the open reports (few), not by weighing every comment of the site.
        weighed = (
            select(reports.c.comment_id, func.sum(reports.c.weight).label("weight"))
            .where(reports.c.site_id.in_(site_ids), reports.c.outcome.is_(None))
            .group_by(reports.c.comment_id)
            .subquery()
        )
        query = (
            select(*_COLUMNS)
            .select_from(weighed.join(_JOINED, comments.c.id == weighed.c.comment_id))
            .where(comments.c.site_id.in_(site_ids))
            .where(
                comments.c.status.in_(("published", "pending")), cast(weighed.c.weight, Float) > 0
            )
            .order_by(
                weighed.c.weight.desc(),
                func.coalesce(comments.c.toxicity, -1.0).desc(),
                comments.c.id,
            )
        )
    elif queue == "rejected":
        query = _base(site_ids).where(comments.c.status == "rejected")
        query = query.order_by(comments.c.created_at.desc(), comments.c.id.desc())
    else:
        query = _base(site_ids).where(comments.c.status == "published")
        query = query.order_by(comments.c.created_at.desc(), comments.c.id.desc())
    if search:
        query = _matching(conn, query, search)
    return [_row(row) for row in conn.execute(query.limit(limit).offset(offset))]


def queue_sizes(conn: Connection, site_ids: Iterable[int]) -> dict[str, int]:
    ids = list(site_ids)
    by_status = dict(
        conn.execute(
            select(comments.c.status, func.count())
            .where(comments.c.site_id.in_(ids), comments.c.status.in_(("pending", "rejected")))
            .group_by(comments.c.status)
        ).all()
    )
    reported = conn.execute(
        select(func.count(func.distinct(reports.c.comment_id)))
        .select_from(reports.join(comments, comments.c.id == reports.c.comment_id))
        .where(
            reports.c.site_id.in_(ids),
            reports.c.outcome.is_(None),
            comments.c.status.in_(("published", "pending")),
        )
    ).scalar_one()
    return {
        "held": by_status.get("pending", 0),
        "reported": reported,
        "rejected": by_status.get("rejected", 0),
    }


def queue_row(conn: Connection, comment_id: int) -> QueueRow | None:
    row = conn.execute(
        select(*_COLUMNS).select_from(_JOINED).where(comments.c.id == comment_id)
    ).first()
    return _row(row) if row else None


def queue_rows(conn: Connection, comment_ids: Iterable[int]) -> dict[int, QueueRow]:
    ids = list(comment_ids)
    if not ids:
        return {}
    rows = conn.execute(select(*_COLUMNS).select_from(_JOINED).where(comments.c.id.in_(ids)))
    return {row.id: _row(row) for row in rows}


@dataclass(frozen=True)
class AuthorRecord:
    published: int
    pending: int
    rejected: int
    deleted: int

    @property
    def total(self) -> int:
        return self.published + self.pending + self.rejected + self.deleted


def _same_author(site_id: int, author_key: str | None, ip_hash: str | None, email: str | None):
    """The site's comments by the same browser, address or email.

    One indexed lookup per identifier, united: asked as one OR, SQLite's
    planner walks every comment of the site instead.
    """
    lookups = [
        select(comments.c.id).where(comments.c.site_id == site_id, column == value)
        for column, value in (
            (comments.c.author_key, author_key),
            (comments.c.ip_hash, ip_hash),
            (comments.c.author_email, email),
        )
        if value
    ]
    return comments.c.id.in_(union(*lookups)) if lookups else None


def author_record(
    conn: Connection, site_id: int, author_key: str | None, ip_hash: str | None, email: str | None
) -> AuthorRecord:
    """Counts of the comments on this site by the same browser, address or email."""
    same = _same_author(site_id, author_key, ip_hash, email)
    if same is None:
        return AuthorRecord(0, 0, 0, 0)
    counts = dict(
        conn.execute(
            select(comments.c.status, func.count()).where(same).group_by(comments.c.status)
        ).all()
    )
    return AuthorRecord(
        counts.get("published", 0),
        counts.get("pending", 0),
        counts.get("rejected", 0),
        counts.get("deleted", 0),
    )


def author_recent(
    conn: Connection,
    site_id: int,
    author_key: str | None,
    ip_hash: str | None,
    email: str | None,
    *,
    limit: int,
) -> list[QueueRow]:
    same = _same_author(site_id, author_key, ip_hash, email)
    if same is None:
        return []
    query = (
        _base([site_id])
        .where(same)
        .order_by(comments.c.created_at.desc(), comments.c.id.desc())
        .limit(limit)
    )
    return [_row(row) for row in conn.execute(query)]


def _stored_verdict(conn: Connection):
    """The pipeline's verdict from the JSON column; NULL where it never ran."""
    if conn.dialect.name == "postgresql":
        return literal_column("(comments.moderation ->> 'verdict')")
    return func.json_extract(comments.c.moderation, text("'$.verdict'"))


def _verdict(conn: Connection):
    """The pipeline's verdict; comments it never saw count as published."""
    return func.coalesce(_stored_verdict(conn), "publish")


def auto_published_since(conn: Connection, site_ids: Iterable[int], since: datetime) -> int:
    """Comments posted since a time that the pipeline let through (for the miss rate).

    Imported comments no checker read were let through by another system.
    """
    return conn.execute(
        select(func.count()).where(
            comments.c.site_id.in_(list(site_ids)),
            comments.c.created_at >= since,
            _verdict(conn) == "publish",
            comments.c.source_ref.is_(None) | _stored_verdict(conn).is_not(None),
        )
    ).scalar_one()


def waiting_since(conn: Connection, comment_ids: Iterable[int]) -> dict[int, datetime]:
    """When each comment came up for a decision: when it was posted, or, for one
    a sweep put in the queue years after it was posted, when the sweep did.

    An imported comment that no sweep queued came up in the system it was
    imported from, at a time nobody knows: it has no entry.
    """
    ids = list(comment_ids)
    if not ids:
        return {}
    query = select(
        comments.c.id, comments.c.created_at, comments.c.moderation, comments.c.source_ref
    ).where(comments.c.id.in_(ids))
    waiting = {}
    for row in conn.execute(query):
        since = _queued_at(row.moderation) or (row.created_at if row.source_ref is None else None)
        if since is not None:
            waiting[row.id] = since
    return waiting


def _queued_at(moderation: dict | None) -> datetime | None:
    stamp = moderation.get("queued_at") if isinstance(moderation, dict) else None
    try:
        return datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except ValueError:
        return None

"""Queries on threads."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, func, select

from rostra.store.database import Database
from rostra.store.dialect import insert_ignoring_conflicts
from rostra.store.schema import UTCDateTime, sites, threads


@dataclass(frozen=True)
class ThreadRow:
    id: int
    site_id: int
    key: str
    title: str | None
    url: str | None
    version: int
    comment_count: int
    root_count: int
    created_at: datetime
    last_comment_at: datetime | None
    policy: str | None  # the thread's own: a pre-moderation level, or closed


_THREAD_COLUMNS = (
    threads.c.id,
    threads.c.site_id,
    threads.c.key,
    threads.c.title,
    threads.c.url,
    threads.c.version,
    threads.c.comment_count,
    threads.c.root_count,
    threads.c.created_at,
    threads.c.last_comment_at,
    threads.c.policy,
)


def _thread(row) -> ThreadRow:
    return ThreadRow(*(getattr(row, column.name) for column in _THREAD_COLUMNS))


@dataclass(frozen=True)
class SiteAndThread:
    """What every read of a thread needs, fetched in one indexed query."""

    site_id: int
    site_origins: list[str]
    thread: ThreadRow | None
    close_after_days: int  # the site's: threads older than this close (0: never)


@dataclass(frozen=True)
class ThreadProbe:
    """Just enough to tell whether a reader's or the cache's copy is current."""

    site_origins: list[str]
    thread_id: int | None
    version: int | None
    # Whether the thread is closed can change with no write (it grew too old).
    policy: str | None = None
    created_at: datetime | None = None
    close_after_days: int = 0


_PROBE_SQL = (
    "SELECT s.origins, t.id, t.version, t.policy, t.created_at, s.close_after_days FROM sites s"
    " LEFT JOIN threads t ON t.site_id = s.id AND t.key = ? WHERE s.name = ?"
)


def _origins(value) -> list[str]:
    # PostgreSQL's driver decodes JSON columns; SQLite's hands over the text.
    return value if isinstance(value, list) else json.loads(value)


def _stored_time(value) -> datetime | None:
    # The raw SQLite driver hands over the stored text, in UTC without a zone.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def probe_thread(db: Database, site_name: str, key: str) -> ThreadProbe | None:
    row = db.fetch_one(_PROBE_SQL, (key, site_name))
    if row is None:
        return None
    origins, thread_id, version, policy, created_at, days = row
    return ThreadProbe(
        _origins(origins), thread_id, version, policy, _stored_time(created_at), days
    )


_SITE_COUNTS_SQL = {
    "postgresql": "SELECT s.origins, t.key, t.comment_count FROM sites s"
    " LEFT JOIN threads t ON t.site_id = s.id AND t.key = ANY(?) WHERE s.name = ?",
    "sqlite": "SELECT s.origins, t.key, t.comment_count FROM sites s"
    " LEFT JOIN threads t ON t.site_id = s.id AND t.key IN (SELECT value FROM json_each(?))"
    " WHERE s.name = ?",
}


def site_counts(
    db: Database, site_name: str, keys: Sequence[str]
) -> tuple[list[str], dict[str, int]] | None:
    """The site's origins and the comment counts of those of `keys` that have
    threads, in one statement (one round trip on PostgreSQL); None: no such site."""
    listed = list(keys) if db.dialect == "postgresql" else json.dumps(list(keys))
    rows = db.fetch_all(_SITE_COUNTS_SQL[db.dialect], (listed, site_name))
    if not rows:
        return None
    return _origins(rows[0][0]), {key: count for _, key, count in rows if key is not None}


def site_and_thread(conn: Connection, site_name: str, key: str) -> SiteAndThread | None:
    query = (
        select(sites.c.id.label("sid"), sites.c.origins, sites.c.close_after_days, *_THREAD_COLUMNS)
        .select_from(
            sites.outerjoin(threads, (threads.c.site_id == sites.c.id) & (threads.c.key == key))
        )
        .where(sites.c.name == site_name)
    )
    row = conn.execute(query).first()
    if row is None:
        return None
    thread = _thread(row) if row.id is not None else None
    return SiteAndThread(row.sid, list(row.origins), thread, row.close_after_days)


def thread_by_id(conn: Connection, thread_id: int, *, for_update: bool = False) -> ThreadRow | None:
    query = select(*_THREAD_COLUMNS).where(threads.c.id == thread_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    return _thread(row) if row else None


_BY_KEY = select(*_THREAD_COLUMNS).where(
    threads.c.site_id == bindparam("sid"), threads.c.key == bindparam("key")
)
# A change readers can see: the version moves (by "bump", 0 or 1) and the
# counters with it; shared by record_change and placement.place_root.
_COUNTED_CHANGE = dict(
    version=threads.c.version + bindparam("bump"),
    comment_count=threads.c.comment_count + bindparam("comments"),
    root_count=threads.c.root_count + bindparam("roots"),
    last_comment_at=func.coalesce(bindparam("at", type_=UTCDateTime), threads.c.last_comment_at),
)
# The next top-level position, with the counted change (placement).
TAKE_ROOT_SLOT = (
    threads.update()
    .where(threads.c.id == bindparam("tid"))
    .values(root_seq=threads.c.root_seq + 1, **_COUNTED_CHANGE)
    .returning(threads.c.root_seq)
)
RECORD_CHANGE = threads.update().where(threads.c.id == bindparam("tid")).values(**_COUNTED_CHANGE)


def thread_by_key(conn: Connection, site_id: int, key: str) -> ThreadRow | None:
    row = conn.execute(_BY_KEY, {"sid": site_id, "key": key}).first()
    return _thread(row) if row else None


def thread_by_page(conn: Connection, site_id: int, url: str) -> ThreadRow | None:
    """The thread of a page, by its normalised URL: as its key or as its stored URL."""
    query = (
        select(*_THREAD_COLUMNS)
        .where(threads.c.site_id == site_id, (threads.c.key == url) | (threads.c.url == url))
        .order_by(threads.c.id)
        .limit(1)
    )
    row = conn.execute(query).first()
    return _thread(row) if row else None


def ensure_thread(
    conn: Connection, site_id: int, key: str, title: str | None, url: str | None, now: datetime
) -> ThreadRow:
    """Return the thread, creating it on its first comment (safe under races)."""
    thread = thread_by_key(conn, site_id, key)
    if thread is None:
        values = dict(site_id=site_id, key=key, title=title, url=url, created_at=now, version=1,
                      comment_count=0, root_count=0, root_seq=0)  # fmt: skip
        conn.execute(insert_ignoring_conflicts(conn, threads, values, ["site_id", "key"]))
        thread = thread_by_key(conn, site_id, key)
    if (title and not thread.title) or (url and not thread.url):
        # Pages that lacked the details at first may supply them later; a
        # title once set is kept, so one reader cannot rename a thread.
        conn.execute(
            threads.update()
            .where(threads.c.id == thread.id)
            .values(title=thread.title or title, url=thread.url or url)
        )
        thread = thread_by_key(conn, site_id, key)
    return thread


def record_change(
    conn: Connection,
    thread_id: int,
    *,
    comments_delta: int = 0,
    roots_delta: int = 0,
    commented_at: datetime | None = None,
) -> None:
    """Bump the thread's version (invalidating cached pages everywhere) and its counters."""
    params = {
        "tid": thread_id,
        "bump": 1,
        "comments": comments_delta,
        "roots": roots_delta,
        "at": commented_at,
    }
    conn.execute(RECORD_CHANGE, params)

"""The rows both exporters read, streamed so memory stays flat for any site size."""

from collections.abc import Iterator

from sqlalchemy import Connection, or_, select

from rostra.store.schema import comment_revisions, comments, reports, sanctions, sites, threads

_BATCH = 2000


def closing_age(conn: Connection, site_id: int) -> int:
    """The site's `close_after_days` (0: threads never close by age)."""
    query = select(sites.c.close_after_days).where(sites.c.id == site_id)
    return int(conn.execute(query).scalar_one_or_none() or 0)


def site_sanctions(conn: Connection, site_id: int) -> list:
    """The sanctions that name an author by key, email or IP hash, oldest first.

    Those that name a reader account only are left out: accounts belong to a server.
    """
    named = (sanctions.c.author_key, sanctions.c.email, sanctions.c.ip_hash)
    query = (
        select(sanctions)
        .where(sanctions.c.site_id == site_id)
        .where(or_(*(column.is_not(None) for column in named)))
        .order_by(sanctions.c.id)
    )
    return list(conn.execute(query))


def site_threads(conn: Connection, site_id: int) -> Iterator:
    query = select(threads).where(threads.c.site_id == site_id).order_by(threads.c.id)
    yield from conn.execution_options(stream_results=True, yield_per=_BATCH).execute(query)


def site_comments(conn: Connection, site_id: int, *, by_thread: bool = False) -> Iterator:
    """The site's comments oldest first (thread by thread, in thread id order, if
    `by_thread`), each with its parent's export reference.

    One streamed query for the whole site: a query per thread cost a round trip
    and a cursor each, most of an export's time on PostgreSQL.
    """
    parent = comments.alias("parent")
    order = (comments.c.created_at, comments.c.id)
    query = (
        select(comments, parent.c.source_ref.label("parent_source_ref"))
        .select_from(comments.outerjoin(parent, parent.c.id == comments.c.parent_id))
        .where(comments.c.site_id == site_id)
        .order_by(*((comments.c.thread_id, *order) if by_thread else order))
    )
    yield from _streamed(conn, query)


def _on_site_comments(conn: Connection, table, site_id: int) -> Iterator:
    """Rows of `table` on the site's comments, thread by thread (in thread id order),
    oldest first, each with its comment's `thread_id`."""
    query = (
        select(table, comments.c.thread_id)
        .join(comments, comments.c.id == table.c.comment_id)
        .where(comments.c.site_id == site_id)
        .order_by(comments.c.thread_id, table.c.id)
    )
    yield from _streamed(conn, query)


def site_revisions(conn: Connection, site_id: int) -> Iterator:
    """Earlier versions of edited comments, thread by thread, oldest first."""
    return _on_site_comments(conn, comment_revisions, site_id)


def site_reports(conn: Connection, site_id: int) -> Iterator:
    """Readers' reports on the site's comments, thread by thread, oldest first."""
    return _on_site_comments(conn, reports, site_id)


def _streamed(conn: Connection, query) -> Iterator:
    yield from conn.execution_options(stream_results=True, yield_per=_BATCH).execute(query)


class ByThread:
    """Walks rows sorted by thread id alongside the threads, in the same order."""

    def __init__(self, rows: Iterator) -> None:
        self.rows = iter(rows)
        self.next = next(self.rows, None)

    def of(self, thread_id: int) -> Iterator:
        """The rows of this thread; rows of threads not asked for are passed over."""
        while self.next is not None and self.next.thread_id < thread_id:
            self.next = next(self.rows, None)
        while self.next is not None and self.next.thread_id == thread_id:
            row, self.next = self.next, next(self.rows, None)
            yield row

    def by_comment(self, thread_id: int) -> dict[int, list]:
        """This thread's rows by comment id (revisions, reports: few a thread)."""
        found: dict[int, list] = {}
        for row in self.of(thread_id):
            found.setdefault(row.comment_id, []).append(row)
        return found


def ref(source_ref: str | None, comment_id: int | None) -> str | None:
    """A comment's reference in an export: where it came from, or its Rostra id."""
    if comment_id is None:
        return None
    return source_ref or f"rostra:{comment_id}"

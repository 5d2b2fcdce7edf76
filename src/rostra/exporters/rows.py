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


def thread_comments(conn: Connection, thread_id: int | None, site_id: int) -> Iterator:
    """Comments oldest first, each with its parent's id and export reference."""
    parent = comments.alias("parent")
    query = (
        select(comments, parent.c.source_ref.label("parent_source_ref"))
        .select_from(comments.outerjoin(parent, parent.c.id == comments.c.parent_id))
        .where(comments.c.site_id == site_id)
        .order_by(comments.c.created_at, comments.c.id)
    )
    if thread_id is not None:
        query = query.where(comments.c.thread_id == thread_id)
    yield from conn.execution_options(stream_results=True, yield_per=_BATCH).execute(query)


def _by_comment(conn: Connection, table, thread_id: int) -> dict[int, list]:
    """Rows of `table` on the thread's comments, oldest first, by comment (few: all at once)."""
    query = (
        select(table)
        .join(comments, comments.c.id == table.c.comment_id)
        .where(comments.c.thread_id == thread_id)
        .order_by(table.c.id)
    )
    found: dict[int, list] = {}
    for row in conn.execute(query):
        found.setdefault(row.comment_id, []).append(row)
    return found


def thread_revisions(conn: Connection, thread_id: int) -> dict[int, list]:
    """Each edited comment's earlier versions, oldest first."""
    return _by_comment(conn, comment_revisions, thread_id)


def thread_reports(conn: Connection, thread_id: int) -> dict[int, list]:
    """Readers' reports on the thread's comments, oldest first."""
    return _by_comment(conn, reports, thread_id)


def ref(source_ref: str | None, comment_id: int | None) -> str | None:
    """A comment's reference in an export: where it came from, or its Rostra id."""
    if comment_id is None:
        return None
    return source_ref or f"rostra:{comment_id}"

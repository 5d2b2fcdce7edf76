"""Queries for bulk imports: source references, batched inserts, parent linking."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, func, select

from rostra.store.schema import UTCDateTime, comments, threads

_SOURCE_FIELDS = (
    "status",
    "author_name",
    "author_email",
    "author_website",
    "body_source",
    "body_html",
    "created_at",
    "edited_at",
    "upvotes",
    "downvotes",
    "rank",
    "source_parent_ref",
    "source_digest",
)

_UPDATE_FROM_SOURCE = (
    comments.update()
    .where(comments.c.id == bindparam("_id"))
    .values({name: bindparam(f"_{name}") for name in _SOURCE_FIELDS})
)


@dataclass(frozen=True)
class Existing:
    id: int
    thread_id: int
    digest: str | None


def last_comment_id(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(comments.c.id), 0))).scalar_one()


def existing_by_ref(conn: Connection, site_id: int, refs: Sequence[str]) -> dict[str, Existing]:
    rows = conn.execute(
        select(
            comments.c.source_ref, comments.c.id, comments.c.thread_id, comments.c.source_digest
        ).where(comments.c.site_id == site_id, comments.c.source_ref.in_(refs))
    )
    return {row.source_ref: Existing(row.id, row.thread_id, row.source_digest) for row in rows}


def _insert_columns() -> tuple[tuple[str, object], ...]:
    """(column, value when the row does not give one): every column but the id."""
    columns = []
    for column in comments.columns:
        if column.primary_key:
            continue
        default = column.default.arg if column.default is not None else None
        columns.append((column.name, None if callable(default) else default))
    return tuple(columns)


_INSERT_COLUMNS = _insert_columns()
_DATETIME_COLUMNS = frozenset(
    name for name, _ in _INSERT_COLUMNS if isinstance(comments.c[name].type, UTCDateTime)
)


def _sqlite_time(value: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME storage format, in UTC.
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class CommentInserter:
    """Batched inserts of new comments, below SQLAlchemy's statement machinery.

    SQLite gets one prepared INSERT run with the driver's executemany;
    PostgreSQL gets COPY ... FROM STDIN. Both run on the connection's own
    transaction, so the import stays all-or-nothing.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name
        names = [name for name, _ in _INSERT_COLUMNS]
        self.defaults = [default for _, default in _INSERT_COLUMNS]
        self.names = names
        if self.dialect == "sqlite":
            self.sql = (
                f"INSERT INTO comments ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            )
        else:
            self.sql = f"COPY comments ({', '.join(names)}) FROM STDIN"
        self.sqlite_times = [name in _DATETIME_COLUMNS for name in names]

    def _tuples(self, rows: list[dict]) -> list[tuple]:
        names, defaults = self.names, self.defaults
        out = []
        for row in rows:
            out.append(tuple([row.get(n, d) for n, d in zip(names, defaults, strict=True)]))
        return out

    def insert(self, rows: list[dict]) -> None:
        if not rows:
            return
        driver = self.conn.connection.dbapi_connection
        if self.dialect == "sqlite":
            times = [i for i, is_time in enumerate(self.sqlite_times) if is_time]
            values = []
            for row in self._tuples(rows):
                converted = list(row)
                for i in times:
                    converted[i] = _sqlite_time(converted[i])
                values.append(converted)
            cursor = driver.cursor()
            try:
                cursor.executemany(self.sql, values)
            finally:
                cursor.close()
            return
        if self.dialect != "postgresql":
            self.conn.execute(comments.insert(), rows)
            return
        with driver.cursor() as cursor, cursor.copy(self.sql) as copy:
            for row in self._tuples(rows):
                copy.write_row(row)


def insert_comments(conn: Connection, rows: list[dict]) -> None:
    CommentInserter(conn).insert(rows)


def refresh_digests(conn: Connection, pairs: list[tuple[str, int]]) -> None:
    """Store a newer form of the source digest where the comment itself is unchanged."""
    if pairs:
        conn.execute(
            comments.update()
            .where(comments.c.id == bindparam("_id"))
            .values(source_digest=bindparam("_digest")),
            [{"_digest": digest, "_id": comment_id} for digest, comment_id in pairs],
        )


def update_from_source(conn: Connection, rows: list[dict]) -> None:
    """Rewrite what the source says about comments imported before (by id)."""
    if rows:
        conn.execute(
            _UPDATE_FROM_SOURCE,
            [{"_id": row["id"], **{f"_{n}": row[n] for n in _SOURCE_FIELDS}} for row in rows],
        )


def refresh_statistics(conn: Connection) -> None:
    """Let PostgreSQL's planner see the rows this transaction wrote.

    Without it, the planner may still think the comments table small and scan
    it whole for each thread rebuilt. ANALYZE sees the transaction's own rows,
    runs inside it, and blocks no reader or writer.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE comments")


def link_parents(conn: Connection, site_id: int) -> None:
    """Point each unlinked comment at its parent by source reference, in the same thread.

    One set-based statement, so a reply may come before its parent in the
    file, and a reply imported as an orphan finds a parent that a newer
    export brings later.
    """
    parent = comments.alias("parent")
    conn.execute(
        comments.update()
        .values(parent_id=parent.c.id)
        .where(
            comments.c.site_id == site_id,
            comments.c.parent_id.is_(None),
            comments.c.source_parent_ref.is_not(None),
            parent.c.site_id == comments.c.site_id,
            parent.c.source_ref == comments.c.source_parent_ref,
            parent.c.thread_id == comments.c.thread_id,
            parent.c.id != comments.c.id,
        )
    )


def orphans_since(conn: Connection, site_id: int, after_id: int) -> int:
    """Comments written by this import that name a parent the database does not have."""
    return conn.execute(
        select(func.count()).where(
            comments.c.site_id == site_id,
            comments.c.id > after_id,
            comments.c.parent_id.is_(None),
            comments.c.source_parent_ref.is_not(None),
        )
    ).scalar_one()


def outcome_since(conn: Connection, site_id: int, after_id: int) -> dict[str, int]:
    """Comments written by this import, by what readers see of them."""
    rows = conn.execute(
        select(comments.c.status, comments.c.visible, func.count())
        .where(comments.c.site_id == site_id, comments.c.id > after_id)
        .group_by(comments.c.status, comments.c.visible)
    )
    totals: dict[str, int] = {}
    for status, visible, count in rows:
        name = status
        if status == "deleted":
            name = "deleted (tombstone)" if visible else "deleted (hidden)"
        totals[name] = totals.get(name, 0) + count
    return totals


def find_or_create_thread(
    conn: Connection,
    site_id: int,
    key: str,
    title: str | None,
    url: str | None,
    created_at: datetime,
) -> tuple[int, bool]:
    """The thread's id, and whether this call created it."""
    row = conn.execute(
        select(threads.c.id, threads.c.title, threads.c.url).where(
            threads.c.site_id == site_id, threads.c.key == key
        )
    ).first()
    if row is None:
        thread_id = conn.execute(
            threads.insert().values(
                site_id=site_id,
                key=key,
                title=title,
                url=url,
                created_at=created_at,
                version=1,
                comment_count=0,
                root_count=0,
                root_seq=0,
            )
        ).inserted_primary_key[0]
        return thread_id, True
    if (title and not row.title) or (url and not row.url):
        conn.execute(
            threads.update()
            .where(threads.c.id == row.id)
            .values(title=row.title or title, url=row.url or url)
        )
    return row.id, False

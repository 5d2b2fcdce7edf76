"""Where an import's new comments wait until their tree is known.

Writing rows into `comments` and then rewriting their tree columns once the
whole file is read costs every row two passes through a dozen indexes. So
new comments go into a temporary table without indexes (bar one on the
source reference, for duplicates in the file) under ids reserved for them.
Once the file is read, each touched thread's parent links and derived
columns are computed from its staged and existing rows (`store.tree`), and
one INSERT ... SELECT moves every staged row into `comments` with its final
values, in one pass through the indexes. Existing comments whose columns
change (a parent that arrived at last, one more reply) are rewritten with one
UPDATE, and the thread counters with one prepared statement.

The temporary tables belong to the import's connection and transaction:
rolled back with it, dropped with it (PostgreSQL), never seen by another
connection. On SQLite that connection is closed after the import instead of
going back to the pool: closing discards the temporary tables' file
wholesale, where dropping them frees their pages one by one (0.3 s of an
import of 100,000 comments).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from operator import itemgetter

from sqlalchemy import Column, Connection, MetaData, Table
from sqlalchemy.schema import CreateTable

from rostra.domain.policy import Status
from rostra.store import bulk_indexes
from rostra.store.imports import sqlite_time
from rostra.store.schema import comments
from rostra.store.tree import DERIVED, derive_thread, thread_counters

# What the writer gives for each new comment, in this order.
WRITTEN = (
    "id", "site_id", "thread_id", "status", "author_name", "author_email", "author_website",
    "author_key", "ip_hash", "body_source", "body_html", "created_at", "edited_at", "upvotes",
    "downvotes", "rank", "source_ref", "source_parent_ref", "source_digest",
)  # fmt: skip


def _default(column: Column) -> object:
    default = column.default.arg if column.default is not None else None
    return None if callable(default) else default


# The other columns (moderation, readers...) take their defaults; the tree
# columns come from the tree pass.
_REST = tuple(
    (column.name, _default(column))
    for column in comments.columns
    if column.name not in WRITTEN and column.name not in DERIVED
)
STAGED = WRITTEN + tuple(name for name, _ in _REST)
REST_DEFAULTS = tuple(default for _, default in _REST)

_BATCH = 5000


def _temp_table(name: str, names: Iterable[str]) -> Table:
    return Table(
        name,
        MetaData(),
        *(Column(n, comments.c[n].type, primary_key=n == "id") for n in names),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )


_ROWS = _temp_table("import_rows", STAGED)
_TREE = _temp_table("import_tree", ("id", *DERIVED))
_FIXES = _temp_table("import_fixes", ("id", *DERIVED))


@dataclass
class TreeOutcome:
    threads: int = 0  # threads touched
    orphans: int = 0  # new comments attached at top level: parent not found, or a cycle cut
    outcome: dict[str, int] = field(default_factory=dict)  # new comments by what readers see


def stored_time(dialect: str) -> Callable[[datetime | None], object] | None:
    """How staged rows carry times: SQLite's driver stores text, psycopg datetimes."""
    return sqlite_time if dialect == "sqlite" else None


class ImportStage:
    """The temporary tables of one import, on the import's own connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        self.driver = conn.connection.driver_connection
        self.staged = 0
        for table in (_ROWS, _TREE, _FIXES):
            if self.sqlite:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{table.name}")
            conn.execute(CreateTable(table))
        if self.sqlite:
            # Nobody else writes while this transaction holds SQLite's write lock.
            self.next_id = conn.exec_driver_sql("SELECT coalesce(max(id), 0) + 1 FROM comments")
            self.next_id = self.next_id.scalar_one()
        else:
            self.sequence = conn.exec_driver_sql(
                "SELECT pg_get_serial_sequence('comments', 'id')"
            ).scalar_one()

    # --- while the file is read -----------------------------------------------------------

    def reserve_ids(self, count: int) -> Iterable[int]:
        """Ids for new comments: replies can name their parents before anything is inserted."""
        if self.sqlite:
            ids = range(self.next_id, self.next_id + count)
            self.next_id += count
            return ids
        with self.driver.cursor() as cursor:
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", (self.sequence, count))
            return [row[0] for row in cursor]

    def add(self, rows: list[tuple]) -> None:
        """Stage new comments: tuples in `STAGED` order, times as `stored_time` gives them."""
        if rows:
            self.staged += len(rows)
            self._insert(_ROWS, rows)

    def _insert(self, table: Table, rows: list[tuple]) -> None:
        if not rows:
            return
        if not self.sqlite:
            self._copy(table, rows)
            return
        marks = ", ".join("?" * len(table.columns))
        cursor = self.driver.cursor()
        try:
            cursor.executemany(f"INSERT INTO temp.{table.name} VALUES ({marks})", rows)
        finally:
            cursor.close()

    def _copy(self, table: Table, rows: list[tuple]) -> None:
        names = ", ".join(c.name for c in table.columns)
        with (
            self.driver.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    # --- once the file is read --------------------------------------------------------------

    def drop_later_duplicates(self) -> int:
        """Keep the first staged comment of each source reference; return how many went.

        Batches find duplicates among themselves and in the database; one
        that repeats a comment of an earlier batch is found here, with one
        grouping pass instead of an index kept up for every staged row.
        """
        repeated = self.conn.exec_driver_sql(
            "SELECT count(*) FROM (SELECT source_ref FROM import_rows "
            "GROUP BY source_ref HAVING count(*) > 1) AS repeated"
        ).scalar_one()
        if not repeated:
            return 0
        removed = self.conn.exec_driver_sql(
            "DELETE FROM import_rows WHERE id IN (SELECT r.id FROM import_rows r JOIN "
            "(SELECT source_ref, min(id) AS keep FROM import_rows GROUP BY source_ref "
            "HAVING count(*) > 1) AS first ON first.source_ref = r.source_ref "
            "WHERE r.id <> first.keep)"
        ).rowcount
        self.staged -= removed
        return removed

    def build_trees(self, updated: Iterable[int], new_threads: set[int]) -> TreeOutcome:
        """Link parents and derive the tree of every touched thread, and its counters.

        Touched: a thread with staged comments, or one of `updated`.

        Staged comments are read back thread by thread, sorted by the
        database; comments stored before are read only for threads that
        existed before this import.
        """
        result = TreeOutcome()
        self.counters: list[tuple] = []
        tree: list[tuple] = []
        fixes: list[tuple] = []
        staged = self._staged_by_thread()
        waiting = next(staged, None)
        updated = sorted(set(updated))
        at = 0
        # Threads with staged comments (sorted by the database) merged with those
        # where only stored comments changed.
        while waiting is not None or at < len(updated):
            if waiting is not None and (at == len(updated) or waiting[0] <= updated[at]):
                thread_id, new = waiting
                waiting = next(staged, None)
                if at < len(updated) and updated[at] == thread_id:
                    at += 1
            else:
                thread_id, new = updated[at], []
                at += 1
            old = [] if thread_id in new_threads else self._stored_rows(thread_id)
            result.threads += 1
            self._plan(thread_id, old, new, tree, fixes, result)
            if len(tree) >= _BATCH:
                self._insert(_TREE, tree)
                tree.clear()
            if len(fixes) >= _BATCH:
                self._insert(_FIXES, fixes)
                fixes.clear()
        self._insert(_TREE, tree)
        self._insert(_FIXES, fixes)
        return result

    def _staged_by_thread(self) -> Iterator[tuple[int, list[tuple]]]:
        """(thread id, [(id, created_at, status, ref, parent ref, parent id)...]) by thread.

        A shadowed comment (from an export) counts as unpublished for everyone else.
        """
        sql = (
            "SELECT thread_id, id, created_at, "
            "CASE WHEN shadowed THEN 'shadowed' ELSE status END, source_ref, source_parent_ref "
            "FROM import_rows ORDER BY thread_id, created_at, id"
        )
        if self.sqlite:
            cursor = self.driver.cursor()
            cursor.arraysize = 1000
            cursor.execute(sql)
        else:
            # A server-side cursor: the staged rows never sit in this process all at once.
            cursor = self.driver.cursor(name="import_rows_by_thread")
            cursor.itersize = 5000
            cursor.execute(sql)
        try:
            for thread_id, group in groupby(cursor, key=itemgetter(0)):
                yield thread_id, [(*row[1:], None) for row in group]
        finally:
            cursor.close()

    def _stored_rows(self, thread_id: int) -> list[tuple]:
        """The thread's comments stored before: (id, created_at, status, ref, parent ref, parent id, derived)."""
        derived = ", ".join(DERIVED)
        cursor = self.driver.cursor()
        try:
            cursor.execute(
                f"SELECT id, created_at, status, shadowed, source_ref, source_parent_ref, {derived} "
                f"FROM comments WHERE thread_id = {self.mark} ORDER BY created_at, id",
                (thread_id,),
            )
            return [
                (row[0], row[1], "shadowed" if row[3] else row[2], row[4], row[5], row[6], row[6:])
                for row in cursor
            ]
        finally:
            cursor.close()

    def _plan(
        self,
        thread_id: int,
        old: list[tuple],
        new: list[tuple],
        tree: list[tuple],
        fixes: list[tuple],
        result: TreeOutcome,
    ) -> None:
        rows = old + new if old else new
        if old and new:
            rows.sort(key=itemgetter(1, 0))
        order = [row[0] for row in rows]
        status = {row[0]: row[2] for row in rows}
        parent = {row[0]: row[5] for row in rows}
        by_ref = {row[3]: row[0] for row in rows if row[3] is not None}
        for comment_id, _, _, _, parent_ref, parent_id, *_ in rows:
            # A reply may come before its parent, or a newer export bring the parent.
            if parent_id is None and parent_ref is not None:
                found = by_ref.get(parent_ref)
                if found is not None and found != comment_id:
                    parent[comment_id] = found
        unlinked = sum(1 for row in new if row[4] is not None and parent[row[0]] is None)
        derived, detached = derive_thread(order, status, parent)
        result.orphans += unlinked + detached
        outcome = result.outcome
        for row in new:
            values = derived[row[0]]
            tree.append((row[0], *values))
            name = row[2]
            if name == Status.DELETED:
                name = "deleted (tombstone)" if values[-1] else "deleted (hidden)"
            outcome[name] = outcome.get(name, 0) + 1
        for row in old:
            values = derived[row[0]]
            if row[6] != values:
                fixes.append((row[0], *values))
        counts = thread_counters(order, status, parent, derived)
        first, last = rows[0][1], rows[-1][1]
        self.counters.append((*counts, last, first, first, thread_id))

    def unchecked(self) -> int:
        """Staged comments readers will see that no moderation checker has read.

        Those from another Rostra server's export may carry the verdict its
        checkers gave; every other source's come unread.
        """
        return self.conn.exec_driver_sql(
            "SELECT count(*) FROM import_rows WHERE status = 'published' AND moderation IS NULL"
        ).scalar_one()

    def publish(self) -> int:
        """Move the staged comments into `comments`, fix stored ones, update the counters."""
        derived = ", ".join(DERIVED)
        staged = ", ".join(STAGED)
        picked = ", ".join(f"r.{name}" for name in STAGED)
        with bulk_indexes.rebuilt_after(self.conn, self.staged):
            self.conn.exec_driver_sql(
                f"INSERT INTO comments ({staged}, {derived}) "
                f"SELECT {picked}, {', '.join(f't.{name}' for name in DERIVED)} "
                "FROM import_rows r JOIN import_tree t ON t.id = r.id"
            )
        # After the insert: a stored comment may now point at a new one.
        self.conn.exec_driver_sql(
            f"UPDATE comments SET ({derived}) = "
            f"(SELECT {derived} FROM import_fixes f WHERE f.id = comments.id) "
            "WHERE id IN (SELECT id FROM import_fixes)"
        )
        if self.counters:
            mark = self.mark
            self.conn.exec_driver_sql(
                f"UPDATE threads SET comment_count = {mark}, root_count = {mark}, "
                f"root_seq = {mark}, version = version + 1, last_comment_at = {mark}, "
                f"created_at = CASE WHEN created_at > {mark} THEN {mark} ELSE created_at END "
                f"WHERE id = {mark}",
                self.counters,
            )
        if self.sqlite:
            self.conn.connection.detach()
        return self.staged

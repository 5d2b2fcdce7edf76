"""Queries for bulk imports: source references, updates from the source, threads."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, select

from rostra.domain.policy import CARRIED_FLAGS
from rostra.store import sanctions as sanction_store
from rostra.store.schema import comment_revisions, comments, reports, sanctions, threads

# The source digest of a comment its author erased: no import may write it again.
ERASED_DIGEST = "erased"

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

# Moderators' marks and the verified badge: only sources that know of them
# (Rostra's own export, Remark42 pins) say them, so each is written only where
# the source states it.
_MARK_FROM_SOURCE = {
    name: comments.update()
    .where(comments.c.id == bindparam("_id"))
    .values({name: bindparam("_on")})
    for name in CARRIED_FLAGS
}


@dataclass(frozen=True)
class Existing:
    id: int
    thread_id: int
    digest: str | None
    # A comment first written here, named by the `rostra:<id>` of an export of this site.
    native: bool = False
    created_at: object = None


def refresh_digests(conn: Connection, pairs: list[tuple[str, int]]) -> None:
    """Store a newer form of the source digest where the comment itself is unchanged."""
    if pairs:
        conn.execute(
            comments.update()
            .where(comments.c.id == bindparam("_id"))
            .values(source_digest=bindparam("_digest")),
            [{"_digest": digest, "_id": comment_id} for digest, comment_id in pairs],
        )


# What an update from the source would change, the digest aside.
_COMPARED = tuple(name for name in _SOURCE_FIELDS if name != "source_digest")


def _comparable(value: object) -> object:
    if isinstance(value, datetime):
        # SQLite gives stored times back without their zone; they are UTC.
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, float):
        return round(value, 9)
    return value


def same_as_stored(conn: Connection, rows: list[dict]) -> set[int]:
    """The ids among `rows` (updates from the source) whose comment already reads so.

    A file in another form (Rostra's own export of comments first imported
    from Disqus) differs in its raw record, hence its digest, and not in
    what it would write.
    """
    wanted = {row["id"]: tuple(_comparable(row[name]) for name in _COMPARED) for row in rows}
    marks = {row["id"]: {name: row[name] for name in CARRIED_FLAGS if name in row} for row in rows}
    same: set[int] = set()
    ids = list(wanted)
    columns = [comments.c[name] for name in (*CARRIED_FLAGS, *_COMPARED)]
    for start in range(0, len(ids), 500):
        query = select(comments.c.id, *columns).where(comments.c.id.in_(ids[start : start + 500]))
        for comment_id, *stored in conn.execute(query):
            stored_marks = dict(
                zip(CARRIED_FLAGS, map(bool, stored[: len(CARRIED_FLAGS)]), strict=True)
            )
            same_marks = all(stored_marks[name] == on for name, on in marks[comment_id].items())
            rest = tuple(map(_comparable, stored[len(CARRIED_FLAGS) :]))
            if same_marks and rest == wanted[comment_id]:
                same.add(comment_id)
    return same


def update_from_source(conn: Connection, rows: list[dict]) -> None:
    """Rewrite what the source says about comments imported before (by id)."""
    if rows:
        conn.execute(
            _UPDATE_FROM_SOURCE,
            [{"_id": row["id"], **{f"_{n}": row[n] for n in _SOURCE_FIELDS}} for row in rows],
        )
        for name, statement in _MARK_FROM_SOURCE.items():
            marked = [{"_id": row["id"], "_on": row[name]} for row in rows if name in row]
            if marked:
                conn.execute(statement, marked)


def _kept_ids(conn: Connection, ids: set[int]) -> set[int]:
    """Those of `ids` that an import wrote (not a later duplicate in the file it dropped)."""
    ordered = sorted(ids)
    kept: set[int] = set()
    for start in range(0, len(ordered), 500):
        query = select(comments.c.id).where(comments.c.id.in_(ordered[start : start + 500]))
        kept.update(conn.execute(query).scalars())
    return kept


def insert_revisions(conn: Connection, revisions: list[tuple[int, str, str, datetime]]) -> None:
    """Earlier versions, (comment id, Markdown, HTML, replaced at), of comments an import wrote.

    Those of a comment it did not keep (a later duplicate in the file) are left out.
    """
    kept = _kept_ids(conn, {comment_id for comment_id, *_ in revisions})
    rows = [
        {"comment_id": comment_id, "body_source": source, "body_html": html,
         "edited_by": None, "created_at": replaced_at}
        for comment_id, source, html, replaced_at in revisions
        if comment_id in kept
    ]  # fmt: skip
    if rows:
        conn.execute(comment_revisions.insert(), rows)


_REPORT_COLUMNS = (
    "comment_id", "reporter_key", "reason", "note", "weight", "created_at", "outcome",
    "resolved_at",
)  # fmt: skip


def insert_reports(conn: Connection, site_id: int, found: list[tuple]) -> None:
    """Readers' reports, (comment id, reporter key, reason, note, weight, created at,
    outcome, resolved at), of comments an import wrote; one per reader and comment."""
    kept = _kept_ids(conn, {report[0] for report in found})
    rows: dict[tuple[int, str], dict] = {}
    for report in found:
        if report[0] in kept:
            rows.setdefault(report[:2], dict(zip(_REPORT_COLUMNS, report, strict=True)))
    if rows:
        conn.execute(reports.insert(), [row | {"site_id": site_id} for row in rows.values()])


def import_sanctions(conn: Connection, site_id: int, records: list) -> tuple[int, int]:
    """Store an export's sanctions (`SanctionRecord`s) in the site; (added, lifted).

    A sanction is the one stored when its kind, identifiers and start are;
    it is added once however often the file is imported, and a newer export
    that says it was lifted lifts it here too. A lift is never undone by an
    older file.
    """
    columns = (sanctions.c.kind, sanctions.c.author_key, sanctions.c.email, sanctions.c.ip_hash)
    query = select(sanctions.c.id, *columns, sanctions.c.created_at, sanctions.c.lifted_at)
    stored = {  # identity -> [id, whether lifted]
        (row.kind, row.author_key, row.email, row.ip_hash, _comparable(row.created_at)): [
            row.id,
            row.lifted_at is not None,
        ]
        for row in conn.execute(query.where(sanctions.c.site_id == site_id))
    }
    added = lifted = 0
    for record in records:
        key = (record.kind, record.author_key, record.email, record.ip_hash)
        key += (_comparable(record.created_at),)
        found = stored.get(key)
        if found is None:
            values = {name: getattr(record, name) for name in (
                "kind", "author_key", "email", "ip_hash", "reason", "created_at",
                "expires_at", "lifted_at",
            )}  # fmt: skip
            new_id = sanction_store.insert_sanction(conn, site_id=site_id, **values)
            stored[key] = [new_id, record.lifted_at is not None]
            added += 1
        elif record.lifted_at is not None and not found[1]:
            sanction_store.lift_sanction(conn, found[0], None, record.lifted_at)
            found[1] = True
            lifted += 1
    return added, lifted


def _default(column) -> object:
    default = column.default.arg if column.default is not None else None
    return None if callable(default) else default


# Every thread column but the id, with the value a new thread gets unless told otherwise.
_THREAD_DEFAULTS = {c.name: _default(c) for c in threads.columns if not c.primary_key}


class ImportQueries:
    """The statements an import runs per batch or per thread, below SQLAlchemy.

    Building and compiling a statement with two thousand references costs
    more than running it; these are plain driver SQL, run on the import's
    connection and transaction.
    """

    def __init__(self, conn: Connection) -> None:
        self.sqlite = conn.dialect.name == "sqlite"
        self.driver = conn.connection.driver_connection
        mark = "?" if self.sqlite else "%s"
        self.mark = mark
        names = ", ".join(_THREAD_DEFAULTS)
        marks = ", ".join([mark] * len(_THREAD_DEFAULTS))
        self.insert_thread = f"INSERT INTO threads ({names}) VALUES ({marks})"
        # PostgreSQL: the SELECT sees the table as it was before the INSERT, so
        # exactly one part answers.
        self.find_or_insert_thread = (
            f"WITH added AS ({self.insert_thread} "
            "ON CONFLICT (site_id, key) DO NOTHING RETURNING id) "
            "SELECT id, 1, NULL, NULL FROM added UNION ALL "
            f"SELECT id, 0, title, url FROM threads WHERE site_id = {mark} AND key = {mark}"
        )

    def _rows(self, sql: str, params: Sequence) -> list[tuple]:
        cursor = self.driver.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()

    def any_of(self, column: str, values: list) -> tuple[str, list]:
        """A condition that `column` is one of `values`, and its parameters."""
        if self.sqlite:
            return f"{column} IN ({', '.join('?' * len(values))})", values
        return f"{column} = ANY(%s)", [values]

    def existing_by_ref(self, site_id: int, refs: list[str]) -> dict[str, Existing]:
        if not refs:
            return {}
        condition, params = self.any_of("source_ref", refs)
        rows = self._rows(
            "SELECT source_ref, id, thread_id, source_digest FROM comments "
            f"WHERE site_id = {self.mark} AND {condition}",
            [site_id, *params],
        )
        found = {ref: Existing(id_, thread_id, digest) for ref, id_, thread_id, digest in rows}
        return found | self._native(site_id, [ref for ref in refs if ref not in found])

    def _native(self, site_id: int, refs: list[str]) -> dict[str, Existing]:
        """Comments written here that an export named `rostra:<id>`: a site's own export."""
        ids = {int(ref[7:]): ref for ref in refs if ref.startswith("rostra:") and ref[7:].isdigit()}
        if not ids:
            return {}
        condition, params = self.any_of("id", list(ids))
        rows = self._rows(
            "SELECT id, thread_id, created_at FROM comments "
            f"WHERE site_id = {self.mark} AND source_ref IS NULL AND {condition}",
            [site_id, *params],
        )
        return {
            ids[id_]: Existing(id_, thread_id, None, native=True, created_at=created_at)
            for id_, thread_id, created_at in rows
        }

    def same_time(self, stored: object, value: datetime) -> bool:
        """Whether a time read back by the driver is `value`, to the microsecond."""
        return _comparable(stored) == _comparable(self._time(value))

    def find_or_create_thread(
        self, site_id: int, key: str, title: str | None, url: str | None, created_at: datetime,
        policy: str | None = None,
    ) -> tuple[int, bool]:  # fmt: skip
        """The thread's id, and whether this call created it.

        `policy` is given to a new thread only: on a thread that exists,
        moderators here decide.
        """
        values = self._new_thread(site_id, key, title, url, created_at, policy)
        cursor = self.driver.cursor()
        try:
            if self.sqlite:
                # In process, two statements cost less than one round trip.
                cursor.execute(
                    "SELECT id, 0, title, url FROM threads WHERE site_id = ? AND key = ?",
                    (site_id, key),
                )
                found = cursor.fetchone()
                if found is None:
                    cursor.execute(self.insert_thread, tuple(values.values()))
                    found = (cursor.lastrowid, 1, None, None)
            else:
                # One round trip: the insert gives way to a thread that has the key already.
                cursor.execute(self.find_or_insert_thread, (*values.values(), site_id, key))
                found = cursor.fetchone()
            thread_id, created, old_title, old_url = found
            if not created and ((title and not old_title) or (url and not old_url)):
                mark = self.mark
                cursor.execute(
                    f"UPDATE threads SET title = {mark}, url = {mark} WHERE id = {mark}",
                    (old_title or title, old_url or url, thread_id),
                )
            return thread_id, bool(created)
        finally:
            cursor.close()

    def _new_thread(
        self, site_id: int, key: str, title: str | None, url: str | None, created_at: datetime,
        policy: str | None,
    ) -> dict:  # fmt: skip
        """Every column of a new thread but its id, in `_THREAD_DEFAULTS` order."""
        values = dict(_THREAD_DEFAULTS, site_id=site_id, key=key, title=title, url=url)
        values.update(policy=policy)
        values.update(created_at=self._time(created_at), version=1, comment_count=0)
        values.update(root_count=0, root_seq=0)
        return values

    def find_or_create_threads(
        self, site_id: int, asked: list[tuple[str, str | None, str | None, str | None, datetime]]
    ) -> list[tuple[int, bool]]:
        """`find_or_create_thread` for each (key, url, title, policy, created at), in order.

        On PostgreSQL in three round trips however many threads: one query
        finds the keys that exist, one INSERT creates the rest, one UPDATE
        fills titles and addresses they lacked. SQLite runs in this process,
        where one statement a thread costs no more.
        """
        if self.sqlite:
            return [
                self.find_or_create_thread(site_id, key, title, url, created_at, policy)
                for key, url, title, policy, created_at in asked
            ]
        known = self._threads_by_key(site_id, list({entry[0] for entry in asked}))
        new: dict[str, tuple] = {}
        for entry in asked:
            if entry[0] not in known and entry[0] not in new:
                new[entry[0]] = entry
        created = self._insert_threads(site_id, list(new.values()))
        # A key another writer took meanwhile is found, as the one-at-a-time query would.
        known |= self._threads_by_key(site_id, [key for key in new if key not in created])
        state = {key: [thread_id, None, None] for key, thread_id in created.items()} | known
        answers: list[tuple[int, bool]] = []
        filled: dict[int, tuple] = {}
        first_asked = set(created)  # the entry that created a thread is its first
        for key, url, title, _, _ in asked:
            thread_id, old_title, old_url = state[key]
            if key in first_asked:
                first_asked.discard(key)
                state[key] = [thread_id, title, url]
                answers.append((thread_id, True))
                continue
            if (title and not old_title) or (url and not old_url):
                state[key] = [thread_id, old_title or title, old_url or url]
                filled[thread_id] = (old_title or title, old_url or url, thread_id)
            answers.append((thread_id, False))
        if filled:
            with self.driver.cursor() as cursor:
                cursor.executemany(
                    "UPDATE threads SET title = %s, url = %s WHERE id = %s", list(filled.values())
                )
        return answers

    def _threads_by_key(self, site_id: int, keys: list[str]) -> dict[str, list]:
        if not keys:
            return {}
        rows = self._rows(
            "SELECT key, id, title, url FROM threads WHERE site_id = %s AND key = ANY(%s)",
            [site_id, keys],
        )
        return {key: [thread_id, title, url] for key, thread_id, title, url in rows}

    def _insert_threads(self, site_id: int, entries: list[tuple]) -> dict[str, int]:
        """Create threads for (key, url, title, policy, created at); {key: id} of those made."""
        made: dict[str, int] = {}
        names = ", ".join(_THREAD_DEFAULTS)
        for start in range(0, len(entries), 500):
            rows = [
                tuple(self._new_thread(site_id, key, title, url, created_at, policy).values())
                for key, url, title, policy, created_at in entries[start : start + 500]
            ]
            row_marks = "(" + ", ".join(["%s"] * len(_THREAD_DEFAULTS)) + ")"
            sql = (
                f"INSERT INTO threads ({names}) VALUES {', '.join([row_marks] * len(rows))} "
                "ON CONFLICT (site_id, key) DO NOTHING RETURNING key, id"
            )
            made.update(self._rows(sql, [value for row in rows for value in row]))
        return made

    def _time(self, value: datetime) -> object:
        return sqlite_time(value) if self.sqlite else value


def sqlite_time(value: datetime | None) -> str | None:
    """A time in SQLAlchemy's storage format for SQLite DATETIME columns, in UTC."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

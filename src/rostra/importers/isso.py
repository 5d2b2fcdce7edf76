"""Isso: its SQLite database file, read directly (tables `threads` and `comments`).

Isso keeps the Markdown its authors typed and renders it when serving, so
bodies are imported as Markdown. Its `mode` is 1 (accepted), 2 (waiting for
moderation) or 4 (deleted, kept because it has replies). A thread is named
by its `uri`, a path such as /2024/05/article/: use --map-url /=https://site/
to turn paths into full URLs (then normalised), otherwise the path is the key.
"""

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from rostra.domain.policy import Status
from rostra.importers.records import (
    BodyFormat,
    ImportFailure,
    Problem,
    RecordError,
    SourceRecord,
    ThreadInfo,
    blank_to_none,
)

SOURCE = "isso"
_MODES = {1: Status.PUBLISHED, 2: Status.PENDING, 4: Status.DELETED}
_QUERY = """
SELECT c.id, c.tid, c.parent, c.created, c.modified, c.mode, c.remote_addr, c.text,
       c.author, c.email, c.website, c.likes, c.dislikes, t.uri, t.title
FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid
ORDER BY c.id
"""


def _time(value: object, what: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):  # OSError: out of the C range
        raise RecordError(f"the {what} time {value!r} is not a Unix timestamp") from None


def _count(value: object, what: str) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError, OverflowError):
        raise RecordError(f"the {what} count {value!r} is not a number") from None


def _text(raw: bytes) -> str:
    # Isso writes UTF-8, but other tools may have left other bytes in its
    # file: keep the comment with U+FFFD in their place rather than stop.
    return raw.decode("utf-8", "replace")


def _field(value: object) -> str | None:
    """A text column's value as text: SQLite keeps whatever type was written into it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return _text(value)
    return str(value)


def _record(row: tuple, threads: dict[int, ThreadInfo]) -> SourceRecord:
    (comment_id, tid, parent, created, modified, mode, addr, body, author, email, website,
     likes, dislikes, uri, title) = row  # fmt: skip
    addr, body, author, email, website, uri, title = map(
        _field, (addr, body, author, email, website, uri, title)
    )
    if uri is None:
        raise RecordError(f"comment {comment_id} belongs to thread {tid}, which does not exist")
    status = _MODES.get(mode)
    if status is None:
        raise RecordError(f"comment {comment_id} has an unknown mode {mode!r}")
    thread = threads.get(tid)
    if thread is None:
        thread = threads[tid] = ThreadInfo(None, uri, blank_to_none(title))
    return SourceRecord(
        source=SOURCE,
        source_id=str(comment_id),
        thread=thread,
        parent_id=None if parent is None else str(parent),
        author_name=blank_to_none(author),
        author_email=blank_to_none(email),
        author_website=blank_to_none(website),
        body=body or "",
        body_format=BodyFormat.MARKDOWN,
        created_at=_time(created, "created"),
        status=status,
        ip=blank_to_none(addr),
        position=f"comment {comment_id}",
        edited_at=_time(modified, "modified") if modified else None,
        upvotes=_count(likes, "likes"),
        downvotes=_count(dislikes, "dislikes"),
    )


def read(path: Path) -> Iterator[SourceRecord | Problem]:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ImportFailure(str(path), f"cannot open the Isso database ({exc})") from None
    connection.text_factory = _text
    try:
        try:
            rows = connection.execute(_QUERY)
        except sqlite3.DatabaseError as exc:
            raise ImportFailure(str(path), f"not an Isso database ({exc})") from None
        threads: dict[int, ThreadInfo] = {}
        for row in rows:
            try:
                yield _record(row, threads)
            except RecordError as exc:
                yield Problem(f"comment {row[0]}", str(exc))
    finally:
        connection.close()

"""Remark42 backups: JSON lines (usually gzipped), a header line, then one comment a line.

A comment has `id`, `pid` (its parent, empty at top level), `text` (the
HTML Remark42 rendered), `orig` (the Markdown typed), `user`, `locator`
({site, url}), `time` (RFC 3339 with a zone), `delete`, `title`, and its
readers' votes: `votes` (user id to true for up, false for down) and `score`
(ups minus downs), which is all an older backup keeps. A pinned comment
(`pin`) comes in featured; a page the header's post list marks `read_only`
comes in closed. The
Markdown is imported when there is one; comments Remark42 itself imported
from elsewhere carry HTML in `orig`, so for them `text` is used. The thread
key is the locator URL, normalised.
"""

from collections.abc import Iterator
from pathlib import Path

from rostra.domain.policy import THREAD_CLOSED, Status
from rostra.importers.jsonlines import iter_lines
from rostra.importers.records import (
    BodyFormat,
    Problem,
    RecordError,
    SourceRecord,
    ThreadInfo,
    json_body,
    json_text,
    parse_timestamp,
)

SOURCE = "remark42"


def _votes(data: dict) -> tuple[int, int]:
    """(up, down): counted from the per-user votes when kept, else read from the score."""
    votes = data.get("votes")
    if isinstance(votes, dict) and votes:
        ups = sum(1 for vote in votes.values() if vote is True)
        return ups, sum(1 for vote in votes.values() if vote is False)
    score = data.get("score")
    if isinstance(score, int) and not isinstance(score, bool):
        return max(0, score), max(0, -score)
    return 0, 0


def _read_only(header: dict) -> frozenset[str]:
    """The pages the header's post list marks read-only: closed to new comments."""
    posts = header.get("posts") if isinstance(header.get("posts"), list) else []
    return frozenset(
        post["url"]
        for post in posts
        if isinstance(post, dict) and post.get("read_only") is True and json_text(post.get("url"))
    )


def _record(
    line: int, data: dict, threads: dict[tuple, ThreadInfo], read_only: frozenset[str] = frozenset()
) -> SourceRecord:
    comment_id = json_text(data.get("id"))
    if comment_id is None:
        raise RecordError("the comment has no id")
    locator = data.get("locator") if isinstance(data.get("locator"), dict) else {}
    url = json_text(locator.get("url"))
    if url is None:
        raise RecordError(f"comment {comment_id} has no locator url")
    title = json_text(data.get("title"))
    closed = THREAD_CLOSED if url in read_only else None
    thread = threads.setdefault((url, title), ThreadInfo(None, url, title, closed))
    if len(threads) > 10_000:
        threads.clear()  # only a cache: the writer keys threads by URL anyway
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    markdown = json_text(data.get("orig"))
    use_markdown = markdown is not None and not data.get("imported")
    edit = data.get("edit") if isinstance(data.get("edit"), dict) else {}
    upvotes, downvotes = _votes(data)
    return SourceRecord(
        source=SOURCE,
        source_id=comment_id,
        thread=thread,
        parent_id=json_text(data.get("pid")),
        author_name=json_text(user.get("name")),
        author_email=None,
        author_website=None,
        body=markdown if use_markdown else json_body(data.get("text")),
        body_format=BodyFormat.MARKDOWN if use_markdown else BodyFormat.HTML,
        created_at=parse_timestamp(json_text(data.get("time")), "time"),
        status=Status.DELETED if data.get("delete") else Status.PUBLISHED,
        ip=json_text(user.get("ip")),
        position=f"line {line} (comment {comment_id})",
        edited_at=parse_timestamp(edit["time"], "edit time")
        if json_text(edit.get("time"))
        else None,
        upvotes=upvotes,
        downvotes=downvotes,
        marks=(("featured", True),) if data.get("pin") is True else (),
    )


def read(path: Path) -> Iterator[SourceRecord | Problem]:
    threads: dict[tuple, ThreadInfo] = {}
    read_only: frozenset[str] = frozenset()
    for line, data in iter_lines(path):
        if isinstance(data, Problem):
            yield data
            continue
        if isinstance(data, dict) and "locator" not in data and "version" in data:
            read_only = _read_only(data)  # the header line: format version, users, posts
            continue
        try:
            if not isinstance(data, dict):
                raise RecordError("expected a JSON object")
            yield _record(line, data, threads, read_only)
        except RecordError as exc:
            yield Problem(f"line {line}", str(exc))

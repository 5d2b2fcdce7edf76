"""Commento (and Comentario's Commento-compatible) JSON exports.

One JSON document: {"version": 1, "comments": [...], "commenters": [...]}.
Authors are listed after the comments that name them, so the file is read
twice, streaming both times: first the commenters (one small entry per
author), then the comments. Bodies are the Markdown authors typed. Commento
keeps the site's host (`domain`, "news.example") apart from the page's path
(`url`, "/2024/03/a"); the page is taken as https on that host.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rostra.domain.policy import Status
from rostra.importers.jsonstream import iter_document
from rostra.importers.records import (
    BodyFormat,
    ImportFailure,
    Problem,
    RecordError,
    SourceRecord,
    ThreadInfo,
    json_body,
    json_text,
    parse_timestamp,
)
from rostra.importers.sources import open_binary

SOURCE = "commento"
_EXPORT_KEYS = frozenset({"version", "comments", "commenters"})
_STATES = {"approved": Status.PUBLISHED, "unapproved": Status.PENDING, "flagged": Status.REJECTED}


@dataclass(frozen=True, slots=True)
class _Commenter:
    name: str | None
    email: str | None
    link: str | None


def _documents(path: Path) -> Iterator[tuple[str, object, int]]:
    with open_binary(path) as raw:
        yield from iter_document(io.TextIOWrapper(raw, encoding="utf-8"))


def _commenters(path: Path) -> dict[str, _Commenter]:
    found: dict[str, _Commenter] = {}
    keys: set[str] = set()
    for key, value, _ in _documents(path):
        keys.add(key)
        if key == "commenters" and isinstance(value, dict) and json_text(value.get("commenterHex")):
            link = json_text(value.get("link"))
            found[value["commenterHex"]] = _Commenter(
                json_text(value.get("name")),
                json_text(value.get("email")),
                None if link in (None, "undefined") else link,
            )
    # Any other JSON object would import as nothing at all and look like success.
    if not keys & _EXPORT_KEYS:
        raise ImportFailure(
            "character 0", 'not a Commento export: no "version", "comments" or "commenters" key'
        )
    return found


def _page_url(domain: str | None, path: str) -> str:
    if "://" in path:
        return path
    if domain and not path.startswith("/") and path.startswith(domain):
        return f"https://{path}"  # a host written into the path by some other tool
    if domain:
        return f"https://{domain.rstrip('/')}/{path.lstrip('/')}"
    return f"https://{path.lstrip('/')}"


def _record(
    data: dict, offset: int, commenters: dict[str, _Commenter], threads: dict[tuple, ThreadInfo]
) -> SourceRecord:
    comment_id = json_text(data.get("commentHex"))
    if comment_id is None:
        raise RecordError("the comment has no commentHex")
    url = json_text(data.get("url"))
    if url is None:
        raise RecordError(f"comment {comment_id} has no url")
    domain = json_text(data.get("domain"))
    thread = threads.get((domain, url))
    if thread is None:
        if len(threads) > 10_000:
            threads.clear()  # a cache only
        thread = threads[domain, url] = ThreadInfo(None, _page_url(domain, url), None)
    state = json_text(data.get("state")) or "approved"
    status = Status.DELETED if data.get("deleted") else _STATES.get(state)
    if status is None:
        raise RecordError(f"comment {comment_id} has an unknown state {state!r}")
    author = commenters.get(json_text(data.get("commenterHex")) or "", _Commenter(None, None, None))
    parent = json_text(data.get("parentHex"))
    score = data.get("score") if isinstance(data.get("score"), int) else 0
    return SourceRecord(
        source=SOURCE,
        source_id=comment_id,
        thread=thread,
        parent_id=None if parent in (None, "root") else parent,
        author_name=author.name,
        author_email=author.email,
        author_website=author.link,
        body=json_body(data.get("markdown")),
        body_format=BodyFormat.MARKDOWN,
        created_at=parse_timestamp(json_text(data.get("creationDate")), "creationDate"),
        status=status,
        ip=None,
        position=f"character {offset} (comment {comment_id})",
        upvotes=max(0, score),
        downvotes=max(0, -score),
    )


def read(path: Path) -> Iterator[SourceRecord | Problem]:
    commenters = _commenters(path)
    threads: dict[tuple, ThreadInfo] = {}
    for key, value, offset in _documents(path):
        if key != "comments":
            continue
        try:
            if not isinstance(value, dict):
                raise RecordError("expected a JSON object")
            yield _record(value, offset, commenters, threads)
        except RecordError as exc:
            yield Problem(f"character {offset}", str(exc))

"""Disqus XML exports: <thread> elements, then <post> elements naming them by dsq:id.

Threads come first in real exports and are remembered (id, link, title: a few
hundred bytes each); posts are streamed. A thread's key is its Disqus
identifier (`<id>`, what pages passed as disqus_identifier) when it has one,
else its link.
"""

from collections.abc import Iterator
from pathlib import Path

from rostra.domain.policy import THREAD_CLOSED, Status
from rostra.importers.records import (
    BodyFormat,
    Problem,
    RecordError,
    SourceRecord,
    ThreadInfo,
    blank_to_none,
    parse_bool,
    parse_timestamp,
)
from rostra.importers.xmlstream import Element, attribute, children, iter_elements, local, text_of

SOURCE = "disqus"


def _thread(element: Element) -> ThreadInfo:
    parts = children(element)
    identifier = blank_to_none(text_of(parts.get("id")))
    url = blank_to_none(text_of(parts.get("link")))
    title = blank_to_none(text_of(parts.get("title")))
    # A title that only repeats the address or identifier (what Rostra's Disqus
    # export writes for an untitled thread) names nothing.
    if title is not None and title.strip() in (identifier, url and url.strip()):
        title = None
    closed = parse_bool(text_of(parts.get("isClosed")))
    return ThreadInfo(identifier, url, title, THREAD_CLOSED if closed else None)


def _status(parts: dict[str, Element]) -> Status:
    if parse_bool(text_of(parts.get("isSpam"))):
        return Status.REJECTED
    if parse_bool(text_of(parts.get("isDeleted"))):
        return Status.DELETED
    approved = text_of(parts.get("isApproved"))
    if approved is not None and approved.strip() and not parse_bool(approved):
        return Status.PENDING
    return Status.PUBLISHED


def _post(element: Element, line: int, threads: dict[str, ThreadInfo]) -> SourceRecord:
    post_id = blank_to_none(attribute(element, "id"))
    if post_id is None:
        raise RecordError("the <post> has no dsq:id attribute")
    parts = children(element)
    thread_ref = blank_to_none(attribute(parts.get("thread"), "id"))
    if thread_ref is None:
        raise RecordError(f"post {post_id} names no thread")
    thread = threads.get(thread_ref)
    if thread is None:
        raise RecordError(
            f"post {post_id} names thread {thread_ref}, which the file does not define"
        )
    author = children(parts["author"]) if "author" in parts else {}
    name = blank_to_none(text_of(author.get("name"))) or blank_to_none(
        text_of(author.get("username"))
    )
    return SourceRecord(
        source=SOURCE,
        source_id=post_id,
        thread=thread,
        parent_id=blank_to_none(attribute(parts.get("parent"), "id")),
        author_name=name,
        author_email=blank_to_none(text_of(author.get("email"))),
        author_website=None,
        body=text_of(parts.get("message")) or "",
        body_format=BodyFormat.HTML,
        created_at=parse_timestamp(text_of(parts.get("createdAt")), "createdAt"),
        status=_status(parts),
        ip=blank_to_none(text_of(parts.get("ipAddress"))),
        position=f"line {line} (post {post_id})",
    )


def read(path: Path) -> Iterator[SourceRecord | Problem]:
    threads: dict[str, ThreadInfo] = {}
    for element, line, _ in iter_elements(
        path, {"thread": 1, "post": 1}, ("disqus", "a Disqus export")
    ):
        if local(element.tag) == "thread":
            thread_id = blank_to_none(attribute(element, "id"))
            if thread_id is None:
                yield Problem(f"line {line}", "the <thread> has no dsq:id attribute", "thread")
            else:
                threads[thread_id] = _thread(element)
            continue
        try:
            yield _post(element, line, threads)
        except RecordError as exc:
            yield Problem(f"line {line}", str(exc))

"""WordPress WXR exports: each <item> (a post or page) holds its <wp:comment> elements.

The item's link and title come before its comments in the file, so each
comment is handed over as soon as it ends. The thread key is the post's
permalink, normalised.

Only readers' comments are imported. The export holds every comment row but
spam, and since WordPress 6.9 that includes the newsroom's editorial notes
(`comment_type` note), which must never be published; pingbacks,
trackbacks, notes and the types plugins add (WooCommerce order notes and the
like) are skipped and counted by type. Comments of a post in the trash carry
`post-trashed`: they were shown nowhere, so they are kept as rejected.
"""

from collections.abc import Iterator
from pathlib import Path

from rostra.domain.policy import Status
from rostra.importers.records import (
    BodyFormat,
    Problem,
    RecordError,
    SourceRecord,
    ThreadInfo,
    blank_to_none,
    parse_timestamp,
)
from rostra.importers.xmlstream import Element, children, iter_elements, local, text_of

SOURCE = "wordpress"
_ZERO_DATE = "0000-00-00 00:00:00"
_STATUSES = {
    "1": Status.PUBLISHED,
    "0": Status.PENDING,
    "spam": Status.REJECTED,
    "trash": Status.REJECTED,
    "post-trashed": Status.REJECTED,
}
# Blank before WordPress 5.5; `review` is a WooCommerce product review, a reader's too.
_READER_TYPES = frozenset({"", "comment", "review"})
_SKIPPED_TYPES = {"pingback": "pingback", "trackback": "trackback", "note": "editorial note"}


class Skipped(Exception):
    """A record that is not a comment (a pingback); the reason is counted."""


def _thread(item: Element) -> ThreadInfo:
    parts = children(item)
    link = blank_to_none(text_of(parts.get("link")))
    if link is None:
        link = blank_to_none(text_of(parts.get("guid")))
    return ThreadInfo(identifier=None, url=link, title=blank_to_none(text_of(parts.get("title"))))


def _created(parts: dict[str, Element]) -> object:
    gmt = blank_to_none(text_of(parts.get("comment_date_gmt")))
    if gmt and gmt != _ZERO_DATE:
        return parse_timestamp(gmt, "comment_date_gmt")
    # Unapproved comments may carry no GMT date; the local one is read as UTC.
    return parse_timestamp(text_of(parts.get("comment_date")), "comment_date")


def _comment(element: Element, line: int, thread: ThreadInfo) -> SourceRecord:
    parts = children(element)
    comment_id = blank_to_none(text_of(parts.get("comment_id")))
    if comment_id is None:
        raise RecordError("the <wp:comment> has no comment_id")
    kind = (text_of(parts.get("comment_type")) or "").strip()
    if kind not in _READER_TYPES:
        raise Skipped(_SKIPPED_TYPES.get(kind) or f"comment type {kind[:40]!r}")
    approved = (text_of(parts.get("comment_approved")) or "1").strip()
    status = _STATUSES.get(approved)
    if status is None:
        raise RecordError(f"comment {comment_id} has an unknown comment_approved {approved!r}")
    parent = blank_to_none(text_of(parts.get("comment_parent")))
    return SourceRecord(
        source=SOURCE,
        source_id=comment_id,
        thread=thread,
        parent_id=None if parent in (None, "0") else parent,
        author_name=blank_to_none(text_of(parts.get("comment_author"))),
        author_email=blank_to_none(text_of(parts.get("comment_author_email"))),
        author_website=blank_to_none(text_of(parts.get("comment_author_url"))),
        body=text_of(parts.get("comment_content")) or "",
        body_format=BodyFormat.AUTOP,
        created_at=_created(parts),
        status=status,
        ip=blank_to_none(text_of(parts.get("comment_author_IP"))),
        position=f"line {line} (comment {comment_id})",
    )


def read(path: Path) -> Iterator[SourceRecord | Problem | str]:
    """Records, problems, and for skipped entries the reason as a plain string."""
    thread: ThreadInfo | None = None
    current_item: Element | None = None
    for element, line, parent_item in iter_elements(
        path, {"item": 2, "comment": 3}, ("rss", "a WordPress (WXR) export")
    ):
        if local(element.tag) == "item":
            current_item, thread = None, None
            continue
        # Every comment of an item shares one ThreadInfo, built at its first comment.
        if parent_item is not current_item or thread is None:
            current_item = parent_item
            thread = _thread(parent_item) if parent_item is not None else None
        try:
            if thread is None:
                raise RecordError("a <wp:comment> outside any <item>")
            yield _comment(element, line, thread)
        except Skipped as reason:
            yield f"{reason}"
        except RecordError as exc:
            yield Problem(f"line {line}", str(exc))

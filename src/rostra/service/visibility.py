"""Status changes and what readers see of the tree afterwards.

A comment is shown when it is published (and its author is not shadow
banned), or as a tombstone when it was removed but still holds replies. Every
change keeps the parent's reply count, the thread's counters and version, and
the tombstones above it consistent.
"""

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from rostra.domain.policy import Status
from rostra.notify import events as notify_events
from rostra.service.pages import record_json
from rostra.store import comments as comment_store
from rostra.store import events as event_store
from rostra.store import threads as thread_store
from rostra.store.comments import CommentRecord

REMOVED = frozenset({Status.DELETED, Status.REJECTED})


def _counted(status: str, shadowed: bool) -> bool:
    return status == Status.PUBLISHED and not shadowed


def _visible(status: str, shadowed: bool, reply_count: int) -> bool:
    return _counted(status, shadowed) or (status in REMOVED and reply_count > 0)


def change_status(
    conn: Connection,
    comment: CommentRecord,
    status: str,
    *,
    shadowed: bool | None = None,
    mail_moderators: bool = True,
    **extra,
) -> bool:
    """Give `comment` a new status; returns whether readers now see it (or its tombstone).

    `extra` are further columns to write; `mail_moderators=False` holds without
    the held-comment mail (bulk holds).
    """
    was_shadowed = comment.shadowed
    now_shadowed = was_shadowed if shadowed is None else shadowed
    visible = _visible(status, now_shadowed, comment.reply_count)
    values = dict(status=status, visible=visible, **extra)
    if shadowed is not None:
        values["shadowed"] = shadowed
    comment_store.update_comment(conn, comment.id, **values)
    roots_delta = 0
    if visible != comment.visible:
        step = 1 if visible else -1
        if comment.parent_id is None:
            roots_delta = step
        else:
            roots_delta = (
                _attach(conn, comment.parent_id) if visible else _detach(conn, comment.parent_id)
            )
    counted_delta = int(_counted(status, now_shadowed)) - int(
        _counted(comment.status, was_shadowed)
    )
    thread_store.record_change(
        conn, comment.thread_id, comments_delta=counted_delta, roots_delta=roots_delta
    )
    _announce(conn, comment, status, visible, counted_delta)
    notify_events.status_changed(
        conn, comment, status, visible, now_shadowed, mail_moderators=mail_moderators
    )
    return visible


def _announce(
    conn: Connection, comment: CommentRecord, status: str, visible: bool, counted: int
) -> None:
    """Tell live readers: a comment appeared (approved) or went (removed)."""
    now = datetime.now(UTC)
    if counted > 0:
        shown = replace(comment, status=status, visible=True)
        event_store.append(conn, comment.thread_id, "comment", comment.id, record_json(shown), now)
    elif counted < 0 or (comment.visible and status in REMOVED):
        payload = {"id": comment.id, "tombstone": visible}
        event_store.append(conn, comment.thread_id, "remove", comment.id, payload, now)


def _detach(conn: Connection, parent_id: int) -> int:
    """Take one reply off its parent; a tombstone left with no replies goes too.

    Returns the change in the thread's number of top-level comments.
    """
    while True:
        remaining = comment_store.add_to_reply_count(conn, parent_id, -1)
        parent = comment_store.comment_by_id(conn, parent_id)
        if remaining > 0 or parent.status not in REMOVED or not parent.visible:
            return 0
        comment_store.update_comment(conn, parent.id, visible=False)
        if parent.parent_id is None:
            return -1
        parent_id = parent.parent_id


def _attach(conn: Connection, parent_id: int) -> int:
    """Add one reply to its parent; a removed parent comes back as a tombstone.

    Returns the change in the thread's number of top-level comments.
    """
    while True:
        comment_store.add_to_reply_count(conn, parent_id, 1)
        parent = comment_store.comment_by_id(conn, parent_id)
        if parent.visible:
            return 0
        if parent.status not in REMOVED:
            # A parent hidden for another reason (held, shadowed) stays hidden.
            return 0
        comment_store.update_comment(conn, parent.id, visible=True)
        if parent.parent_id is None:
            return 1
        parent_id = parent.parent_id

"""Placing a new comment among its siblings, with the counters that go with it.

The position comes from a counter on the thread's row (top-level comments) or
on the parent's (replies), and taking it locks that row until commit, so every
post to the same thread waits for it in turn: it is taken last, after the
comment is inserted. On PostgreSQL one statement takes the slot, counts the
comment and writes its position (data-modifying WITH queries), so the lock is
held for one round trip and the commit; SQLite, whose writers take turns for
the whole transaction anyway, runs the same steps one statement each.
"""

from datetime import datetime

from sqlalchemy import Connection, bindparam, func

from rostra.store import comments as comment_store
from rostra.store import threads as thread_store
from rostra.store.schema import comments


def _postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


_ROOT_SLOT = thread_store.TAKE_ROOT_SLOT.returning(thread_store.threads.c.id).cte("slot")
_PLACE_ROOT = (
    comments.update()
    .add_cte(_ROOT_SLOT)
    .where(comments.c.id == bindparam("cid"), comments.c.thread_id == _ROOT_SLOT.c.id)
    .values(sibling_pos=_ROOT_SLOT.c.root_seq, chain_pos=0)
    .returning(comments.c.sibling_pos)
)

_CHILD_SLOT = comment_store.TAKE_CHILD_SLOT.returning(comments.c.id).cte("slot")
# A hidden reply changes nothing readers see, so the thread is left alone.
_COUNT_REPLY = (
    thread_store.RECORD_CHANGE.where(bindparam("counted") == 1)
    .returning(thread_store.threads.c.id)
    .cte("counted_reply")
)
_PLACE_REPLY = (
    comments.update()
    .add_cte(_CHILD_SLOT)
    .add_cte(_COUNT_REPLY)
    .where(comments.c.id == bindparam("new_id"), comments.c.parent_id == _CHILD_SLOT.c.id)
    .values(
        sibling_pos=_CHILD_SLOT.c.child_seq,
        chain_pos=func.greatest(bindparam("parent_chain"), _CHILD_SLOT.c.child_seq),
    )
    .returning(comments.c.sibling_pos, comments.c.chain_pos)
)


def _counted(counted: bool, at: datetime) -> dict:
    n = int(counted)
    return {"bump": n, "comments": n, "at": at if counted else None}


def place_root(
    conn: Connection, thread_id: int, comment_id: int, *, counted: bool, at: datetime
) -> int:
    """Put a new top-level comment last in its thread; a `counted` (visible)
    one also bumps the thread's version and counters. Returns its position."""
    params = {"tid": thread_id, "roots": int(counted), **_counted(counted, at)}
    if _postgresql(conn):
        return conn.execute(_PLACE_ROOT, {**params, "cid": comment_id}).scalar_one()
    position = conn.execute(thread_store.TAKE_ROOT_SLOT, params).scalar_one()
    comment_store.place_comment(conn, comment_id, position, 0)
    return position


def place_reply(
    conn: Connection, thread_id: int, parent: comment_store.CommentRecord, comment_id: int,
    *, counted: bool, at: datetime,
) -> tuple[int, int]:  # fmt: skip
    """Put a new reply last under its parent; a `counted` (visible) one also
    counts on the parent and on the thread. Returns (sibling_pos, chain_pos)."""
    params = {"tid": thread_id, "roots": 0, "cid": parent.id, "counted": int(counted),
              **_counted(counted, at)}  # fmt: skip
    if _postgresql(conn):
        values = {**params, "new_id": comment_id, "parent_chain": parent.chain_pos}
        position, chain = conn.execute(_PLACE_REPLY, values).one()
        return position, chain
    position = conn.execute(comment_store.TAKE_CHILD_SLOT, params).scalar_one()
    if counted:
        thread_store.record_change(conn, thread_id, comments_delta=1, commented_at=at)
    chain = max(parent.chain_pos, position)
    comment_store.place_comment(conn, comment_id, position, chain)
    return position, chain

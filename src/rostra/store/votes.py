"""Queries on votes."""

from datetime import datetime

from sqlalchemy import Connection, select

from rostra.store.dialect import upsert
from rostra.store.schema import comments, votes


def current_vote(conn: Connection, comment_id: int, voter_key: str) -> int:
    value = conn.execute(
        select(votes.c.value).where(
            votes.c.comment_id == comment_id, votes.c.voter_key == voter_key
        )
    ).scalar_one_or_none()
    return value or 0


def set_vote(conn: Connection, comment_id: int, voter_key: str, value: int, now: datetime) -> None:
    if value == 0:
        conn.execute(
            votes.delete().where(votes.c.comment_id == comment_id, votes.c.voter_key == voter_key)
        )
        return
    conn.execute(
        upsert(
            conn,
            votes,
            dict(comment_id=comment_id, voter_key=voter_key, value=value, created_at=now),
            ["comment_id", "voter_key"],
            ["value", "created_at"],
        )
    )


def apply_vote_totals(
    conn: Connection, comment_id: int, up_delta: int, down_delta: int
) -> tuple[int, int]:
    row = conn.execute(
        comments.update()
        .where(comments.c.id == comment_id)
        .values(upvotes=comments.c.upvotes + up_delta, downvotes=comments.c.downvotes + down_delta)
        .returning(comments.c.upvotes, comments.c.downvotes)
    ).one()
    return row.upvotes, row.downvotes

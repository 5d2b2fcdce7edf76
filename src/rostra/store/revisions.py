"""Earlier versions of comments, kept when a moderator edits one."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from rostra.store.schema import comment_revisions


@dataclass(frozen=True)
class RevisionRow:
    id: int
    comment_id: int
    body_source: str
    body_html: str
    edited_by: int | None
    created_at: datetime


_COLUMNS = [getattr(comment_revisions.c, name) for name in RevisionRow.__dataclass_fields__]


def insert_revision(
    conn: Connection,
    comment_id: int,
    body_source: str,
    body_html: str,
    edited_by: int | None,
    now: datetime,
) -> int:
    values = dict(
        comment_id=comment_id, body_source=body_source, body_html=body_html,
        edited_by=edited_by, created_at=now,
    )  # fmt: skip
    return conn.execute(comment_revisions.insert().values(**values)).inserted_primary_key[0]


def revision_by_id(conn: Connection, revision_id: int) -> RevisionRow | None:
    row = conn.execute(select(*_COLUMNS).where(comment_revisions.c.id == revision_id)).first()
    return RevisionRow(*row) if row else None


def revisions_of(conn: Connection, comment_id: int) -> list[RevisionRow]:
    query = (
        select(*_COLUMNS)
        .where(comment_revisions.c.comment_id == comment_id)
        .order_by(comment_revisions.c.id.desc())
    )
    return [RevisionRow(*row) for row in conn.execute(query)]

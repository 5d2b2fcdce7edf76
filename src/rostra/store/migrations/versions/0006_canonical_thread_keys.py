"""thread keys taken from page URLs in the spelling browsers send

Page URLs now normalise to one spelling (punycode host without a final dot,
UTF-8 escapes in upper case in the path), so that a thread imported with a
Unicode link and the one the widget opened with the browser's escaped link
are the same thread. Threads keyed by their URL are re-keyed; where both
spellings already have a thread, the comments of the one under the old
spelling move into the other, keeping their tree and their order.

A thread is keyed by its URL when its key equals its stored canonical URL;
threads named by an explicit id are left alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

import logging

import sqlalchemy as sa
from alembic import op

from rostra.errors import InvalidInput
from rostra.service.threads import canonical_url

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, site_id, key FROM threads WHERE key = url"
            " AND (key LIKE 'http://%' OR key LIKE 'https://%')"
        )
    ).all()
    for thread_id, site_id, key in rows:
        canonical = _canonical(key)
        if canonical is None or canonical == key:
            continue
        other = conn.execute(
            sa.text("SELECT id FROM threads WHERE site_id = :site AND key = :key"),
            {"site": site_id, "key": canonical},
        ).scalar()
        if other is None:
            conn.execute(
                sa.text("UPDATE threads SET key = :key, url = :key WHERE id = :id"),
                {"key": canonical, "id": thread_id},
            )
        else:
            merge_threads(conn, thread_id, into=other)
            log.info("merged thread %s (%s) into thread %s", thread_id, key, other)


def _canonical(key: str) -> str | None:
    """The key the server would give this link now; None if it would refuse it."""
    try:
        return canonical_url(key)
    except InvalidInput:
        return None


def merge_threads(conn: sa.Connection, source: int, *, into: int) -> None:
    """Move every comment and event of `source` into `into`, then drop `source`.

    Top-level positions of the moved comments come after the target's, so
    positions stay unique; replies keep theirs (they count under their parent).
    """
    params = {"source": source, "target": into}
    conn.execute(
        sa.text(
            "UPDATE comments SET sibling_pos = sibling_pos"
            " + (SELECT root_seq FROM threads WHERE id = :target)"
            " WHERE thread_id = :source AND parent_id IS NULL"
        ),
        params,
    )
    conn.execute(
        sa.text("UPDATE comments SET thread_id = :target WHERE thread_id = :source"), params
    )
    conn.execute(sa.text("UPDATE events SET thread_id = :target WHERE thread_id = :source"), params)
    source_row = conn.execute(
        sa.text(
            "SELECT comment_count, root_count, root_seq, version, created_at, last_comment_at,"
            " title, policy FROM threads WHERE id = :source"
        ),
        params,
    ).one()
    target_row = conn.execute(
        sa.text(
            "SELECT version, created_at, last_comment_at, title, policy"
            " FROM threads WHERE id = :target"
        ),
        params,
    ).one()
    times = [t for t in (source_row.last_comment_at, target_row.last_comment_at) if t is not None]
    conn.execute(
        sa.text(
            "UPDATE threads SET comment_count = comment_count + :comments,"
            " root_count = root_count + :roots, root_seq = root_seq + :seq,"
            " version = :version, created_at = :created, last_comment_at = :last,"
            " title = :title, policy = :policy WHERE id = :target"
        ),
        {
            **params,
            "comments": source_row.comment_count,
            "roots": source_row.root_count,
            "seq": source_row.root_seq,
            # Above both: every cached page and ETag of either thread goes stale.
            "version": max(source_row.version, target_row.version) + 1,
            "created": min(source_row.created_at, target_row.created_at),
            "last": max(times) if times else None,
            "title": target_row.title or source_row.title,
            "policy": target_row.policy or source_row.policy,
        },
    )
    conn.execute(sa.text("DELETE FROM threads WHERE id = :source"), params)


def downgrade() -> None:
    # Nothing in the schema changed. The keys stay in the browser's spelling,
    # the one the widget sends, and a merge is not undone.
    pass

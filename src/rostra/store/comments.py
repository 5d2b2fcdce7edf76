"""Queries on comments: inserting into the tree, reading pages, changing status."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, bindparam, func, select, tuple_

from rostra.domain.cursors import TopLevelCursor
from rostra.domain.tree import CommentNode
from rostra.store.schema import comments

# Columns a reader sees; the page queries select only these.
_NODE_COLUMNS = (
    comments.c.id,
    comments.c.parent_id,
    comments.c.depth,
    comments.c.sibling_pos,
    comments.c.status,
    comments.c.author_name,
    comments.c.author_website,
    comments.c.body_html,
    comments.c.created_at,
    comments.c.edited_at,
    comments.c.upvotes,
    comments.c.downvotes,
    comments.c.reply_count,
    comments.c.featured,
    comments.c.verified,
    comments.c.author_avatar,
)


def _node(row) -> CommentNode:
    return CommentNode(*row)


@dataclass(frozen=True)
class CommentRecord:
    """A comment with everything the server needs to decide about it."""

    id: int
    site_id: int
    thread_id: int
    parent_id: int | None
    root_id: int | None
    depth: int
    sibling_pos: int
    chain_pos: int
    status: str
    visible: bool
    reply_count: int
    author_name: str | None
    author_email: str | None
    author_website: str | None
    author_key: str | None
    body_source: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    upvotes: int
    downvotes: int
    edit_token_hash: str | None
    shadowed: bool
    reader_id: int | None = None
    verified: bool = False
    author_avatar: str | None = None


# Statements on the write path are built once: building them per call costs
# more than running them.
RECORD_COLUMNS = [getattr(comments.c, name) for name in CommentRecord.__dataclass_fields__]
_BY_ID = select(*RECORD_COLUMNS).where(comments.c.id == bindparam("cid"))
_BY_ID_FOR_UPDATE = _BY_ID.with_for_update()
# The next position under a parent ("cid"); a visible reply ("counted" 1)
# also counts on the parent, in the same statement and row lock (placement).
TAKE_CHILD_SLOT = (
    comments.update()
    .where(comments.c.id == bindparam("cid"))
    .values(
        child_seq=comments.c.child_seq + 1,
        reply_count=comments.c.reply_count + bindparam("counted"),
    )
    .returning(comments.c.child_seq)
)
_PLACE = (
    comments.update()
    .where(comments.c.id == bindparam("cid"))
    .values(sibling_pos=bindparam("sibling"), chain_pos=bindparam("chain"))
)
_ADD_REPLIES = (
    comments.update()
    .where(comments.c.id == bindparam("cid"))
    .values(reply_count=comments.c.reply_count + bindparam("delta"))
    .returning(comments.c.reply_count)
)
_INSERT = comments.insert()


def comment_by_id(
    conn: Connection, comment_id: int, *, for_update: bool = False
) -> CommentRecord | None:
    locking = for_update and conn.dialect.name == "postgresql"
    row = conn.execute(_BY_ID_FOR_UPDATE if locking else _BY_ID, {"cid": comment_id}).first()
    return CommentRecord(*row) if row else None


def place_comment(conn: Connection, comment_id: int, sibling_pos: int, chain_pos: int) -> None:
    conn.execute(_PLACE, {"cid": comment_id, "sibling": sibling_pos, "chain": chain_pos})


def insert_comment(conn: Connection, values: dict) -> int:
    return conn.execute(_INSERT, values).inserted_primary_key[0]


def add_to_reply_count(conn: Connection, comment_id: int, delta: int) -> int:
    return conn.execute(_ADD_REPLIES, {"cid": comment_id, "delta": delta}).scalar_one()


def update_comment(conn: Connection, comment_id: int, **values) -> None:
    conn.execute(comments.update().where(comments.c.id == comment_id).values(**values))


def _order_and_key(sort: str):
    if sort == "best":
        return (
            (comments.c.rank.desc(), comments.c.id.desc()),
            (comments.c.rank, comments.c.id),
            True,
        )
    if sort == "newest":
        return (
            (comments.c.created_at.desc(), comments.c.id.desc()),
            (comments.c.created_at, comments.c.id),
            True,
        )
    return (
        (comments.c.created_at.asc(), comments.c.id.asc()),
        (comments.c.created_at, comments.c.id),
        False,
    )


def cursor_key(sort: str, node: CommentNode, rank: float) -> float | int:
    if sort == "best":
        return rank
    delta = node.created_at - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _key_value(sort: str, key: float | int):
    if sort == "best":
        return key
    seconds, micros = divmod(int(key), 1_000_000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)


def top_level_page(
    conn: Connection, thread_id: int, sort: str, limit: int, after: TopLevelCursor | None
) -> list[tuple[CommentNode, float]]:
    """Top-level comments in the chosen order, one indexed range scan."""
    order, key_columns, descending = _order_and_key(sort)
    query = select(*_NODE_COLUMNS, comments.c.rank).where(
        comments.c.thread_id == thread_id, comments.c.depth == 0, comments.c.visible.is_(True)
    )
    if after is not None:
        position = tuple_(_key_value(sort, after.key), after.comment_id)
        query = query.where(
            tuple_(*key_columns) < position if descending else tuple_(*key_columns) > position
        )
    rows = conn.execute(query.order_by(*order).limit(limit))
    return [(_node(row[:-1]), row[-1]) for row in rows]


def page_descendants(
    conn: Connection, root_ids: Sequence[int], max_position: int, max_depth: int, cap: int
) -> list[CommentNode]:
    """Replies shown under a page's top-level comments, one indexed range scan.

    A reply is shown when it and each of its ancestors below the root is among
    the first `max_position` replies of its parent; `chain_pos` holds the
    largest such position along the way, so the test is a single comparison.
    """
    if not root_ids:
        return []
    query = (
        select(*_NODE_COLUMNS)
        .where(
            comments.c.root_id.in_(root_ids),
            comments.c.chain_pos <= max_position,
            comments.c.depth <= max_depth,
            comments.c.visible.is_(True),
        )
        .order_by(comments.c.depth, comments.c.chain_pos, comments.c.id)
        .limit(cap)
    )
    return [_node(row) for row in conn.execute(query)]


def children_page(
    conn: Connection, parent_id: int, after_pos: int, limit: int
) -> list[CommentNode]:
    query = (
        select(*_NODE_COLUMNS)
        .where(
            comments.c.parent_id == parent_id,
            comments.c.sibling_pos > after_pos,
            comments.c.visible.is_(True),
        )
        .order_by(comments.c.sibling_pos)
        .limit(limit)
    )
    return [_node(row) for row in conn.execute(query)]


def first_children(
    conn: Connection, parent_ids: Sequence[int], max_position: int
) -> list[CommentNode]:
    if not parent_ids:
        return []
    query = select(*_NODE_COLUMNS).where(
        and_(
            comments.c.parent_id.in_(parent_ids),
            comments.c.sibling_pos <= max_position,
            comments.c.visible.is_(True),
        )
    )
    return [_node(row) for row in conn.execute(query)]


def latest_published(
    conn: Connection, *, site_id: int, thread_id: int | None, limit: int
) -> list[CommentRecord]:
    """The newest comments everyone may read: a shadow-banned author's are seen by them alone."""
    query = select(*RECORD_COLUMNS).where(
        comments.c.status == "published", comments.c.shadowed.is_(False)
    )
    # A thread is one site's, so it alone is named: given the site too, SQLite's
    # planner walks the site's (site, status, time) index through every newer
    # comment of the site (half a second at 100,000 comments, for each request).
    if thread_id is not None:
        query = query.where(comments.c.thread_id == thread_id)
    else:
        query = query.where(comments.c.site_id == site_id)
    query = query.order_by(comments.c.created_at.desc(), comments.c.id.desc()).limit(limit)
    return [CommentRecord(*row) for row in conn.execute(query)]


def ancestors(conn: Connection, comment: CommentRecord) -> list[CommentRecord]:
    """The chain from the top-level comment down to `comment` (depth + 1 point lookups)."""
    chain = [comment]
    while chain[0].parent_id is not None:
        chain.insert(0, comment_by_id(conn, chain[0].parent_id))
    return chain


def count_top_level_before(
    conn: Connection, thread_id: int, sort: str, anchor: TopLevelCursor
) -> int:
    """How many visible top-level comments precede a position (for deep links only)."""
    _, key_columns, descending = _order_and_key(sort)
    position = tuple_(_key_value(sort, anchor.key), anchor.comment_id)
    before = tuple_(*key_columns) > position if descending else tuple_(*key_columns) < position
    query = select(func.count()).where(
        comments.c.thread_id == thread_id,
        comments.c.depth == 0,
        comments.c.visible.is_(True),
        before,
    )
    return conn.execute(query).scalar_one()


def rank_of(conn: Connection, comment_id: int) -> float:
    return conn.execute(select(comments.c.rank).where(comments.c.id == comment_id)).scalar_one()

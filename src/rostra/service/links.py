"""Deep links: where a comment sits, so a page can open straight at it."""

from rostra.domain.cursors import RepliesCursor, TopLevelCursor, encode_replies, encode_top_level
from rostra.domain.tree import CommentNode
from rostra.errors import NotFound
from rostra.service.pages import PageRequest
from rostra.store import comments as comment_store
from rostra.store import threads as thread_store
from rostra.store.database import Database


def comment_context(db: Database, comment_id: int, sort: str) -> tuple[dict, int]:
    """The page cursor that starts at the comment's top-level ancestor, and for each
    ancestor a replies cursor that starts at the next comment on the way down.

    Returns the JSON body and the comment's site id.
    """
    PageRequest(site="", sort=sort).validated()
    with db.read() as conn:
        comment = comment_store.comment_by_id(conn, comment_id)
        if comment is None or not comment.visible:
            raise NotFound("unknown_comment", f"Comment {comment_id} does not exist.")
        chain = comment_store.ancestors(conn, comment)
        root = chain[0]
        thread = thread_store.thread_by_id(conn, comment.thread_id)
        start = _cursor_just_before(conn, root, sort)
        seen = comment_store.count_top_level_before(conn, thread.id, sort, start)
    start = TopLevelCursor(start.thread_id, sort, start.key, start.comment_id, seen)
    path = []
    for parent, child in zip(chain, chain[1:], strict=False):
        # Replies are listed after a position: start just before the child.
        before = RepliesCursor(parent.id, child.sibling_pos - 1, 0)
        path.append({"id": parent.id, "replies_cursor": encode_replies(before)})
    path.append({"id": comment.id, "replies_cursor": None})
    body = {
        "id": comment.id,
        "thread": thread.key,
        "sort": sort,
        "cursor": encode_top_level(start),
        "path": path,
    }
    return body, comment.site_id


def _cursor_just_before(conn, root, sort: str) -> TopLevelCursor:
    node = CommentNode(
        root.id, None, 0, 0, root.status, None, None, "", root.created_at, None, 0, 0, 0
    )
    key = comment_store.cursor_key(sort, node, comment_store.rank_of(conn, root.id))
    # The keyset comparison is strict, so step one id past the root in the
    # direction of the listing to include the root itself.
    nudged = root.id + 1 if sort in ("best", "newest") else root.id - 1
    return TopLevelCursor(root.thread_id, sort, key, nudged, 0)

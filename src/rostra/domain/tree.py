"""Assembly of flat comment rows into the nested tree a page shows."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from rostra.domain.cursors import RepliesCursor, encode_replies


@dataclass
class CommentNode:
    id: int
    parent_id: int | None
    depth: int
    sibling_pos: int
    status: str
    author_name: str | None
    author_website: str | None
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    upvotes: int
    downvotes: int
    reply_count: int
    featured: bool = False
    verified: bool = False
    author_avatar: str | None = None
    replies: list["CommentNode"] = field(default_factory=list)

    @property
    def removed(self) -> bool:
        # Deleted by its author or rejected by a moderator: a tombstone.
        return self.status in ("deleted", "rejected")

    @property
    def more_replies(self) -> int:
        return max(0, self.reply_count - len(self.replies))

    @property
    def replies_cursor(self) -> str | None:
        if self.more_replies == 0:
            return None
        after = max((reply.sibling_pos for reply in self.replies), default=0)
        return encode_replies(RepliesCursor(self.id, after, len(self.replies)))


def attach_replies(parents: list[CommentNode], descendants: Iterable[CommentNode]) -> None:
    """Hang descendants under their parents, oldest first.

    Descendants must come sorted by depth so every parent is placed before
    its children; a row whose parent is not on the page is left out.
    """
    placed = {node.id: node for node in parents}
    for node in sorted(descendants, key=lambda n: (n.depth, n.sibling_pos, n.id)):
        parent = placed.get(node.parent_id)
        if parent is not None:
            parent.replies.append(node)
            placed[node.id] = node

"""Recomputing a thread's derived tree columns from its parent links alone.

The live code maintains root_id, depth, sibling_pos, chain_pos, child_seq,
reply_count, visible and the thread counters incrementally, one comment at a
time. Bulk writers (importers) insert rows with parent links only and call
`rebuild_thread` for each thread they touched: it produces exactly the
values the live code would have produced had the comments been posted one by
one in (created_at, id) order, and deleted afterwards.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from rostra.domain.policy import Status
from rostra.store.schema import comments, threads

# Removed comments stay as tombstones while they hold visible replies
# (service/visibility.py keeps the same rule one change at a time).
_REMOVED = frozenset({Status.DELETED, Status.REJECTED})
_DERIVED = ("parent_id", "root_id", "depth", "sibling_pos", "chain_pos", "child_seq", "reply_count", "visible")  # fmt: skip


def _update_sql(paramstyle: str) -> str:
    # Plain driver SQL: SQLAlchemy's per-row parameter handling costs more than the update.
    mark = "?" if paramstyle == "qmark" else "%s"
    assignments = ", ".join(f"{name} = {mark}" for name in _DERIVED)
    return f"UPDATE comments SET {assignments} WHERE id = {mark}"


@dataclass(frozen=True)
class RebuildResult:
    comments: int
    changed: int
    detached: int  # comments whose parent link was unusable, now at top level


def rebuild_thread(conn: Connection, thread_id: int, *, bump_version: bool = True) -> RebuildResult:
    """Recompute the derived tree columns and counters of one thread.

    Memory is bounded by the thread's size. Parent links that point outside
    the thread or form a cycle are cut, and those comments become top-level.
    """
    rows = conn.execute(
        select(
            comments.c.id,
            comments.c.status,
            comments.c.shadowed,
            *(getattr(comments.c, name) for name in _DERIVED),
        )
        .where(comments.c.thread_id == thread_id)
        .order_by(comments.c.created_at, comments.c.id)
    ).all()
    order = [row.id for row in rows]
    # A shadow-banned author's comments count as unpublished for everyone else.
    status = {row.id: "shadowed" if row.shadowed else row.status for row in rows}
    parent = {row.id: row.parent_id for row in rows}
    detached = _cut_bad_links(order, parent)
    derived = _derive(order, status, parent)
    changed = []
    for row in rows:
        new = derived[row.id]
        if tuple(getattr(row, name) for name in _DERIVED) != new:
            changed.append((*new, row.id))
    if changed:
        conn.exec_driver_sql(_update_sql(conn.dialect.paramstyle), changed)
    _update_counters(conn, thread_id, order, status, parent, derived, bump_version)
    return RebuildResult(len(rows), len(changed), detached)


def _cut_bad_links(order: list[int], parent: dict[int, int | None]) -> int:
    """Make top-level every comment whose parent is missing or which sits on a cycle."""
    detached = 0
    for comment_id in order:
        if parent[comment_id] is not None and parent[comment_id] not in parent:
            parent[comment_id] = None
            detached += 1
    settled: set[int] = set()
    for comment_id in order:
        path: list[int] = []
        on_path: set[int] = set()
        node: int | None = comment_id
        while node is not None and node not in settled:
            if node in on_path:
                # Cut the cycle at its earliest comment, which then starts the chain.
                cycle = path[path.index(node) :]
                first = min(cycle, key=order.index)
                parent[first] = None
                detached += 1
                break
            path.append(node)
            on_path.add(node)
            node = parent[node]
        settled.update(path)
    return detached


def _derive(
    order: list[int], status: dict[int, str], parent: dict[int, int | None]
) -> dict[int, tuple]:
    children: dict[int | None, list[int]] = {}
    for comment_id in order:
        children.setdefault(parent[comment_id], []).append(comment_id)
    placed: dict[int, list] = {}
    walk: list[int] = []
    for position, root in enumerate(children.get(None, []), 1):
        placed[root] = [None, None, 0, position, 0]
        walk.append(root)
    # Breadth-first: every parent is placed before its children.
    index = 0
    while index < len(walk):
        node = walk[index]
        index += 1
        _, root_id, depth, _, chain = placed[node]
        for position, child in enumerate(children.get(node, []), 1):
            placed[child] = [node, root_id or node, depth + 1, position, max(chain, position)]
            walk.append(child)
    visible: dict[int, bool] = {}
    replies: dict[int, int] = {}
    for node in reversed(walk):
        shown = sum(1 for child in children.get(node, []) if visible[child])
        replies[node] = shown
        visible[node] = status[node] == Status.PUBLISHED or (status[node] in _REMOVED and shown > 0)
    return {
        node: (*placed[node], len(children.get(node, [])), replies[node], visible[node])
        for node in walk
    }


def _update_counters(
    conn: Connection,
    thread_id: int,
    order: list[int],
    status: dict[int, str],
    parent: dict[int, int | None],
    derived: dict[int, tuple],
    bump_version: bool,
) -> None:
    roots = [c for c in order if parent[c] is None]
    values = dict(
        comment_count=sum(1 for c in order if status[c] == Status.PUBLISHED),
        root_count=sum(1 for c in roots if derived[c][-1]),
        root_seq=len(roots),
    )
    if bump_version:
        values["version"] = threads.c.version + 1
    if order:
        first, last = conn.execute(
            select(func.min(comments.c.created_at), func.max(comments.c.created_at)).where(
                comments.c.thread_id == thread_id
            )
        ).one()
        values["last_comment_at"] = last
        current = conn.execute(
            select(threads.c.created_at).where(threads.c.id == thread_id)
        ).scalar_one()
        values["created_at"] = min(current, first)
    conn.execute(threads.update().where(threads.c.id == thread_id).values(**values))

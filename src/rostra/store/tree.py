"""Recomputing a thread's derived tree columns from its parent links alone.

The live code maintains root_id, depth, sibling_pos, chain_pos, child_seq,
reply_count, visible and the thread counters incrementally, one comment at a
time. Bulk writers (importers) insert rows with parent links only and call
`rebuild_thread` for each thread they touched: it produces exactly the
values the live code would have produced had the comments been posted one by
one in (created_at, id) order, and deleted afterwards.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, case, select

from rostra.domain.policy import Status
from rostra.store.schema import comments, threads

# Removed comments stay as tombstones while they hold visible replies
# (service/visibility.py keeps the same rule one change at a time).
_REMOVED = frozenset({Status.DELETED, Status.REJECTED})
DERIVED = ("parent_id", "root_id", "depth", "sibling_pos", "chain_pos", "child_seq", "reply_count", "visible")  # fmt: skip


def _update_sql(paramstyle: str) -> str:
    # Plain driver SQL: SQLAlchemy's per-row parameter handling costs more than the update.
    mark = "?" if paramstyle == "qmark" else "%s"
    assignments = ", ".join(f"{name} = {mark}" for name in DERIVED)
    return f"UPDATE comments SET {assignments} WHERE id = {mark}"


_ROWS = (
    select(
        comments.c.id,
        comments.c.status,
        comments.c.shadowed,
        comments.c.created_at,
        *(comments.c[name] for name in DERIVED),
    )
    .where(comments.c.thread_id == bindparam("thread_id"))
    .order_by(comments.c.created_at, comments.c.id)
)


def _counters_update(bump_version: bool, has_comments: bool):
    values = dict(
        comment_count=bindparam("_comment_count"),
        root_count=bindparam("_root_count"),
        root_seq=bindparam("_root_seq"),
    )
    if bump_version:
        values["version"] = threads.c.version + 1
    if has_comments:
        first = bindparam("_first", type_=threads.c.created_at.type)
        values["last_comment_at"] = bindparam("_last", type_=threads.c.last_comment_at.type)
        values["created_at"] = case(
            (threads.c.created_at > first, first), else_=threads.c.created_at
        )
    return threads.update().where(threads.c.id == bindparam("_id")).values(**values)


# Built once: statements built per thread cost more than running them.
_COUNTERS = {
    (bump, has): _counters_update(bump, has) for bump in (True, False) for has in (True, False)
}


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
    rows = conn.execute(_ROWS, {"thread_id": thread_id}).all()
    order = [row.id for row in rows]
    # A shadow-banned author's comments count as unpublished for everyone else.
    status = {row.id: "shadowed" if row.shadowed else row.status for row in rows}
    parent = {row.id: row.parent_id for row in rows}
    derived, detached = derive_thread(order, status, parent)
    changed = []
    for row in rows:
        new = derived[row.id]
        if tuple(getattr(row, name) for name in DERIVED) != new:
            changed.append((*new, row.id))
    if changed:
        conn.exec_driver_sql(_update_sql(conn.dialect.paramstyle), changed)
    times = (rows[0].created_at, rows[-1].created_at) if rows else None
    _update_counters(conn, thread_id, order, status, parent, derived, bump_version, times)
    return RebuildResult(len(rows), len(changed), detached)


def derive_thread(
    order: list[int], status: dict[int, str], parent: dict[int, int | None]
) -> tuple[dict[int, tuple], int]:
    """The derived columns of every comment (in `DERIVED` order), and how many links were cut.

    `order` is the thread's comments by (created_at, id); `status` gives
    "shadowed" for a shadow-banned author's comments; `parent` is changed in
    place where a link is cut.
    """
    detached = _cut_bad_links(order, parent)
    return _derive(order, status, parent), detached


def thread_counters(
    order: list[int],
    status: dict[int, str],
    parent: dict[int, int | None],
    derived: dict[int, tuple],
) -> tuple[int, int, int]:
    """(comment_count, root_count, root_seq) from the derived columns."""
    roots = [c for c in order if parent[c] is None]
    return (
        sum(1 for c in order if status[c] == Status.PUBLISHED),
        sum(1 for c in roots if derived[c][-1]),
        len(roots),
    )


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
    times: tuple | None,
) -> None:
    """Counters from the derived columns; times are the (first, last) comment times."""
    counts = thread_counters(order, status, parent, derived)
    values = {
        "_id": thread_id,
        "_comment_count": counts[0],
        "_root_count": counts[1],
        "_root_seq": counts[2],
    }
    if times is not None:
        values["_first"], values["_last"] = times
    conn.execute(_COUNTERS[(bump_version, times is not None)], values)

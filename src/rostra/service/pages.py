"""Reading threads: pages of top-level comments with their first replies, cached."""

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from threading import Lock

import orjson

from rostra.domain.cursors import (
    SORTS,
    InvalidCursor,
    RepliesCursor,
    TopLevelCursor,
    decode_replies,
    decode_top_level,
    encode_replies,
    encode_top_level,
)
from rostra.domain.policy import is_closed
from rostra.domain.tree import CommentNode, attach_replies
from rostra.errors import InvalidInput, NotFound
from rostra.service.threads import thread_key
from rostra.store import comments as comment_store
from rostra.store import threads as thread_store
from rostra.store.database import Database
from rostra.store.threads import ThreadRow

# A page never carries more than this many replies, whatever its parameters,
# so its cost stays bounded however large the thread grows.
MAX_REPLIES_PER_PAGE = 600


PAGE_DEFAULTS = {"limit": 20, "replies": 3, "depth": 4}
# What a reader may ask for: top-level comments (or replies) per page, replies
# shown under each, and levels of replies shown. The page cost is bounded by them.
PAGE_BOUNDS = {"limit": (1, 100), "replies": (0, 20), "depth": (0, 10)}


def _out_of_bounds(numbers: Mapping[str, int]) -> str | None:
    """The first parameter outside its bounds, if any."""
    for name, (low, high) in PAGE_BOUNDS.items():
        if not low <= numbers[name] <= high:
            return name
    return None


def _integer(query: Mapping[str, str], name: str, default: int) -> int:
    value = query.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"invalid_{name}", f"{name} must be a whole number.") from None


@dataclass(frozen=True)
class PageRequest:
    site: str
    key: str | None = None
    url: str | None = None
    sort: str = "best"
    limit: int = 20
    replies: int = 3
    depth: int = 4
    cursor: str | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "PageRequest":
        """Build from URL parameters, with a clear error for any bad number."""
        site = query.get("site")
        if not site:
            raise InvalidInput("invalid_request", "site: the site's name is required.")
        numbers = {name: _integer(query, name, default) for name, default in PAGE_DEFAULTS.items()}
        return cls(
            site=site,
            key=query.get("key"),
            url=query.get("url"),
            sort=query.get("sort", "best"),
            cursor=query.get("cursor"),
            **numbers,
        ).validated()

    def validated(self) -> "PageRequest":
        if self.sort not in SORTS:
            raise InvalidInput("invalid_sort", f"sort must be one of {', '.join(SORTS)}.")
        wrong = _out_of_bounds({"limit": self.limit, "replies": self.replies, "depth": self.depth})
        if wrong is not None:
            low, high = PAGE_BOUNDS[wrong]
            raise InvalidInput(f"invalid_{wrong}", f"{wrong} must be between {low} and {high}.")
        return self


@dataclass(frozen=True)
class RenderedPage:
    etag: str
    body: bytes
    origins: list[str]
    key: str = ""


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _author_json(node: CommentNode) -> dict:
    author = {"name": node.author_name, "website": node.author_website}
    if node.verified:
        # Signed in through the site's sign-on (or an emailed link): the name is theirs.
        author["verified"] = True
        if node.author_avatar:
            author["avatar"] = node.author_avatar
    return author


def node_json(node: CommentNode) -> dict:
    removed = node.removed
    return {
        "id": node.id,
        "parent": node.parent_id,
        "depth": node.depth,
        "removed": removed,
        "author": None if removed else _author_json(node),
        "html": "" if removed else node.body_html,
        "created": iso(node.created_at),
        "edited": None if removed else iso(node.edited_at),
        "upvotes": 0 if removed else node.upvotes,
        "downvotes": 0 if removed else node.downvotes,
        "score": 0 if removed else node.upvotes - node.downvotes,
        "reply_count": node.reply_count,
        "featured": node.featured and not removed,
        "replies": [node_json(reply) for reply in node.replies],
        "more_replies": node.more_replies,
        "replies_cursor": node.replies_cursor,
    }


def record_json(record) -> dict:
    """The public shape of one comment from its full record (events, own comments)."""
    node = CommentNode(
        record.id, record.parent_id, record.depth, record.sibling_pos, record.status,
        record.author_name, record.author_website, record.body_html, record.created_at,
        record.edited_at, record.upvotes, record.downvotes, record.reply_count,
        verified=record.verified, author_avatar=record.author_avatar,
    )  # fmt: skip
    return node_json(node)


def thread_json(thread: ThreadRow | None, key: str, closed: bool = False) -> dict:
    if thread is None:
        return {
            "id": None, "key": key, "title": None, "url": None, "count": 0, "top_level": 0,
            "closed": False,
        }  # fmt: skip
    return {
        "id": thread.id,
        "key": thread.key,
        "title": thread.title,
        "url": thread.url,
        "count": thread.comment_count,
        "top_level": thread.root_count,
        "closed": closed,
    }


class PageCache:
    """Serialised pages keyed by thread version: a change anywhere bumps the
    version in the database, so no worker can serve a stale page."""

    def __init__(self, max_entries: int) -> None:
        self._entries: OrderedDict[tuple, bytes] = OrderedDict()
        self._max = max_entries
        self._lock = Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: tuple, body: bytes) -> None:
        if self._max <= 0:
            return
        with self._lock:
            self._entries[key] = body
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)


def _etag(thread_id: int | None, version: int | None, closed: bool, request: PageRequest) -> str:
    state = f"t{thread_id}v{version}{'c' if closed else ''}" if thread_id is not None else "empty"
    params = (
        f"{request.sort}.{request.limit}.{request.replies}.{request.depth}.{request.cursor or ''}"
    )
    digest = hashlib.blake2b(params.encode(), digest_size=8).hexdigest()
    return f'"{state}-{digest}"'


@dataclass(frozen=True)
class NotModified:
    etag: str
    origins: list[str]
    key: str = ""


@dataclass(frozen=True)
class PageMiss:
    """The page must be built from the database."""

    request: PageRequest
    key: str
    after: TopLevelCursor | None


def check_current(
    db: Database, cache: PageCache, request: PageRequest, if_none_match: str | None
) -> NotModified | RenderedPage | PageMiss:
    """The cheap part of a page view: one primary-key probe decides whether the
    reader's copy (304) or the cached bytes are current."""
    request = request.validated()
    key = thread_key(request.key, request.url)
    after = _top_level_cursor(request)
    probe = thread_store.probe_thread(db, request.site, key)
    if probe is None:
        raise NotFound("unknown_site", f"There is no site named {request.site!r}.")
    if after is not None and (after.thread_id != probe.thread_id or after.sort != request.sort):
        raise InvalidInput("invalid_cursor", "The cursor belongs to another thread or order.")
    closed = is_closed(probe.policy, probe.created_at, probe.close_after_days, datetime.now(UTC))
    etag = _etag(probe.thread_id, probe.version, closed, request)
    if if_none_match is not None and etag in if_none_match:
        return NotModified(etag, probe.site_origins, key)
    body = cache.get((etag, key))
    if body is not None:
        return RenderedPage(etag, body, probe.site_origins, key)
    return PageMiss(request, key, after)


def build_page(db: Database, cache: PageCache, miss: PageMiss) -> RenderedPage:
    """Read the page in one snapshot, serialise it once and cache the bytes."""
    with db.read() as conn:
        found = thread_store.site_and_thread(conn, miss.request.site, miss.key)
        if found is None:
            raise NotFound("unknown_site", f"There is no site named {miss.request.site!r}.")
        thread = found.thread
        closed = thread is not None and is_closed(
            thread.policy, thread.created_at, found.close_after_days, datetime.now(UTC)
        )
        etag = _etag(
            thread.id if thread else None, thread.version if thread else None, closed, miss.request
        )
        page = _build_page(conn, thread, miss.key, miss.request, miss.after, closed)
        body = orjson.dumps(page)
    cache.put((etag, miss.key), body)
    return RenderedPage(etag, body, found.site_origins, miss.key)


def thread_page(
    db: Database, cache: PageCache, request: PageRequest, if_none_match: str | None
) -> RenderedPage | NotModified:
    result = check_current(db, cache, request, if_none_match)
    return build_page(db, cache, result) if isinstance(result, PageMiss) else result


def _top_level_cursor(request: PageRequest) -> TopLevelCursor | None:
    if request.cursor is None:
        return None
    try:
        return decode_top_level(request.cursor)
    except InvalidCursor as exc:
        raise InvalidInput("invalid_cursor", str(exc)) from None


def _build_page(
    conn, thread: ThreadRow | None, key: str, request: PageRequest, after, closed: bool
) -> dict:
    page = {
        "thread": thread_json(thread, key, closed),
        "sort": request.sort,
        "comments": [],
        "more": 0,
        "cursor": None,
    }
    if thread is None:
        return page
    rows = comment_store.top_level_page(conn, thread.id, request.sort, request.limit + 1, after)
    shown = rows[: request.limit]
    roots = [node for node, _ in shown]
    if request.replies and request.depth:
        attach_replies(
            roots,
            comment_store.page_descendants(
                conn,
                [root.id for root in roots],
                request.replies,
                request.depth,
                MAX_REPLIES_PER_PAGE,
            ),
        )
    seen = (after.seen if after else 0) + len(shown)
    page["comments"] = [node_json(root) for root in roots]
    page["more"] = max(0, thread.root_count - seen)
    if len(rows) > request.limit:
        last, rank = shown[-1]
        page["cursor"] = encode_top_level(
            TopLevelCursor(
                thread.id,
                request.sort,
                comment_store.cursor_key(request.sort, last, rank),
                last.id,
                seen,
            )
        )
    elif page["more"]:
        page["more"] = 0
    return page


def replies_page(
    db: Database, comment_id: int, cursor: str | None, limit: int, replies: int, depth: int
) -> tuple[bytes, int]:
    """Further replies under one comment, each with its own first replies.

    Returns the JSON body and the id of the comment's site (for CORS).
    """
    if _out_of_bounds({"limit": limit, "replies": replies, "depth": depth}) is not None:
        (limit_low, limit_high), (replies_low, replies_high), (depth_low, depth_high) = (
            PAGE_BOUNDS[name] for name in ("limit", "replies", "depth")
        )
        raise InvalidInput(
            "invalid_limit",
            f"limit must be {limit_low}-{limit_high}, replies {replies_low}-{replies_high}"
            f" and depth {depth_low}-{depth_high}.",
        )
    after = _replies_cursor(comment_id, cursor)
    with db.read() as conn:
        parent = comment_store.comment_by_id(conn, comment_id)
        if parent is None or not parent.visible:
            raise NotFound("unknown_comment", f"Comment {comment_id} does not exist.")
        children = comment_store.children_page(conn, comment_id, after.after_pos, limit + 1)
        shown = children[:limit]
        _attach_levels(conn, shown, replies, depth)
    seen = after.seen + len(shown)
    has_more = len(children) > limit
    body = {
        "parent": comment_id,
        "replies": [node_json(node) for node in shown],
        "more": max(0, parent.reply_count - seen) if has_more else 0,
        "cursor": encode_replies(RepliesCursor(comment_id, shown[-1].sibling_pos, seen))
        if has_more
        else None,
    }
    return orjson.dumps(body), parent.site_id


def _replies_cursor(comment_id: int, cursor: str | None) -> RepliesCursor:
    if cursor is None:
        return RepliesCursor(comment_id, 0, 0)
    try:
        decoded = decode_replies(cursor)
    except InvalidCursor as exc:
        raise InvalidInput("invalid_cursor", str(exc)) from None
    if decoded.parent_id != comment_id:
        raise InvalidInput("invalid_cursor", "The cursor belongs to another comment.")
    return decoded


def _attach_levels(conn, top: list[CommentNode], replies: int, depth: int) -> None:
    """Fill in the first replies below `top`, one indexed query per level."""
    level, budget = top, MAX_REPLIES_PER_PAGE
    for _ in range(depth - 1 if replies else 0):
        level = comment_store.first_children(conn, [node.id for node in level], replies)[:budget]
        if not level:
            return
        budget -= len(level)
        attach_replies(_parents_of(level, top), level)


def _parents_of(level: list[CommentNode], top: list[CommentNode]) -> list[CommentNode]:
    wanted = {node.parent_id for node in level}
    found: list[CommentNode] = []
    stack = list(top)
    while stack:
        node = stack.pop()
        if node.id in wanted:
            found.append(node)
        stack.extend(node.replies)
    return found

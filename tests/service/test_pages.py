"""Orders, pagination with cursors, and the bounded cost of a page."""

import orjson
import pytest

from helpers import post, reader
from rostra.errors import InvalidInput
from rostra.service import comments as svc
from rostra.service.pages import PageCache, PageRequest, replies_page, thread_page


def page(ctx, cache=None, **params):
    params.setdefault("key", "article-1")
    rendered = thread_page(ctx.db, cache or PageCache(0), PageRequest(site="news", **params), None)
    return orjson.loads(rendered.body)


def test_orders_best_newest_oldest(ctx, site):
    ids = [post(ctx.db, ctx.hasher, f"comment {n}").comment.id for n in range(4)]
    # ids[1]: 10 up, 1 down; ids[2]: 40 up, 30 down; ids[3]: 2 up.
    for voter in range(11):
        svc.vote(ctx.db, ctx.hasher, ids[1], 1 if voter < 10 else -1, reader(voter))
    for voter in range(70):
        svc.vote(ctx.db, ctx.hasher, ids[2], 1 if voter < 40 else -1, reader(voter))
    for voter in range(2):
        svc.vote(ctx.db, ctx.hasher, ids[3], 1, reader(voter))
    assert [c["id"] for c in page(ctx, sort="best")["comments"]] == [ids[1], ids[2], ids[3], ids[0]]
    assert [c["id"] for c in page(ctx, sort="newest")["comments"]] == ids[::-1]
    assert [c["id"] for c in page(ctx, sort="oldest")["comments"]] == ids


@pytest.mark.parametrize("sort", ["best", "newest", "oldest"])
def test_cursors_walk_every_top_level_comment_exactly_once(ctx, site, sort):
    ids = {post(ctx.db, ctx.hasher, f"c{n}").comment.id for n in range(23)}
    seen, cursor, remaining = [], None, []
    while True:
        shown = page(ctx, sort=sort, limit=5, cursor=cursor)
        seen += [c["id"] for c in shown["comments"]]
        remaining.append(shown["more"])
        cursor = shown["cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == len(ids)
    assert remaining == [18, 13, 8, 3, 0]


def test_a_page_holds_the_first_replies_and_cursors_for_the_rest(ctx, site):
    root = post(ctx.db, ctx.hasher, "root").comment.id
    replies = [post(ctx.db, ctx.hasher, f"r{n}", parent=root).comment.id for n in range(7)]
    node = page(ctx)["comments"][0]
    assert [r["id"] for r in node["replies"]] == replies[:3]
    assert node["more_replies"] == 4 and node["reply_count"] == 7
    more = orjson.loads(replies_page(ctx.db, root, node["replies_cursor"], 2, 3, 3)[0])
    assert [r["id"] for r in more["replies"]] == replies[3:5]
    assert more["more"] == 2
    rest = orjson.loads(replies_page(ctx.db, root, more["cursor"], 10, 3, 3)[0])
    assert [r["id"] for r in rest["replies"]] == replies[5:]
    assert rest["cursor"] is None and rest["more"] == 0


def test_bad_cursors_and_parameters_are_refused(ctx, site):
    post(ctx.db, ctx.hasher)
    for params in (
        {"cursor": "garbage"},
        {"sort": "loudest"},
        {"limit": 0},
        {"limit": 500},
        {"replies": -1},
    ):
        with pytest.raises(InvalidInput):
            page(ctx, **params)


def test_a_cursor_from_another_thread_or_order_is_refused(ctx, site):
    for n in range(3):
        post(ctx.db, ctx.hasher, f"a{n}")
        post(ctx.db, ctx.hasher, f"b{n}", key="article-2")
    cursor = page(ctx, limit=1)["cursor"]
    with pytest.raises(InvalidInput):
        page(ctx, key="article-2", cursor=cursor)
    with pytest.raises(InvalidInput):
        page(ctx, sort="oldest", cursor=cursor)


def test_pagination_over_thousands_of_comments(ctx, site):
    """A 2,000-comment thread: pages stay the same size and cover everything."""
    roots, everything = [], []
    for n in range(2000):
        if n % 3 == 0 or not roots:
            created = post(ctx.db, ctx.hasher, f"root {n}", client=reader(n % 200))
            roots.append(created.comment.id)
        else:
            parent = everything[(n * 7919) % len(everything)]
            created = post(ctx.db, ctx.hasher, f"reply {n}", parent=parent, client=reader(n % 200))
        everything.append(created.comment.id)
    seen_roots, cursor, sizes = [], None, []
    while True:
        shown = page(ctx, sort="oldest", limit=20, cursor=cursor)
        seen_roots += [c["id"] for c in shown["comments"]]
        sizes.append(_count(shown["comments"]))
        cursor = shown["cursor"]
        if not cursor:
            break
    assert seen_roots == roots
    # Bounded: 20 roots, at most 3 replies per level and 4 levels below each.
    assert max(sizes) <= 20 * (1 + 3 + 9 + 27 + 81)
    first = page(ctx, sort="oldest", limit=20)
    assert first["thread"]["count"] == 2000
    assert _every_hidden_reply_is_reachable(ctx, first["comments"])


def _count(nodes) -> int:
    return sum(1 + _count(n["replies"]) for n in nodes)


def _every_hidden_reply_is_reachable(ctx, nodes) -> bool:
    for node in nodes:
        fetched = len(node["replies"])
        cursor = node["replies_cursor"]
        while cursor:
            more = orjson.loads(replies_page(ctx.db, node["id"], cursor, 50, 0, 1)[0])
            fetched += len(more["replies"])
            cursor = more["cursor"]
        if fetched != node["reply_count"] or not _every_hidden_reply_is_reachable(
            ctx, node["replies"]
        ):
            return False
    return True


def test_cached_page_changes_as_soon_as_the_thread_does(ctx, site):
    cache = PageCache(100)
    post(ctx.db, ctx.hasher, "one")
    assert len(page(ctx, cache)["comments"]) == 1
    post(ctx.db, ctx.hasher, "two")
    assert len(page(ctx, cache)["comments"]) == 2

"""Posting, replying, deleting: the tree readers see."""

import orjson
import pytest

from helpers import post
from rostra.errors import Forbidden, InvalidInput, NotFound, TooLarge
from rostra.service import comments as svc
from rostra.service.comments import Client
from rostra.service.pages import PageCache, PageRequest, thread_page
from rostra.service.visibility import change_status
from rostra.store.moderation import set_thread_policy


def page(ctx, key="article-1", **params):
    rendered = thread_page(ctx.db, PageCache(0), PageRequest(site="news", key=key, **params), None)
    return orjson.loads(rendered.body)


def test_thread_is_created_by_its_first_comment(ctx, site):
    assert page(ctx)["thread"]["count"] == 0
    created = post(ctx.db, ctx.hasher, "First!", thread_title="Rail line reopens")
    shown = page(ctx)
    assert shown["thread"] == {
        "id": created.comment.thread_id,
        "key": "article-1",
        "title": "Rail line reopens",
        "url": None,
        "count": 1,
        "top_level": 1,
        "closed": False,
    }
    assert shown["comments"][0]["id"] == created.comment.id
    assert shown["comments"][0]["html"] == "<p>First!</p>"


def test_thread_found_by_url_ignores_tracking_parameters(ctx, site):
    first = svc.NewComment(
        site="news", body="x", name="A", thread_url="https://news.example/a?utm_source=x"
    )
    svc.create_comment(ctx.db, ctx.hasher, first, Client("1.1.1.1", "ua"))
    shown = page(ctx, key=None, url="https://NEWS.example/a/#comments")
    assert shown["thread"]["count"] == 1
    assert shown["thread"]["url"] == "https://news.example/a"


def test_replies_nest_at_any_depth_oldest_first(ctx, site):
    root = post(ctx.db, ctx.hasher, "root").comment.id
    chain = [root]
    for depth in range(1, 5):
        chain.append(post(ctx.db, ctx.hasher, f"depth {depth}", parent=chain[-1]).comment.id)
    second = post(ctx.db, ctx.hasher, "second reply to root", parent=root).comment.id
    node = page(ctx)["comments"][0]
    assert [reply["id"] for reply in node["replies"]] == [chain[1], second]
    for depth in range(1, 5):
        node = node["replies"][0]
        assert (node["id"], node["depth"]) == (chain[depth], depth)


def test_parent_must_exist_and_be_in_the_same_thread(ctx, site):
    other = post(ctx.db, ctx.hasher, "elsewhere", key="article-2").comment.id
    with pytest.raises(InvalidInput) as error:
        post(ctx.db, ctx.hasher, "reply", parent=other)
    assert error.value.code == "parent_in_other_thread"
    with pytest.raises(NotFound):
        post(ctx.db, ctx.hasher, "reply", parent=999_999)
    assert page(ctx)["thread"]["count"] == 0


@pytest.mark.parametrize(
    "body, error",
    [("", InvalidInput), ("   \n ", InvalidInput), ("x" * 10_001, TooLarge)],
)
def test_empty_or_oversized_bodies_change_nothing(ctx, site, body, error):
    with pytest.raises(error):
        post(ctx.db, ctx.hasher, body)
    assert page(ctx)["thread"]["count"] == 0


def test_unknown_site_is_refused(ctx, site):
    with pytest.raises(NotFound):
        svc.create_comment(
            ctx.db,
            ctx.hasher,
            svc.NewComment(site="nope", body="x", name="A", thread_key="k"),
            Client("1.1.1.1", "ua"),
        )


def test_wrong_origin_cannot_write(ctx, site):
    with pytest.raises(Forbidden) as error:
        post(ctx.db, ctx.hasher, client=Client("1.1.1.1", "ua", origin="https://evil.example"))
    assert error.value.code == "origin_not_allowed"


def test_deleting_a_comment_with_replies_leaves_a_tombstone(ctx, site):
    parent = post(ctx.db, ctx.hasher, "I will delete this", name="Deleter")
    reply = post(ctx.db, ctx.hasher, "a reply", parent=parent.comment.id)
    assert svc.delete_comment(ctx.db, parent.comment.id, parent.edit_token, Client("1", "")) is True
    shown = page(ctx)
    tombstone = shown["comments"][0]
    assert tombstone["removed"] is True
    assert tombstone["author"] is None and tombstone["html"] == ""
    assert tombstone["replies"][0]["id"] == reply.comment.id
    assert shown["thread"]["count"] == 1


def test_deleting_a_leaf_makes_it_disappear(ctx, site):
    keep = post(ctx.db, ctx.hasher, "stays")
    leaf = post(ctx.db, ctx.hasher, "goes")
    assert svc.delete_comment(ctx.db, leaf.comment.id, leaf.edit_token, Client("1", "")) is False
    shown = page(ctx)
    assert [c["id"] for c in shown["comments"]] == [keep.comment.id]
    assert shown["thread"]["count"] == 1 and shown["thread"]["top_level"] == 1


def test_tombstones_go_when_their_last_reply_goes(ctx, site):
    grand = post(ctx.db, ctx.hasher, "grandparent")
    parent = post(ctx.db, ctx.hasher, "parent", parent=grand.comment.id)
    child = post(ctx.db, ctx.hasher, "child", parent=parent.comment.id)
    svc.delete_comment(ctx.db, grand.comment.id, grand.edit_token, Client("1", ""))
    svc.delete_comment(ctx.db, parent.comment.id, parent.edit_token, Client("1", ""))
    assert page(ctx)["comments"][0]["replies"][0]["replies"][0]["id"] == child.comment.id
    svc.delete_comment(ctx.db, child.comment.id, child.edit_token, Client("1", ""))
    shown = page(ctx)
    assert shown["comments"] == []
    assert shown["thread"]["count"] == 0 and shown["thread"]["top_level"] == 0


def test_replies_to_a_tombstone_are_allowed_but_not_to_a_deleted_leaf(ctx, site):
    parent = post(ctx.db, ctx.hasher, "parent")
    post(ctx.db, ctx.hasher, "reply", parent=parent.comment.id)
    svc.delete_comment(ctx.db, parent.comment.id, parent.edit_token, Client("1", ""))
    post(ctx.db, ctx.hasher, "reply to tombstone", parent=parent.comment.id)
    leaf = post(ctx.db, ctx.hasher, "leaf")
    svc.delete_comment(ctx.db, leaf.comment.id, leaf.edit_token, Client("1", ""))
    with pytest.raises(NotFound):
        post(ctx.db, ctx.hasher, "reply to gone", parent=leaf.comment.id)


def test_a_held_reply_counts_only_once_approved_and_keeps_its_place(ctx, site):
    created = post(ctx.db, ctx.hasher, "root").comment
    root = created.id
    first = post(ctx.db, ctx.hasher, "first reply", parent=root).comment.id
    # For a while the thread is pre-moderated: the pipeline holds what comes.
    with ctx.db.write() as conn:
        set_thread_policy(conn, created.thread_id, "all")
    new = svc.NewComment(
        site="news", body="a reply to check", name="Bo", thread_key="article-1", parent_id=root
    )
    reader = Client(ip="203.0.113.9", user_agent="test")
    held = svc.create_comment(ctx.db, ctx.hasher, new, reader, ctx.pipeline).comment
    with ctx.db.write() as conn:
        set_thread_policy(conn, created.thread_id, None)
    last = post(ctx.db, ctx.hasher, "third reply", parent=root).comment.id
    assert held.status == "pending"
    shown = page(ctx)
    assert shown["thread"]["count"] == 3
    assert shown["comments"][0]["reply_count"] == 2
    assert [reply["id"] for reply in shown["comments"][0]["replies"]] == [first, last]

    with ctx.db.write() as conn:
        change_status(conn, svc.comment_store.comment_by_id(conn, held.id), "published")
    shown = page(ctx)
    assert shown["thread"]["count"] == 4
    assert shown["comments"][0]["reply_count"] == 3
    assert [reply["id"] for reply in shown["comments"][0]["replies"]] == [first, held.id, last]

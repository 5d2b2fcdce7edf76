"""Author edits within the window, and votes."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from helpers import AUTHOR, post, reader
from rostra.errors import Conflict, Forbidden, InvalidInput
from rostra.service import comments as svc
from rostra.store.comments import comment_by_id
from rostra.store.schema import comments


def _age(db, comment_id, minutes):
    with db.write() as conn:
        conn.execute(
            update(comments)
            .where(comments.c.id == comment_id)
            .values(created_at=datetime.now(UTC) - timedelta(minutes=minutes))
        )


def test_author_edits_with_the_token_and_the_html_is_rendered_again(ctx, site):
    created = post(ctx.db, ctx.hasher, "Typo hre")
    edited = svc.edit_comment(ctx.db, created.comment.id, created.edit_token, "Typo *here*", AUTHOR)
    assert edited.body_html == "<p>Typo <em>here</em></p>"
    assert edited.edited_at is not None


def test_the_token_is_stored_only_as_a_hash(ctx, site):
    created = post(ctx.db, ctx.hasher)
    with ctx.db.read() as conn:
        stored = comment_by_id(conn, created.comment.id).edit_token_hash
    assert created.edit_token not in stored and len(stored) == 64


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_edit_without_the_right_token_is_refused(ctx, site, token):
    created = post(ctx.db, ctx.hasher, "original")
    with pytest.raises(Forbidden) as error:
        svc.edit_comment(ctx.db, created.comment.id, token, "changed", AUTHOR)
    assert error.value.code == "bad_token"
    with ctx.db.read() as conn:
        assert comment_by_id(conn, created.comment.id).body_source == "original"


def test_tokens_do_not_open_other_comments(ctx, site):
    mine = post(ctx.db, ctx.hasher, "mine")
    theirs = post(ctx.db, ctx.hasher, "theirs")
    with pytest.raises(Forbidden):
        svc.delete_comment(ctx.db, theirs.comment.id, mine.edit_token, AUTHOR)


def test_edit_and_delete_close_after_the_window(ctx, site):
    created = post(ctx.db, ctx.hasher, "original")
    _age(ctx.db, created.comment.id, 16)
    for attempt in (
        lambda: svc.edit_comment(ctx.db, created.comment.id, created.edit_token, "late", AUTHOR),
        lambda: svc.delete_comment(ctx.db, created.comment.id, created.edit_token, AUTHOR),
    ):
        with pytest.raises(Forbidden) as error:
            attempt()
        assert error.value.code == "edit_window_closed"


def test_edit_still_works_just_inside_the_window(ctx, site):
    created = post(ctx.db, ctx.hasher, "original")
    _age(ctx.db, created.comment.id, 14)
    svc.edit_comment(ctx.db, created.comment.id, created.edit_token, "in time", AUTHOR)


def test_one_vote_per_reader_which_can_change_or_be_withdrawn(ctx, site):
    comment_id = post(ctx.db, ctx.hasher).comment.id
    assert svc.vote(ctx.db, ctx.hasher, comment_id, 1, reader(1)).upvotes == 1
    again = svc.vote(ctx.db, ctx.hasher, comment_id, 1, reader(1))
    assert (again.upvotes, again.downvotes) == (1, 0)
    changed = svc.vote(ctx.db, ctx.hasher, comment_id, -1, reader(1))
    assert (changed.upvotes, changed.downvotes) == (0, 1)
    withdrawn = svc.vote(ctx.db, ctx.hasher, comment_id, 0, reader(1))
    assert (withdrawn.upvotes, withdrawn.downvotes, withdrawn.your_vote) == (0, 0, 0)
    svc.vote(ctx.db, ctx.hasher, comment_id, 1, reader(2))
    final = svc.vote(ctx.db, ctx.hasher, comment_id, 1, reader(3))
    assert (final.upvotes, final.downvotes) == (2, 0)


def test_no_vote_on_your_own_comment(ctx, site):
    comment_id = post(ctx.db, ctx.hasher).comment.id
    with pytest.raises(Forbidden) as error:
        svc.vote(ctx.db, ctx.hasher, comment_id, 1, AUTHOR)
    assert error.value.code == "own_comment"


def test_votes_on_tombstones_and_bad_values_are_refused(ctx, site):
    parent = post(ctx.db, ctx.hasher)
    post(ctx.db, ctx.hasher, parent=parent.comment.id)
    svc.delete_comment(ctx.db, parent.comment.id, parent.edit_token, AUTHOR)
    with pytest.raises(Conflict):
        svc.vote(ctx.db, ctx.hasher, parent.comment.id, 1, reader(1))
    with pytest.raises(InvalidInput):
        svc.vote(ctx.db, ctx.hasher, parent.comment.id, 5, reader(1))

"""The queues and the moderators' actions, checked where readers and moderators see them."""

import re
from datetime import UTC, datetime, timedelta

from admin_support import Session, csrf_of, hold, log_in
from sqlalchemy import select

from helpers import AUTHOR, close_threads_after, post, reader
from rostra.admin.accounts import create_user
from rostra.service.sites import create_site
from rostra.store.schema import (
    audit_log,
    comment_revisions,
    comments,
    sanctions,
    threads,
)


def public(api, key="article-1") -> list[dict]:
    answer = api.get("/api/v1/threads", params={"site": "news", "key": key})
    assert answer.status_code == 200, answer.text
    return answer.json()["comments"]


def flat(nodes: list[dict]) -> list[dict]:
    return [x for node in nodes for x in [node, *flat(node["replies"])]]


def ids_in_order(page_text: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="item" data-id="(\d+)"', page_text)]


def test_held_queue_is_sorted_by_risk_and_shows_why(ctx, as_admin):
    calm = hold(
        ctx, "Mild", reasons=[("links", "too_many", "4 links")], toxicity=0.2, client=reader(1)
    )
    worst = hold(
        ctx,
        "Nasty",
        reasons=[("toxicity", "toxic", "Toxicity 0.93")],
        toxicity=0.93,
        client=reader(2),
    )
    two = hold(ctx, "Two reasons", toxicity=0.2, client=reader(3),
               reasons=[("links", "too_many", "4 links"), ("words", "suspect", "Suspect word")])  # fmt: skip
    unscored = hold(ctx, "No score", reasons=[("policy", "premoderate_all", "Reviewed first")])
    page = as_admin.get("/admin/queue/held")
    assert ids_in_order(page.text) == [worst, two, calm, unscored]
    assert "Toxicity 0.93" in page.text and "toxicity 0.93" in page.text
    assert "Reviewed first" in page.text


def test_the_words_weighed_are_marked_and_everything_else_escaped(ctx, as_admin):
    body = "<b>you</b> idiot & fool"
    hold(
        ctx,
        body,
        toxicity=0.9,
        spans=[(11, 16, 0.9), (19, 23, 0.2)],
        reasons=[("toxicity", "t", "x")],
    )
    page = as_admin.get("/admin/queue/held").text
    assert '&lt;b&gt;you&lt;/b&gt; <mark class="w3" title="weight 0.90">idiot</mark> &amp; ' in page
    assert '<mark class="w1" title="weight 0.20">fool</mark>' in page
    assert "<b>you</b>" not in page


def test_after_an_edit_the_marks_follow_their_words_or_go(ctx, as_admin):
    held = hold(
        ctx, "you idiot & fool", toxicity=0.9, spans=[(4, 9, 0.9), (12, 16, 0.5)],
        marked=["idiot", "fool"], reasons=[("toxicity", "t", "x")],
    )  # fmt: skip
    as_admin.post(f"/admin/comments/{held}/edit", {"body": "Well, you idiot."}, as_json=True)
    page = as_admin.get(f"/admin/comments/{held}").text
    assert 'Well, you <mark class="w3" title="weight 0.90">idiot</mark>.' in page
    assert page.count("<mark") == 1  # "fool" was edited away


def test_marks_stored_without_their_words_are_not_shown_on_edited_text(ctx, as_admin):
    held = hold(
        ctx, "you idiot", toxicity=0.9, spans=[(4, 9, 0.9)], reasons=[("toxicity", "t", "x")]
    )
    assert "<mark" in as_admin.get(f"/admin/comments/{held}").text
    as_admin.post(f"/admin/comments/{held}/edit", {"body": "A fine remark"}, as_json=True)
    assert "<mark" not in as_admin.get(f"/admin/comments/{held}").text


def test_a_queue_can_be_searched_by_words_or_author_in_any_script_and_case(ctx, as_admin):
    train = hold(ctx, "The TRAIN was late again", reasons=[("words", "s", "x")])
    greek = hold(ctx, "Καλημέρα", name="Ζωή Παππά", reasons=[("words", "s", "x")], client=reader(2))
    percent = hold(ctx, "Fares up 50% overnight", reasons=[("words", "s", "x")], client=reader(3))

    def found(query):
        return ids_in_order(as_admin.get("/admin/queue/held", params={"q": query}).text)

    assert found("train") == [train]
    assert found("ζωή") == [greek]  # the author's name, folded from capitals
    assert found("50%") == [percent] and found("%") == [percent]  # % is a character, not a wildcard
    assert sorted(found("")) == sorted([train, greek, percent])
    page = as_admin.get("/admin/queue/held", params={"q": "nowhere"}).text
    assert "No comment in held holds “nowhere”." in page
    # The search is kept in the form and in the way back after an action.
    page = as_admin.get("/admin/queue/held", params={"q": "train"}).text
    assert 'name="q" value="train"' in page and 'value="/admin/queue/held?q=train"' in page


def test_a_rejected_comment_is_found_by_search_and_restored(ctx, api, as_admin):
    lost = hold(ctx, "A fair point about parking", reasons=[("words", "s", "x")])
    as_admin.post(f"/admin/comments/{lost}/reject", {"reason": "mistake"})
    assert ids_in_order(as_admin.get("/admin/queue/rejected", params={"q": "PARKING"}).text) == [
        lost
    ]
    as_admin.post(f"/admin/comments/{lost}/approve", as_json=True)
    assert [c["id"] for c in public(api)] == [lost]


def test_an_overlong_search_is_refused_with_a_clear_error(ctx, as_admin):
    answer = as_admin.get("/admin/queue/held", params={"q": "x" * 201})
    assert answer.status_code == 400 and "at most 200 characters" in answer.text


def test_an_item_shows_its_parent_thread_and_the_authors_standing(ctx, as_admin):
    parent = post(ctx.db, ctx.hasher, "The **original** point <i>&</i> more", key="story", thread_title="Bridge closes",
                  client=reader(5), name="Bea")  # fmt: skip
    post(ctx.db, ctx.hasher, "Earlier fine comment", key="story")
    reply = hold(
        ctx, "A held reply", parent=parent.comment.id, key="story", reasons=[("words", "s", "x")]
    )
    page = as_admin.get("/admin/queue/held").text
    assert "Bridge closes" in page
    # The parent is quoted as readers see its text, not as Markdown or markup.
    assert (
        "in reply to <b>Bea</b>" in page
        and "The original point &lt;i&gt;&amp;&lt;/i&gt; more" in page
    )
    assert "**original**" not in page
    assert "1 published" in page and "1 held" in page
    detail = as_admin.get(f"/admin/comments/{reply}").text
    assert "Earlier fine comment" in detail  # the author's other comments
    assert "The original point &lt;i&gt;" in detail and "**original**" not in detail


def test_approving_publishes_the_comment_for_readers(ctx, api, as_admin):
    held = hold(ctx, "Worth reading", reasons=[("words", "s", "x")])
    assert public(api) == []
    answer = as_admin.post(f"/admin/comments/{held}/approve", as_json=True)
    assert answer.json()["message"] == "Approved 1 comment."
    assert [c["id"] for c in public(api)] == [held]
    assert as_admin.get("/admin/queue/held").text.count('class="item"') == 0


def test_a_plain_form_post_redirects_back_with_a_notice(ctx, as_admin):
    held = hold(ctx, "Form post", reasons=[("words", "s", "x")])
    answer = as_admin.post(f"/admin/comments/{held}/approve", {"next": "/admin/queue/held"})
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/queue/held"
    page = as_admin.get("/admin/queue/held").text
    assert "Approved 1 comment." in page and "Undo" in page


def test_a_notice_for_an_action_that_changed_nothing_offers_no_undo(ctx, as_admin):
    held = hold(ctx, "Approved twice", reasons=[("words", "s", "x")])
    as_admin.post(f"/admin/comments/{held}/approve", {"next": "/admin/queue/held"})
    as_admin.get("/admin/queue/held")  # the first notice is shown once
    as_admin.post(f"/admin/comments/{held}/approve", {"next": "/admin/queue/held"})
    page = as_admin.get("/admin/queue/held").text
    assert "Approved 0 comments. 1 already so" in page
    assert 'action="/admin/undo"' not in page


def test_a_bulk_form_sent_with_nothing_ticked_returns_to_the_queue(ctx, as_admin):
    held = hold(ctx, "Still waiting", reasons=[("words", "s", "x")])
    answer = as_admin.post("/admin/bulk", {"action": "approve", "next": "/admin/queue/held"})
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/queue/held"
    page = as_admin.get("/admin/queue/held").text
    assert "Nothing was selected" in page and f'data-id="{held}"' in page


def test_rejecting_a_comment_with_replies_leaves_a_tombstone(ctx, api, as_admin):
    top = post(ctx.db, ctx.hasher, "Top comment")
    post(ctx.db, ctx.hasher, "A reply", parent=top.comment.id, client=reader(3))
    as_admin.post(f"/admin/comments/{top.comment.id}/reject", {"reason": "insults"})
    shown = public(api)
    assert shown[0]["removed"] is True and shown[0]["html"] == ""
    assert shown[0]["replies"][0]["html"] == "<p>A reply</p>"
    rejected = as_admin.get("/admin/queue/rejected").text
    assert "Top comment" in rejected


def test_featuring_shows_at_once_to_readers(ctx, api, db, as_admin):
    created = post(ctx.db, ctx.hasher, "Insightful")
    with db.read() as conn:
        before = conn.execute(select(threads.c.version)).scalar_one()
    assert public(api)[0]["featured"] is False
    as_admin.post(f"/admin/comments/{created.comment.id}/feature", as_json=True)
    assert public(api)[0]["featured"] is True
    with db.read() as conn:
        assert conn.execute(select(threads.c.version)).scalar_one() > before
    as_admin.post(f"/admin/comments/{created.comment.id}/unfeature", as_json=True)
    assert public(api)[0]["featured"] is False


def test_editing_keeps_the_earlier_text_and_renders_the_new(ctx, api, db, as_admin):
    created = post(ctx.db, ctx.hasher, "Call me on 555-0199 *now*")
    answer = as_admin.post(
        f"/admin/comments/{created.comment.id}/edit",
        {"body": "Call me\x0b *now*\r\n", "reason": "phone number"},
    )
    assert answer.status_code == 303  # the pasted vertical tab and line end are not kept
    assert public(api)[0]["html"] == "<p>Call me <em>now</em></p>"
    with db.read() as conn:
        kept = conn.execute(select(comment_revisions.c.body_source)).scalars().all()
    assert kept == ["Call me on 555-0199 *now*"]
    detail = as_admin.get(f"/admin/comments/{created.comment.id}").text
    assert "Call me on 555-0199 *now*" in detail and "phone number" in detail
    empty = as_admin.post(
        f"/admin/comments/{created.comment.id}/edit", {"body": "  "}, as_json=True
    )
    assert empty.status_code == 400 and empty.json()["error"] == "body_empty"


def test_one_click_ban_rejects_and_sanctions_the_author(ctx, db, as_admin):
    created = post(ctx.db, ctx.hasher, "Spam spam", email="spam@example.com")
    answer = as_admin.post(f"/admin/comments/{created.comment.id}/ban", as_json=True)
    assert answer.status_code == 200
    with db.read() as conn:
        row = conn.execute(select(sanctions)).one()
        status = conn.execute(select(comments.c.status)).scalar_one()
    assert row.kind == "ban" and row.author_key == created.comment.author_key
    assert row.email == "spam@example.com" and row.ip_hash is None
    assert status == "rejected"
    page = as_admin.get("/admin/sanctions").text
    assert "spam@example.com" in page


def test_bulk_actions_and_one_undo_for_the_whole_batch(ctx, api, as_admin):
    held = [
        hold(ctx, f"Held {n}", reasons=[("words", "s", "x")], client=reader(n)) for n in range(3)
    ]
    answer = as_admin.post("/admin/bulk", {"action": "approve", "ids": held[:2]}, as_json=True)
    assert answer.json()["changed"] == held[:2]
    assert len(public(api)) == 2
    undone = as_admin.post("/admin/undo", as_json=True)
    assert undone.json()["message"] == "Undid the approval of 2 comments."
    assert public(api) == []
    assert len(ids_in_order(as_admin.get("/admin/queue/held").text)) == 3


def test_undo_takes_back_actions_one_by_one(ctx, api, db, as_admin):
    held = hold(ctx, "Held", reasons=[("words", "s", "x")])
    as_admin.post(f"/admin/comments/{held}/approve", as_json=True)
    as_admin.post(f"/admin/comments/{held}/edit", {"body": "Edited"}, as_json=True)
    as_admin.post("/admin/undo", as_json=True)
    assert public(api)[0]["html"] == "<p>Held</p>"
    as_admin.post("/admin/undo", as_json=True)
    assert public(api) == []
    nothing = as_admin.post("/admin/undo", as_json=True)
    assert nothing.status_code == 404 and nothing.json()["error"] == "nothing_to_undo"
    with db.read() as conn:
        actions = conn.execute(select(audit_log.c.action).order_by(audit_log.c.id)).scalars().all()
    assert actions == ["approve", "edit", "undo", "undo"]


def test_undoing_a_ban_lifts_it_and_restores_the_comment(ctx, api, db, as_admin):
    created = post(ctx.db, ctx.hasher, "Not spam after all")
    as_admin.post(f"/admin/comments/{created.comment.id}/ban", as_json=True)
    as_admin.post("/admin/undo", as_json=True)
    assert [c["id"] for c in public(api)] == [created.comment.id]
    with db.read() as conn:
        assert conn.execute(select(sanctions.c.lifted_at)).scalar_one() is not None


def test_undo_refuses_when_someone_changed_the_comment_since(ctx, db, as_admin, api):

    from rostra.admin.accounts import create_user

    held = hold(ctx, "Contested", reasons=[("words", "s", "x")])
    as_admin.post(f"/admin/comments/{held}/approve", as_json=True)
    create_user(db, "second", "another long password", "admin")
    from fastapi.testclient import TestClient

    other_client = TestClient(api.app)  # a second browser, sharing the running app
    log_in(other_client, "second", "another long password")
    other = Session(other_client, csrf_of(other_client))
    other.post(f"/admin/comments/{held}/reject", as_json=True)
    answer = as_admin.post("/admin/undo", as_json=True)
    assert answer.status_code == 409 and "changed since" in answer.json()["message"]


def test_undoing_an_edit_keeps_a_later_edit_by_someone_else(ctx, db, as_admin, api):
    from fastapi.testclient import TestClient

    from rostra.admin.accounts import create_user

    created = post(ctx.db, ctx.hasher, "First words")
    comment = created.comment.id
    as_admin.post(f"/admin/comments/{comment}/edit", {"body": "Chief's edit"}, as_json=True)
    create_user(db, "second", "another long password", "admin")
    other_client = TestClient(api.app)
    log_in(other_client, "second", "another long password")
    other = Session(other_client, csrf_of(other_client))
    other.post(f"/admin/comments/{comment}/edit", {"body": "Second's edit"}, as_json=True)
    answer = as_admin.post("/admin/undo", as_json=True)
    assert answer.status_code == 409 and answer.json()["error"] == "changed_since"
    assert public(api)[0]["html"] == "<p>Second's edit</p>"
    undone_by_second = other.post("/admin/undo", as_json=True)
    assert undone_by_second.status_code == 200
    assert public(api)[0]["html"] == "<p>Chief's edit</p>"


def test_undoing_an_edit_keeps_the_authors_own_later_edit(ctx, db, as_admin, api):
    from rostra.service.comments import edit_comment

    created = post(ctx.db, ctx.hasher, "First words")
    comment = created.comment.id
    as_admin.post(f"/admin/comments/{comment}/edit", {"body": "Moderated words"}, as_json=True)
    edit_comment(db, comment, created.edit_token, "The author's second thoughts", AUTHOR)
    answer = as_admin.post("/admin/undo", as_json=True)
    assert answer.status_code == 409 and answer.json()["error"] == "changed_since"
    assert public(api)[0]["html"] == "<p>The author's second thoughts</p>"


def test_every_action_is_in_the_audit_log_with_who_and_why(ctx, as_admin):
    held = hold(ctx, "Audited", reasons=[("words", "s", "x")])
    as_admin.post(f"/admin/comments/{held}/reject", {"reason": "personal attack"})
    page = as_admin.get("/admin/audit").text
    assert "chief" in page and "reject" in page and "personal attack" in page
    assert f"comment {held}" in page


def test_bad_input_gets_clear_4xx_answers(ctx, as_admin):
    assert as_admin.get("/admin/queue/nonsense").status_code == 404
    assert as_admin.get("/admin/queue/held?page=0").status_code == 400
    assert as_admin.get("/admin/queue/held?page=abc").status_code == 400
    assert as_admin.get("/admin/comments/99999").status_code == 404
    assert as_admin.get("/admin/comments/abc").status_code == 400
    assert as_admin.get(f"/admin/comments/{2**63}").status_code == 400
    assert as_admin.post(f"/admin/comments/{2**63}/approve", as_json=True).status_code == 400
    nul = as_admin.post(
        "/admin/bulk", {"action": "reject", "ids": 1, "reason": "a\x00b"}, as_json=True
    )
    assert nul.status_code == 400 and nul.json()["error"] == "malformed_form"
    for ids in ("x", str(2**63), "²", " 1"):
        refused = as_admin.post("/admin/bulk", {"action": "approve", "ids": ids}, as_json=True)
        assert refused.status_code == 400 and refused.json()["error"] == "invalid_ids", ids
    assert as_admin.post("/admin/comments/99999/approve", as_json=True).status_code == 404
    bogus = as_admin.post("/admin/comments/1/explode", as_json=True)
    assert bogus.status_code == 404
    assert as_admin.post("/admin/bulk", {"action": "approve"}, as_json=True).status_code == 400
    assert (
        as_admin.post("/admin/bulk", {"action": "ban", "ids": 1}, as_json=True).status_code == 400
    )
    too_long = as_admin.post(
        "/admin/bulk", {"action": "reject", "ids": 1, "reason": "x" * 501}, as_json=True
    )
    assert too_long.status_code == 400 and too_long.json()["error"] == "reason_too_long"
    page = as_admin.get("/admin/comments/99999")
    assert page.headers["content-type"].startswith("text/html") and "does not exist" in page.text


def test_queues_page_through_their_items(ctx, as_admin):
    for n in range(27):
        hold(ctx, f"Comment {n}", reasons=[("words", "s", "x")], client=reader(n))
    first = as_admin.get("/admin/queue/held").text
    second = as_admin.get("/admin/queue/held?page=2").text
    assert len(ids_in_order(first)) == 25 and len(ids_in_order(second)) == 2
    assert "Next →" in first and "Next →" not in second


def test_a_thread_named_by_its_link_reads_in_its_own_script_in_the_queue(ctx, as_admin):
    hold(ctx, "On a Cyrillic page", key=None, thread_url="https://bücher.example/новости")
    hold(ctx, "Tricky link", key=None, thread_url="https://news.example/a\u202eb")
    page = as_admin.get("/admin/queue/held").text
    assert ">https://bücher.example/новости</a>" in page
    # A direction override stays escaped: it could make one link look like another.
    assert ">https://news.example/a%E2%80%AEb</a>" in page


SITE_ORIGIN = "https://news.example"  # the test site's origin (tests/conftest.py)


def _reader_sends(api, body, *, key="article-1", agent="reader", parent=None):
    payload = {"site": "news", "thread": {"key": key}, "author": {"name": "Reader"}, "body": body}
    if parent is not None:
        payload["parent"] = parent
    return api.post(
        "/api/v1/comments", json=payload, headers={"Origin": SITE_ORIGIN, "User-Agent": agent}
    )


def _reader_posts(api, body, **where):
    answer = _reader_sends(api, body, **where)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def _thread_id(db, key="article-1") -> int:
    with db.read() as conn:
        return conn.execute(select(threads.c.id).where(threads.c.key == key)).scalar_one()


def test_a_sensitive_story_goes_under_full_premoderation_and_back(ctx, api, db, as_admin):
    first = _reader_posts(api, "Opening the thread")
    assert first["status"] == "published"
    here = f"/admin/comments/{first['comment']['id']}"
    thread_id = _thread_id(db)
    form = as_admin.get(here).text
    assert f'action="/admin/threads/{thread_id}/policy"' in form
    assert "the site&#39;s policy (hold nothing)" in form  # what applies until changed
    answer = as_admin.post(
        f"/admin/threads/{thread_id}/policy",
        {"policy": "all", "reason": "court case", "next": here},
    )
    assert answer.status_code == 303 and answer.headers["location"] == here
    assert _reader_posts(api, "A second view", agent="reader-2")["status"] == "pending"
    elsewhere = _reader_posts(api, "Another story", key="article-2", agent="reader-3")
    assert elsewhere["status"] == "published"
    assert '<option value="all" selected>' in as_admin.get(here).text
    with db.read() as conn:
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "thread_policy")).one()
    assert (entry.reason, entry.details) == ("court case", {"policy": "all", "was": None})
    assert entry.target_type == "thread" and entry.target_id == str(thread_id)
    # Handed back to the site's policy: new comments publish again.
    back = as_admin.post(f"/admin/threads/{thread_id}/policy", {"policy": ""}, as_json=True)
    assert back.json()["message"] == "This thread now follows the site's policy."
    assert _reader_posts(api, "Calmer now", agent="reader-4")["status"] == "published"
    again = as_admin.post(f"/admin/threads/{thread_id}/policy", {"policy": ""}, as_json=True)
    assert again.json()["changed"] == []


def test_a_thread_policy_change_is_refused_clearly_and_changes_nothing(ctx, api, db, as_admin):
    _reader_posts(api, "Opening the thread")
    thread_id = _thread_id(db)
    wrong = as_admin.post(f"/admin/threads/{thread_id}/policy", {"policy": "locked"}, as_json=True)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_policy"
    missing = as_admin.post("/admin/threads/99999/policy", {"policy": "all"}, as_json=True)
    assert missing.status_code == 404 and missing.json()["error"] == "unknown_thread"
    assert as_admin.post("/admin/threads/abc/policy", {"policy": "all"}).status_code == 400
    with db.read() as conn:
        assert conn.execute(select(threads.c.policy)).scalars().all() == [None]
    assert _reader_posts(api, "Still open", agent="reader-2")["status"] == "published"


def test_a_moderator_of_another_site_cannot_change_a_threads_policy(ctx, api, db):
    create_site(db, "other", ["https://other.example"])
    create_user(db, "outsider", "correct horse battery", "moderator", sites=["other"])
    _reader_posts(api, "Opening the thread")
    assert log_in(api, "outsider").status_code == 303
    outsider = Session(api, csrf_of(api))
    refused = outsider.post(
        f"/admin/threads/{_thread_id(db)}/policy", {"policy": "all"}, as_json=True
    )
    assert refused.status_code == 403 and refused.json()["error"] == "not_your_site"


def test_a_closed_thread_takes_no_comments_and_readers_are_told(ctx, api, db, as_admin):
    first = _reader_posts(api, "Before the verdict")["comment"]["id"]
    thread_id = _thread_id(db)
    closed = as_admin.post(
        f"/admin/threads/{thread_id}/policy", {"policy": "closed", "reason": "legal"}, as_json=True
    )
    assert closed.json()["message"] == "Comments on this thread are closed."
    page = api.get("/api/v1/threads", params={"site": "news", "key": "article-1"}).json()
    assert page["thread"]["closed"] is True and [c["id"] for c in page["comments"]] == [first]
    for refused in (
        _reader_sends(api, "After the verdict", agent="reader-2"),
        _reader_sends(api, "A reply", agent="reader-3", parent=first),
    ):
        assert refused.status_code == 403
        assert refused.json()["error"] == "thread_closed"
    with db.read() as conn:
        assert conn.execute(select(comments.c.id)).scalars().all() == [first]
    # Other stories stay open; reopened, this one takes comments again.
    assert _reader_posts(api, "Elsewhere", key="article-2", agent="reader-4")["status"]
    as_admin.post(f"/admin/threads/{thread_id}/policy", {"policy": ""}, as_json=True)
    page = api.get("/api/v1/threads", params={"site": "news", "key": "article-1"}).json()
    assert page["thread"]["closed"] is False
    assert _reader_posts(api, "Reopened", agent="reader-5")["status"] == "published"


def _opened_days_ago(db, days, key="article-1"):
    """Age a thread as time would: nothing readers see is written."""
    opened = datetime.now(UTC) - timedelta(days=days)
    with db.write() as conn:
        conn.execute(threads.update().where(threads.c.key == key).values(created_at=opened))


def test_threads_close_at_the_sites_age_and_a_running_story_is_kept_open(ctx, api, db, as_admin):
    close_threads_after(db, 7)
    first = _reader_posts(api, "Day one")["comment"]["id"]
    where = {"site": "news", "key": "article-1"}
    fresh = api.get("/api/v1/threads", params=where)
    assert fresh.json()["thread"]["closed"] is False
    _opened_days_ago(db, 8)
    # The reader's copy and the server's cached page both said open: neither is current.
    aged = api.get(
        "/api/v1/threads", params=where, headers={"If-None-Match": fresh.headers["etag"]}
    )
    assert aged.status_code == 200 and aged.json()["thread"]["closed"] is True
    for refused in (
        _reader_sends(api, "Day eight", agent="reader-2"),
        _reader_sends(api, "A late reply", agent="reader-3", parent=first),
    ):
        assert refused.status_code == 403 and refused.json()["error"] == "thread_closed"
    assert _reader_posts(api, "Today's story", key="article-2", agent="reader-4")["status"]
    assert "Closed by age" in as_admin.get(f"/admin/comments/{first}").text

    kept = as_admin.post(
        f"/admin/threads/{_thread_id(db)}/policy", {"policy": "open"}, as_json=True
    )
    assert kept.status_code == 200, kept.text
    assert api.get("/api/v1/threads", params=where).json()["thread"]["closed"] is False
    assert _reader_posts(api, "Still running", agent="reader-5")["status"] == "published"
    assert "Kept open however old" in as_admin.get(f"/admin/comments/{first}").text


def _cli(database_url, *args):
    from click.testing import CliRunner

    from rostra.cli import main

    return CliRunner().invoke(main, ["thread", "policy", *args, "--database", database_url])


def test_a_story_is_closed_from_the_command_line_before_its_first_comment(
    ctx, api, db, database_url
):
    closed = _cli(database_url, "--site", "news", "verdict-day", "closed", "--reason", "legal")
    assert closed.exit_code == 0, closed.output
    assert "Comments on this thread are closed." in closed.output
    refused = _reader_sends(api, "First!", key="verdict-day")
    assert refused.status_code == 403 and refused.json()["error"] == "thread_closed"
    page = api.get("/api/v1/threads", params={"site": "news", "key": "verdict-day"}).json()
    assert page["thread"]["closed"] is True
    # A thread keyed by the page's id is found by its page URL too, not duplicated.
    api.post(
        "/api/v1/comments",
        json={
            "site": "news",
            "thread": {"key": "story-7", "url": "https://news.example/story-7"},
            "author": {"name": "Reader"},
            "body": "Opening",
        },  # fmt: skip
        headers={"Origin": SITE_ORIGIN, "User-Agent": "reader"},
    )
    held = _cli(database_url, "--site", "news", "https://news.example/story-7?utm_source=x", "all")
    assert held.exit_code == 0 and "hold every comment" in held.output
    with db.read() as conn:
        policies = dict(conn.execute(select(threads.c.key, threads.c.policy)).all())
    assert policies == {"verdict-day": "closed", "story-7": "all"}
    again = _cli(database_url, "--site", "news", "story-7", "all")
    assert "already follows" in again.output
    reopened = _cli(database_url, "--site", "news", "verdict-day", "site")
    assert reopened.exit_code == 0
    assert _reader_sends(api, "First!", key="verdict-day").status_code in (200, 201)


def test_the_thread_command_refuses_bad_input_clearly(ctx, database_url, db):
    nowhere = _cli(database_url, "--site", "nowhere", "story", "closed")
    assert nowhere.exit_code == 1 and "nowhere" in nowhere.output
    wrong = _cli(database_url, "--site", "news", "story", "frozen")
    assert wrong.exit_code == 2 and "frozen" in wrong.output
    with db.read() as conn:
        assert conn.execute(select(threads.c.id)).all() == []

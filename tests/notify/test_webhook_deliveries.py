"""Webhooks as a site's developers meet them: added in /admin, signed
deliveries of each comment event, retries with backoff, and the delivery log."""

import re
from datetime import timedelta

import orjson
from notify_support import admin_client, post_moderated, premoderate_everything, verify_signature
from sqlalchemy import select

from helpers import post, reader
from rostra.admin.actions import approve, reject
from rostra.notify.webhooks import EVENTS, add_webhook
from rostra.notify.worker import MAX_ATTEMPTS, retry_delay
from rostra.service.comments import edit_comment
from rostra.store.schema import outbox, webhooks

PASSWORD = "correct horse battery"


def webhook(db, site, receiver, events=EVENTS):
    with db.write() as conn:
        return add_webhook(conn, site.id, receiver.url, list(events))


def deliveries(db):
    with db.read() as conn:
        return conn.execute(
            select(outbox).where(outbox.c.channel == "webhook").order_by(outbox.c.id)
        ).all()


def test_an_admin_adds_a_webhook_and_gets_signed_events(api, db, admin, sender, receiver):
    csrf = admin_client(api, "chief", PASSWORD)
    assert "Webhooks" in api.get("/admin/sites").text
    answer = api.post("/admin/sites/news/webhooks", data={
        "csrf": csrf, "url": receiver.url, "events": ["comment.created", "comment.deleted"],
    })  # fmt: skip
    assert answer.status_code == 201
    secret = re.search(r"(whsec_[\w-]+)", answer.text).group(1)

    posted = api.post("/api/v1/comments", json={
        "site": "news", "thread": {"key": "bridge", "url": "https://news.example/bridge"},
        "author": {"name": "Ana", "email": "ana@example.com"}, "body": "Hello *there*",
    }).json()  # fmt: skip
    sender.run_once()
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert headers["Rostra-Event"] == "comment.created"
    assert headers["Content-Type"] == "application/json"
    assert verify_signature(secret, headers["Rostra-Signature"], body)
    assert not verify_signature("whsec_other", headers["Rostra-Signature"], body)
    assert not verify_signature(secret, headers["Rostra-Signature"], body + b" ")
    [row] = deliveries(db)
    assert headers["Rostra-Delivery"] == str(row.id)
    event = orjson.loads(body)
    comment_id = posted["comment"]["id"]
    assert event["event"] == "comment.created" and event["site"] == "news"
    assert event["id"] and event["created"].endswith("Z")
    assert event["comment"] == {
        "id": comment_id, "parent": None, "status": "published",
        "thread": {"key": "bridge", "url": "https://news.example/bridge", "title": None},
        "author": {"name": "Ana"}, "body": {"html": "<p>Hello <em>there</em></p>", "source": "Hello *there*"},
        "created": event["comment"]["created"], "edited": None,
    }  # fmt: skip
    assert b"ana@example.com" not in body and b"testclient" not in body

    # Edits were not asked for; the author's delete was, without the text.
    token = posted["edit_token"]
    assert api.patch(f"/api/v1/comments/{comment_id}", json={"body": "Changed"},
                     headers={"X-Edit-Token": token}).status_code == 200  # fmt: skip
    assert api.delete(f"/api/v1/comments/{comment_id}", headers={"X-Edit-Token": token}).json()[
        "deleted"
    ]
    sender.run_once()
    assert [event["event"] for event in receiver.events()] == ["comment.created", "comment.deleted"]
    assert receiver.events()[1]["comment"]["body"] is None


def test_every_event_of_a_comment_s_life(ctx, db, site, acting_admin, sender, receiver):
    webhook(db, site, receiver)
    premoderate_everything(db, site)
    held = post_moderated(ctx, "Wait for me", name="Ben", client=reader(1))
    approve(ctx.db, acting_admin, [held.comment.id])
    edit_comment(ctx.db, held.comment.id, held.edit_token, "Edited text", reader(1))
    reject(ctx.db, acting_admin, [held.comment.id])
    sender.run_once()
    events = receiver.events()
    assert [event["event"] for event in events] == [
        "comment.held", "comment.approved", "comment.edited", "comment.rejected",
    ]  # fmt: skip
    assert [event["comment"]["status"] for event in events] == [
        "pending", "published", "published", "rejected",
    ]  # fmt: skip
    assert events[2]["comment"]["body"]["source"] == "Edited text"
    assert len({event["id"] for event in events}) == 4


def test_failed_deliveries_are_retried_with_backoff_and_logged(
    api, db, site, admin, ctx, sender, receiver, clock
):
    webhook(db, site, receiver, ["comment.created"])
    receiver.answers = [500, 503]
    post(ctx.db, ctx.hasher, "Hello")
    sender.run_once()
    [row] = deliveries(db)
    assert (row.status, row.attempts, row.last_status) == ("pending", 1, 500)
    assert abs(row.next_attempt_at - clock() - timedelta(seconds=30)) < timedelta(seconds=5)
    admin_client(api, "chief", PASSWORD)
    log = api.get("/admin/sites/news/webhooks").text
    assert re.search(
        r"<td>comment.created</td>.*?<td>pending</td>\s*<td>1</td>\s*<td>HTTP 500", log, re.S
    )

    sender.run_once()  # not due yet
    assert len(receiver.requests) == 1
    clock.advance(seconds=31)
    sender.run_once()
    [row] = deliveries(db)
    assert (row.attempts, row.last_status) == (2, 503)
    assert abs(row.next_attempt_at - clock() - timedelta(seconds=60)) < timedelta(seconds=5)
    clock.advance(seconds=61)
    sender.run_once()
    [row] = deliveries(db)
    assert (row.status, row.attempts, row.last_status) == ("sent", 3, 200)
    # Every attempt carries the same delivery and event ids: receivers can drop repeats.
    assert len({request["headers"]["Rostra-Delivery"] for request in receiver.requests}) == 1
    assert len({event["id"] for event in receiver.events()}) == 1
    log = api.get("/admin/sites/news/webhooks").text
    assert re.search(r"<td>sent</td>\s*<td>3</td>\s*<td>HTTP 200", log)


def test_a_receiver_that_keeps_failing_is_given_up_after_about_a_day(
    ctx, db, site, sender, receiver, clock
):
    webhook(db, site, receiver, ["comment.created"])
    receiver.answers = [500] * 20
    post(ctx.db, ctx.hasher, "Hello")
    waited = timedelta(0)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        sender.run_once()
        assert len(receiver.requests) == attempt
        if attempt < MAX_ATTEMPTS:
            clock.advance(seconds=retry_delay(attempt).total_seconds() + 1)
            waited += retry_delay(attempt)
    [row] = deliveries(db)
    assert (row.status, row.attempts) == ("dead", MAX_ATTEMPTS)
    assert timedelta(hours=12) < waited < timedelta(hours=24)
    clock.advance(days=2)
    sender.run_once()
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_410_gone_switches_the_webhook_off(api, ctx, db, site, admin, sender, receiver):
    webhook(db, site, receiver, ["comment.created"])
    receiver.answers = [410]
    post(ctx.db, ctx.hasher, "Hello")
    sender.run_once()
    [row] = deliveries(db)
    assert (row.status, row.last_status) == ("dead", 410)
    with db.read() as conn:
        assert conn.execute(select(webhooks.c.active)).scalar_one() is False
    post(ctx.db, ctx.hasher, "Anyone there?")
    sender.run_once()
    assert len(receiver.requests) == 1 and len(deliveries(db)) == 1
    admin_client(api, "chief", PASSWORD)
    assert "disabled (the receiver answered 410 Gone)" in api.get("/admin/sites/news/webhooks").text


def test_a_removed_webhook_gets_nothing_more(api, ctx, db, site, admin, sender, receiver):
    added = webhook(db, site, receiver, ["comment.created"])
    post(ctx.db, ctx.hasher, "Queued before the removal")
    csrf = admin_client(api, "chief", PASSWORD)
    answer = api.post(f"/admin/sites/news/webhooks/{added.webhook.id}/delete", data={"csrf": csrf})
    assert answer.status_code == 200 and "Removed the webhook" in answer.text
    sender.run_once()
    assert receiver.requests == []
    assert [row.status for row in deliveries(db)] == ["skipped"]


def test_webhook_pages_are_for_admins_and_check_what_is_typed(api, db, site, admin):
    from rostra.admin.accounts import create_user

    create_user(db, "mod", PASSWORD, "moderator", sites=["news"])
    admin_client(api, "mod", PASSWORD)
    assert api.get("/admin/sites/news/webhooks").status_code == 403
    api.cookies.clear()
    csrf = admin_client(api, "chief", PASSWORD)
    bad = api.post(
        "/admin/sites/news/webhooks",
        data={"csrf": csrf, "url": "ftp://x", "events": ["comment.created"]},
    )
    assert bad.status_code == 400 and "http:// or https://" in bad.text
    none = api.post("/admin/sites/news/webhooks", data={"csrf": csrf, "url": "https://x.example/h"})
    assert none.status_code == 400 and "at least one event" in none.text
    with db.read() as conn:
        assert conn.execute(select(webhooks.c.id)).first() is None

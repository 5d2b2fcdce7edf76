"""Several replies in one thread make one mail per digest interval, and what
was removed meanwhile is left out."""

from notify_support import confirmed_reader, post_moderated, premoderate_everything, text_of
from sqlalchemy import select

from helpers import AUTHOR, post, reader
from rostra.admin.actions import approve, reject
from rostra.service.comments import delete_comment
from rostra.store.schema import outbox

ANA = "ana@example.com"


def replies_in(message) -> int:
    return text_of(message).count(" replied to “")


def test_replies_in_one_thread_go_out_at_most_once_per_interval(
    ctx, site, db, sender, mailbox, clock
):
    first = confirmed_reader(ctx, sender, mailbox, ANA)
    post(ctx.db, ctx.hasher, "Reply one", name="Ben", parent=first, client=reader(1))
    sender.run_once()
    assert replies_in(mailbox.messages[-1]) == 1  # the first reply goes at once
    count = len(mailbox.messages)

    post(ctx.db, ctx.hasher, "Reply two", name="Cem", parent=first, client=reader(2))
    post(ctx.db, ctx.hasher, "Reply three", name="Dan", parent=first, client=reader(3))
    sender.run_once()
    clock.advance(minutes=14)
    sender.run_once()
    assert len(mailbox.messages) == count  # within 15 minutes of the last mail

    clock.advance(minutes=1, seconds=1)
    sender.run_once()
    [digest] = mailbox.messages[count:]
    assert digest["Subject"] == "2 new replies to your comments on “article-1”"
    assert replies_in(digest) == 2
    assert "Reply two" in text_of(digest) and "Reply three" in text_of(digest)
    assert "Reply one" not in text_of(digest)
    with db.read() as conn:
        statuses = sorted(conn.execute(
            select(outbox.c.status).where(outbox.c.kind == "reply_digest")
        ).scalars())  # fmt: skip
    assert statuses == ["merged", "sent", "sent"]


def test_another_thread_is_another_digest(ctx, site, sender, mailbox):
    first = confirmed_reader(ctx, sender, mailbox, ANA)
    other = post(ctx.db, ctx.hasher, "Elsewhere", email=ANA, key="article-2").comment.id
    post(ctx.db, ctx.hasher, "Here", name="Ben", parent=first, client=reader(1))
    post(ctx.db, ctx.hasher, "There", name="Ben", parent=other, key="article-2", client=reader(1))
    sender.run_once()
    subjects = sorted(message["Subject"] for message in mailbox.to(ANA)[1:])
    assert subjects == [
        "Ben replied to your comment on “article-1”",
        "Ben replied to your comment on “article-2”",
    ]


def test_replies_removed_before_the_digest_goes_are_left_out(
    ctx, site, db, sender, mailbox, clock, acting_admin
):
    first = confirmed_reader(ctx, sender, mailbox, ANA)
    post(ctx.db, ctx.hasher, "Reply one", name="Ben", parent=first, client=reader(1))
    sender.run_once()
    count = len(mailbox.messages)
    regretted = post(ctx.db, ctx.hasher, "Regretted", name="Cem", parent=first, client=reader(2))
    post(ctx.db, ctx.hasher, "Kept", name="Dan", parent=first, client=reader(3))
    delete_comment(ctx.db, regretted.comment.id, regretted.edit_token, reader(2))
    clock.advance(minutes=16)
    sender.run_once()
    [digest] = mailbox.messages[count:]
    assert digest["Subject"] == "Dan replied to your comment on “article-1”"
    assert "Regretted" not in text_of(digest)

    # A digest with nothing left in it is not sent at all.
    spam = post(ctx.db, ctx.hasher, "Spam", name="Eve", parent=first, client=reader(4))
    reject(ctx.db, acting_admin, [spam.comment.id])
    clock.advance(minutes=32)
    sender.run_once()
    assert len(mailbox.messages) == count + 1
    with db.read() as conn:
        last = conn.execute(select(outbox.c.status).order_by(outbox.c.id.desc())).first()
    assert last.status == "skipped"


def test_a_held_reply_is_mailed_when_approved_and_only_once(
    ctx, db, site, sender, mailbox, clock, acting_admin
):
    first = confirmed_reader(ctx, sender, mailbox, ANA)
    premoderate_everything(db, site)
    held = post_moderated(ctx, "Held reply", name="Ben", parent_id=first, client=reader(1))
    assert held.comment.status == "pending"
    sender.run_once()
    count = len(mailbox.messages)
    assert count == 1  # the confirmation only

    approve(ctx.db, acting_admin, [held.comment.id])
    sender.run_once()
    assert len(mailbox.messages) == count + 1
    assert "Held reply" in text_of(mailbox.messages[-1])

    reject(ctx.db, acting_admin, [held.comment.id])
    approve(ctx.db, acting_admin, [held.comment.id])  # the same reply again: no second mail
    clock.advance(hours=1)
    sender.run_once()
    assert len(mailbox.messages) == count + 1


def test_no_mail_about_replies_to_a_comment_its_author_deleted(ctx, site, db, sender, mailbox):
    ask = post(ctx.db, ctx.hasher, "Second thoughts", email=ANA, notify_replies=True)
    confirmed_reader(ctx, sender, mailbox, ANA, body="Kept")
    post(ctx.db, ctx.hasher, "Reply", name="Ben", parent=ask.comment.id, client=reader(1))
    delete_comment(ctx.db, ask.comment.id, ask.edit_token, AUTHOR)
    sender.run_once()
    assert [message["Subject"] for message in mailbox.to(ANA)] == [
        "Please confirm: mails about replies to your comments on news"
    ]

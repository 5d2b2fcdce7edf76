"""The outbox keeps its promises when things fail: a mail server or a
receiver that is down and comes back gets everything once, senders running
side by side never send the same row, and a crashed sender's rows go again."""

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from notify_support import text_of
from sqlalchemy import select

from helpers import post, reader
from rostra.api.app import create_app
from rostra.cli import main
from rostra.config import load_settings
from rostra.notify.webhooks import add_webhook
from rostra.notify.worker import LEASE, OutboxSender
from rostra.store import outbox as outbox_store
from rostra.store.database import open_database
from rostra.store.schema import outbox

READERS = [f"reader{n}@example.com" for n in range(3)]


def ask_for_reply_mails(ctx, emails=READERS) -> None:
    for n, email in enumerate(emails):
        post(ctx.db, ctx.hasher, f"Comment {n}", email=email, notify_replies=True, client=reader(n))


def statuses(db) -> list[tuple[str, int]]:
    with db.read() as conn:
        rows = conn.execute(select(outbox.c.status, outbox.c.attempts).order_by(outbox.c.id))
        return [tuple(row) for row in rows]


def test_mails_wait_out_an_smtp_outage_and_go_once(ctx, site, db, sender, mailbox, clock):
    mailbox.stop()
    ask_for_reply_mails(ctx)
    assert sender.run_once() == {"retry": 3}
    with db.read() as conn:
        errors = conn.execute(select(outbox.c.last_error)).scalars().all()
    assert all(f"SMTP server 127.0.0.1:{mailbox.port}" in error for error in errors)

    mailbox.start()
    sender.run_once()  # the retry is not due yet
    assert mailbox.messages == []
    clock.advance(seconds=31)
    assert sender.run_once() == {"sent": 3}
    clock.advance(hours=1)
    sender.run_once()
    assert sorted(message["To"] for message in mailbox.messages) == READERS
    assert statuses(db) == [("sent", 2)] * 3


def test_webhooks_wait_out_a_receiver_outage_and_go_once(ctx, site, db, sender, receiver, clock):
    with db.write() as conn:
        add_webhook(conn, site.id, receiver.url, ["comment.created"])
    receiver.stop()
    for n in range(3):
        post(ctx.db, ctx.hasher, f"Comment {n}", client=reader(n))
    assert sender.run_once() == {"retry": 3}
    receiver.start()
    clock.advance(seconds=31)
    sender.run_once()
    clock.advance(hours=1)
    sender.run_once()
    bodies = sorted(event["comment"]["body"]["source"] for event in receiver.events())
    assert bodies == ["Comment 0", "Comment 1", "Comment 2"]
    assert statuses(db) == [("sent", 2)] * 3


def test_senders_side_by_side_never_send_a_row_twice(
    database_url, ctx, site, db, settings, receiver
):
    with db.write() as conn:
        add_webhook(conn, site.id, receiver.url, ["comment.created"])
    for n in range(30):
        post(ctx.db, ctx.hasher, f"Comment {n}", client=reader(n % 200))
    # Each sender with its own engine, as in separate processes or hosts.
    databases = [open_database(database_url) for _ in range(3)]
    senders = [OutboxSender(database, settings) for database in databases]
    start = threading.Barrier(len(senders))

    def run(sender: OutboxSender) -> None:
        start.wait()
        sender.run_once()

    threads = [threading.Thread(target=run, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for sender, database in zip(senders, databases, strict=True):
        sender.close()
        database.dispose()
    ids = [request["headers"]["Rostra-Delivery"] for request in receiver.requests]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert statuses(db) == [("sent", 1)] * 30


def test_rows_of_a_sender_that_died_go_again_after_the_lease(ctx, site, db, sender, mailbox, clock):
    ask_for_reply_mails(ctx, READERS[:1])
    with db.write() as conn:  # a sender claims the mail, then dies
        outbox_store.claim_due(conn, clock(), clock() + LEASE, ["mail"], 10)
    sender.run_once()
    assert mailbox.messages == []
    clock.advance(seconds=LEASE.total_seconds() + 1)
    sender.run_once()
    assert len(mailbox.messages) == 1


def test_a_crash_after_the_smtp_server_took_a_mail_repeats_it_with_the_same_message_id(
    ctx, site, db, sender, mailbox, clock, monkeypatch
):
    """The one window where a mail can go twice, and why it is recognisable."""
    ask_for_reply_mails(ctx, READERS[:1])
    finish = outbox_store.finish

    def crash(*args, **kwargs):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(outbox_store, "finish", crash)
    with pytest.raises(ConnectionError):
        sender.run_once()
    monkeypatch.setattr(outbox_store, "finish", finish)
    clock.advance(seconds=LEASE.total_seconds() + 1)
    sender.run_once()
    first, second = mailbox.messages
    assert first["Message-ID"] == second["Message-ID"]
    assert text_of(first) != "" and statuses(db) == [("sent", 1)]


def test_a_refused_address_is_not_tried_again(ctx, site, db, sender, mailbox, clock):
    mailbox.refuse.add(READERS[0])
    ask_for_reply_mails(ctx, READERS[:2])
    assert sender.run_once() == {"dead": 1, "sent": 1}
    with db.read() as conn:
        dead = conn.execute(select(outbox).where(outbox.c.status == "dead")).one()
    assert dead.recipient == READERS[0] and dead.last_status == 550
    assert "No such user" in dead.last_error


def test_without_an_smtp_server_mails_wait_and_one_warning_says_so(
    database_url, ctx, site, db, mailbox, caplog
):
    ask_for_reply_mails(ctx, READERS[:1])
    mail_off = OutboxSender(db, load_settings(database_url=database_url))
    with caplog.at_level(logging.WARNING, logger="rostra.outbox"):
        mail_off.run_once()
        mail_off.run_once()
    mail_off.close()
    warnings = [record.getMessage() for record in caplog.records]
    assert warnings == ["mail is off (no smtp_host): 1 mail(s) wait in the outbox until it is set"]
    assert statuses(db) == [("pending", 0)]
    assert mailbox.messages == []


def test_the_server_sends_in_the_background_and_stops_on_shutdown(database_url, db, site, mailbox):
    settings = load_settings(
        database_url=database_url, smtp_host="127.0.0.1", smtp_port=mailbox.port,
        smtp_security="none", mail_from="comments@news.example",
        public_url="https://comments.news.example", outbox_poll_seconds=0.1,
    )  # fmt: skip
    with TestClient(create_app(settings)) as client:
        answer = client.post("/api/v1/comments", json={
            "site": "news", "thread": {"key": "k"}, "body": "Mail me replies",
            "author": {"name": "Ana", "email": "ana@example.com"}, "notify": True,
        })  # fmt: skip
        assert answer.status_code == 201
        assert len(mailbox.wait_for(1)) == 1
        metrics = client.get("/metrics").text
        assert 'rostra_outbox_sends_total{channel="mail",outcome="sent"}' in metrics
    assert not any(thread.name == "rostra-outbox" for thread in threading.enumerate())
    assert statuses(db) == [("sent", 1)]


def test_outbox_commands_list_and_send(database_url, ctx, site, db, mailbox):
    ask_for_reply_mails(ctx, READERS[:2])
    runner = CliRunner()
    listed = runner.invoke(main, ["outbox", "list", "--database", database_url])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert len(lines) == 2 and all(
        "\tmail\tconfirm_subscription\tpending\t0\t" in line for line in lines
    )
    env = {
        "ROSTRA_SMTP_HOST": "127.0.0.1", "ROSTRA_SMTP_PORT": str(mailbox.port),
        "ROSTRA_SMTP_SECURITY": "none", "ROSTRA_MAIL_FROM": "comments@news.example",
        "ROSTRA_PUBLIC_URL": "https://comments.news.example",
    }  # fmt: skip
    sent = runner.invoke(main, ["outbox", "send", "--once", "--database", database_url], env=env)
    assert sent.exit_code == 0, sent.output
    assert "2 sent" in sent.output
    assert len(mailbox.messages) == 2
    pending = runner.invoke(
        main, ["outbox", "list", "--status", "pending", "--database", database_url]
    )
    assert pending.output == ""
    assert statuses(db) == [("sent", 1)] * 2


def test_delivery_ids_are_not_handed_out_again_after_old_rows_are_pruned(db, site):
    """A receiver that deduplicates by Rostra-Delivery must never see an old id
    on a new delivery, even when every finished row has been forgotten."""
    long_ago = datetime.now(UTC) - timedelta(days=90)

    def add(key: str, status: str, created_at: datetime) -> int:
        values = dict(
            site_id=site.id, channel="webhook", kind="comment.created", dedupe_key=key,
            recipient="https://hooks.example/in", payload={}, status=status, attempts=1,
            next_attempt_at=created_at, created_at=created_at,
        )  # fmt: skip
        with db.write() as conn:
            return outbox_store.insert_if_absent(conn, values)

    old_ids = [add(f"old-{n}", outbox_store.Status.SENT, long_ago) for n in range(3)]
    with db.write() as conn:
        outbox_store.prune(conn, datetime.now(UTC) - timedelta(days=30))
    assert add("new", outbox_store.Status.PENDING, datetime.now(UTC)) > max(old_ids)

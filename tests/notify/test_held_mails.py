"""Moderators hear about held comments as each of them chose: a mail per
comment, an hourly digest, or nothing."""

from datetime import UTC, datetime

from click.testing import CliRunner
from notify_support import (
    admin_client,
    html_of,
    post_moderated,
    premoderate_everything,
    text_of,
)
from sqlalchemy import select

from helpers import reader
from rostra.admin.accounts import create_user
from rostra.admin.actions import approve
from rostra.cli import main
from rostra.service.sites import create_site
from rostra.store.schema import outbox, users

PASSWORD = "correct horse battery"


def moderator(db, name, notify_held, *, sites=("news",), role="moderator"):
    return create_user(
        db, name, PASSWORD, role, sites=list(sites), email=f"{name}@news.example",
        notify_held=notify_held,
    )  # fmt: skip


def test_immediate_moderators_get_a_mail_per_held_comment(ctx, db, site, sender, mailbox):
    create_site(db, "other", ["https://other.example"])
    moderator(db, "now", "immediate")
    moderator(db, "elsewhere", "immediate", sites=["other"])
    moderator(db, "quiet", "off")
    premoderate_everything(db, site)
    held = post_moderated(ctx, "Please look at this", name="Ben", client=reader(1))
    post_moderated(ctx, "And at this", name="Cem", client=reader(2))
    sender.run_once()
    assert {message["To"] for message in mailbox.messages} == {"now@news.example"}
    first, second = mailbox.messages
    assert first["Subject"] == "Held for review on news: a comment by Ben"
    assert second["Subject"] == "Held for review on news: a comment by Cem"
    body = text_of(first)
    assert "Please look at this" in body
    assert f"https://comments.news.example/admin/comments/{held.comment.id}" in body
    assert "Held because:" in body  # the pipeline's reasons
    assert "List-Unsubscribe" not in first
    assert "Please look at this" in html_of(first)


def test_hourly_moderators_get_one_digest_an_hour(
    ctx, db, site, sender, mailbox, clock, acting_admin
):
    moderator(db, "digest", "hourly", role="admin", sites=())
    premoderate_everything(db, site)
    ids = [
        post_moderated(ctx, f"Held number {n}", name=f"Author{n}", client=reader(n)).comment.id
        for n in (1, 2, 3)
    ]
    sender.run_once()
    assert mailbox.messages == []
    with db.read() as conn:
        due = conn.execute(
            select(outbox.c.next_attempt_at).where(outbox.c.status == "pending")
        ).scalar_one()
    assert due.minute == 0 and due.second == 0 and due > datetime.now(UTC)

    approve(ctx.db, acting_admin, [ids[0]])  # dealt with already: not in the digest
    clock.advance(hours=1)
    sender.run_once()
    [digest] = mailbox.messages
    assert digest["To"] == "digest@news.example"
    assert digest["Subject"] == "2 comments wait for review on news"
    body = text_of(digest)
    assert "Held number 2" in body and "Held number 3" in body
    assert "Held number 1" not in body
    assert "https://comments.news.example/admin/queue/held" in body

    post_moderated(ctx, "Held number 4", name="Author4", client=reader(4))
    sender.run_once()
    clock.advance(minutes=59)
    sender.run_once()
    assert len(mailbox.messages) == 1  # the next digest waits an hour after the last
    clock.advance(minutes=1)
    sender.run_once()
    assert mailbox.messages[-1]["Subject"] == "1 comment waits for review on news"


def test_a_comment_moderated_before_its_mail_goes_sends_nothing(
    ctx, db, site, sender, mailbox, acting_admin
):
    moderator(db, "now", "immediate")
    premoderate_everything(db, site)
    held = post_moderated(ctx, "Quickly approved", name="Ben", client=reader(1))
    approve(ctx.db, acting_admin, [held.comment.id])
    sender.run_once()
    assert mailbox.messages == []


def test_moderators_choose_on_their_account_page(api, db, site, sender, mailbox, ctx):
    create_user(db, "mod", PASSWORD, "moderator", sites=["news"])
    csrf = admin_client(api, "mod", PASSWORD)
    page = api.get("/admin/account")
    assert page.status_code == 200 and 'name="notify_held"' in page.text

    refused = api.post("/admin/account", data={"csrf": csrf, "email": "", "notify_held": "hourly"})
    assert refused.status_code == 400 and "Give an email address" in refused.text
    saved = api.post(
        "/admin/account",
        data={"csrf": csrf, "email": "mod@news.example", "notify_held": "immediate"},
    )
    assert saved.status_code == 200 and "Saved." in saved.text
    assert '<option value="immediate" selected>' in api.get("/admin/account").text

    premoderate_everything(db, site)
    post_moderated(ctx, "Held after choosing", name="Ben", client=reader(1))
    sender.run_once()
    assert [message["To"] for message in mailbox.messages] == ["mod@news.example"]


def test_user_create_sets_the_choice(database_url, db, site):
    runner = CliRunner()
    args = ["user", "create", "desk", "--role", "moderator", "--site", "news",
            "--password-stdin", "--database", database_url]  # fmt: skip
    refused = runner.invoke(main, [*args, "--notify-held", "hourly"], input=PASSWORD + "\n")
    assert refused.exit_code != 0 and "needs an email" in refused.output
    created = runner.invoke(
        main, [*args, "--notify-held", "hourly", "--email", "desk@news.example"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    with db.read() as conn:
        row = conn.execute(select(users.c.email, users.c.notify_held)).one()
    assert tuple(row) == ("desk@news.example", "hourly")

"""Fixtures for mails and webhooks: a live SMTP server, a webhook receiver,
settings that send mail to them, and a sender driven by the test."""

import pytest
from notify_support import Clock, Mailbox, Receiver

from rostra.admin.accounts import Moderator, Role, create_user
from rostra.config import load_settings
from rostra.notify.worker import OutboxSender

PUBLIC_URL = "https://comments.news.example"
PASSWORD = "correct horse battery"


@pytest.fixture
def mailbox():
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture
def receiver():
    endpoint = Receiver()
    endpoint.start()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def settings(database_url, mailbox):
    """The API and context of these tests mail the test's SMTP server; the
    tests run the sender themselves (no background worker)."""
    return load_settings(
        database_url=database_url, smtp_host="127.0.0.1", smtp_port=mailbox.port,
        smtp_security="none", mail_from="Comments <comments@news.example>",
        public_url=PUBLIC_URL, outbox_worker=False,
    )  # fmt: skip


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sender(db, settings, clock):
    outbox_sender = OutboxSender(db, settings, clock=clock)
    yield outbox_sender
    outbox_sender.close()


@pytest.fixture
def admin(db, site):
    return create_user(db, "chief", PASSWORD, "admin")


@pytest.fixture
def acting_admin(admin) -> Moderator:
    """The admin as the moderation actions take them."""
    return Moderator(admin.id, admin.username, Role.ADMIN, frozenset())

"""Real receivers for the notification tests: an SMTP server (aiosmtpd) and
an HTTP server for webhooks, both on 127.0.0.1, each able to go down and
come back on the same port; a clock the sender can be moved forward with.

A module of its own (not conftest) so tests import it by a name no other
test folder uses.
"""

import hashlib
import hmac
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
from aiosmtpd.controller import Controller

from serving import free_port


class Mailbox:
    """An SMTP server in the test process that keeps every mail it accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()  # addresses answered with 550
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_SmtpHandler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    def wait_for(self, count: int, seconds: float = 15) -> list[EmailMessage]:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


class _SmtpHandler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.mailbox.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.mailbox.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def link_in(message: EmailMessage, path: str) -> str:
    """The first link to `path` (after the public URL) in the plain text."""
    found = re.search(
        r"https://comments\.news\.example" + re.escape(path) + r"\S+", text_of(message)
    )
    assert found, f"no link to {path} in:\n{text_of(message)}"
    return found.group(0)


def unsubscribe_url(message: EmailMessage) -> str:
    """The one-click link of the List-Unsubscribe header (long ones are folded)."""
    return message["List-Unsubscribe"].strip().strip("<>")


class Receiver:
    """A webhook endpoint: records each request and answers with the statuses
    queued in `answers` (then 200)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[dict] = []
        self.answers: list[int] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/comments"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events(self) -> list[dict]:
        return [orjson.loads(request["body"]) for request in self.requests]


def verify_signature(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does, as docs/NOTIFICATIONS.md shows it."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


class Clock:
    """Real time plus an offset the test moves forward, for retries and digests."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


def admin_client(client, username: str, password: str):
    """Log `client` in to /admin; returns its CSRF token.

    With an https public URL the session cookies are Secure: talk https.
    """
    client.base_url = "https://testserver"
    page = client.get("/admin/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    answer = client.post(
        "/admin/login",
        data={"username": username, "password": password, "login_token": token, "next": "/admin"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get("/admin/queue/held")
    return re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)


def confirmed_reader(ctx, sender, mailbox, email: str, body: str = "First!", **post_args) -> int:
    """A comment by `email`, whose author opted in to reply mails and confirmed."""
    from urllib.parse import parse_qs, urlsplit

    from helpers import post
    from rostra.notify.subscriptions import confirm

    created = post(ctx.db, ctx.hasher, body, email=email, notify_replies=True, **post_args)
    sender.run_once()
    link = link_in(mailbox.to(email)[-1], "/subscriptions/confirm")
    assert confirm(ctx.db, parse_qs(urlsplit(link).query)["token"][0]).state == "confirmed"
    return created.comment.id


def premoderate_everything(db, site) -> None:
    from rostra.store import sites as site_store

    with db.write() as conn:
        moderation = dict(site.settings["moderation"], premoderation="all")
        settings = dict(site.settings, moderation=moderation)
        site_store.update_site(conn, site.id, origins=site.origins, settings=settings)


def post_moderated(ctx, body: str, *, client, **fields):
    """Post through the moderation pipeline, as the API does."""
    from rostra.service.comments import NewComment, create_comment

    new = NewComment(site="news", body=body, thread_key=fields.pop("key", "article-1"), **fields)
    return create_comment(ctx.db, ctx.hasher, new, client, ctx.pipeline)

"""The outbox sender: claims due rows, sends each, and records what happened.

Claiming is a short write transaction that leases rows to this sender (on
PostgreSQL with FOR UPDATE SKIP LOCKED, so senders in other processes and on
other hosts take other rows); the send happens outside any transaction; the
outcome is written in a second transaction, only while the lease is still
ours. A sender that dies mid-send leaves its rows leased: they go again once
the lease runs out. So every message goes out at least once, and twice only
when a crash falls between a receiver accepting it and the outcome being
written.
"""

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from rostra.config import Settings
from rostra.notify.compose import compose
from rostra.notify.deliver import post_event
from rostra.notify.failure import DeliveryFailed
from rostra.notify.mail import Mailer, build_message, message_id
from rostra.ops.metrics import OUTBOX_SENDS
from rostra.store import outbox as outbox_store
from rostra.store import webhooks as webhook_store
from rostra.store.database import Database
from rostra.store.outbox import OutboxRow, Status

log = logging.getLogger("rostra.outbox")

MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(seconds=30)
LEASE = timedelta(minutes=5)
BATCH = 10
KEEP_FINISHED = timedelta(days=30)
HELD_DIGEST_EVERY = timedelta(hours=1)
_PRUNE_EVERY = 3600.0
_MAIL_OFF_CHECK_EVERY = 60.0


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling: the 12th and last try comes about 17 hours on."""
    return FIRST_RETRY * 2 ** (attempts - 1)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Result:
    outcome: str  # sent, retry, dead, skipped, deferred
    values: dict = field(default_factory=dict)
    disable_webhook: int | None = None


class OutboxSender:
    """Sends what is due, one row at a time; safe to run in several processes at once."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = _utcnow,
        http: httpx.Client | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.mailer = Mailer(settings) if settings.smtp_host else None
        self.http = http or httpx.Client(
            timeout=settings.webhook_timeout_seconds, follow_redirects=False
        )
        self.digest_every = timedelta(minutes=settings.reply_digest_minutes)
        self._mail_off_warned = False
        self._mail_off_checked = -_MAIL_OFF_CHECK_EVERY
        self._pruned = -_PRUNE_EVERY

    @property
    def channels(self) -> tuple[str, ...]:
        # Without an SMTP server mails stay pending, untouched, until one is set.
        return ("mail", "webhook") if self.mailer else ("webhook",)

    def close(self) -> None:
        self.http.close()

    def run_once(self, stop: threading.Event | None = None) -> Counter:
        """Send everything due now; returns how many rows ended how."""
        self._housekeeping()
        outcomes: Counter = Counter()
        while not (stop and stop.is_set()):
            rows, lease = self._claim()
            if not rows:
                break
            for row in rows:
                if stop and stop.is_set():
                    break  # the rest of the lease runs out and they go later
                outcomes[self._process(row, lease)] += 1
        return outcomes

    def _claim(self) -> tuple[list[OutboxRow], datetime]:
        now = self.clock()
        with self.db.read() as conn:
            if not outbox_store.any_due(conn, now, self.channels):
                return [], now
        lease = now + LEASE
        with self.db.write() as conn:
            return outbox_store.claim_due(conn, now, lease, self.channels, BATCH), lease

    def _process(self, row: OutboxRow, lease: datetime) -> str:
        try:
            result = self._deliver(row)
        except Exception as exc:  # a bug or a database hiccup: retry like a failed send
            log.exception("outbox row %s (%s %s) failed", row.id, row.channel, row.kind)
            result = self._failed(row, DeliveryFailed(f"{type(exc).__name__}: {exc}"))
        with self.db.write() as conn:
            kept = outbox_store.finish(conn, row.id, lease, **result.values)
            if kept and result.disable_webhook is not None:
                webhook_store.set_active(conn, result.disable_webhook, False)
        if not kept:
            log.info("outbox row %s changed while it was sent; it goes again", row.id)
        OUTBOX_SENDS.labels(row.channel, result.outcome).inc()
        return result.outcome

    def _deliver(self, row: OutboxRow) -> Result:
        if row.channel == "mail":
            return self._deliver_mail(row)
        return self._deliver_webhook(row)

    def _deliver_mail(self, row: OutboxRow) -> Result:
        public_url = self.settings.public_url
        with self.db.read() as conn:
            wait_until = self._digest_wait(conn, row)
            if wait_until is not None:
                return Result("deferred", {"next_attempt_at": wait_until})
            mail = compose(conn, row, public_url)
        if mail is None:
            return Result("skipped", {"status": Status.SKIPPED})
        message = build_message(
            mail, sender=self.settings.mail_from, recipient=row.recipient,
            msgid=message_id(row.id, public_url),
        )  # fmt: skip
        try:
            self.mailer.send(message)
        except DeliveryFailed as failure:
            return self._failed(row, failure)
        return self._sent(row, None)

    def _digest_wait(self, conn, row: OutboxRow) -> datetime | None:
        """A digest goes out at most once per interval (reply mails of one
        thread, held comments for one moderator): what arrives meanwhile
        joins the waiting mail."""
        every = {"reply_digest": self.digest_every, "held_digest": HELD_DIGEST_EVERY}.get(row.kind)
        if not every or row.group_key is None:
            return None
        last = outbox_store.last_sent_at(conn, row.group_key)
        if last is None or last + every <= self.clock():
            return None
        return last + every

    def _deliver_webhook(self, row: OutboxRow) -> Result:
        with self.db.read() as conn:
            hook = webhook_store.webhook_by_id(conn, row.payload["webhook_id"])
        if hook is None or not hook.active:
            return Result("skipped", {"status": Status.SKIPPED})
        try:
            status = post_event(
                self.http, url=row.recipient, secret=hook.secret, event=row.kind,
                delivery_id=row.id, body=row.payload["body"], now=self.clock(),
            )  # fmt: skip
        except DeliveryFailed as failure:
            result = self._failed(row, failure)
            gone = failure.status == 410
            return Result(result.outcome, result.values, hook.id if gone else None)
        return self._sent(row, status)

    def _sent(self, row: OutboxRow, status: int | None) -> Result:
        return Result("sent", dict(
            status=Status.SENT, sent_at=self.clock(), attempts=row.attempts + 1,
            last_status=status, last_error=None,
        ))  # fmt: skip

    def _failed(self, row: OutboxRow, failure: DeliveryFailed) -> Result:
        attempts = row.attempts + 1
        values = dict(attempts=attempts, last_status=failure.status, last_error=str(failure)[:1000])
        if failure.permanent or attempts >= MAX_ATTEMPTS:
            log.warning(
                "outbox row %s (%s to %s) is dead: %s", row.id, row.kind, row.recipient, failure
            )
            return Result("dead", dict(values, status=Status.DEAD))
        return Result("retry", dict(values, next_attempt_at=self.clock() + retry_delay(attempts)))

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if now - self._pruned >= _PRUNE_EVERY:
            self._pruned = now
            with self.db.write() as conn:
                outbox_store.prune(conn, self.clock() - KEEP_FINISHED)
        if self.mailer or self._mail_off_warned:
            return
        if now - self._mail_off_checked < _MAIL_OFF_CHECK_EVERY:
            return
        self._mail_off_checked = now
        with self.db.read() as conn:
            waiting = outbox_store.pending_count(conn, "mail")
        if waiting:
            self._mail_off_warned = True
            log.warning(
                "mail is off (no smtp_host): %d mail(s) wait in the outbox until it is set", waiting
            )


class OutboxWorker:
    """Runs a sender in a daemon thread of the server process until stopped."""

    def __init__(self, sender: OutboxSender, poll_seconds: float) -> None:
        self.sender = sender
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rostra-outbox", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop after the send in progress, if any (its row is then recorded)."""
        self._stop.set()
        self._thread.join(timeout)
        self.sender.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sender.run_once(self._stop)
            except Exception as exc:  # the database may be away; the next poll retries
                log.warning("outbox: %s", exc)
            self._stop.wait(self.poll_seconds)


def start_worker(db: Database, settings: Settings) -> OutboxWorker | None:
    if not settings.outbox_worker:
        return None
    worker = OutboxWorker(OutboxSender(db, settings), settings.outbox_poll_seconds)
    worker.start()
    return worker

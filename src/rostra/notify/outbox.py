"""Putting mails and webhook deliveries in the outbox, in the caller's transaction.

Whatever causes a message writes it in the same transaction, so a message
exists exactly when its cause was committed. Every message has a dedupe key:
a second message with a key already used is dropped, so one event reaches one
recipient once. Messages sharing a group key (the replies in one thread for
one reader, the held comments of a site for one moderator) join the group's
pending message, which goes out as a digest; each keeps its own row, marked
`merged`, so its dedupe key stays taken.
"""

from datetime import UTC, datetime

from sqlalchemy import Connection

from rostra.store import outbox as outbox_store
from rostra.store.outbox import Status

MAIL = "mail"
WEBHOOK = "webhook"


def enqueue_mail(
    conn: Connection,
    *,
    site_id: int | None,
    kind: str,
    recipient: str,
    dedupe_key: str,
    context: dict,
    language: str,
    group_key: str | None = None,
    deliver_after: datetime | None = None,
) -> int | None:
    """Queue a mail; the id of the row that will carry it, or None for a duplicate.

    `context` is what the kind's templates need (ids are looked up again when
    the mail is rendered, just before sending); in a digest, each member's
    context is one entry of the payload's `messages`.
    """
    payload = {"language": language, "messages": [{**context, "key": dedupe_key}]}
    return _enqueue(
        conn, site_id=site_id, channel=MAIL, kind=kind, recipient=recipient,
        dedupe_key=dedupe_key, group_key=group_key, payload=payload, deliver_after=deliver_after,
    )  # fmt: skip


def enqueue_webhook(
    conn: Connection,
    *,
    site_id: int,
    webhook_id: int,
    url: str,
    event: str,
    dedupe_key: str,
    body: dict,
) -> int | None:
    """Queue one delivery of an event to one webhook; None for a duplicate."""
    payload = {"webhook_id": webhook_id, "event": event, "body": body}
    return _enqueue(
        conn, site_id=site_id, channel=WEBHOOK, kind=event, recipient=url,
        dedupe_key=dedupe_key, group_key=None, payload=payload, deliver_after=None,
    )  # fmt: skip


def _enqueue(
    conn: Connection,
    *,
    group_key: str | None,
    payload: dict,
    deliver_after: datetime | None,
    **values,
) -> int | None:
    now = datetime.now(UTC)
    row_id = outbox_store.insert_if_absent(
        conn, dict(
            values, group_key=group_key, payload=payload, status=Status.PENDING, attempts=0,
            next_attempt_at=max(now, deliver_after or now), created_at=now,
        ),
    )  # fmt: skip
    if row_id is None or group_key is None:
        return row_id
    leader = outbox_store.open_leader(conn, group_key, row_id, now)
    if leader is None:
        return row_id
    joined = dict(leader.payload, messages=[*leader.payload["messages"], *payload["messages"]])
    # Clearing the lease makes a sender whose lease ran out (it may be sending
    # the old content right now) unable to mark the row sent: it goes again,
    # with the new member, rather than the new member being lost.
    outbox_store.update(conn, leader.id, payload=joined, locked_until=None)
    outbox_store.update(conn, row_id, status=Status.MERGED, payload=dict(payload, into=leader.id))
    return leader.id

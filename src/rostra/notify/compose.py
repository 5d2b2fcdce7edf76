"""Turning an outbox row into a mail, at send time.

The row holds ids, not text: what goes out is read now, so a reply deleted
or a comment already moderated in the meantime is left out, and a mail with
nothing left in it is not sent at all (None).
"""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection

from rostra.domain.policy import Status
from rostra.notify import signing
from rostra.notify.render import Mail, render_mail
from rostra.store import comments as comment_store
from rostra.store import queues as queue_store
from rostra.store import sites as site_store
from rostra.store import subscriptions as subscription_store
from rostra.store import threads as thread_store
from rostra.store.comments import CommentRecord
from rostra.store.outbox import OutboxRow
from rostra.store.queues import QueueRow
from rostra.store.threads import ThreadRow

EXCERPT_CHARS = 280


def compose(conn: Connection, row: OutboxRow, public_url: str) -> Mail | None:
    site = site_store.site_by_id(conn, row.site_id) if row.site_id is not None else None
    messages = row.payload["messages"]
    values = _BUILDERS[row.kind](conn, messages, public_url.rstrip("/"))
    if values is None:
        return None
    values.setdefault("site", site.name if site else "Rostra")
    return render_mail(row.kind, row.payload.get("language"), values)


def excerpt(source: str) -> str:
    flat = " ".join(source.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"


def _thread_title(thread: ThreadRow) -> str:
    return thread.title or thread.url or thread.key


def _link(thread: ThreadRow, comment_id: int) -> str | None:
    return f"{thread.url}#comment-{comment_id}" if thread.url else None


def _shown(comment: CommentRecord | None) -> bool:
    return (
        comment is not None
        and comment.status == Status.PUBLISHED
        and comment.visible
        and not comment.shadowed
    )


def _replies(conn: Connection, messages: list[dict], base: str) -> dict | None:
    first = messages[0]
    subscription = subscription_store.subscription_by_id(conn, first["subscription_id"])
    thread = thread_store.thread_by_id(conn, first["thread_id"])
    if subscription is None or not subscription.active or thread is None:
        return None
    ids = list(dict.fromkeys(message["reply_id"] for message in messages))
    replies = [comment_store.comment_by_id(conn, reply_id) for reply_id in ids]
    shown = [reply for reply in replies if _shown(reply)]
    parents = {
        reply.parent_id: comment_store.comment_by_id(conn, reply.parent_id) for reply in shown
    }
    # Replies to a comment its author has since deleted are no longer news to them.
    shown = [reply for reply in shown if _shown(parents[reply.parent_id])]
    if not shown:
        return None
    token = signing.unsubscribe_token(signing.link_key(conn), subscription.id, subscription.email)
    return {
        "thread_title": _thread_title(thread),
        "thread_url": thread.url,
        "replies": [
            {
                "author": reply.author_name or "",
                "text": reply.body_source,
                "html": reply.body_html,
                "link": _link(thread, reply.id),
                "parent_excerpt": excerpt(parents[reply.parent_id].body_source),
            }
            for reply in shown
        ],
        "unsubscribe": f"{base}/unsubscribe?token={token}",
    }


def _confirm(conn: Connection, messages: list[dict], base: str) -> dict | None:
    subscription = subscription_store.subscription_by_id(conn, messages[0]["subscription_id"])
    if subscription is None or subscription.active:
        return None
    token = signing.confirm_token(
        signing.link_key(conn), subscription.id, subscription.email, datetime.now(UTC)
    )
    return {"link": f"{base}/subscriptions/confirm?token={token}"}


def _held_item(row: QueueRow, base: str) -> dict:
    return {
        "author": row.author_name or "",
        "excerpt": excerpt(row.body_source),
        "thread_title": row.thread_title or row.thread_url or row.thread_key,
        "reasons": [reason["message"] for reason in (row.moderation or {}).get("reasons", [])],
        "link": f"{base}/admin/comments/{row.id}",
    }


def _still_held(conn: Connection, messages: list[dict], base: str) -> list[dict]:
    ids = list(dict.fromkeys(message["comment_id"] for message in messages))
    rows = queue_store.queue_rows(conn, ids)
    held = [rows[i] for i in ids if i in rows and rows[i].status == Status.PENDING]
    return [_held_item(row, base) for row in held]


def _held(conn: Connection, messages: list[dict], base: str) -> dict | None:
    held = _still_held(conn, messages, base)
    return {"comment": held[0], "queue": f"{base}/admin/queue/held"} if held else None


def _held_digest(conn: Connection, messages: list[dict], base: str) -> dict | None:
    held = _still_held(conn, messages, base)
    return {"comments": held, "queue": f"{base}/admin/queue/held"} if held else None


def _as_given(conn: Connection, messages: list[dict], base: str) -> dict:
    """Mails whose sender wrote the whole context (sign-in and privacy links)."""
    return {key: value for key, value in messages[0].items() if key != "key"}


_BUILDERS: dict[str, Callable[[Connection, list[dict], str], dict | None]] = {
    "reply_digest": _replies,
    "confirm_subscription": _confirm,
    "held": _held,
    "held_digest": _held_digest,
    "signin": _as_given,
    "privacy": _as_given,
}

"""What a change to a comment sends: webhook deliveries, reply mails to
subscribed readers, and held-comment mails to moderators.

Called inside the transaction that makes the change, so the messages are
queued exactly when the change is committed (the worker sends them later).
Comments of shadow-banned authors send nothing: no one but their author sees
them.
"""

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from rostra.domain.policy import Status
from rostra.errors import InvalidInput
from rostra.notify import moderators
from rostra.notify.outbox import enqueue_mail, enqueue_webhook
from rostra.notify.subscriptions import request_subscription
from rostra.notify.webhooks import event_body
from rostra.service.sites import site_language
from rostra.store import comments as comment_store
from rostra.store import sites as site_store
from rostra.store import subscriptions as subscription_store
from rostra.store import threads as thread_store
from rostra.store import webhooks as webhook_store
from rostra.store.comments import CommentRecord

CREATED = "comment.created"
EDITED = "comment.edited"
DELETED = "comment.deleted"
HELD = "comment.held"
APPROVED = "comment.approved"
REJECTED = "comment.rejected"

_ON_CREATE = {Status.PUBLISHED: CREATED, Status.PENDING: HELD, Status.REJECTED: REJECTED}
_ON_CHANGE = {Status.PUBLISHED: APPROVED, Status.PENDING: HELD, Status.REJECTED: REJECTED,
              Status.DELETED: DELETED}  # fmt: skip


def comment_created(
    conn: Connection, comment: CommentRecord, now: datetime, *, subscribe: bool = False
) -> None:
    """A new comment: announce it as created, held or rejected; and when its
    author asked for reply mails, start the double opt-in."""
    if subscribe and not comment.author_email:
        raise InvalidInput("notify_needs_email", "Give your email address to be mailed replies.")
    if subscribe and comment.status != Status.REJECTED:
        site = site_store.site_by_id(conn, comment.site_id)
        request_subscription(conn, site, comment.author_email, now)
    comment_event(conn, _ON_CREATE[comment.status], comment, now)


def status_changed(
    conn: Connection,
    before: CommentRecord,
    status: str,
    visible: bool,
    shadowed: bool,
    *,
    mail_moderators: bool = True,
) -> None:
    """A moderator (or the author, deleting) changed a comment's status."""
    if status != before.status and status in _ON_CHANGE:
        after = replace(before, status=status, visible=visible, shadowed=shadowed)
        comment_event(
            conn, _ON_CHANGE[status], after, datetime.now(UTC), mail_moderators=mail_moderators
        )


def comment_event(
    conn: Connection,
    event: str,
    comment: CommentRecord,
    now: datetime | None = None,
    *,
    mail_moderators: bool = True,
) -> None:
    """Queue everything `event` on `comment` sends, in the caller's transaction.

    `mail_moderators=False` for holds in bulk (a sweep): one mail per comment
    would bury the moderators who asked for them.
    """
    if comment.shadowed:
        return
    if event == EDITED and comment.status not in (Status.PUBLISHED, Status.PENDING):
        return
    now = now or datetime.now(UTC)
    _webhooks(conn, event, comment, now)
    if event == HELD and mail_moderators:
        site = site_store.site_by_id(conn, comment.site_id)
        moderators.mail_held(conn, comment, site_language(site), now)
    if event in (CREATED, APPROVED) and comment.visible:
        _mail_reply(conn, comment)


def _webhooks(conn: Connection, event: str, comment: CommentRecord, now: datetime) -> None:
    hooks = [
        hook
        for hook in webhook_store.webhooks_of(conn, comment.site_id, active_only=True)
        if event in hook.events
    ]
    if not hooks:
        return
    site = site_store.site_by_id(conn, comment.site_id)
    thread = thread_store.thread_by_id(conn, comment.thread_id)
    stamp = int(now.timestamp() * 1_000_000)
    event_id = f"{comment.id}.{event.removeprefix('comment.')}.{stamp}"
    body = event_body(event, event_id, now, site, thread, comment)
    for hook in hooks:
        enqueue_webhook(
            conn, site_id=comment.site_id, webhook_id=hook.id, url=hook.url, event=event,
            dedupe_key=f"webhook:{hook.id}:{event_id}", body=body,
        )  # fmt: skip


def _mail_reply(conn: Connection, reply: CommentRecord) -> None:
    """Mail the author of the comment replied to, if they subscribed and
    confirmed; replies in one thread are gathered into digests."""
    if reply.parent_id is None:
        return
    parent = comment_store.comment_by_id(conn, reply.parent_id)
    if parent is None or parent.status != Status.PUBLISHED or not parent.author_email:
        return
    email = parent.author_email.lower()
    if (reply.author_email or "").lower() == email:
        return  # answering oneself
    subscription = subscription_store.subscription_for(conn, reply.site_id, email)
    if subscription is None or not subscription.active:
        return
    enqueue_mail(
        conn, site_id=reply.site_id, kind="reply_digest", recipient=subscription.email,
        dedupe_key=f"reply:{subscription.id}:{reply.id}",
        context={"subscription_id": subscription.id, "thread_id": reply.thread_id,
                 "reply_id": reply.id},
        language=subscription.language, group_key=f"reply:{subscription.id}:{reply.thread_id}",
    )  # fmt: skip

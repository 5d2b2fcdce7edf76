"""A site's webhooks: adding and removing them, their delivery log, and the
JSON body each comment event is posted with."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import Connection

from rostra.errors import InvalidInput, NotFound
from rostra.store import outbox as outbox_store
from rostra.store import webhooks as webhook_store
from rostra.store.comments import CommentRecord
from rostra.store.database import Database
from rostra.store.outbox import OutboxRow
from rostra.store.sites import SiteRow
from rostra.store.threads import ThreadRow
from rostra.store.webhooks import WebhookRow

EVENTS = (
    "comment.created",
    "comment.edited",
    "comment.deleted",
    "comment.held",
    "comment.approved",
    "comment.rejected",
)
MAX_WEBHOOKS = 20


@dataclass(frozen=True)
class NewWebhook:
    webhook: WebhookRow
    secret: str  # shown once, when the webhook is added


def clean_url(url: str) -> str:
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(cleaned) > 2048:
        raise InvalidInput("invalid_url", "A webhook URL is an http:// or https:// address.")
    if parts.username or parts.password:
        raise InvalidInput("invalid_url", "Put no user name or password in the webhook URL.")
    return cleaned


def clean_events(events: list[str]) -> list[str]:
    chosen = [event for event in EVENTS if event in set(events)]
    unknown = set(events) - set(EVENTS)
    if unknown:
        raise InvalidInput("invalid_event", f"Unknown event: {sorted(unknown)[0]}.")
    if not chosen:
        raise InvalidInput("no_events", "Choose at least one event to send.")
    return chosen


def add_webhook(conn: Connection, site_id: int, url: str, events: list[str]) -> NewWebhook:
    url, events = clean_url(url), clean_events(events)
    if len(webhook_store.webhooks_of(conn, site_id)) >= MAX_WEBHOOKS:
        raise InvalidInput("too_many_webhooks", f"A site has at most {MAX_WEBHOOKS} webhooks.")
    secret = "whsec_" + secrets.token_urlsafe(32)
    webhook_id = webhook_store.insert_webhook(
        conn, site_id=site_id, url=url, secret=secret, events=events, active=True,
        created_at=datetime.now(UTC),
    )  # fmt: skip
    return NewWebhook(webhook_store.webhook_by_id(conn, webhook_id), secret)


def remove_webhook(conn: Connection, site_id: int, webhook_id: int) -> WebhookRow:
    """Remove a webhook; deliveries still waiting for it are dropped when their turn comes."""
    found = webhook_store.webhook_by_id(conn, webhook_id)
    if found is None or found.site_id != site_id:
        raise NotFound("unknown_webhook", f"Webhook {webhook_id} does not exist on this site.")
    webhook_store.delete_webhook(conn, webhook_id)
    return found


def delivery_log(db: Database, site_id: int, limit: int = 50) -> list[OutboxRow]:
    with db.read() as conn:
        return outbox_store.recent(conn, site_id=site_id, channel="webhook", limit=limit)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_body(
    event: str,
    event_id: str,
    now: datetime,
    site: SiteRow,
    thread: ThreadRow,
    comment: CommentRecord,
) -> dict:
    """What a webhook receives. Never the author's email or address: sites get
    what readers see, plus the status and the Markdown source."""
    # A comment its author deleted is announced without its text.
    body = {"html": comment.body_html, "source": comment.body_source}
    return {
        "event": event,
        "id": event_id,
        "created": _iso(now),
        "site": site.name,
        "comment": {
            "id": comment.id,
            "thread": {"key": thread.key, "url": thread.url, "title": thread.title},
            "parent": comment.parent_id,
            "author": {"name": comment.author_name},
            "body": None if event == "comment.deleted" else body,
            "status": comment.status,
            "created": _iso(comment.created_at),
            "edited": _iso(comment.edited_at),
        },
    }

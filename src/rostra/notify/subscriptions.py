"""Reply mails by double opt-in: asking, confirming and one-click unsubscribing.

A subscription is per site and address: once confirmed, replies to any of
that address's comments on the site are mailed, until the reader
unsubscribes with the link every reply mail carries.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from rostra.notify import signing
from rostra.notify.outbox import enqueue_mail
from rostra.service.sites import site_language
from rostra.store import sites as site_store
from rostra.store import subscriptions as subscription_store
from rostra.store.database import Database
from rostra.store.dialect import insert_ignoring_conflicts
from rostra.store.schema import subscriptions
from rostra.store.sites import SiteRow
from rostra.store.subscriptions import SubscriptionRow

# One confirmation mail a day per address and site, however often the
# reader (or someone typing their address) asks.
CONFIRM_EVERY = timedelta(days=1)


def request_subscription(conn: Connection, site: SiteRow, email: str, now: datetime) -> None:
    """Start (or restart) a subscription and mail the confirmation link."""
    email = email.lower()
    language = site_language(site)
    conn.execute(
        insert_ignoring_conflicts(
            conn, subscriptions,
            dict(site_id=site.id, email=email, language=language, created_at=now),
            ["site_id", "email"],
        )
    )  # fmt: skip
    found = subscription_store.subscription_for(conn, site.id, email)
    if found.active:
        return
    if found.confirm_sent_at is not None and now - found.confirm_sent_at < CONFIRM_EVERY:
        return
    subscription_store.update_subscription(conn, found.id, confirm_sent_at=now, language=language)
    enqueue_mail(
        conn, site_id=site.id, kind="confirm_subscription", recipient=email,
        dedupe_key=f"confirm:{found.id}:{int(now.timestamp())}",
        context={"subscription_id": found.id}, language=language,
    )  # fmt: skip


@dataclass(frozen=True)
class LinkOutcome:
    """What a confirm or unsubscribe link led to, for the page that answers it."""

    state: str  # confirmed, unsubscribe (asks for the click), unsubscribed, invalid
    language: str = "en"
    site: str = ""


def _subscription(conn: Connection, token: str) -> SubscriptionRow | None:
    subscription_id = signing.token_subscription(token or "")
    if subscription_id is None:
        return None
    return subscription_store.subscription_by_id(conn, subscription_id)


def _unsubscribing(conn: Connection, token: str) -> SubscriptionRow | None:
    """The subscription an unsubscribe link names, if the link is genuine."""
    found = _subscription(conn, token)
    if found is None or not signing.unsubscribe_matches(signing.link_key(conn), token, found.email):
        return None
    return found


def _outcome(conn: Connection, state: str, found: SubscriptionRow) -> LinkOutcome:
    site = site_store.site_by_id(conn, found.site_id)
    return LinkOutcome(state, found.language, site.name if site else "")


def confirm(db: Database, token: str) -> LinkOutcome:
    now = datetime.now(UTC)
    with db.write() as conn:
        found = _subscription(conn, token)
        key = signing.link_key(conn)
        if found is None or not signing.confirm_matches(key, token, found.email, now):
            return LinkOutcome("invalid")
        if not found.active:
            subscription_store.update_subscription(
                conn, found.id, confirmed_at=now, unsubscribed_at=None
            )
        return _outcome(conn, "confirmed", found)


def check_unsubscribe(db: Database, token: str) -> LinkOutcome:
    """For the page behind the link: ask for the click, or say it is done."""
    with db.read() as conn:
        found = _unsubscribing(conn, token)
        if found is None:
            return LinkOutcome("invalid")
        return _outcome(conn, "unsubscribe" if found.active else "unsubscribed", found)


def unsubscribe(db: Database, token: str) -> LinkOutcome:
    with db.write() as conn:
        found = _unsubscribing(conn, token)
        if found is None:
            return LinkOutcome("invalid")
        if found.unsubscribed_at is None:
            subscription_store.update_subscription(
                conn, found.id, unsubscribed_at=datetime.now(UTC)
            )
        return _outcome(conn, "unsubscribed", found)

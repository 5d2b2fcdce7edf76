"""Queries on reply subscriptions: readers who asked to be mailed replies."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from rostra.store.schema import subscriptions


@dataclass(frozen=True)
class SubscriptionRow:
    id: int
    site_id: int
    email: str
    language: str
    created_at: datetime
    confirm_sent_at: datetime | None
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None

    @property
    def active(self) -> bool:
        """Confirmed (double opt-in) and not withdrawn since."""
        return self.confirmed_at is not None and self.unsubscribed_at is None


_COLUMNS = [getattr(subscriptions.c, name) for name in SubscriptionRow.__dataclass_fields__]
# Read on every new reply: built once (see store/comments).
_FOR_ADDRESS = select(*_COLUMNS).where(
    subscriptions.c.site_id == bindparam("sid"), subscriptions.c.email == bindparam("email")
)


def insert_subscription(conn: Connection, **values) -> int:
    return conn.execute(subscriptions.insert().values(**values)).inserted_primary_key[0]


def subscription_for(conn: Connection, site_id: int, email: str) -> SubscriptionRow | None:
    row = conn.execute(_FOR_ADDRESS, {"sid": site_id, "email": email}).first()
    return SubscriptionRow(*row) if row else None


def subscription_by_id(conn: Connection, subscription_id: int) -> SubscriptionRow | None:
    row = conn.execute(select(*_COLUMNS).where(subscriptions.c.id == subscription_id)).first()
    return SubscriptionRow(*row) if row else None


def update_subscription(conn: Connection, subscription_id: int, **values) -> None:
    conn.execute(
        subscriptions.update().where(subscriptions.c.id == subscription_id).values(**values)
    )

"""Queries on webhooks: where a site's comment events are posted."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from rostra.store.schema import webhooks


@dataclass(frozen=True)
class WebhookRow:
    id: int
    site_id: int
    url: str
    secret: str
    events: list[str]
    active: bool
    created_at: datetime


_COLUMNS = [getattr(webhooks.c, name) for name in WebhookRow.__dataclass_fields__]
# Read on every new comment: built once (see store/comments).
_ALL_OF = select(*_COLUMNS).where(webhooks.c.site_id == bindparam("sid")).order_by(webhooks.c.id)
_ACTIVE_OF = _ALL_OF.where(webhooks.c.active.is_(True))


def _row(row) -> WebhookRow:
    return WebhookRow(*row[:4], list(row.events), *row[5:])


def insert_webhook(conn: Connection, **values) -> int:
    return conn.execute(webhooks.insert().values(**values)).inserted_primary_key[0]


def webhook_by_id(conn: Connection, webhook_id: int) -> WebhookRow | None:
    row = conn.execute(select(*_COLUMNS).where(webhooks.c.id == webhook_id)).first()
    return _row(row) if row else None


def webhooks_of(conn: Connection, site_id: int, *, active_only: bool = False) -> list[WebhookRow]:
    query = _ACTIVE_OF if active_only else _ALL_OF
    return [_row(row) for row in conn.execute(query, {"sid": site_id})]


def set_active(conn: Connection, webhook_id: int, active: bool) -> None:
    conn.execute(webhooks.update().where(webhooks.c.id == webhook_id).values(active=active))


def delete_webhook(conn: Connection, webhook_id: int) -> None:
    conn.execute(webhooks.delete().where(webhooks.c.id == webhook_id))

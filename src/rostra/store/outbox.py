"""Queries on the outbox: mails and webhook deliveries waiting to go out."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, or_, select

from rostra.store.dialect import below_newest, insert_ignoring_conflicts
from rostra.store.schema import outbox


class Status:
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"  # gave up after the last retry, or refused for good
    SKIPPED = "skipped"  # nothing left to send when its time came
    MERGED = "merged"  # went out inside another message of its group (a digest)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    site_id: int | None
    channel: str
    kind: str
    dedupe_key: str
    group_key: str | None
    recipient: str
    payload: dict
    status: str
    attempts: int
    next_attempt_at: datetime
    locked_until: datetime | None
    created_at: datetime
    sent_at: datetime | None
    last_status: int | None
    last_error: str | None


_COLUMNS = [getattr(outbox.c, name) for name in OutboxRow.__dataclass_fields__]


def _due(now: datetime, channels: Collection[str]):
    return (
        outbox.c.status == Status.PENDING,
        outbox.c.next_attempt_at <= now,
        or_(outbox.c.locked_until.is_(None), outbox.c.locked_until < now),
        outbox.c.channel.in_(channels),
    )


def insert_if_absent(conn: Connection, values: dict) -> int | None:
    """Insert a row unless its dedupe key is taken; the new id, or None."""
    statement = insert_ignoring_conflicts(conn, outbox, values, ["dedupe_key"])
    return conn.execute(statement.returning(outbox.c.id)).scalar()


def open_leader(
    conn: Connection, group_key: str, other_than: int, now: datetime
) -> OutboxRow | None:
    """The pending message of a group that new members can still join, locked.

    A row leased by a sender is left alone: what it sends is already read.
    """
    query = (
        select(*_COLUMNS)
        .where(
            outbox.c.group_key == group_key,
            outbox.c.status == Status.PENDING,
            outbox.c.id != other_than,
            or_(outbox.c.locked_until.is_(None), outbox.c.locked_until < now),
        )
        .order_by(outbox.c.id)
        .limit(1)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return OutboxRow(*row) if row else None


def last_sent_at(conn: Connection, group_key: str) -> datetime | None:
    return conn.execute(
        select(func.max(outbox.c.sent_at)).where(
            outbox.c.group_key == group_key, outbox.c.status == Status.SENT
        )
    ).scalar()


def update(conn: Connection, row_id: int, **values) -> None:
    conn.execute(outbox.update().where(outbox.c.id == row_id).values(**values))


def any_due(conn: Connection, now: datetime, channels: Collection[str]) -> bool:
    """A cheap read first, so idle pollers never take the write lock."""
    query = select(outbox.c.id).where(*_due(now, channels)).limit(1)
    return conn.execute(query).first() is not None


def claim_due(
    conn: Connection, now: datetime, lease: datetime, channels: Collection[str], limit: int
) -> list[OutboxRow]:
    """Lease due rows to this sender until `lease`; other senders skip them.

    On PostgreSQL, rows another sender is claiming at this moment are skipped
    (SKIP LOCKED); SQLite lets one writer in at a time anyway.
    """
    query = (
        select(outbox.c.id)
        .where(*_due(now, channels))
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = [row.id for row in conn.execute(query)]
    if not ids:
        return []
    conn.execute(outbox.update().where(outbox.c.id.in_(ids)).values(locked_until=lease))
    rows = conn.execute(select(*_COLUMNS).where(outbox.c.id.in_(ids)).order_by(outbox.c.id))
    return [OutboxRow(*row) for row in rows]


def finish(conn: Connection, row_id: int, lease: datetime, **values) -> bool:
    """Record the outcome of a send, if the lease is still ours.

    A lease that ran out (a send slower than the lease, or a digest that took
    a new member meanwhile) belongs to no one: the row stays due and goes
    again, which is the at-least-once promise.
    """
    result = conn.execute(
        outbox.update()
        .where(outbox.c.id == row_id, outbox.c.locked_until == lease)
        .values(locked_until=None, **values)
    )
    return result.rowcount == 1


def pending_count(conn: Connection, channel: str) -> int:
    return conn.execute(
        select(func.count()).where(outbox.c.channel == channel, outbox.c.status == Status.PENDING)
    ).scalar_one()


def recent(
    conn: Connection,
    *,
    site_id: int | None = None,
    channel: str | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[OutboxRow]:
    query = select(*_COLUMNS)
    if site_id is not None:
        query = query.where(outbox.c.site_id == site_id)
    if channel is not None:
        query = query.where(outbox.c.channel == channel)
    if status is not None:
        query = query.where(outbox.c.status == status)
    query = query.order_by(outbox.c.id.desc()).limit(limit)
    return [OutboxRow(*row) for row in conn.execute(query)]


def row_by_id(conn: Connection, row_id: int) -> OutboxRow | None:
    row = conn.execute(select(*_COLUMNS).where(outbox.c.id == row_id)).first()
    return OutboxRow(*row) if row else None


def prune(conn: Connection, before: datetime) -> int:
    """Forget finished rows created before `before`; pending rows always stay, and
    so does the newest (see `below_newest`): a row's id is its webhook delivery
    id, which receivers use to recognise a delivery they already have."""
    finished = (Status.SENT, Status.SKIPPED, Status.MERGED, Status.DEAD)
    stale = outbox.delete().where(
        outbox.c.status.in_(finished), outbox.c.created_at < before, below_newest(outbox)
    )
    return conn.execute(stale).rowcount

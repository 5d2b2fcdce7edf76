"""The event log behind live updates."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Text, bindparam, cast, func, or_, select

from rostra.store.dialect import below_newest
from rostra.store.schema import events

CHANNEL = "rostra_events"


@dataclass(frozen=True)
class EventRow:
    id: int
    thread_id: int
    kind: str
    data: str  # the payload as JSON text: streams send it as it is stored


# Read as text: decoding each payload only to encode it again for every
# stream cost more than the rest of the fan-out.
_COLUMNS = (events.c.id, events.c.thread_id, events.c.kind, cast(events.c.payload, Text))
_INSERT = events.insert()
_VALUES = ("thread_id", "kind", "comment_id", "payload", "created_at")
# On PostgreSQL the new event's id goes to every listening process in the
# same statement as the insert: one round trip per event, not two.
_ADDED = (
    events.insert()
    .values({name: bindparam(name) for name in _VALUES})
    .returning(events.c.id)
    .cte("added")
)
_INSERT_AND_NOTIFY = select(_ADDED.c.id, func.pg_notify(CHANNEL, cast(_ADDED.c.id, Text)))
_AFTER = (
    select(*_COLUMNS)
    .where(
        or_(events.c.id > bindparam("after"), events.c.id.in_(bindparam("also", expanding=True)))
    )
    .order_by(events.c.id)
    .limit(bindparam("limit"))
)
_THREAD_AFTER = (
    select(*_COLUMNS)
    .where(events.c.thread_id == bindparam("tid"), events.c.id > bindparam("after"))
    .order_by(events.c.id)
    .limit(bindparam("limit"))
)


def append(
    conn: Connection,
    thread_id: int,
    kind: str,
    comment_id: int | None,
    payload: dict,
    now: datetime,
) -> int:
    """Record an event in the transaction of the change itself, so it is seen
    exactly when the change is; on PostgreSQL, wake every listening process."""
    values = {
        "thread_id": thread_id,
        "kind": kind,
        "comment_id": comment_id,
        "payload": payload,
        "created_at": now,
    }
    if conn.dialect.name == "postgresql":
        return conn.execute(_INSERT_AND_NOTIFY, values).scalar_one()
    return conn.execute(_INSERT, values).inserted_primary_key[0]


def after(
    conn: Connection, event_id: int, also: Iterable[int] = (), limit: int = 1000
) -> list[EventRow]:
    """Events newer than `event_id`, and those of the older ids `also` that exist now."""
    params = {"after": event_id, "also": list(also), "limit": limit}
    return [EventRow(*row) for row in conn.execute(_AFTER, params)]


def for_thread_after(
    conn: Connection, thread_id: int, event_id: int, limit: int = 1000
) -> list[EventRow]:
    rows = conn.execute(_THREAD_AFTER, {"tid": thread_id, "after": event_id, "limit": limit})
    return [EventRow(*row) for row in rows]


def latest_id(conn: Connection) -> int:
    return conn.execute(select(events.c.id).order_by(events.c.id.desc()).limit(1)).scalar() or 0


def prune(conn: Connection, before: datetime) -> int:
    """Forget events older than `before`, except the newest (see `below_newest`):
    brokers and reconnecting readers would skip events under reused ids."""
    stale = events.delete().where(events.c.created_at < before, below_newest(events))
    return conn.execute(stale).rowcount

"""The broker reads each event once, including one whose id is older than
events already read because its transaction committed later."""

import json
from datetime import UTC, datetime, timedelta

from helpers import idle_broker
from rostra.live.broker import Broker
from rostra.store import events as event_store
from rostra.store import threads as thread_store
from rostra.store.schema import events


def _commit_events(db, thread_id: int, *ids: int) -> None:
    """Events under chosen ids, as if their transactions took the ids earlier."""
    now = datetime.now(UTC)
    with db.write() as conn:
        for event_id in ids:
            conn.execute(
                events.insert().values(
                    id=event_id, thread_id=thread_id, kind="comment",
                    payload={"id": event_id, "name": "Zoë 🌍"}, created_at=now,
                )
            )  # fmt: skip


def _thread(db, site) -> int:
    with db.write() as conn:
        return thread_store.ensure_thread(conn, site.id, "story", None, None, datetime.now(UTC)).id


def _read_ids(broker: Broker) -> list[int]:
    return [row.id for row in broker._read_new()]


def test_a_late_commit_with_an_older_id_is_read_once(db, site):
    thread_id = _thread(db, site)
    broker = idle_broker(db)
    _commit_events(db, thread_id, 1, 3)
    assert _read_ids(broker) == [1, 3]
    _commit_events(db, thread_id, 2)  # took its id before 3, committed after
    assert _read_ids(broker) == [2]
    assert _read_ids(broker) == []
    _commit_events(db, thread_id, 4)
    assert _read_ids(broker) == [4]


def test_events_are_read_as_compact_json_text(db, site):
    thread_id = _thread(db, site)
    broker = idle_broker(db)
    _commit_events(db, thread_id, 7)
    (row,) = broker._read_new()
    assert "\n" not in row.data and ", " not in row.data
    assert json.loads(row.data) == {"id": 7, "name": "Zoë 🌍"}


def test_ids_skipped_long_ago_are_no_longer_looked_for(db, site):
    thread_id = _thread(db, site)
    broker = idle_broker(db)
    _commit_events(db, thread_id, 1, 1_000_000)
    assert _read_ids(broker) == [1, 1_000_000]
    # Only the last few hundred skipped ids are waited for, not a million.
    _commit_events(db, thread_id, 999_990, 500)
    assert _read_ids(broker) == [999_990]


def test_after_a_quiet_spell_pruned_events_leave_no_id_to_reuse(db, site):
    """Every old event pruned, a new comment's event must still be new to the broker."""
    thread_id = _thread(db, site)
    broker = idle_broker(db)
    long_ago = datetime.now(UTC) - timedelta(days=30)
    with db.write() as conn:
        for n in range(3):
            event_store.append(conn, thread_id, "comment", None, {"n": n}, long_ago)
    assert len(broker._read_new()) == 3
    with db.write() as conn:
        event_store.prune(conn, datetime.now(UTC) - timedelta(hours=1))
    with db.write() as conn:
        event_store.append(conn, thread_id, "comment", None, {"n": 3}, datetime.now(UTC))
    assert [json.loads(row.data) for row in broker._read_new()] == [{"n": 3}]

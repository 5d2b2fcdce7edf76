"""The change feed wakes each process soon after a commit, and a burst of
commits costs each process a few reads, not one read per commit."""

import asyncio
import threading
import time
from datetime import UTC, datetime

from rostra.live.changes import change_feed
from rostra.store import events as event_store
from rostra.store import threads as thread_store
from rostra.store.commits import commit_counter

BURST = 60
WATCH_SECONDS = 1.0


def _post_burst(db, thread_id: int, done: threading.Event) -> None:
    """One committed event every 5 ms or so, each in its own transaction."""
    for n in range(BURST):
        with db.write() as conn:
            event_store.append(conn, thread_id, "comment", None, {"n": n}, datetime.now(UTC))
        time.sleep(0.005)
    done.set()


async def _ticks_during_burst(database_url: str, db, thread_id: int) -> tuple[int, bool]:
    """Ticks seen while the burst runs and shortly after; whether one came after its end."""
    counter = commit_counter(database_url)
    feed = change_feed(database_url, counter)
    try:
        await asyncio.wait_for(anext(feed), 5)  # the first tick: catching up
        done = threading.Event()
        writer = threading.Thread(target=_post_burst, args=(db, thread_id, done))
        writer.start()
        ticks, after_end = 0, False
        deadline = time.monotonic() + WATCH_SECONDS
        while time.monotonic() < deadline:
            try:
                await asyncio.wait_for(anext(feed), deadline - time.monotonic())
            except TimeoutError:
                break
            ticks += 1
            after_end = after_end or done.is_set()
        writer.join()
        return ticks, after_end
    finally:
        await feed.aclose()
        if counter is not None:
            counter.close()


def test_a_burst_of_commits_is_gathered_into_few_reads(database_url, db, site):
    with db.write() as conn:
        thread_id = thread_store.ensure_thread(
            conn, site.id, "busy-story", None, None, datetime.now(UTC)
        ).id
    ticks, after_end = asyncio.run(_ticks_during_burst(database_url, db, thread_id))
    # The burst takes about half a second: one tick per commit would be 60.
    assert 1 <= ticks <= 25, ticks
    # The last commits of the burst are noticed too, not left for the safety poll.
    assert after_end

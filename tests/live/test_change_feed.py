"""The change feed wakes each process soon after a commit, and a burst of
commits costs each process a few reads, not one read per commit."""

import asyncio
import threading
import time
from datetime import UTC, datetime

from helpers import run_async
from rostra.live.changes import change_feed
from rostra.store import events as event_store
from rostra.store import threads as thread_store
from rostra.store.commits import commit_counter

BURST = 60
WATCH_SECONDS = 1.0


def _post_burst(db, thread_id: int, committed: list[float]) -> None:
    """One committed event every 5 ms or so, each in its own transaction."""
    for n in range(BURST):
        # Noted before the commit: the feed may see it before this thread returns.
        committed.append(time.monotonic())
        with db.write() as conn:
            event_store.append(conn, thread_id, "comment", None, {"n": n}, datetime.now(UTC))
        time.sleep(0.005)


async def _ticks_during_burst(database_url: str, db, thread_id: int) -> tuple[list[float], float]:
    """When the feed ticked while the burst ran and shortly after; when its last commit began."""
    counter = commit_counter(database_url)
    feed = change_feed(database_url, counter)
    try:
        await asyncio.wait_for(anext(feed), 5)  # the first tick: catching up
        committed: list[float] = []
        writer = threading.Thread(target=_post_burst, args=(db, thread_id, committed))
        writer.start()
        ticks: list[float] = []
        deadline = time.monotonic() + WATCH_SECONDS
        while time.monotonic() < deadline:
            try:
                await asyncio.wait_for(anext(feed), deadline - time.monotonic())
            except TimeoutError:
                break
            ticks.append(time.monotonic())
        writer.join()
        return ticks, committed[-1]
    finally:
        await feed.aclose()
        if counter is not None:
            counter.close()


def test_a_burst_of_commits_is_gathered_into_few_reads(database_url, db, site):
    with db.write() as conn:
        thread_id = thread_store.ensure_thread(
            conn, site.id, "busy-story", None, None, datetime.now(UTC)
        ).id
    ticks, last_commit = run_async(_ticks_during_burst(database_url, db, thread_id))
    # The burst takes about half a second: one tick per commit would be 60.
    assert 1 <= len(ticks) <= 25, len(ticks)
    # The last commit of the burst is noticed too, not left for the safety poll.
    assert ticks[-1] >= last_commit

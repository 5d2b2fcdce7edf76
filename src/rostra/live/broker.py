"""Fan-out of events to the open streams of this process.

One task per process follows the change feed and reads new events once for
all its streams; each stream has a bounded queue, and a stream whose reader
is too slow to keep up is dropped (it reconnects and resumes from the
database) instead of growing memory.
"""

import asyncio
import logging
import signal
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from starlette.concurrency import run_in_threadpool

from rostra.store import events as event_store
from rostra.store.database import Database
from rostra.store.events import EventRow

log = logging.getLogger("rostra.live")

QUEUE_LIMIT = 64
# Ids are allocated before commit, so a later id can become visible first.
# The ids skipped below the newest one seen are read again until they appear,
# for as long as they stay within this distance of the newest.
_LATE_WINDOW = 200
_PRUNE_EVERY = timedelta(minutes=10)


@dataclass(eq=False)
class Stream:
    thread_id: int
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    dropped: bool = False


class Broker:
    def __init__(
        self, db: Database, changes: AsyncIterator[None], *, max_streams: int, retention: timedelta
    ) -> None:
        self._db = db
        self._changes = changes
        self.max_streams = max_streams
        self._retention = retention
        self._streams: dict[int, set[Stream]] = defaultdict(set)
        self._last_id = 0
        self._missing: set[int] = set()  # skipped ids that may still commit
        self._task: asyncio.Task | None = None
        self._pruned_at = datetime.min.replace(tzinfo=UTC)

    @property
    def open_streams(self) -> int:
        return sum(len(streams) for streams in self._streams.values())

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._follow())

    def close_streams(self) -> None:
        """End every open stream; readers reconnect (elsewhere) and resume."""
        for streams in self._streams.values():
            for stream in streams:
                stream.dropped = True
                if not stream.queue.full():
                    stream.queue.put_nowait(None)

    def close_streams_on_exit(self) -> None:
        """Streams never finish by themselves, so a graceful shutdown would wait
        for them until its timeout: end them as soon as the server is told to stop."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(signum)
            if not callable(previous):
                continue

            def handler(number, frame, previous=previous) -> None:
                loop.call_soon_threadsafe(self.close_streams)
                previous(number, frame)

            try:
                signal.signal(signum, handler)
            except ValueError:  # not the main thread (an embedded or test server)
                return

    async def stop(self) -> None:
        """Close every stream and stop following the change feed."""
        self.close_streams()
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    def subscribe(self, thread_id: int) -> Stream | None:
        """A new stream, or None when this process already serves its maximum."""
        if self.open_streams >= self.max_streams:
            return None
        stream = Stream(thread_id)
        self._streams[thread_id].add(stream)
        return stream

    def unsubscribe(self, stream: Stream) -> None:
        streams = self._streams.get(stream.thread_id)
        if streams is not None:
            streams.discard(stream)
            if not streams:
                del self._streams[stream.thread_id]

    async def _follow(self) -> None:
        # The first tick comes at once and fixes where to start; a worker that
        # starts while the database is away takes its starting point on a
        # later tick, so it still serves live updates once the database is back.
        started = False
        async for _ in self._changes:
            try:
                if not started:
                    self._last_id = await run_in_threadpool(self._latest)
                    started = True
                    continue
                rows = await run_in_threadpool(self._read_new)
            except Exception:  # the database may be restarting; the next tick retries
                log.warning("could not read events", exc_info=True)
                continue
            for row in rows:
                self._dispatch(row)

    def _latest(self) -> int:
        with self._db.read() as conn:
            return event_store.latest_id(conn)

    def _read_new(self) -> list[EventRow]:
        with self._db.read() as conn:
            rows = event_store.after(conn, self._last_id, also=sorted(self._missing))
        now = datetime.now(UTC)
        if now - self._pruned_at > _PRUNE_EVERY:
            self._pruned_at = now
            with self._db.write() as conn:
                event_store.prune(conn, now - self._retention)
        self._note_read(row.id for row in rows)
        return rows

    def _note_read(self, ids: Iterable[int]) -> None:
        """Advance past `ids` (ascending), remembering the ids skipped on the way."""
        for event_id in ids:
            if event_id > self._last_id:
                skipped_from = max(self._last_id, event_id - _LATE_WINDOW) + 1
                self._missing.update(range(skipped_from, event_id))
                self._last_id = event_id
            else:
                self._missing.discard(event_id)
        oldest = self._last_id - _LATE_WINDOW
        self._missing = {event_id for event_id in self._missing if event_id > oldest}

    def _dispatch(self, row: EventRow) -> None:
        for stream in list(self._streams.get(row.thread_id, ())):
            try:
                stream.queue.put_nowait(row)
            except asyncio.QueueFull:
                stream.dropped = True
                self.unsubscribe(stream)

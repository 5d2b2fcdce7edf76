"""A reader's stream passes on every event once, whatever order commits arrive in."""

from types import SimpleNamespace

from helpers import run_async
from rostra.api.routes.live import _stream
from rostra.live.broker import Stream
from rostra.store.events import EventRow


class _Broker:
    def unsubscribe(self, stream) -> None:
        stream.dropped = True


def _row(event_id: int) -> EventRow:
    return EventRow(event_id, 7, "comment", f'{{"id":{event_id}}}')


async def _sent(backlog: list[EventRow], live: list[EventRow], after: int) -> list[int]:
    stream = Stream(7)
    for row in live:
        stream.queue.put_nowait(row)
    stream.queue.put_nowait(None)
    ctx = SimpleNamespace(live=SimpleNamespace(broker=_Broker()))
    chunks = [chunk async for chunk in _stream(ctx, stream, backlog, after)]
    return [
        int(line.split(b": ")[1])
        for c in chunks
        for line in c.split(b"\n")
        if line.startswith(b"id: ")
    ]


def test_an_event_committed_late_with_an_older_id_still_reaches_the_reader():
    # Transaction A took id 101 but committed after B's 102.
    assert run_async(_sent([], [_row(102), _row(101)], after=0)) == [102, 101]


def test_events_already_in_the_backlog_are_not_sent_twice():
    sent = run_async(_sent([_row(11), _row(12)], [_row(12), _row(13)], after=10))
    assert sent == [11, 12, 13]

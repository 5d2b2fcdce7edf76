"""Scoring batches of comments in other processes, answers kept in order.

The toxicity model takes milliseconds a comment on one core; a sweep of an
imported site or `rostra moderation score` over a large file spreads its
batches over worker processes. Each worker opens its own encoder session
(onnxruntime's cannot be shared across a fork). A comment is scored alone
whatever its neighbours, so the answers are the same as in one process.
"""

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from rostra.moderation.encoder import forget_shipped_session

Item = TypeVar("Item")
Answer = TypeVar("Answer")


def in_order(
    work: Callable[[Item], Answer], items: Iterable[Item], workers: int
) -> Iterator[tuple[Item, Answer]]:
    """Each item with `work(item)`, in the items' order; with more than one
    worker, computed in forked processes, a few items in flight at a time
    (not all of them: memory stays that of a few batches)."""
    if workers <= 1:
        for item in items:
            yield item, work(item)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=forget_shipped_session
    ) as pool:
        waiting: deque = deque()
        for item in items:
            waiting.append((item, pool.submit(work, item)))
            if len(waiting) > 2 * workers:
                done, future = waiting.popleft()
                yield done, future.result()
        while waiting:
            done, future = waiting.popleft()
            yield done, future.result()

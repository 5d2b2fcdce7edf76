"""Reading the file in a second process while the first one writes.

Parsing and checking a record cost about as much as converting its body and
storing it, so on a machine with a core to spare the reader runs in a child
process: it parses and checks (`writer.Preparer`) and sends batches of plain
values through a pipe, while the parent converts bodies and keeps the
database busy. The pipe holds at most a batch or two, so memory stays flat
however far ahead the reader could get. The child never touches the
database: the import stays one transaction on the parent's connection.
"""

import fcntl
import multiprocessing
import queue
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from multiprocessing.connection import Connection
from pathlib import Path

from rostra.importers.records import ImportFailure, SourceRecord
from rostra.importers.writer import Preparer, Ready

Item = Ready | object  # a Ready record, a Problem, or the reason a record was skipped
Reader = Callable[[Path], Iterator]

_BATCH = 500  # records a message: large enough to amortise the pipe, small enough to overlap
_AHEAD = 8  # messages received and not yet written: a few MB
_PIPE_BYTES = 1 << 20  # a batch is about 250 KB; Linux lets anyone widen a pipe to 1 MiB


def prepared(reader: Reader, path: Path, preparer: Preparer) -> Iterator[Item]:
    """The file's items with records turned into `Ready` values, in this process.

    Closed with the import, so that a reader holding its file open (Isso's
    database) lets it go at once, in this thread, when the import stops early.
    """
    with closing(reader(path)) as items:
        for item in items:
            yield preparer(item) if isinstance(item, SourceRecord) else item


def _read_into(sender: Connection, reader: Reader, path: Path, preparer: Preparer) -> None:
    batch: list[Item] = []
    try:
        for item in prepared(reader, path, preparer):
            batch.append(item)
            if len(batch) >= _BATCH:
                sender.send(batch)
                batch = []
        sender.send(batch)
        sender.send(None)
    except ImportFailure as exc:
        sender.send(("failure", exc.position, exc.message))
    except BaseException:
        sender.send(("error", traceback.format_exc()))
    finally:
        sender.close()


def _widen(pipe: Connection) -> None:
    """Let a whole batch into the pipe at once.

    Through a pipe of the default 64 KB, a batch goes across in a few pieces,
    and for each the receiving thread must win the GIL back from this
    process's busy main thread (up to 5 ms each) while the child waits to
    write: both processes then idle a quarter of the time. Where the system
    refuses, the pipe stays as it was, only slower.
    """
    with suppress(AttributeError, OSError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


@contextmanager
def read_in_child(reader: Reader, path: Path, preparer: Preparer) -> Iterator[Iterator[Item]]:
    """The same items as `prepared`, read by a forked child process.

    A failure in the child (a file that is not well-formed) is raised here,
    in order; if the parent stops early, the child is stopped with it.
    """
    receiver, sender = multiprocessing.Pipe(duplex=False)
    _widen(receiver)
    child = multiprocessing.get_context("fork").Process(
        target=_read_into, args=(sender, reader, path, preparer), daemon=True
    )
    child.start()
    sender.close()

    # A thread takes the batches off the pipe as they come, so the child reads
    # on while this process waits for the database (which releases the GIL).
    batches: queue.Queue = queue.Queue(maxsize=_AHEAD)
    stop = threading.Event()

    def receive() -> None:
        while not stop.is_set():
            try:
                message = receiver.recv()
            except (EOFError, OSError):
                message = ("error", "the reading process ended without a word")
            while not stop.is_set():
                try:
                    batches.put(message, timeout=0.2)
                    break
                except queue.Full:
                    continue
            if message is None or isinstance(message, tuple):
                return

    def items() -> Iterator[Item]:
        while True:
            message = batches.get()
            if message is None:
                return
            if isinstance(message, tuple):
                if message[0] == "failure":
                    raise ImportFailure(message[1], message[2])
                raise RuntimeError(f"the reading process failed:\n{message[1]}")
            yield from message

    receiving = threading.Thread(target=receive, name="import-reader", daemon=True)
    receiving.start()
    try:
        yield items()
    finally:
        stop.set()
        if child.is_alive():
            child.terminate()
        child.join()
        receiving.join()
        receiver.close()

"""A cheap and exact answer to "has anything been committed since then?".

SQLite changes `PRAGMA data_version` on a connection whenever any *other*
connection commits: another thread, another worker, an import or an admin
command on the same host. Reading it on a private connection costs a few
microseconds, against tens for the cheapest query, so answers derived from the
database can be reused until it moves. PostgreSQL has no such signal that is
both exact and local, so there the answer is always "don't know".
"""

import os
import sqlite3
import threading

from sqlalchemy.engine import make_url

from rostra.store.database import normalize_database_url


class CommitCounter:
    """A number that changes whenever a transaction on the database commits."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def current(self) -> int:
        with self._lock:
            return self._open().execute("PRAGMA data_version").fetchone()[0]

    def _open(self) -> sqlite3.Connection:
        # A worker forked from the parent must not share the parent's handle.
        if self._connection is None or self._pid != os.getpid():
            self._connection = sqlite3.connect(self._path, check_same_thread=False)
            self._pid = os.getpid()
        return self._connection

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None


def commit_counter(database_url: str) -> CommitCounter | None:
    """A counter for SQLite databases; None where no exact, local signal exists."""
    url = make_url(normalize_database_url(database_url))
    if url.get_backend_name() != "sqlite":
        return None
    return CommitCounter(url.database)

"""Engine creation and transactions, with the care each backend needs."""

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


def compact_json(value: object) -> str:
    """JSON columns are stored without the spaces of json.dumps: live streams
    send event payloads to readers exactly as stored."""
    return json.dumps(value, separators=(",", ":"))


def normalize_database_url(url: str) -> str:
    """Accept a plain file path or a postgresql:// URL as well as SQLAlchemy URLs."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL or path; None for other databases and memory."""
    parsed = make_url(normalize_database_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Transactions are begun explicitly below, so that writers can take
        # the write lock up front (BEGIN IMMEDIATE): a deferred transaction
        # that later upgrades to a writer fails at once instead of waiting.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # SQLite's lower() knows only A-Z; moderators search names in every script.
        dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def _configure_postgresql(engine: Engine, statement_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # A runaway query must not hold a pooled connection for ever.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(statement_timeout_ms)}")
        dbapi_connection.commit()


class ProcessLock:
    """An exclusive lock on a file, held by one process at a time (flock).

    The kernel lets go of it when its holder exits, even on kill -9, so a
    crashed writer never blocks the others. Threads of one process share the
    one lock and must take turns among themselves first.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._pid = 0

    @classmethod
    def beside(cls, database_path: str) -> "ProcessLock | None":
        if fcntl is None:  # not a POSIX system: SQLite's own retries remain
            return None
        return cls(database_path + "-writelock")

    def _descriptor(self) -> int:
        # A forked child must not share its parent's open file (and lock).
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def __enter__(self) -> None:
        fcntl.flock(self._descriptor(), fcntl.LOCK_EX)

    def __exit__(self, *_exc) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)


@dataclass
class Database:
    """One engine per process; `read()` and `write()` open short transactions."""

    engine: Engine
    # SQLite lets one writer in at a time and makes the others sleep and
    # retry with pauses of up to 100 ms; writers queue on locks instead, which
    # hand over the moment the holder commits: threads of one process on this
    # lock, processes (workers, an import) on a lock file beside the database.
    _write_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _process_lock: "ProcessLock | None" = field(default=None, repr=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        if self.dialect == "postgresql":
            # Under READ COMMITTED each statement takes its own snapshot, in a
            # transaction or not, so BEGIN and COMMIT would only add two round
            # trips to every read (most requests make one or two reads).
            with self.engine.connect() as conn:
                yield conn.execution_options(isolation_level="AUTOCOMMIT")
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """One read transaction that sees the database as of its first statement,
        whatever commits meanwhile: for exports and copies of a live site, and
        for reads streamed through a server-side cursor (PostgreSQL runs those
        only inside a transaction). SQLite's read transactions already do this."""
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn = conn.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            with conn.begin():
                yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        if self.dialect != "sqlite":
            with self.engine.connect() as conn, conn.begin():
                yield conn
            return
        with self._write_lock, self._between_processes(), self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    @contextmanager
    def _between_processes(self) -> Iterator[None]:
        if self._process_lock is None:
            yield
            return
        with self._process_lock:
            yield

    def fetch_one(self, sql: str, params: tuple) -> tuple | None:
        """One row from one statement on a raw pooled connection.

        For the hottest reads (is the cached page still current?): it skips
        statement construction and compilation, which cost forty times more
        than the query itself. `sql` uses `?` placeholders on both backends.
        """
        return self._fetch_raw(sql, params, lambda cursor: cursor.fetchone())

    def fetch_all(self, sql: str, params: tuple) -> list[tuple]:
        """Every row of one statement, the same way as `fetch_one`."""
        return self._fetch_raw(sql, params, lambda cursor: cursor.fetchall())

    def _fetch_raw(self, sql: str, params: tuple, fetch):
        if self.dialect == "sqlite":
            return self._fetch_raw_on(sql, params, fetch)
        try:
            return self._fetch_raw_on(sql.replace("?", "%s"), params, fetch, autocommit=True)
        except psycopg.OperationalError:
            # The server went away: drop every pooled connection, as SQLAlchemy
            # does for its own statements, so the next request reconnects.
            self.engine.pool.dispose()
            raise

    def _fetch_raw_on(self, sql: str, params: tuple, fetch, autocommit: bool = False):
        raw = self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            if autocommit:
                # One round trip, not three: no implicit BEGIN, so nothing to
                # roll back when the connection goes back to the pool.
                driver.autocommit = True
            try:
                cursor = raw.cursor()
                try:
                    cursor.execute(sql, params)
                    return fetch(cursor)
                finally:
                    cursor.close()
            finally:
                if autocommit and not driver.closed:
                    driver.autocommit = False
        except psycopg.OperationalError:
            raw.invalidate()
            raise
        finally:
            raw.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, pool_size: int = 10, statement_timeout_ms: int = 5000) -> Database:
    url = normalize_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # Opening a SQLite connection runs four pragmas: keep as many open as
        # the server's threads use at once, rather than SQLAlchemy's default
        # five, past which each busy moment opens and closes connections.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            pool_size=pool_size,
            max_overflow=pool_size,
            json_serializer=compact_json,
        )
        if parsed.database in (None, "", ":memory:"):
            raise ValueError("an in-memory SQLite database cannot be shared; give a file path")
        _configure_sqlite(engine)
        return Database(engine, _process_lock=ProcessLock.beside(parsed.database))
    elif parsed.get_backend_name() == "postgresql":
        # No pre-ping (a round trip per checkout): connections broken by a
        # restart are detected on use and the pool is refreshed then.
        engine = create_engine(
            url, pool_size=pool_size, max_overflow=pool_size, json_serializer=compact_json
        )
        _configure_postgresql(engine, statement_timeout_ms)
    else:
        raise ValueError(
            f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL"
        )
    return Database(engine)


def open_migration_engine(url: str) -> Engine:
    """A pool-less engine for one-off schema work."""
    url = normalize_database_url(url)
    engine = create_engine(url, poolclass=NullPool, json_serializer=compact_json)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine

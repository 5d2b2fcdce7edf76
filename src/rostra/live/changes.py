"""How a process learns that another one wrote events: one interface, two backends.

PostgreSQL wakes listeners with NOTIFY on one connection per process. SQLite
has no notifications, but `PRAGMA data_version` changes whenever another
connection commits, so one cheap poll per process (`store.commits`) notices
every worker's writes on the host.
"""

import asyncio
from collections.abc import AsyncIterator

import psycopg
from sqlalchemy.engine import make_url

from rostra.store.commits import CommitCounter
from rostra.store.database import normalize_database_url
from rostra.store.events import CHANNEL

SQLITE_POLL_SECONDS = 0.05
# A missed notification (a reconnect, say) is caught by a slow safety poll.
POSTGRES_SAFETY_SECONDS = 2.0
# Under a stream of posts every commit notifies; reading the new events once
# per commit would cost each process a query per post. Waiting this long
# after a tick gathers the notifications of that moment into the next one,
# so a process reads at most this often however busy the site is.
POSTGRES_GATHER_SECONDS = 0.05


async def sqlite_changes(commits: CommitCounter) -> AsyncIterator[None]:
    last = None
    while True:
        version = commits.current()
        if version != last:
            last = version
            yield
        await asyncio.sleep(SQLITE_POLL_SECONDS)


async def postgres_changes(conninfo: str) -> AsyncIterator[None]:
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                while True:
                    # One tick per batch of notifications, or after the safety
                    # interval; the first tick catches up on anything written
                    # while this process was not listening.
                    yield
                    await asyncio.sleep(POSTGRES_GATHER_SECONDS)
                    async for _ in conn.notifies(timeout=POSTGRES_SAFETY_SECONDS, stop_after=1):
                        pass
        except psycopg.OperationalError:
            # The database is down or restarting: try again shortly.
            await asyncio.sleep(1.0)


def change_feed(database_url: str, commits: CommitCounter | None) -> AsyncIterator[None]:
    """The feed for the database at `database_url`; on SQLite it polls `commits`
    (the process's one counter, which the page fast path reads too)."""
    url = make_url(normalize_database_url(database_url))
    if url.get_backend_name() == "sqlite":
        if commits is None:
            raise ValueError("a SQLite change feed needs the database's commit counter")
        return sqlite_changes(commits)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return postgres_changes(conninfo)

"""Building the comment indexes after a large insert instead of during it.

A dozen indexes keyed by hashes, times and threads take each new row at a
random place: at a million rows that is most of an import's time. Building
an index sorts the table once instead, two to three times faster, but it
costs the rows already stored as well. So an import drops the indexes (and,
on PostgreSQL, the foreign keys, whose per-row checks cost as much again)
before its one large insert and builds them after, inside its transaction,
only where that is cheaper and nobody is made to wait:

* SQLite: when the import brings at least as many comments as are stored.
  Readers keep reading their WAL snapshot, indexes included, until the
  import commits; writers wait for the import anyway.
* PostgreSQL: only into an empty comments table (a site's first migration),
  because dropping an index locks the table against readers until commit.
  The lock is asked for with a short timeout; if a request holds the table,
  the insert goes through the indexes as usual.

Every index and constraint comes back under its own name and definition, as
read from the database's catalogue, and a rebuilt unique index or foreign key
checks every row again.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

# New comments from which rebuilding may beat inserting into the indexes.
REBUILD_FROM = 20_000
_LOCK_TIMEOUT = "2s"

Plan = tuple[list[str], list[str]]  # statements that drop, statements that build again


@contextmanager
def rebuilt_after(conn: Connection, incoming: int) -> Iterator[None]:
    """Around the insert of `incoming` comments: indexes dropped before, built after, when cheaper."""
    plan = _plan(conn, incoming)
    if plan is None:
        yield
        return
    drops, builds = plan
    for statement in drops:
        conn.exec_driver_sql(statement)
    yield
    for statement in builds:
        conn.exec_driver_sql(statement)


def _plan(conn: Connection, incoming: int) -> Plan | None:
    if incoming < REBUILD_FROM:
        return None
    if conn.dialect.name == "sqlite":
        return _sqlite_plan(conn, incoming)
    return _postgresql_plan(conn)


def _sqlite_plan(conn: Connection, incoming: int) -> Plan | None:
    stored = conn.exec_driver_sql("SELECT count(*) FROM comments").scalar_one()
    if incoming < stored:
        return None
    indexes = conn.exec_driver_sql(
        "SELECT name, sql FROM main.sqlite_master "
        "WHERE type = 'index' AND tbl_name = 'comments' AND sql IS NOT NULL"
    ).all()
    # Each build's sorter takes as much memory again as the page cache, and
    # the memory the insert's cache filled is not handed back to the system
    # when the cache shrinks: a quarter of the cache meanwhile keeps the
    # import's peak where the insert had it.
    cache = conn.exec_driver_sql("PRAGMA main.cache_size").scalar_one()
    builds = [f"PRAGMA main.cache_size = {cache // 4}", *(sql for _, sql in indexes)]
    builds.append(f"PRAGMA main.cache_size = {cache}")
    return [f'DROP INDEX main."{name}"' for name, _ in indexes], builds


def _postgresql_plan(conn: Connection) -> Plan | None:
    if conn.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM comments)").scalar_one():
        return None
    if not _locked(conn):
        return None
    indexes = conn.exec_driver_sql(
        "SELECT quote_ident(c.relname), pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = 'comments'::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
    ).all()
    keys = conn.exec_driver_sql(
        "SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'comments'::regclass AND contype = 'f'"
    ).all()
    drops = [f"ALTER TABLE comments DROP CONSTRAINT {name}" for name, _ in keys]
    drops += [f"DROP INDEX {name}" for name, _ in indexes]
    builds = [definition for _, definition in indexes]
    builds += [f"ALTER TABLE comments ADD CONSTRAINT {name} {spec}" for name, spec in keys]
    return drops, builds


def _locked(conn: Connection) -> bool:
    """Take the comments table for this transaction, unless a request holds it now."""
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
        conn.exec_driver_sql("LOCK TABLE comments IN ACCESS EXCLUSIVE MODE")
    except OperationalError:
        savepoint.rollback()  # the SET LOCAL goes with it
        return False
    conn.exec_driver_sql("SET LOCAL lock_timeout = 0")
    savepoint.commit()
    return True

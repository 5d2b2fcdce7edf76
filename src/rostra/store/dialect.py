"""The few statements whose spelling or behaviour differs between SQLite and PostgreSQL."""

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_conflicts(conn: Connection, table: Table, values: dict, keys: list[str]):
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    return module.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)


def upsert(conn: Connection, table: Table, values: dict, keys: list[str], update: list[str]):
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = module.insert(table).values(**values)
    return statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in update}
    )


# Memory PostgreSQL may give one sort or hash of an import, and one index build,
# in kB. The defaults (4 MB, 64 MB) are sized for many small queries at once; at
# a million staged rows the joins and sorts then spill to disk in many passes.
BULK_MEMORY_KB = {"work_mem": 64 * 1024, "maintenance_work_mem": 256 * 1024}


def configure_bulk_transaction(conn: Connection) -> None:
    """Settings for one long bulk transaction (an import).

    PostgreSQL's end with the transaction, and a server configured with more
    memory keeps its own; SQLite's page cache stays with the connection.
    """
    if conn.dialect.name == "postgresql":
        # The server's per-statement limit is for web requests.
        conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
        for name, kilobytes in BULK_MEMORY_KB.items():
            conn.exec_driver_sql(
                "SELECT set_config(name, %(value)s, true) FROM pg_settings "
                "WHERE name = %(name)s AND setting::bigint < %(kilobytes)s",
                {"name": name, "value": f"{kilobytes}kB", "kilobytes": kilobytes},
            )
    else:
        # A bulk transaction outgrows SQLite's small default page cache, and
        # every spill is a random write: give this one connection more.
        conn.exec_driver_sql("PRAGMA cache_size = -65536")


def refresh_statistics(conn: Connection, *tables: Table) -> None:
    """Let PostgreSQL's planner see the rows just written (`tables`, or all).

    A table the planner still takes for small gets plans that scan it whole,
    and the statements psycopg prepares keep those plans until autovacuum
    runs. ANALYZE sees the transaction's own rows, runs inside it, and blocks
    no reader or writer. SQLite's planner needs no such help here.
    """
    if conn.dialect.name == "postgresql":
        names = ", ".join(table.name for table in tables)
        conn.exec_driver_sql(f"ANALYZE {names}" if tables else "ANALYZE")


def below_newest(table: Table):
    """A condition that spares a table's newest row from a prune.

    SQLite numbers a new row one past the largest id in the table, so an
    emptied table would hand out again ids that others have already seen (a
    broker or a resuming reader, a webhook receiver deduplicating deliveries).
    PostgreSQL's sequences never go back; there it only keeps one row more.
    """
    return table.c.id < select(func.max(table.c.id)).scalar_subquery()

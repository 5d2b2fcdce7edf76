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


def below_newest(table: Table):
    """A condition that spares a table's newest row from a prune.

    SQLite numbers a new row one past the largest id in the table, so an
    emptied table would hand out again ids that others have already seen (a
    broker or a resuming reader, a webhook receiver deduplicating deliveries).
    PostgreSQL's sequences never go back; there it only keeps one row more.
    """
    return table.c.id < select(func.max(table.c.id)).scalar_subquery()

"""Moving a site from SQLite to PostgreSQL (or back): copy every table, then
prove the copy by row counts and checksums."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import orjson
from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.exc import DBAPIError

from rostra.store.database import Database
from rostra.store.dialect import refresh_statistics
from rostra.store.schema import metadata

BATCH = 5000


class CopyError(Exception):
    pass


@dataclass(frozen=True)
class TableReport:
    name: str
    rows: int
    checksum: str


def _ordered(table: Table):
    return select(table).order_by(*table.primary_key.columns)


def _canonical(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


def _insert_order(table: Table):
    """Rows in an order the target's foreign keys accept, row by row.

    A reply may have a lower id than its parent (an import stores a reply it
    met before its parent under the earlier id), so comments go by depth:
    every parent before its replies.
    """
    if table.name == "comments":
        return select(table).order_by(table.c.depth, table.c.id)
    return _ordered(table)


def _rows(conn: Connection, table: Table, query=None) -> Iterator[dict]:
    query = _ordered(table) if query is None else query
    result = conn.execution_options(yield_per=BATCH).execute(query)
    for row in result.mappings():
        yield dict(row)


def checksum(conn: Connection, table: Table) -> TableReport:
    digest = hashlib.sha256()
    count = 0
    for row in _rows(conn, table):
        canonical = {key: _canonical(value) for key, value in row.items()}
        digest.update(
            orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
        )
        count += 1
    return TableReport(table.name, count, digest.hexdigest()[:16])


def copy_database(source: Database, target: Database) -> list[TableReport]:
    """Copy all tables (parents first) in one target transaction, then verify."""
    with target.read() as conn:
        for table in metadata.sorted_tables:
            if (
                table.name != "server_secrets"
                and conn.execute(select(func.count()).select_from(table)).scalar()
            ):
                raise CopyError(
                    f"the target already has data in {table.name}; use an empty database"
                )
    with source.snapshot() as src, target.write() as dst:
        dst.execute(metadata.tables["server_secrets"].delete())
        for table in metadata.sorted_tables:
            try:
                _copy_table(src, dst, table)
            except DBAPIError as exc:
                # The whole copy is one transaction: it rolls back with this.
                reason = str(exc.orig).strip().splitlines()[0]
                raise CopyError(
                    f"{table.name}: the target refused a row ({reason}); nothing was copied"
                ) from None
        if dst.dialect.name == "postgresql":
            _advance_sequences(dst)
        # The site is served from the copy at once.
        refresh_statistics(dst)
    return verify(source, target)


def _copy_table(src: Connection, dst: Connection, table: Table) -> None:
    batch: list[dict] = []
    for row in _rows(src, table, _insert_order(table)):
        batch.append(row)
        if len(batch) >= BATCH:
            dst.execute(table.insert(), batch)
            batch = []
    if batch:
        dst.execute(table.insert(), batch)


def _advance_sequences(conn: Connection) -> None:
    # Rows came with their ids, so the sequences must move past them.
    for table in metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


def verify(source: Database, target: Database) -> list[TableReport]:
    reports = []
    with source.snapshot() as src, target.snapshot() as dst:
        for table in metadata.sorted_tables:
            left, right = checksum(src, table), checksum(dst, table)
            if left != right:
                raise CopyError(
                    f"{table.name}: {left.rows} rows ({left.checksum}) in the source but "
                    f"{right.rows} rows ({right.checksum}) in the target"
                )
            reports.append(left)
    return reports

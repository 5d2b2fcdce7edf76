"""Consistent online backups of a SQLite database."""

import sqlite3
from pathlib import Path

from rostra.store.database import sqlite_file


class BackupError(Exception):
    pass


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the live database page by page with SQLite's backup API, which
    gives a consistent snapshot while the server keeps writing. Returns bytes."""
    source_path = sqlite_file(database_url)
    if source_path is None:
        raise BackupError("rostra backup copies SQLite database files; for PostgreSQL use pg_dump")
    if not source_path.exists():
        raise BackupError(f"{source_path} does not exist")
    if target.exists():
        raise BackupError(f"{target} exists already; choose a new file")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder; the backup cannot be written there")
    source = sqlite3.connect(source_path)
    try:
        destination = sqlite3.connect(target)
    except sqlite3.Error as exc:
        source.close()
        raise BackupError(f"cannot write {target}: {exc}") from None
    try:
        with destination:
            source.backup(destination, pages=1024)
        check = destination.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
    finally:
        destination.close()
        source.close()
    return target.stat().st_size

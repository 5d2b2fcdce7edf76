"""Importing comments from other engines' exports, and from Rostra's own.

Each format module streams normalised `SourceRecord`s (or `Problem`s for
records it cannot read); one writer stores them. See docs/IMPORT.md.
"""

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing, nullcontext
from pathlib import Path

from rostra.importers import commento, disqus, isso, remark42, rostra, wordpress
from rostra.importers.pipeline import prepared, read_in_child
from rostra.importers.progress import Progress, SilentProgress
from rostra.importers.records import ImportFailure, Problem, SanctionRecord, SourceRecord
from rostra.importers.report import ImportReport
from rostra.importers.writer import AddressHashes, ImportOptions, ImportWriter, Preparer, Ready
from rostra.service.identity import Hasher
from rostra.store import sites as site_store
from rostra.store.database import Database
from rostra.store.dialect import configure_bulk_transaction
from rostra.store.secrets import read_secret
from rostra.store.staging import stored_time

Reader = Callable[[Path], Iterator[SourceRecord | SanctionRecord | Problem | str]]

FORMATS: dict[str, Reader] = {
    "disqus": disqus.read,
    "wordpress": wordpress.read,
    "isso": isso.read,
    "remark42": remark42.read,
    "commento": commento.read,
    "rostra": rostra.read,
}

__all__ = ["FORMATS", "ImportFailure", "ImportOptions", "ImportReport", "run_import"]


def default_workers() -> int:
    """Body rendering runs in other processes when the machine has cores to spare."""
    return min(8, len(os.sched_getaffinity(0)))


def _site_id(conn, site_name: str) -> int:
    site = site_store.site_by_name(conn, site_name)
    if site is None:
        raise ImportFailure("--site", f"there is no site named {site_name!r}")
    return site.id


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def run_import(
    db: Database,
    format_name: str,
    path: Path,
    site_name: str,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one file in one transaction; raise ImportFailure and write nothing if it is bad."""
    options = options or ImportOptions()
    progress = progress or SilentProgress()
    reader = FORMATS.get(format_name)
    if reader is None:
        raise ImportFailure("format", f"unknown format {format_name!r}")
    if not path.is_file():
        raise ImportFailure(str(path), "no such file")
    report = ImportReport(format_name, str(path), site_name, dry_run=options.dry_run)
    started = time.monotonic()
    with db.read() as conn:
        _site_id(conn, site_name)
        hasher = Hasher(bytes.fromhex(read_secret(conn, "hash_salt")))
    # With a core to spare, the file is read and checked in a child process.
    in_child = options.workers > 1
    preparer = Preparer(options.url_map, stored_time(db.dialect))
    source = (
        read_in_child(reader, path, preparer)
        if in_child
        else closing(prepared(reader, path, preparer))
    )
    pool = (
        ProcessPoolExecutor(options.workers, mp_context=multiprocessing.get_context("fork"))
        if options.workers > 1
        else nullcontext()
    )
    try:
        with source as items, pool as executor, db.write() as conn:
            configure_bulk_transaction(conn)
            site_id = _site_id(conn, site_name)
            hashes = AddressHashes(hasher)
            writer = ImportWriter(conn, site_id, options, report, progress, hashes, executor)
            for item in items:
                if isinstance(item, Ready):
                    writer.add(item)
                elif isinstance(item, Problem):
                    if item.record == "comment":
                        report.comments_seen += 1
                    writer.problem(item)
                elif isinstance(item, SanctionRecord):
                    writer.sanction(item)
                else:
                    report.comments_seen += 1
                    report.skipped[item] += 1
            writer.finish()
            if options.dry_run:
                raise _DryRun
    except _DryRun:
        pass
    finally:
        progress.close()
    report.seconds = time.monotonic() - started
    return report

"""Rostra's own export: JSON lines, lossless (docs/EXPORT_FORMAT.md)."""

from datetime import UTC, datetime
from typing import BinaryIO

import orjson
from sqlalchemy import Connection

from rostra.exporters.rows import (
    ByThread,
    ref,
    site_comments,
    site_reports,
    site_revisions,
    site_sanctions,
    site_threads,
)
from rostra.importers.rostra import FORMAT_NAME, FORMAT_VERSION


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _line(out: BinaryIO, value: dict) -> None:
    out.write(orjson.dumps(value) + b"\n")


def _parent(row) -> str | None:
    """The comment it answers; for an orphan, the reference its source named.

    Kept so that a later import that brings the missing parent can still
    link the reply to it, as a second import of the source would.
    """
    if row.parent_id is None:
        return row.source_parent_ref
    return ref(row.parent_source_ref, row.parent_id)


def _report(row) -> dict:
    return {
        "reporter": row.reporter_key,
        "reason": row.reason,
        "note": row.note,
        "weight": row.weight,
        "created_at": _time(row.created_at),
        "outcome": row.outcome,
        "resolved_at": _time(row.resolved_at),
    }


def _comment(row, thread_key: str, earlier_versions, its_reports) -> dict:
    return {
        "type": "comment",
        "ref": ref(row.source_ref, row.id),
        "thread": thread_key,
        "parent": _parent(row),
        "status": row.status,
        "author": {
            "name": row.author_name,
            "email": row.author_email,
            "website": row.author_website,
            "key": row.author_key,
            "ip_hash": row.ip_hash,
            "verified": row.verified,
            "avatar": row.author_avatar,
        },
        "body": row.body_source,
        "created_at": _time(row.created_at),
        "edited_at": _time(row.edited_at),
        "upvotes": row.upvotes,
        "downvotes": row.downvotes,
        "featured": row.featured,
        "shadowed": row.shadowed,
        "moderation": row.moderation,
        "history": [
            {"body": earlier.body_source, "replaced_at": _time(earlier.created_at)}
            for earlier in earlier_versions
        ],
        "reports": [_report(report) for report in its_reports],
    }


def _sanction(row) -> dict:
    return {
        "type": "sanction",
        "kind": row.kind,
        "author": {"key": row.author_key, "email": row.email, "ip_hash": row.ip_hash},
        "reason": row.reason,
        "created_at": _time(row.created_at),
        "expires_at": _time(row.expires_at),
        "lifted_at": _time(row.lifted_at),
    }


def export(conn: Connection, site_id: int, site_name: str, out: BinaryIO) -> int:
    """Write the site's threads, each followed by its comments oldest first; return the count."""
    _line(
        out,
        {
            "type": "header",
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "site": site_name,
            "exported_at": _time(datetime.now(UTC)),
        },
    )
    count = 0
    # Four streams in thread id order, walked side by side.
    all_comments = ByThread(site_comments(conn, site_id, by_thread=True))
    all_revisions = ByThread(site_revisions(conn, site_id))
    all_reports = ByThread(site_reports(conn, site_id))
    for thread in list(site_threads(conn, site_id)):
        _line(
            out,
            {
                "type": "thread",
                "key": thread.key,
                "title": thread.title,
                "url": thread.url,
                "created_at": _time(thread.created_at),
                "policy": thread.policy,
            },
        )
        revisions, its_reports = (
            all_revisions.by_comment(thread.id),
            all_reports.by_comment(thread.id),
        )
        for row in all_comments.of(thread.id):
            earlier, reported = revisions.get(row.id, ()), its_reports.get(row.id, ())
            _line(out, _comment(row, thread.key, earlier, reported))
            count += 1
    for row in site_sanctions(conn, site_id):
        _line(out, _sanction(row))
    return count

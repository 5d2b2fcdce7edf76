"""Queries on readers' reports of comments."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, case, func, select

from rostra.store.schema import reports

REASONS = ("abuse", "spam", "off_topic", "other")
# What a moderator decided of a report; None while it waits.
OUTCOMES = ("upheld", "dismissed")


@dataclass(frozen=True)
class ReportRow:
    id: int
    site_id: int
    comment_id: int
    reporter_key: str
    reason: str
    note: str | None
    weight: float
    created_at: datetime
    outcome: str | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class ReportSummary:
    """The unresolved reports on one comment."""

    count: int
    weight: float
    reasons: dict[str, int]


_COLUMNS = [getattr(reports.c, name) for name in ReportRow.__dataclass_fields__]


def insert_report(conn: Connection, **values) -> int:
    return conn.execute(reports.insert().values(**values)).inserted_primary_key[0]


def has_reported(conn: Connection, comment_id: int, reporter_key: str) -> bool:
    query = select(reports.c.id).where(
        reports.c.comment_id == comment_id, reports.c.reporter_key == reporter_key
    )
    return conn.execute(query).first() is not None


def reporter_record(conn: Connection, reporter_key: str) -> tuple[int, int]:
    """How many of this reader's past reports were upheld, and how many dismissed."""
    query = select(
        func.coalesce(func.sum(case((reports.c.outcome == "upheld", 1), else_=0)), 0),
        func.coalesce(func.sum(case((reports.c.outcome == "dismissed", 1), else_=0)), 0),
    ).where(reports.c.reporter_key == reporter_key, reports.c.outcome.is_not(None))
    upheld, dismissed = conn.execute(query).one()
    return int(upheld), int(dismissed)


def unresolved_weight(conn: Connection, comment_id: int) -> tuple[int, float]:
    query = select(func.count(), func.coalesce(func.sum(reports.c.weight), 0.0)).where(
        reports.c.comment_id == comment_id, reports.c.outcome.is_(None)
    )
    count, weight = conn.execute(query).one()
    return int(count), float(weight)


def resolve(conn: Connection, comment_id: int, outcome: str, now: datetime) -> list[int]:
    """Close every open report on a comment; returns their ids (for undo)."""
    ids = [
        row.id
        for row in conn.execute(
            select(reports.c.id).where(
                reports.c.comment_id == comment_id, reports.c.outcome.is_(None)
            )
        )
    ]
    if ids:
        conn.execute(
            reports.update().where(reports.c.id.in_(ids)).values(outcome=outcome, resolved_at=now)
        )
    return ids


def reopen(conn: Connection, report_ids: Iterable[int]) -> None:
    ids = list(report_ids)
    if ids:
        conn.execute(
            reports.update().where(reports.c.id.in_(ids)).values(outcome=None, resolved_at=None)
        )


def summaries(conn: Connection, comment_ids: Iterable[int]) -> dict[int, ReportSummary]:
    ids = list(comment_ids)
    if not ids:
        return {}
    query = (
        select(
            reports.c.comment_id,
            reports.c.reason,
            func.count().label("n"),
            func.sum(reports.c.weight).label("w"),
        )
        .where(reports.c.comment_id.in_(ids), reports.c.outcome.is_(None))
        .group_by(reports.c.comment_id, reports.c.reason)
    )
    found: dict[int, ReportSummary] = {}
    for row in conn.execute(query):
        old = found.get(row.comment_id, ReportSummary(0, 0.0, {}))
        found[row.comment_id] = ReportSummary(
            old.count + row.n, old.weight + float(row.w), {**old.reasons, row.reason: row.n}
        )
    return found


def reports_of(conn: Connection, comment_id: int) -> list[ReportRow]:
    query = select(*_COLUMNS).where(reports.c.comment_id == comment_id).order_by(reports.c.id)
    return [ReportRow(*row) for row in conn.execute(query)]

"""The audit log: one row per moderation action or setting change, never updated."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, String, cast, select

from rostra.store.schema import audit_log

# Actions a moderator can take back with "undo".
UNDOABLE = ("approve", "reject", "feature", "unfeature", "edit", "ban", "sanction", "lift")


@dataclass(frozen=True)
class AuditRow:
    id: int
    site_id: int | None
    actor_id: int | None
    action: str
    target_type: str | None
    target_id: str | None
    reason: str | None
    details: dict | None
    created_at: datetime


_COLUMNS = [getattr(audit_log.c, name) for name in AuditRow.__dataclass_fields__]


def record(
    conn: Connection,
    *,
    site_id: int | None,
    actor_id: int | None,
    action: str,
    target_type: str | None,
    target_id: int | str | None,
    now: datetime,
    reason: str | None = None,
    details: dict | None = None,
) -> int:
    values = dict(
        site_id=site_id, actor_id=actor_id, action=action, target_type=target_type,
        target_id=None if target_id is None else str(target_id), reason=reason,
        details=details, created_at=now,
    )  # fmt: skip
    return conn.execute(audit_log.insert().values(**values)).inserted_primary_key[0]


def entries(
    conn: Connection,
    site_ids: Iterable[int] | None,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    target: tuple[str, int | str] | None = None,
    limit: int,
    offset: int,
) -> list[AuditRow]:
    """Newest first; `site_ids` None means every site (and site-less entries)."""
    query = select(*_COLUMNS)
    if site_ids is not None:
        query = query.where(audit_log.c.site_id.in_(list(site_ids)))
    if action:
        query = query.where(audit_log.c.action == action)
    if actor_id is not None:
        query = query.where(audit_log.c.actor_id == actor_id)
    if target is not None:
        query = query.where(
            audit_log.c.target_type == target[0], audit_log.c.target_id == str(target[1])
        )
    query = query.order_by(audit_log.c.id.desc()).limit(limit).offset(offset)
    return [AuditRow(*row) for row in conn.execute(query)]


def undoable(conn: Connection, actor_id: int, *, limit: int) -> list[AuditRow]:
    """The actor's latest actions that no "undo" row has taken back, newest first."""
    undone = select(audit_log.c.target_id).where(
        audit_log.c.action == "undo", audit_log.c.actor_id == actor_id
    )
    query = (
        select(*_COLUMNS)
        .where(
            audit_log.c.actor_id == actor_id,
            audit_log.c.action.in_(UNDOABLE),
            cast(audit_log.c.id, String).not_in(undone),
        )
        .order_by(audit_log.c.id.desc())
        .limit(limit)
    )
    return [AuditRow(*row) for row in conn.execute(query)]


def decisions_since(
    conn: Connection, site_ids: Iterable[int] | None, since: datetime
) -> list[AuditRow]:
    """Approvals and rejections since a time, oldest first, for the metrics."""
    query = select(*_COLUMNS).where(
        audit_log.c.action.in_(("approve", "reject", "ban")),
        audit_log.c.created_at >= since,
    )
    if site_ids is not None:
        query = query.where(audit_log.c.site_id.in_(list(site_ids)))
    # The dashboard reads a bounded window; a busy site's month fits easily.
    return [AuditRow(*row) for row in conn.execute(query.order_by(audit_log.c.id).limit(100_000))]


def undone_ids(conn: Connection, ids: Iterable[int]) -> set[int]:
    keys = [str(i) for i in ids]
    if not keys:
        return set()
    rows = conn.execute(
        select(audit_log.c.target_id).where(
            audit_log.c.action == "undo", audit_log.c.target_id.in_(keys)
        )
    )
    return {int(row.target_id) for row in rows}

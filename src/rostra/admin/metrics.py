"""Figures for the moderators' dashboard: queue sizes, time to decision, overturns.

A decision is a moderator's first approval or rejection of a comment (bans
that rejected it count as rejections; undone actions do not count). Time to
decision runs from the comment's posting (or, for an old comment a sweep
held, from the sweep) to that decision; an imported comment no sweep queued
waited in the system it came from, for no known time, and is left out of it.

- False holds: comments the pipeline held (or rejected) that a moderator then
  approved, out of all such comments a moderator decided on.
- Misses: comments the pipeline published that a moderator then rejected,
  out of all comments the pipeline published in the window.

Imported comments no checker read are neither: the pipeline never decided them.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rostra.admin.accounts import Moderator
from rostra.admin.queue import visible_sites
from rostra.store import audit
from rostra.store import queues as queue_store
from rostra.store.audit import AuditRow
from rostra.store.database import Database

WINDOWS = (7, 30)


@dataclass(frozen=True)
class Window:
    days: int
    decisions: int
    approved: int
    rejected: int
    median_seconds: float | None
    p90_seconds: float | None
    held_decided: int
    false_holds: int
    auto_published: int
    misses: int

    @property
    def false_hold_rate(self) -> float | None:
        return self.false_holds / self.held_decided if self.held_decided else None

    @property
    def miss_rate(self) -> float | None:
        return self.misses / self.auto_published if self.auto_published else None


@dataclass(frozen=True)
class Dashboard:
    sizes: dict[str, int]
    windows: list[Window]


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class _Decision:
    comment_id: int
    approved: bool
    auto: str
    at: datetime


def _decision(row: AuditRow) -> _Decision | None:
    details = row.details or {}
    if row.action == "ban":
        if not details.get("rejected") or not details.get("comment"):
            return None
        comment_id = int(details["comment"])
    elif row.target_type == "comment" and row.target_id:
        comment_id = int(row.target_id)
    else:
        return None
    return _Decision(
        comment_id, row.action == "approve", details.get("auto", "publish"), row.created_at
    )


def _window(days: int, decisions: list[_Decision], created: dict, auto_published: int) -> Window:
    waits = [
        (d.at - created[d.comment_id]).total_seconds() for d in decisions if d.comment_id in created
    ]
    held = [d for d in decisions if d.auto in ("hold", "reject")]
    return Window(
        days=days,
        decisions=len(decisions),
        approved=sum(d.approved for d in decisions),
        rejected=sum(not d.approved for d in decisions),
        median_seconds=percentile(waits, 0.5),
        p90_seconds=percentile(waits, 0.9),
        held_decided=len(held),
        false_holds=sum(d.approved for d in held),
        auto_published=auto_published,
        misses=sum(not d.approved and d.auto == "publish" for d in decisions),
    )


def dashboard(db: Database, actor: Moderator, site_ids: list[int] | None = None) -> Dashboard:
    now = datetime.now(UTC)
    longest = now - timedelta(days=max(WINDOWS))
    with db.read() as conn:
        ids = site_ids or [site.id for site in visible_sites(conn, actor)]
        rows = audit.decisions_since(conn, ids, longest)
        undone = audit.undone_ids(conn, [row.id for row in rows])
        first: dict[int, _Decision] = {}
        for row in rows:
            decision = _decision(row) if row.id not in undone else None
            if decision is not None and decision.comment_id not in first:
                first[decision.comment_id] = decision
        created = queue_store.waiting_since(conn, first)
        published = {
            days: queue_store.auto_published_since(conn, ids, now - timedelta(days=days))
            for days in WINDOWS
        }
        sizes = queue_store.queue_sizes(conn, ids)
    windows = [
        _window(
            days,
            [d for d in first.values() if d.at >= now - timedelta(days=days)],
            created,
            published[days],
        )
        for days in WINDOWS
    ]
    return Dashboard(sizes, windows)

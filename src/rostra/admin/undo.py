"""Undo: take back a moderator's last action (a whole bulk action at once).

The audit row of the action holds what is needed to reverse it (the status
before, the reports it closed, the revision it saved, the sanction it made).
Undo refuses when someone changed the comment since, rather than overwrite
their decision.
"""

from sqlalchemy import Connection

from rostra.admin.accounts import Moderator
from rostra.admin.actions import Outcome, load, now, replace_body, set_featured
from rostra.domain.policy import Status
from rostra.errors import Conflict, NotFound
from rostra.service.visibility import change_status
from rostra.store import audit
from rostra.store import reports as report_store
from rostra.store import revisions as revision_store
from rostra.store import sanctions as sanction_store
from rostra.store.audit import AuditRow
from rostra.store.database import Database

_WORDS = {
    "approve": "approval",
    "reject": "rejection",
    "feature": "feature",
    "unfeature": "unfeature",
    "edit": "edit",
    "ban": "ban",
    "sanction": "sanction",
    "lift": "lift",
}


def _last_batch(rows: list[AuditRow]) -> list[AuditRow]:
    first = rows[0]
    batch = (first.details or {}).get("batch")
    if batch is None:
        return [first]
    return [
        row
        for row in rows
        if (row.details or {}).get("batch") == batch and row.action == first.action
    ]


def undo_last(db: Database, actor: Moderator) -> Outcome:
    with db.write() as conn:
        rows = audit.undoable(conn, actor.id, limit=200)
        if not rows:
            raise NotFound("nothing_to_undo", "There is nothing of yours left to undo.")
        batch = _last_batch(rows)
        when = now()
        for row in batch:
            _reverse(conn, actor, row)
            audit.record(
                conn, site_id=row.site_id, actor_id=actor.id, action="undo", target_type="audit",
                target_id=row.id, now=when,
                details={"action": row.action, "target_type": row.target_type,
                         "target_id": row.target_id},
            )  # fmt: skip
    action = batch[0].action
    count = f" of {len(batch)} comments" if len(batch) > 1 else ""
    targets = [int(row.target_id) for row in batch if row.target_type == "comment"]
    return Outcome("undo", targets, [], f"Undid the {_WORDS[action]}{count}.")


def _reverse(conn: Connection, actor: Moderator, row: AuditRow) -> None:
    details = row.details or {}
    if row.action in ("approve", "reject"):
        _restore_status(conn, actor, int(row.target_id), row.action, details)
    elif row.action in ("feature", "unfeature"):
        record, queued = load(conn, actor, int(row.target_id))
        if queued.featured != details.get("featured"):
            raise Conflict("changed_since", "Someone changed this comment since; nothing undone.")
        set_featured(conn, record, not details.get("featured"))
    elif row.action == "edit":
        _restore_body(conn, actor, int(row.target_id), int(details["revision"]))
    elif row.action in ("ban", "sanction"):
        sanction_store.lift_sanction(conn, int(details["sanction"]), actor.id, now())
        if details.get("rejected") and details.get("comment"):
            _restore_status(conn, actor, int(details["comment"]), "reject", details)
    elif row.action == "lift":
        sanction_store.unlift_sanction(conn, int(details["sanction"]))


def _restore_status(
    conn: Connection, actor: Moderator, comment_id: int, action: str, details: dict
) -> None:
    record, _ = load(conn, actor, comment_id)
    expected = Status.PUBLISHED if action == "approve" else Status.REJECTED
    if record.status != expected:
        raise Conflict(
            "changed_since", f"Comment {comment_id} changed since (it is now {record.status})."
        )
    previous = details.get("from", Status.PENDING.value)
    if previous != record.status:
        change_status(conn, record, previous)
    report_store.reopen(conn, details.get("reports", []))


def _restore_body(conn: Connection, actor: Moderator, comment_id: int, revision_id: int) -> None:
    record, _ = load(conn, actor, comment_id)
    revision = revision_store.revision_by_id(conn, revision_id)
    if revision is None or revision.comment_id != comment_id:
        raise Conflict("changed_since", "The earlier text is no longer there.")
    # The edit stamped edited_at with its revision's time; a later edit by
    # another moderator (a newer revision) or by the author (a newer edited_at)
    # is theirs to keep.
    later = [r for r in revision_store.revisions_of(conn, comment_id) if r.id > revision_id]
    if later or record.edited_at != revision.created_at:
        raise Conflict(
            "changed_since", f"Comment {comment_id} was edited again since; nothing undone."
        )
    # The undone text is kept as a revision too: nothing a moderator wrote is lost.
    replace_body(conn, record, revision.body_source, actor.id, now())

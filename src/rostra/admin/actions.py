"""What moderators do to comments: approve, reject, feature, edit.

Each call is one transaction that also writes the audit row, so the log never
misses an action and never records one that did not happen. Bulk calls share
a batch id in the rows' details, so one undo takes the whole batch back.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from rostra.admin.accounts import Moderator
from rostra.domain.markdown import render_markdown
from rostra.domain.policy import Status
from rostra.domain.text import clean_body
from rostra.errors import Conflict, Forbidden, InvalidInput, NotFound
from rostra.service.sites import site_rules
from rostra.service.visibility import change_status
from rostra.store import audit
from rostra.store import comments as comment_store
from rostra.store import queues as queue_store
from rostra.store import reports as report_store
from rostra.store import revisions as revision_store
from rostra.store import sites as site_store
from rostra.store import threads as thread_store
from rostra.store.comments import CommentRecord
from rostra.store.database import Database
from rostra.store.queues import QueueRow

MAX_BULK = 100
MAX_REASON = 500


@dataclass(frozen=True)
class Outcome:
    """What an action changed, in words for the moderator and ids for the UI."""

    action: str
    changed: list[int]
    skipped: list[int]
    message: str

    @property
    def undoable(self) -> bool:
        """Whether "Undo" would take back this action, rather than an older one.

        A sanction typed in on the sanctions page changes no comment, yet is undoable.
        """
        return self.action in audit.UNDOABLE and bool(self.changed or self.action == "sanction")


def now() -> datetime:
    return datetime.now(UTC)


def clean_reason(reason: str | None, *, required: bool = False) -> str | None:
    cleaned = (reason or "").strip()
    if len(cleaned) > MAX_REASON:
        raise InvalidInput("reason_too_long", f"A reason has at most {MAX_REASON} characters.")
    if required and not cleaned:
        raise InvalidInput("reason_required", "Give a reason: the author may ask why.")
    return cleaned or None


def load(conn: Connection, actor: Moderator, comment_id: int) -> tuple[CommentRecord, QueueRow]:
    record = comment_store.comment_by_id(conn, comment_id, for_update=True)
    if record is None:
        raise NotFound("unknown_comment", f"Comment {comment_id} does not exist.")
    if not actor.may_moderate(record.site_id):
        raise Forbidden("not_your_site", "You do not moderate the site of this comment.")
    return record, queue_store.queue_row(conn, comment_id)


def auto_verdict(row: QueueRow) -> str:
    """What the pipeline decided when the comment was posted (publish when it never ran).

    An imported comment no checker read was decided by the system it came
    from: "unchecked", neither a false hold nor a miss of the pipeline's.
    """
    verdict = (row.moderation or {}).get("verdict")
    if verdict:
        return verdict
    return "unchecked" if row.source_ref is not None else "publish"


def _check_ids(comment_ids: Sequence[int]) -> list[int]:
    ids = list(dict.fromkeys(comment_ids))
    if not ids:
        raise InvalidInput("nothing_selected", "Select at least one comment.")
    if len(ids) > MAX_BULK:
        raise InvalidInput("too_many", f"Act on at most {MAX_BULK} comments at once.")
    return ids


def _summary(verb: str, changed: list[int], skipped: list[int]) -> str:
    noun = "comment" if len(changed) == 1 else "comments"
    text = f"{verb} {len(changed)} {noun}."
    if skipped:
        text += f" {len(skipped)} already so or removed by the author, left as they were."
    return text


def approve(
    db: Database, actor: Moderator, comment_ids: Sequence[int], reason: str | None = None
) -> Outcome:
    """Publish held or rejected comments; on reported ones, dismiss the reports."""
    ids, reason = _check_ids(comment_ids), clean_reason(reason)
    batch, changed, skipped = secrets.token_hex(6), [], []
    with db.write() as conn:
        when = now()
        for comment_id in ids:
            record, row = load(conn, actor, comment_id)
            if record.status == Status.DELETED:
                skipped.append(comment_id)
                continue
            dismissed = report_store.resolve(conn, comment_id, "dismissed", when)
            if record.status == Status.PUBLISHED and not dismissed:
                skipped.append(comment_id)
                continue
            if record.status != Status.PUBLISHED:
                change_status(conn, record, Status.PUBLISHED.value)
            _log(conn, actor, "approve", record, when, reason, batch, row, dismissed)
            changed.append(comment_id)
    return Outcome("approve", changed, skipped, _summary("Approved", changed, skipped))


def reject(
    db: Database, actor: Moderator, comment_ids: Sequence[int], reason: str | None = None
) -> Outcome:
    """Take comments off the site (a tombstone stays for replies); uphold their reports."""
    ids, reason = _check_ids(comment_ids), clean_reason(reason)
    batch, changed, skipped = secrets.token_hex(6), [], []
    with db.write() as conn:
        when = now()
        for comment_id in ids:
            record, row = load(conn, actor, comment_id)
            if record.status in (Status.REJECTED, Status.DELETED):
                skipped.append(comment_id)
                continue
            upheld = report_store.resolve(conn, comment_id, "upheld", when)
            change_status(conn, record, Status.REJECTED.value)
            _log(conn, actor, "reject", record, when, reason, batch, row, upheld)
            changed.append(comment_id)
    return Outcome("reject", changed, skipped, _summary("Rejected", changed, skipped))


def _log(
    conn: Connection,
    actor: Moderator,
    action: str,
    record: CommentRecord,
    when: datetime,
    reason: str | None,
    batch: str,
    row: QueueRow,
    report_ids: list[int],
) -> None:
    details = {
        "from": record.status,
        "auto": auto_verdict(row),
        "reports": report_ids,
        "batch": batch,
    }
    audit.record(
        conn, site_id=record.site_id, actor_id=actor.id, action=action, target_type="comment",
        target_id=record.id, now=when, reason=reason, details=details,
    )  # fmt: skip


def feature(db: Database, actor: Moderator, comment_ids: Sequence[int], on: bool = True) -> Outcome:
    """Pick out comments for readers (or stop doing so); pages refresh at once."""
    ids = _check_ids(comment_ids)
    action = "feature" if on else "unfeature"
    batch, changed, skipped, unpublished = secrets.token_hex(6), [], [], []
    with db.write() as conn:
        when = now()
        for comment_id in ids:
            record, row = load(conn, actor, comment_id)
            if on and record.status != Status.PUBLISHED:
                unpublished.append(comment_id)
                continue
            if row.featured == on:
                skipped.append(comment_id)
                continue
            set_featured(conn, record, on)
            audit.record(
                conn, site_id=record.site_id, actor_id=actor.id, action=action,
                target_type="comment", target_id=record.id, now=when,
                details={"featured": on, "batch": batch},
            )  # fmt: skip
            changed.append(comment_id)
    verb = "Featured" if on else "Unfeatured"
    message = _summary(verb, changed, skipped)
    if unpublished:
        message += f" {len(unpublished)} not published: only published comments can be featured."
    return Outcome(action, changed, skipped + unpublished, message)


def set_featured(conn: Connection, record: CommentRecord, on: bool) -> None:
    comment_store.update_comment(conn, record.id, featured=on)
    thread_store.record_change(conn, record.thread_id)


def edit(
    db: Database, actor: Moderator, comment_id: int, body: str, reason: str | None = None
) -> Outcome:
    """Change a comment's text, keeping the previous text as a revision."""
    reason = clean_reason(reason)
    with db.write() as conn:
        record, _ = load(conn, actor, comment_id)
        if record.status == Status.DELETED:
            raise Conflict("comment_deleted", "The author deleted this comment.")
        rules = site_rules(site_store.site_by_id(conn, record.site_id))
        cleaned = clean_body(body)
        if not cleaned:
            raise InvalidInput("body_empty", "The comment cannot be empty; reject it instead.")
        if len(cleaned) > rules.max_body_chars:
            raise InvalidInput(
                "body_too_long", f"This site allows {rules.max_body_chars} characters."
            )
        if cleaned == record.body_source:
            return Outcome("edit", [], [comment_id], "The text is unchanged.")
        when = now()
        revision_id = replace_body(conn, record, cleaned, actor.id, when)
        audit.record(
            conn, site_id=record.site_id, actor_id=actor.id, action="edit", target_type="comment",
            target_id=record.id, now=when, reason=reason, details={"revision": revision_id},
        )  # fmt: skip
    return Outcome("edit", [comment_id], [], "Saved the edit; the earlier text is in the history.")


def replace_body(
    conn: Connection, record: CommentRecord, source: str, actor_id: int, when: datetime
) -> int:
    """Store the current text as a revision and put `source` in its place."""
    revision_id = revision_store.insert_revision(
        conn, record.id, record.body_source, record.body_html, actor_id, when
    )
    comment_store.update_comment(
        conn, record.id, body_source=source, body_html=render_markdown(source), edited_at=when
    )
    thread_store.record_change(conn, record.thread_id)
    return revision_id

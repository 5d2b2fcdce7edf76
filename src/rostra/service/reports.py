"""Readers' reports: one per reader and comment, weighted by the reader's track record.

A reporter's weight is 2·(u + 1) / (u + d + 2), where u and d count their
earlier reports that moderators upheld and dismissed. A new reader weighs 1;
one whose reports are usually upheld approaches 2; one whose reports are
usually dismissed approaches 0. When the weights of a comment's open reports
add up to the site's `report_threshold`, the comment is held for a moderator.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from rostra.domain.policy import Status
from rostra.errors import Conflict, InvalidInput, NotFound
from rostra.moderation.settings import ModerationSettings
from rostra.service.comments import Client, check_origin
from rostra.service.identity import Hasher
from rostra.service.visibility import change_status
from rostra.store import comments as comment_store
from rostra.store import reports as report_store
from rostra.store import sites as site_store
from rostra.store.database import Database
from rostra.store.reports import REASONS
from rostra.store.schema import comments

MAX_NOTE = 500


@dataclass(frozen=True)
class Reported:
    comment_id: int
    site_origins: list[str]
    held: bool


def reporter_weight(upheld: int, dismissed: int) -> float:
    return 2.0 * (upheld + 1) / (upheld + dismissed + 2)


def _clean_note(note: str | None) -> str | None:
    cleaned = (note or "").replace("\x00", "").strip()
    if len(cleaned) > MAX_NOTE:
        raise InvalidInput("note_too_long", f"A note has at most {MAX_NOTE} characters.")
    return cleaned or None


def report_comment(
    db: Database, hasher: Hasher, comment_id: int, reason: str, note: str | None, client: Client
) -> Reported:
    if reason not in REASONS:
        raise InvalidInput("invalid_reason", f"A report's reason is one of: {', '.join(REASONS)}.")
    note = _clean_note(note)
    reporter = hasher.voter_key(client.ip, client.user_agent)
    try:
        with db.write() as conn:
            record = comment_store.comment_by_id(conn, comment_id, for_update=True)
            if record is None or not record.visible or record.shadowed:
                raise NotFound("unknown_comment", f"Comment {comment_id} does not exist.")
            site = site_store.site_by_id(conn, record.site_id)
            check_origin(site.origins, client.origin)
            if record.status != Status.PUBLISHED:
                raise Conflict("not_reportable", "This comment is no longer shown.")
            if report_store.has_reported(conn, comment_id, reporter):
                raise Conflict("already_reported", "You have already reported this comment.")
            now = datetime.now(UTC)
            report_store.insert_report(
                conn, site_id=record.site_id, comment_id=comment_id, reporter_key=reporter,
                reason=reason, note=note, weight=reporter_weight(*report_store.reporter_record(conn, reporter)),
                created_at=now,
            )  # fmt: skip
            held = _hold_if_over(conn, record, ModerationSettings.of_site(site.settings))
    except IntegrityError:
        # Two reports from the same reader racing: the unique key kept one.
        raise Conflict("already_reported", "You have already reported this comment.") from None
    return Reported(comment_id, site.origins, held)


def _hold_if_over(conn, record, settings: ModerationSettings) -> bool:
    count, weight = report_store.unresolved_weight(conn, record.id)
    if weight < settings.report_threshold:
        return False
    stored = conn.execute(
        select(comments.c.moderation).where(comments.c.id == record.id)
    ).scalar_one()
    moderation = dict(stored or {})
    reason = {
        "checker": "reports",
        "code": "reported",
        "message": (
            f"Held after {count} reader report{'s' if count != 1 else ''} "
            f"(weight {weight:.1f}, threshold {settings.report_threshold:g})."
        ),
        "verdict": "hold",
    }
    moderation["reasons"] = [*moderation.get("reasons", []), reason]
    # The pipeline's own verdict stays: the metrics tell its misses from its holds.
    moderation.setdefault("verdict", "publish")
    change_status(conn, record, Status.PENDING.value, moderation=moderation)
    return True

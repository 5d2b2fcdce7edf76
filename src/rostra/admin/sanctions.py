"""The ladder of sanctions: imposing one with a reason and an expiry, lifting it cleanly.

The pipeline reads the sanctions in force when an author posts; here they are
only created and lifted, each with its audit row in the same transaction.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from rostra.admin.accounts import Moderator
from rostra.admin.actions import Outcome, auto_verdict, clean_reason, load, now
from rostra.domain.policy import Status
from rostra.errors import Forbidden, InvalidInput, NotFound
from rostra.service.visibility import change_status
from rostra.store import audit
from rostra.store import reports as report_store
from rostra.store import sanctions as sanction_store
from rostra.store import sites as site_store
from rostra.store.database import Database
from rostra.store.sanctions import KINDS

LABELS = {
    "warn": "Warn",
    "rate_limit": "Rate-limit",
    "premoderate": "Pre-moderate",
    "suspend": "Suspend",
    "ban": "Ban",
    "shadow_ban": "Shadow ban",
}
# Durations offered in the forms, in hours; 0 means until lifted.
DURATIONS = {"0": None, "1": 1, "24": 24, "72": 72, "168": 168, "720": 720, "8760": 8760}
DURATION_LABELS = {
    "0": "until lifted", "1": "1 hour", "24": "1 day", "72": "3 days", "168": "1 week",
    "720": "30 days", "8760": "1 year",
}  # fmt: skip
# A suspension is by definition timed; a warning is a note that needs no end.
NEEDS_EXPIRY = frozenset({"suspend"})
NO_EXPIRY = frozenset({"warn"})
MATCHES = ("author_key", "email", "ip_hash")


@dataclass(frozen=True)
class Target:
    """Who a sanction applies to: any of the identifiers given."""

    author_key: str | None = None
    email: str | None = None
    ip_hash: str | None = None

    def empty(self) -> bool:
        return not (self.author_key or self.email or self.ip_hash)


def parse_duration(hours: str | None) -> timedelta | None:
    if hours in (None, ""):
        return None
    if hours not in DURATIONS:
        raise InvalidInput("invalid_duration", "Choose one of the offered durations.")
    value = DURATIONS[hours]
    return None if value is None else timedelta(hours=value)


def _check(kind: str, target: Target, duration: timedelta | None) -> None:
    if kind not in KINDS:
        raise InvalidInput("invalid_kind", f"A sanction is one of: {', '.join(KINDS)}.")
    if target.empty():
        raise InvalidInput(
            "no_target", "Name the author by at least one of browser key, email or IP hash."
        )
    if kind in NEEDS_EXPIRY and duration is None:
        raise InvalidInput("expiry_required", "A suspension needs a duration.")
    if kind in NO_EXPIRY and duration is not None:
        raise InvalidInput("no_expiry", "A warning has no duration.")


def impose(
    conn: Connection,
    actor: Moderator,
    site_id: int,
    kind: str,
    target: Target,
    reason: str,
    duration: timedelta | None,
    when: datetime,
    *,
    action: str = "sanction",
    comment_id: int | None = None,
    extra: dict | None = None,
) -> int:
    _check(kind, target, duration)
    sanction_id = sanction_store.insert_sanction(
        conn, site_id=site_id, kind=kind, author_key=target.author_key, email=target.email,
        ip_hash=target.ip_hash, reason=reason, created_by=actor.id, created_at=when,
        expires_at=when + duration if duration else None,
    )  # fmt: skip
    details = {"sanction": sanction_id, "kind": kind, "comment": comment_id, **(extra or {})}
    if duration:
        details["hours"] = duration.total_seconds() / 3600
    audit.record(
        conn, site_id=site_id, actor_id=actor.id, action=action, target_type="sanction",
        target_id=sanction_id, now=when, reason=reason, details=details,
    )  # fmt: skip
    return sanction_id


def sanction_author(
    db: Database,
    actor: Moderator,
    comment_id: int,
    kind: str,
    reason: str | None,
    hours: str | None,
    match: list[str],
) -> Outcome:
    """Impose any rung of the ladder on the author of a comment, matched as chosen."""
    reason = clean_reason(reason, required=True)
    duration = parse_duration(hours)
    unknown = set(match) - set(MATCHES)
    if unknown:
        raise InvalidInput("invalid_match", "Match authors by author_key, email or ip_hash.")
    with db.write() as conn:
        record, row = load(conn, actor, comment_id)
        target = Target(
            author_key=row.author_key if "author_key" in match else None,
            email=row.author_email if "email" in match else None,
            ip_hash=row.ip_hash if "ip_hash" in match else None,
        )
        impose(conn, actor, record.site_id, kind, target, reason, duration, now(),
               comment_id=comment_id)  # fmt: skip
    return Outcome("sanction", [comment_id], [], f"{LABELS.get(kind, kind)} imposed on the author.")


def ban_author(
    db: Database, actor: Moderator, comment_id: int, reason: str | None = None
) -> Outcome:
    """One click: ban the author by browser key and email, and reject the comment.

    Not by IP hash: an address is often shared (offices, mobile carriers), so
    an IP ban is a deliberate choice made on the comment's sanction form.
    """
    reason = clean_reason(reason) or "Banned from the moderation queue."
    with db.write() as conn:
        when = now()
        record, row = load(conn, actor, comment_id)
        target = Target(row.author_key, row.author_email)
        removed = record.status in (Status.PUBLISHED, Status.PENDING)
        upheld = report_store.resolve(conn, comment_id, "upheld", when) if removed else []
        if removed:
            change_status(conn, record, Status.REJECTED.value)
        extra = {"from": record.status, "rejected": removed, "reports": upheld,
                 "auto": auto_verdict(row)}  # fmt: skip
        impose(conn, actor, record.site_id, "ban", target, reason, None, when,
               action="ban", comment_id=comment_id, extra=extra)  # fmt: skip
    return Outcome("ban", [comment_id], [], "Banned the author and rejected the comment.")


def sanction_by_identifiers(
    db: Database,
    actor: Moderator,
    site_name: str,
    kind: str,
    target: Target,
    reason: str | None,
    hours: str | None,
) -> Outcome:
    """A sanction typed in by hand on the sanctions page (e.g. an email from a complaint)."""
    reason = clean_reason(reason, required=True)
    duration = parse_duration(hours)
    target = Target(
        (target.author_key or "").strip() or None,
        _typed_email(target.email),
        (target.ip_hash or "").strip() or None,
    )
    with db.write() as conn:
        site = site_store.require_site(conn, site_name)
        if not actor.may_moderate(site.id):
            raise Forbidden("not_your_site", "You do not moderate this site.")
        impose(conn, actor, site.id, kind, target, reason, duration, now())
    return Outcome("sanction", [], [], f"{LABELS.get(kind, kind)} imposed.")


def _typed_email(text: str | None) -> str | None:
    email = (text or "").strip().lower()
    if not email:
        return None
    local, at, domain = email.rpartition("@")
    if not (local and at and "." in domain.strip(".")) or any(c.isspace() for c in email):
        # A sanction on a typo would match nobody and look as if it were in force.
        raise InvalidInput("invalid_email", f"{email!r} is not an email address.")
    return email


def lift(db: Database, actor: Moderator, sanction_id: int, reason: str | None = None) -> Outcome:
    reason = clean_reason(reason)
    with db.write() as conn:
        sanction = sanction_store.sanction_by_id(conn, sanction_id)
        if sanction is None or not actor.may_moderate(sanction.site_id):
            raise NotFound("unknown_sanction", f"Sanction {sanction_id} does not exist.")
        when = now()
        if sanction.lifted_at is not None:
            return Outcome("lift", [], [sanction_id], "That sanction was already lifted.")
        sanction_store.lift_sanction(conn, sanction_id, actor.id, when)
        audit.record(
            conn, site_id=sanction.site_id, actor_id=actor.id, action="lift",
            target_type="sanction", target_id=sanction_id, now=when, reason=reason,
            details={"sanction": sanction_id, "kind": sanction.kind, "batch": secrets.token_hex(6)},
        )  # fmt: skip
    return Outcome("lift", [sanction_id], [], f"Lifted the {LABELS[sanction.kind].lower()}.")

"""Sanctions moderators placed on the author."""

from sqlalchemy import Connection

from rostra.moderation.decision import Reason, Refusal, Verdict
from rostra.moderation.submission import Submission
from rostra.store import sanctions as sanction_store

NAME = "sanctions"
RATE_LIMITED_PER_MINUTE = 1


def check(conn: Connection, sub: Submission) -> tuple[list[Reason], bool, bool]:
    """Returns the reasons, whether the author is shadow banned, and whether rate-limited."""
    active = sanction_store.active_for(
        conn, sub.site_id, sub.now, author_key=sub.author_key, ip_hash=sub.ip_hash, email=sub.email
    )
    kinds = {sanction.kind: sanction for sanction in active}
    if "suspend" in kinds:
        until = kinds["suspend"].expires_at
        when = f" until {until:%Y-%m-%d %H:%M} UTC" if until else ""
        raise Refusal(403, "author_suspended", f"You cannot comment on this site{when}.")
    reasons = []
    if "ban" in kinds:
        reasons.append(
            Reason(
                NAME, "author_banned", f"The author is banned: {kinds['ban'].reason}", Verdict.HOLD
            )
        )
    if "premoderate" in kinds:
        reasons.append(
            Reason(
                NAME,
                "author_premoderated",
                f"The author's comments are reviewed first: {kinds['premoderate'].reason}",
                Verdict.HOLD,
            )
        )
    return reasons, "shadow_ban" in kinds, "rate_limit" in kinds

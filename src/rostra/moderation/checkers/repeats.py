"""Floods, repeats and raids.

More than N comments a minute from one author or address is refused with 429.
The same or nearly the same text again from the same author (in any thread) is
held; the same text from many authors within minutes is a raid: held, and the
thread switches to full pre-moderation.
"""

from datetime import timedelta
from difflib import SequenceMatcher

from sqlalchemy import Connection

from rostra.moderation.decision import Reason, Refusal, Verdict
from rostra.moderation.submission import Submission
from rostra.store import moderation as queries

NAME = "repeats"
NEAR_DUPLICATE = 0.9


def check_flood(conn: Connection, sub: Submission, per_minute: int) -> None:
    since = sub.now - timedelta(minutes=1)
    if queries.recent_count(conn, sub.site_id, sub.author_key, sub.ip_hash, since) < per_minute:
        return
    oldest = queries.oldest_recent(conn, sub.site_id, sub.author_key, sub.ip_hash, since)
    wait = max(1, int(60 - (sub.now - oldest).total_seconds()) + 1) if oldest else 60
    raise Refusal(
        429,
        "too_many_comments",
        f"Too many comments in a minute; try again in {wait} s.",
        retry_after=wait,
    )


def check(conn: Connection, sub: Submission) -> list[Reason]:
    since = sub.now - timedelta(minutes=sub.settings.duplicate_window_minutes)
    reasons = []
    if _repeats_own_text(conn, sub, since):
        reasons.append(
            Reason(NAME, "duplicate", "The author posted the same text moments ago.", Verdict.HOLD)
        )
    authors = queries.authors_with_fingerprint(conn, sub.site_id, sub.fingerprint, since)
    if authors + 1 >= sub.settings.raid_authors:
        reasons.append(
            Reason(
                NAME,
                "raid",
                f"{authors + 1} authors posted this text within minutes.",
                Verdict.HOLD,
            )
        )
    return reasons


def _plain(text: str) -> str:
    # Disguised exact repeats are caught by the fingerprint; for "nearly the
    # same" a cheap form is enough, and it runs on up to twenty old comments.
    return " ".join(text.lower().split())


def _repeats_own_text(conn: Connection, sub: Submission, since) -> bool:
    mine = _plain(sub.body)
    for body, fingerprint in queries.recent_texts_by_author(
        conn, sub.site_id, sub.author_key, since
    ):
        if fingerprint == sub.fingerprint:
            return True
        matcher = SequenceMatcher(None, mine, _plain(body))
        if matcher.real_quick_ratio() >= NEAR_DUPLICATE and matcher.ratio() >= NEAR_DUPLICATE:
            return True
    return False
